# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The exceptions of m4rpc, and how errnos and error replies map onto them.

Each one says what happened and, where there is one, what to do. They all
derive from Error; those with a standard counterpart derive from it too
(Timeout is a TimeoutError, NoPermission a PermissionError, DeviceGone a
ConnectionError, MessageTooBig a ValueError), so generic handlers work.
"""
import errno
import grp
import os

from . import _uapi

# The Arduino RPC library (rpclib) on the M4 words its own errors so.
RPCLIB_NO_FUNCTION = "rpclib: server could not find function"
RPCLIB_BAD_ARGC = "rpclib: Function '"
RPCLIB_BAD_ARGC_TAIL = "was called with an invalid number of arguments"
# Error replies the kernel makes itself start with this (<linux/m4rpc.h>).
KERNEL_PREFIX = "m4rpc: "
KERNEL_M4_STOPPED = "m4rpc: the M4 stopped running RPC"
KERNEL_REPLY_LOST = "m4rpc: the reply was lost on the link"


class Error(Exception):
    """Base of every m4rpc exception."""


class Timeout(Error, TimeoutError):
    """No reply within the call's timeout.

    After a link resynchronisation or a hole in the stream a reply may
    never come (<linux/m4rpc.h>); the call may or may not have run on
    the M4.
    """

    def __init__(self, method, timeout, note=""):
        self.method = method
        self.timeout = timeout
        msg = "%s: no reply from the M4 within %g s" % (method, timeout)
        super().__init__(msg + (" (%s)" % note if note else ""))


class RemoteError(Error):
    """The M4 answered with an error; .error is what it sent (its text)."""

    def __init__(self, method, error):
        self.method = method
        self.error = error
        super().__init__("%s: %s" % (method, error))


class NoSuchMethod(RemoteError):
    """The sketch has bound no such method (rpclib's "could not find")."""


class BadArguments(RemoteError):
    """The sketch's method takes another number of arguments."""


class ReplyLost(Error):
    """The kernel saw the reply damaged on the link and dropped it: the
    call ran on the M4, its result is unknown. Retry if that is safe."""

    def __init__(self, method, text):
        self.method = method
        self.text = text
        super().__init__("%s: %s" % (method, text))


class KernelError(Error):
    """Another error reply of the kernel's own ("m4rpc: ...")."""

    def __init__(self, method, text):
        self.method = method
        self.text = text
        super().__init__("%s: %s" % (method, text))


_M4_REASONS = {
    _uapi.M4_NO_PROGRAM: "no valid M4 program in flash: upload a sketch",
    _uapi.M4_NO_RPC: "the M4 runs, but its sketch has not called "
                     "RPC.begin()",
    _uapi.M4_UNKNOWN: "the link does not know the M4's state yet (the H7 "
                      "has not answered)",
}


def m4_reason(m4_state):
    """Why the M4 does not take messages, in words, for INFO's m4_state."""
    return _M4_REASONS.get(m4_state, "M4 state %d" % m4_state)


class M4NotRunning(Error):
    """The M4 does not run RPC: .state is info.m4_state (M4_NO_PROGRAM,
    M4_NO_RPC, M4_UNKNOWN; None when a call was failed because the M4
    stopped), .reason says it in words."""

    def __init__(self, reason, state=None, method=None):
        self.reason = reason
        self.state = state
        self.method = method
        prefix = "%s: " % method if method else ""
        super().__init__("%sthe M4 is not running RPC: %s" % (prefix, reason))


class DeviceGone(Error, ConnectionError):
    """The device went away (the board was unbound or unloaded)."""

    def __init__(self, path, what="the device is gone"):
        super().__init__(errno.ENODEV, "%s: %s" % (path, what))


class NoDevice(Error, FileNotFoundError):
    """There is no such device node."""

    def __init__(self, path):
        super().__init__(errno.ENOENT, "%s: no such device: is m4rpc.ko "
                         "loaded and the board's link bound (in a "
                         "container: --device %s)?" % (path, path))


class NoPermission(Error, PermissionError):
    """open() of the device was refused; the text names its group."""

    def __init__(self, path):
        super().__init__(errno.EACCES, "%s: permission denied: %s"
                         % (path, group_hint(path)))


def group_hint(path):
    """What to do about EACCES on @path: join its group, or get one."""
    try:
        st = os.stat(path)
    except OSError:
        return "the device cannot be read"
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    if st.st_mode & 0o060 != 0o060:
        return ("the device is mode %o, not open to its group (%s): "
                "install m4rpc's udev rule (60-m4rpc.rules: group m4rpc, "
                "mode 0660) and join the group m4rpc, or run as root" %
                (st.st_mode & 0o777, group))
    return ("join the device's group: sudo usermod -aG %s $USER, then log "
            "in again (in a container: --group-add %d)" % (group, st.st_gid))


class MessageTooBig(Error, ValueError):
    """A message longer than the link takes (.limit: info.max_tx_msg)."""

    def __init__(self, what, size, limit):
        self.size = size
        self.limit = limit
        super().__init__("%s: %d bytes as a message, the link takes at most "
                         "%d (one H7 subframe)" % (what, size, limit))


class AlreadyBound(Error):
    """Another session (process) serves that method already."""

    def __init__(self, name):
        self.name = name
        super().__init__("%r is bound by another session (another process, "
                         "or the kernel's tty for 'tty')" % name)


class Closed(Error):
    """The client was closed."""


class ProtocolError(Error):
    """Something came from the device that is no msgpack-rpc message."""


def from_reply(method, error):
    """The exception for the error object of a response to @method."""
    if isinstance(error, bytes):
        error = error.decode("utf-8", "replace")
    if isinstance(error, str):
        if error.startswith(RPCLIB_NO_FUNCTION):
            return NoSuchMethod(method, error)
        if error.startswith(RPCLIB_BAD_ARGC) and RPCLIB_BAD_ARGC_TAIL in error:
            return BadArguments(method, error)
        if error.startswith(KERNEL_M4_STOPPED):
            return M4NotRunning(error[len(KERNEL_PREFIX):], method=method)
        if error.startswith(KERNEL_REPLY_LOST):
            return ReplyLost(method, error)
        if error.startswith(KERNEL_PREFIX):
            return KernelError(method, error)
    return RemoteError(method, error)


def from_errno(err, path, what):
    """The exception for errno @err of an operation on the device."""
    if err == errno.ENODEV:
        return DeviceGone(path)
    if err == errno.ENOENT:
        return NoDevice(path)
    if err in (errno.EACCES, errno.EPERM):
        return NoPermission(path)
    return OSError(err, "%s: %s: %s" % (path, what, os.strerror(err)))
