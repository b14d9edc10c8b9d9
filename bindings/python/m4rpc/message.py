# SPDX-License-Identifier: GPL-2.0 OR MIT
"""msgpack-rpc messages in the form /dev/m4rpcN takes and gives.

request [0, msgid, method, [params]], response [1, msgid, error, result],
notification [2, method, [params]]; str is str, bin is bytes both ways
(use_bin_type), so text and binary data keep their msgpack types.
"""
import collections

import msgpack

from .errors import MessageTooBig, ProtocolError

REQUEST = 0
RESPONSE = 1
NOTIFICATION = 2
MSGID_MAX = 0xFFFFFFFF
# The kernel sends requests and responses with a msgid of its own, a
# uint32: whatever our msgid's encoding, it counts as 5 bytes.
WIRE_MSGID_LEN = 5

Message = collections.namedtuple("Message", "type msgid method params error result")
Message.__doc__ = "One decoded message; fields its type lacks are None."


def _packb(obj):
    try:
        return msgpack.packb(obj, use_bin_type=True)
    except (TypeError, ValueError, OverflowError) as e:
        raise TypeError("cannot send as msgpack: %s" % e) from None


def _msgid_len(msgid):
    return len(msgpack.packb(msgid))


def _check_size(what, data, limit, msgid=None):
    size = len(data)
    if msgid is not None:
        size += WIRE_MSGID_LEN - _msgid_len(msgid)
    if limit and size > limit:
        raise MessageTooBig(what, size, limit)
    return data


def _method(method):
    if isinstance(method, bytes):
        method = method.decode("utf-8")
    if not isinstance(method, str) or not method:
        raise ValueError("a method name is a non-empty str, not %r" % (method,))
    return method


def request(msgid, method, params, limit=0):
    """[0, msgid, method, [params]]; MessageTooBig past @limit (0: none)."""
    method = _method(method)
    data = _packb([REQUEST, msgid, method, list(params)])
    return _check_size(method, data, limit, msgid)


def notification(method, params, limit=0):
    """[2, method, [params]]."""
    method = _method(method)
    return _check_size(method, _packb([NOTIFICATION, method, list(params)]),
                       limit)


def response(msgid, error, result, limit=0, what="response"):
    """[1, msgid, error, result]."""
    return _check_size(what, _packb([RESPONSE, msgid, error, result]), limit,
                       msgid)


def max_bin(method, limit):
    """The longest bin a request [0, msgid, method, [bin]] can carry
    within @limit bytes, whatever its msgid."""
    base = len(request(MSGID_MAX, method, [b""])) - 2	# bin8's header
    n = limit - base - 2
    return n if n < 256 else min(limit - base - 3, 65535)


def unpack(data):
    """Decode one message; ProtocolError when it is none."""
    try:
        obj = msgpack.unpackb(data, raw=False, strict_map_key=False,
                              unicode_errors="surrogateescape")
    except (ValueError, TypeError, msgpack.ExtraData,
            msgpack.FormatError, msgpack.StackError) as e:
        raise ProtocolError("undecodable message (%s): %s" % (e, data[:32].hex())) from None
    if not isinstance(obj, list) or not obj or obj[0] not in (0, 1, 2):
        raise ProtocolError("not a msgpack-rpc message: %r" % (obj,))
    if obj[0] == NOTIFICATION and len(obj) == 3 and isinstance(obj[2], list):
        return Message(NOTIFICATION, None, _name(obj[1]), obj[2], None, None)
    if len(obj) == 4 and isinstance(obj[1], int):
        if obj[0] == RESPONSE:
            return Message(RESPONSE, obj[1], None, None, obj[2], obj[3])
        if obj[0] == REQUEST and isinstance(obj[3], list):
            return Message(REQUEST, obj[1], _name(obj[2]), obj[3], None, None)
    raise ProtocolError("not a msgpack-rpc message: %r" % (obj,))


def _name(m):
    # rpclib takes a bin for a method name too.
    if isinstance(m, bytes):
        return m.decode("utf-8", "surrogateescape")
    if isinstance(m, str):
        return m
    raise ProtocolError("method name is not a str: %r" % (m,))
