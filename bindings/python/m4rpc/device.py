# SPDX-License-Identifier: GPL-2.0 OR MIT
"""/dev/m4rpcN itself: open, one message in and out, the ioctls.

No locking and no msgpack here: the Client above serialises readers and
matches replies. The descriptor is non-blocking; waiting is poll()'s job,
so that every wait has a timeout and close() can wake it.
"""
import errno
import fcntl
import os

from . import _uapi
from .errors import (AlreadyBound, M4NotRunning, MessageTooBig, from_errno,
                     m4_reason)


class _Record:
    """A plain object of a structure's fields (reserved ones left out)."""

    def __init__(self, fields):
        for k, v in fields.items():
            if not k.startswith("reserved"):
                setattr(self, k, v)

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join(
            "%s=%r" % kv for kv in vars(self).items()))


class Info(_Record):
    """M4RPC_IOC_INFO: the link's limits and states; strings are str."""

    def __init__(self, fields):
        super().__init__(fields)
        for k in ("fw_version", "spi_device"):
            setattr(self, k, getattr(self, k).split(b"\0", 1)[0].decode(
                "utf-8", "replace"))

    @property
    def m4_running(self):
        return self.m4_state == _uapi.M4_RUNNING

    @property
    def m4_reason(self):
        """Why the M4 takes no messages, in words ("" when it does)."""
        return "" if self.m4_running else m4_reason(self.m4_state)


class LinkStats(_Record):
    """M4RPC_IOC_LINK_STATS: the link's counters since it was bound."""


class SessionStats(_Record):
    """M4RPC_IOC_SESSION_STATS: this session's counters."""


def default_path(board):
    return "/dev/m4rpc%d" % board


class Device:
    """One session of /dev/m4rpcN (one open())."""

    def __init__(self, path):
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as e:
            raise from_errno(e.errno, path, "open") from None
        try:
            self.info = self.get_info()
        except BaseException:
            os.close(self.fd)
            raise
        self.max_tx = self.info.max_tx_msg
        # The longest message the M4 sends, and the kernel's: grown on
        # EMSGSIZE, so a limit read wrong costs one more read.
        self.rx_size = max(self.info.max_rx_msg, 256)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def fileno(self):
        return self.fd

    def _ioctl(self, what, req, buf):
        try:
            fcntl.ioctl(self.fd, req, buf, True)
        except OSError as e:
            raise self._error(e.errno, what) from None
        return buf

    def _error(self, err, what):
        return from_errno(err, self.path, what)

    def get_info(self):
        buf = bytearray(_uapi.INFO.size)
        self._ioctl("M4RPC_IOC_INFO", _uapi.IOC_INFO, buf)
        return Info(_uapi.INFO.unpack(buf))

    def link_stats(self):
        buf = bytearray(_uapi.LINK_STATS.size)
        self._ioctl("M4RPC_IOC_LINK_STATS", _uapi.IOC_LINK_STATS, buf)
        return LinkStats(_uapi.LINK_STATS.unpack(buf))

    def session_stats(self):
        buf = bytearray(_uapi.SESSION_STATS.size)
        self._ioctl("M4RPC_IOC_SESSION_STATS", _uapi.IOC_SESSION_STATS, buf)
        return SessionStats(_uapi.SESSION_STATS.unpack(buf))

    def _bind_req(self, name):
        raw = name.encode("utf-8")
        if not 1 <= len(raw) <= _uapi.NAME_MAX:
            raise ValueError("a method name to bind is 1..%d bytes, %r is %d"
                             % (_uapi.NAME_MAX, name, len(raw)))
        return bytearray(_uapi.BIND.struct.pack(len(raw), 0, raw))

    def bind(self, name):
        try:
            fcntl.ioctl(self.fd, _uapi.IOC_BIND, self._bind_req(name), True)
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EBUSY):
                raise AlreadyBound(name) from None
            if e.errno == errno.ENOSPC:
                raise OSError(e.errno, "%s: bind %r: a session binds at most "
                              "64 names" % (self.path, name)) from None
            raise self._error(e.errno, "bind %r" % name) from None

    def unbind(self, name):
        self._ioctl("unbind %r" % name, _uapi.IOC_UNBIND, self._bind_req(name))

    def write(self, data, what):
        """One whole message: True, or False when the kernel has no room
        now (EAGAIN: poll for POLLOUT and try again)."""
        try:
            os.write(self.fd, data)
            return True
        except BlockingIOError:
            return False
        except OSError as e:
            if e.errno == errno.EHOSTDOWN:
                info = self.get_info()
                raise M4NotRunning(m4_reason(info.m4_state), info.m4_state,
                                   what) from None
            if e.errno == errno.EMSGSIZE:
                raise MessageTooBig(what, len(data), self.max_tx) from None
            if e.errno == errno.EINVAL:
                raise ValueError("%s: %s refused the message as not of the "
                                 "form the M4 takes (EINVAL): %s" %
                                 (what, self.path, data[:32].hex())) from None
            raise self._error(e.errno, what) from None

    def read(self):
        """One message (bytes); None when none is queued (EAGAIN);
        "overflow" once after the kernel dropped messages for this
        session. DeviceGone when the device went away and nothing is
        left to read."""
        while True:
            try:
                return os.read(self.fd, self.rx_size)
            except BlockingIOError:
                return None
            except OSError as e:
                if e.errno == errno.EOVERFLOW:
                    return "overflow"
                if e.errno != errno.EMSGSIZE:
                    raise self._error(e.errno, "read") from None
            n = self.session_stats().next_msg_len
            self.rx_size = max(self.rx_size * 2, n)
