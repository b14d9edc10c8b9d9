# SPDX-License-Identifier: GPL-2.0 OR MIT
"""m4rpc.Client: calls to the M4's sketch and serving its calls, on one
session of /dev/m4rpcN."""
import logging
import time

from . import errors, message
from ._engine import Engine, _deadline
from .aio import AsyncioMixin
from .device import Device, default_path

log = logging.getLogger("m4rpc")


class Stats:
    """What stats() gives: .link (LinkStats), .session (SessionStats) and
    .client, this object's own counters (dict): late_replies,
    timeouts, overflows, notifications_dropped, m4_calls_refused,
    handler_errors, responses_failed, protocol_errors."""

    def __init__(self, link, session, client):
        self.link = link
        self.session = session
        self.client = client

    def __repr__(self):
        return "Stats(link=%r, session=%r, client=%r)" % (
            self.link, self.session, self.client)


class Client(AsyncioMixin):
    """One session of the M4's RPC endpoint, /dev/m4rpc<board>.

    Thread-safe: any number of threads may call at once on one Client;
    their replies are matched by msgid. @timeout is the default of every
    call, in seconds.
    """

    def __init__(self, board=0, timeout=5.0, path=None, device=None):
        path = path or default_path(board)
        self._engine = Engine(device or Device(path), timeout)
        self._handlers = {}
        self.path = self._engine.path

    # ---- life ------------------------------------------------------------

    def close(self):
        """End the session: pending calls fail with Closed, bindings go."""
        self.detach()
        self._engine.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def fileno(self):
        return self._engine.dev.fileno()

    @property
    def timeout(self):
        return self._engine.timeout

    @timeout.setter
    def timeout(self, t):
        self._engine.timeout = t

    # ---- calling ------------------------------------------------------------

    def call(self, method, *args, timeout=None):
        """Call the sketch's @method: its result, decoded (int, float, str,
        bytes for bin, list, dict). Raises Timeout, NoSuchMethod,
        BadArguments, RemoteError, M4NotRunning, MessageTooBig,
        DeviceGone, ReplyLost."""
        return self._engine.call(method, args, timeout)

    def call_async(self, method, *args, timeout=None):
        """Send the call now: a concurrent.futures.Future of its result
        (m4rpc.Future). Its result() reads the device itself; callbacks
        run in whichever thread reads the reply. For asyncio: acall()."""
        return self._engine.start_call(method, args, timeout)

    def notify(self, method, *args):
        """Send a notification (no reply; the sketch runs it if bound)."""
        e = self._engine
        e._check_usable()
        data = message.notification(method, args, e.dev.max_tx)
        e.send(data, method, _deadline(e.timeout))

    def info(self):
        """The link's limits and states (m4rpc.Info)."""
        return self._engine.dev.get_info()

    def stats(self):
        """The link's, the session's and this client's counters."""
        dev = self._engine.dev
        return Stats(dev.link_stats(), dev.session_stats(),
                     dict(self._engine.counters))

    def wait_m4(self, timeout=None):
        """Wait until the M4 runs RPC (after a restart, an upload): its
        Info; M4NotRunning with the reason if it does not in time."""
        deadline = time.monotonic() + (self.timeout if timeout is None
                                       else timeout)
        while True:
            info = self.info()
            if info.m4_running:
                return info
            if time.monotonic() >= deadline:
                raise errors.M4NotRunning(info.m4_reason, info.m4_state)
            time.sleep(0.02)

    # ---- serving --------------------------------------------------------------

    def bind(self, name, handler=None):
        """Serve the M4's calls and notifications of @name with @handler
        (called with the message's parameters; its return value is the
        call's result, an exception its error). Without @handler, a
        decorator: @client.bind("name"), or @client.bind for the
        function's own name. Handlers run in serve() or the asyncio loop
        (serve_async()); coroutine functions only there."""
        if callable(name) and handler is None:
            return self.bind(name.__name__, name)
        if handler is None:
            return lambda fn: self.bind(name, fn)
        self._engine.dev.bind(name)
        self._handlers[name] = handler
        return handler

    def unbind(self, name):
        self._engine.dev.unbind(name)
        self._handlers.pop(name, None)

    def serve(self, timeout=None):
        """Handle the M4's calls and notifications until stop() or, when
        given, @timeout seconds passed. Raises Closed or DeviceGone when
        the session ends."""
        e = self._engine
        deadline = _deadline(timeout)
        e._stop = False
        while True:
            e.wait(lambda: e._incoming or e._stop, deadline)
            if self._serve_step(self._handle):
                return
            if deadline is not None and time.monotonic() >= deadline:
                return

    def _serve_step(self, handle):
        """handle() what came; True once stop() was called. Closed or
        DeviceGone when the session has ended."""
        e = self._engine
        for m in e.take_incoming():
            handle(m)
        e._check_usable()
        if e._stop:
            e._stop = False
            return True
        return False

    def stop(self):
        """End serve() (from a handler or another thread)."""
        e = self._engine
        with e._lock:
            e._stop = True
            e._wake(everyone=True)
        e.wake()
        self._aio_stop()

    def _handler_for(self, m):
        h = self._handlers.get(m.method)
        if h is None:
            self._engine.refuse(m, "no handler for %r" % m.method)
        return h

    def _handle(self, m):
        h = self._handler_for(m)
        if h is None:
            return
        try:
            result = h(*m.params)
        except Exception as exc:	# the M4 gets it, and the log
            self._handler_failed(m, exc)
            return
        if m.type == message.REQUEST:
            self._engine.respond(m, result=result)

    def _handler_failed(self, m, exc):
        e = self._engine
        e.counters["handler_errors"] += 1
        text = "%s: %s" % (type(exc).__name__, exc)
        log.warning("%s: handler of %r raised %s", self.path, m.method, text)
        if m.type == message.REQUEST:
            e.respond(m, error=text)
