# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Messages as the device takes them: form, types, the size rule."""
import unittest

import msgpack

from m4rpc import MessageTooBig, ProtocolError, message


class Build(unittest.TestCase):
    def test_request_form(self):
        """a request is [0, msgid, method, [params]] in a fixarray 0x94"""
        b = message.request(7, "temperature", ())
        self.assertEqual(b[0], 0x94)
        self.assertEqual(msgpack.unpackb(b), [0, 7, "temperature", []])

    def test_notification_form(self):
        """a notification is [2, method, [params]] in a fixarray 0x93"""
        b = message.notification("led", (True,))
        self.assertEqual(b[0], 0x93)
        self.assertEqual(msgpack.unpackb(b), [2, "led", [True]])

    def test_str_and_bin_keep_their_types(self):
        """str goes as msgpack str, bytes as bin"""
        b = message.request(1, "echo", ("é", b"\x00\xff"))
        obj = msgpack.unpackb(b, raw=True)
        self.assertEqual(obj[3], ["é".encode(), b"\x00\xff"])
        self.assertIn(b"\xa2\xc3\xa9", b)	# fixstr of 2 bytes
        self.assertIn(b"\xc4\x02\x00\xff", b)	# bin8 of 2 bytes

    def test_response_form(self):
        b = message.response(9, None, [1, 2])
        self.assertEqual(msgpack.unpackb(b), [1, 9, None, [1, 2]])

    def test_bad_method_name(self):
        """a method is a non-empty str: ValueError otherwise"""
        for m in ("", None, 3):
            with self.assertRaises(ValueError):
                message.request(1, m, ())

    def test_unpackable_argument(self):
        """an argument msgpack cannot carry: TypeError naming it"""
        with self.assertRaisesRegex(TypeError, "cannot send as msgpack"):
            message.request(1, "echo", (object(),))
        with self.assertRaises(TypeError):
            message.request(1, "echo", (1 << 64,))


class Size(unittest.TestCase):
    def test_request_msgid_counts_five_bytes(self):
        """a request with a fixint msgid may be max_tx - 4 bytes long"""
        limit = 248
        pad = b"x" * 200
        base = len(message.request(1, "echo", (pad,)))
        fill = b"x" * (200 + limit - 4 - base)
        self.assertEqual(len(message.request(1, "echo", (fill,), limit)),
                         limit - 4)
        with self.assertRaises(MessageTooBig) as cm:
            message.request(1, "echo", (fill + b"x",), limit)
        self.assertEqual(cm.exception.limit, limit)
        self.assertEqual(cm.exception.size, limit + 1)
        self.assertIn("at most 248", str(cm.exception))

    def test_notification_limit(self):
        """a notification counts as it is"""
        base = len(message.notification("n", (b"",)))
        ok = b"x" * (248 - base)	# a bin8 still
        self.assertEqual(len(message.notification("n", (ok,), 248)), 248)
        with self.assertRaises(MessageTooBig):
            message.notification("n", (ok + b"x",), 248)

    def test_max_bin_fills_a_message(self):
        """max_bin(): a bin that long fills a request exactly, one more
        byte does not fit (bin8 and bin16 sizes)"""
        for limit in (244, 248, 1000):
            n = message.max_bin("tty", limit)
            msg = message.request(message.MSGID_MAX, "tty", (b"x" * n,), limit)
            self.assertEqual(len(msg), limit)
            with self.assertRaises(MessageTooBig):
                message.request(message.MSGID_MAX, "tty", (b"x" * (n + 1),),
                                limit)


class Unpack(unittest.TestCase):
    def test_forms(self):
        r = message.unpack(msgpack.packb([1, 5, None, b"\x01"], use_bin_type=True))
        self.assertEqual((r.type, r.msgid, r.error, r.result),
                         (message.RESPONSE, 5, None, b"\x01"))
        q = message.unpack(msgpack.packb([0, 6, "ping", [1, "a"]]))
        self.assertEqual((q.type, q.msgid, q.method, q.params),
                         (message.REQUEST, 6, "ping", [1, "a"]))
        n = message.unpack(msgpack.packb([2, b"tty", [b"hi"]], use_bin_type=True))
        self.assertEqual((n.type, n.method, n.params),
                         (message.NOTIFICATION, "tty", [b"hi"]))

    def test_int_map_keys_and_bad_utf8(self):
        """maps with int keys and str with invalid UTF-8 still decode"""
        m = message.unpack(msgpack.packb([1, 1, None, {1: "a"}]))
        self.assertEqual(m.result, {1: "a"})
        m = message.unpack(b"\x94\x01\x01\xc0\xa1\xff")
        self.assertEqual(m.result.encode("utf-8", "surrogateescape"), b"\xff")

    def test_junk(self):
        """junk is a ProtocolError, never a crash"""
        for junk in (b"", b"\xc1", b"\x94\x01", msgpack.packb([3, 1, 2, 3]),
                     msgpack.packb({"a": 1}), msgpack.packb([0, 1, 2, 3]),
                     msgpack.packb([1, 1, None, 1]) + b"\x00"):
            with self.assertRaises(ProtocolError, msg=junk.hex()):
                message.unpack(junk)


if __name__ == "__main__":
    unittest.main()
