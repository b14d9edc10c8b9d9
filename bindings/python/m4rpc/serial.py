# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The M4's Serial: a file-like object over the "tty" method.

On the X8 the sketch's Serial is RPC: Serial.write()/print() send
[2, "tty", [bin]] notifications to Linux, and text for the sketch is a
call of its bound tty(bin) method. Serial binds "tty" in its session and
gathers those notifications as a byte stream; write() cuts what it is
given into tty calls, a line each (and no more than one message holds),
and waits for each reply, so the M4 takes the text at its own pace.
"""
import io
import time

from . import errors, message
from ._engine import _remaining
from .client import Client

METHOD = "tty"


def _pieces(data, most):
    """@data cut after each newline and every @most bytes."""
    start = 0
    while start < len(data):
        nl = data.find(b"\n", start, start + most)
        end = nl + 1 if nl >= 0 else min(start + most, len(data))
        yield data[start:end]
        start = end


class Serial(io.RawIOBase):
    """The M4's Serial as a binary stream; iterating gives its lines
    (bytes, b"\\r\\n" included, as Serial.println() ends them); lines()
    gives them as str without the line end.

    @client: a Client whose session takes the "tty" binding (none: a
    session of its own on @board). @timeout: how long a read waits for
    data (None: until some comes; with a timeout, a read returns what
    came, b"" if nothing did, as pyserial's). A read returns b"" at the
    end too: the client closed or the device gone.
    """

    def __init__(self, client=None, board=0, timeout=None, write_timeout=None):
        super().__init__()
        if client is None:
            client = Client(board)
            self._own = True
        else:
            self._own = False
        self.client = client
        self.timeout = timeout
        self.write_timeout = write_timeout
        self._buf = bytearray()
        e = client._engine
        e._inline[METHOD] = self._feed	# before the first one can come
        try:
            e.dev.bind(METHOD)
        except BaseException:
            e._inline.pop(METHOD, None)
            if self._own:
                client.close()
            raise

    # ---- reading --------------------------------------------------------

    def _feed(self, m):
        # Run by whichever thread reads the session; the engine notifies
        # the waiters afterwards.
        e = self.client._engine
        if m.type == message.REQUEST:
            e.refuse(m, "Linux serves no tty() call, it reads Serial")
            return
        for p in m.params:
            if isinstance(p, str):
                p = p.encode("utf-8", "surrogateescape")
            if isinstance(p, (bytes, bytearray)):
                with e._lock:
                    self._buf += p

    def _check_closed(self):
        if self.closed:
            raise ValueError("I/O operation on a closed Serial")

    def _wait(self, ready, timeout):
        e = self.client._engine
        deadline = None if timeout is None else time.monotonic() + timeout
        e.wait(lambda: ready() or e._closed or e._gone is not None, deadline)

    def _take(self, n):
        with self.client._engine._lock:
            out = bytes(self._buf[:n])
            del self._buf[:n]
            return out

    def readable(self):
        return True

    def writable(self):
        return True

    def readinto(self, b):
        self._check_closed()
        self._wait(lambda: self._buf, self.timeout)
        data = self._take(len(b))
        b[:len(data)] = data
        return len(data)

    def read(self, size=-1):
        """Up to @size bytes (at least one, unless timeout or end);
        size < 0: what is there now, waiting for the first byte."""
        self._check_closed()
        self._wait(lambda: self._buf, self.timeout)
        return self._take(len(self._buf) if size is None or size < 0
                          else size)

    def readline(self, size=-1):
        """One line, its b"\\n" included; a shorter one at timeout or end."""
        self._check_closed()
        deadline = None if self.timeout is None else \
            time.monotonic() + self.timeout

        def ready():
            return b"\n" in self._buf or (0 <= size <= len(self._buf))
        self._wait(ready, _remaining(deadline))
        with self.client._engine._lock:
            i = self._buf.find(b"\n")
            n = len(self._buf) if i < 0 else i + 1
            if size is not None and size >= 0:
                n = min(n, size)
        return self._take(n)

    def lines(self, encoding="utf-8"):
        """The lines as str, their line end ("\\r\\n") stripped, until the
        end (or a read times out)."""
        for line in self:
            yield line.decode(encoding, "replace").rstrip("\r\n")

    @property
    def in_waiting(self):
        """Bytes read from the M4 and not yet taken (pyserial's name)."""
        return len(self._buf)

    # ---- writing -----------------------------------------------------------

    def write(self, data):
        """Send @data (bytes, or str as UTF-8) to the sketch's Serial, in
        as many tty calls as it takes; its length. NoSuchMethod when the
        sketch binds no tty.

        One call per line (and per max_bin() bytes of a longer one): a
        sketch answers text line by line, and what the M4 sends at once
        beyond one H7 frame is lost on the link (the H7 drops it,
        docs/x8h7-link.md), so a burst of lines would come back with
        holes. Each call's reply paces the next."""
        self._check_closed()
        if isinstance(data, str):
            data = data.encode("utf-8")
        data = bytes(data)
        e = self.client._engine
        chunk = message.max_bin(METHOD, e.dev.max_tx)
        for piece in _pieces(data, chunk):
            e.call(METHOD, (piece,), self.write_timeout)
        return len(data)

    # ---- the end ------------------------------------------------------------

    def close(self):
        if self.closed:
            return
        e = self.client._engine
        e._inline.pop(METHOD, None)
        try:
            if self._own:
                self.client.close()
            elif not e._closed and e._gone is None:
                e.dev.unbind(METHOD)
        except errors.Error:
            pass	# the session's end took the binding with it
        super().close()
