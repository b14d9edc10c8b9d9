# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The session's engine: one reader at a time, replies matched by msgid.

One open() of the device is one session, shared by every thread of a
Client. Its messages come out of one queue, so whoever needs a message
(a caller waiting for its reply, serve(), a Serial read, the asyncio
loop) may become the reader, one at a time (leader/followers): the
reader dispatches whatever it reads, replies to the futures waiting for
them and the M4's requests and notifications to the serving side, and
hands over when its own wait is over. No thread of our own runs, so
nothing reads behind the application's back and nothing needs stopping.

Lock: _lock guards every field below it; it is never held across a
system call that may block, nor while user code (a handler, a future's
callback) runs. Who waits sleeps on a Condition of its own over _lock
(_waiters), woken when what it waits for is there.
"""
import collections
import concurrent.futures
import heapq
import logging
import os
import select
import threading
import time

from . import errors, message

log = logging.getLogger("m4rpc")

# M4 requests and notifications kept for serve() at most; beyond, requests
# are answered with an error and notifications dropped and counted.
INCOMING_MAX = 1024


def _deadline(timeout):
    return None if timeout is None else time.monotonic() + timeout


def _remaining(deadline):
    return None if deadline is None else max(0.0, deadline - time.monotonic())


class Future(concurrent.futures.Future):
    """A call's result to come (concurrent.futures.Future).

    result() and exception() read the device themselves while the reply
    is not there, so a future needs no thread behind it. Callbacks added
    with add_done_callback() run in whichever thread reads the reply.
    """

    def __init__(self, engine, msgid, method, timeout):
        super().__init__()
        self._engine = engine
        self.msgid = msgid
        self.method = method
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        # Sent is sent: a call cannot be cancelled (cancel() is False),
        # so asyncio's wrap_future() cannot turn a Timeout into a
        # CancelledError either.
        self.set_running_or_notify_cancel()

    def _drive(self, timeout):
        e = self._engine
        if not self.done():
            e.drive(self, timeout)
        if not self.done() and (e._closed or e._gone):
            # The session ended: its end settles every future, maybe
            # in another thread, just after the flag was set.
            concurrent.futures.wait([self], 5.0)

    def result(self, timeout=None):
        self._drive(timeout)
        return super().result(0)

    def exception(self, timeout=None):
        self._drive(timeout)
        return super().exception(0)


class Engine:
    def __init__(self, dev, timeout):
        self.dev = dev
        self.path = dev.path
        self.timeout = timeout
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._lock = threading.Lock()
        # Threads waiting while another reads: (done, their Condition on
        # _lock), woken one by one when their done() turns true, so that
        # a reply wakes its caller, not every thread of the client.
        self._waiters = []
        self._pending = {}		# msgid -> Future
        self._deadlines = []		# heap of (deadline, msgid)
        self._next_msgid = 1
        info = dev.info
        self._cap = max(1, min(info.calls_max or 256, info.rx_queue_len or 64))
        self._reader = None		# ident of the reading thread
        self._depth = 0			# its nested waits (a callback's)
        self._incoming = collections.deque()
        self._inline = {}		# method -> handler run by the reader
        self._on_incoming = None	# asyncio: wakes the loop
        self._on_release = None		# asyncio: reader role free again
        self._closed = False
        self._gone = None		# DeviceGone once the device went away
        self._stop = False
        self.counters = collections.Counter()

    # ---- calls ---------------------------------------------------------

    def _alloc_msgid(self):
        # Cycles through 1..2^32-1: a late reply can only meet a new call
        # of the same msgid after four thousand million calls.
        while True:
            m = self._next_msgid
            self._next_msgid = m % message.MSGID_MAX + 1
            if m not in self._pending:
                return m

    def start_call(self, method, params, timeout):
        """Send a request: its Future.

        At most _cap calls are pending: the kernel queues at most
        rx_queue_len messages for a session and drops what comes beyond,
        so more replies than that on their way could not all be kept
        while nobody reads. A call beyond waits (reading meanwhile)."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        data = None
        while True:
            with self._lock:
                self._check_usable()
                if len(self._pending) < self._cap:
                    msgid = self._alloc_msgid()
                    data = message.request(msgid, method, params,
                                           self.dev.max_tx)
                    fut = Future(self, msgid, method, timeout)
                    self._pending[msgid] = fut
                    heapq.heappush(self._deadlines, (fut.deadline, msgid))
                    break
            if not self.wait(lambda: len(self._pending) < self._cap,
                             deadline) and time.monotonic() >= deadline:
                raise errors.Timeout(method, timeout, "%d calls of this "
                                     "client pending, none answered"
                                     % self._cap)
        try:
            self.send(data, method, fut.deadline, timeout)
        except BaseException:
            with self._lock:
                self._pending.pop(msgid, None)
            raise
        return fut

    def send(self, data, what, deadline, timeout=None):
        """Write one message, waiting for room in the kernel's queues
        until @deadline (@timeout: the seconds it stands for)."""
        while True:
            if self._closed:
                raise errors.Closed("%s: the client is closed" % self.path)
            if self.dev.write(data, what):
                return
            rem = _remaining(deadline)
            if rem is not None and rem <= 0:
                raise errors.Timeout(what, self.timeout if timeout is None
                                     else timeout, "the link's transmit "
                                     "queue stayed full, nothing was sent")
            # POLLOUT does not tell the per-session call limit
            # (calls_max), so a write may fail again at once: back off.
            p = select.poll()
            p.register(self.dev.fileno(), select.POLLOUT)
            t0 = time.monotonic()
            p.poll(min(rem if rem is not None else 1.0, 0.05) * 1000)
            if time.monotonic() - t0 < 0.001:
                time.sleep(0.002)

    def drive(self, fut, timeout):
        """Read until @fut is done, its deadline or @timeout passed."""
        deadline = fut.deadline
        if timeout is not None:
            deadline = min(deadline, time.monotonic() + timeout)
        self.wait(fut.done, deadline)
        if not fut.done() and time.monotonic() >= fut.deadline:
            self._expire(fut.msgid)

    def call(self, method, params, timeout):
        fut = self.start_call(method, params, timeout)
        fut._drive(None)
        return fut.result(0)

    # ---- the reader role -------------------------------------------------

    def _check_usable(self):
        if self._closed:
            raise errors.Closed("%s: the client is closed" % self.path)
        if self._gone:
            raise errors.DeviceGone(self.path)

    def wait(self, done, deadline):
        """Until done() (called with _lock held) or @deadline (None:
        forever), reading meanwhile if no other thread does. True if
        done; False at the deadline, or at once when the client is closed
        or the device gone (the caller finds out which)."""
        me = threading.get_ident()
        with self._lock:
            if done():
                return True
            if self._reader not in (None, me):
                r = self._follow(done, deadline)
                if r is not None:
                    return r
            self._reader = me
            self._depth += 1
        try:
            return self._pump(done, deadline)
        finally:
            self._release()

    def _follow(self, done, deadline):
        """Wait (_lock held) while another thread reads: True when done(),
        False at the deadline or the end, None when the reader role is
        free for this thread."""
        w = (done, threading.Condition(self._lock))
        self._waiters.append(w)
        try:
            while True:
                if done():
                    return True
                if self._closed or self._gone:
                    return False
                if self._reader is None:
                    return None
                rem = _remaining(deadline)
                if rem is not None and rem <= 0:
                    return False
                w[1].wait(rem)
        finally:
            self._waiters.remove(w)

    def _wake(self, everyone=False):
        """(_lock held) Wake the waiters whose wait is over; with the
        reader role free, also one more to take it."""
        successor = self._reader is None
        for done, c in self._waiters:
            if everyone or done():
                c.notify()
            elif successor:
                c.notify()
                successor = False

    def try_read_now(self):
        """Read what is queued without waiting, if no other thread reads;
        False if one does (asyncio's reader callback)."""
        with self._lock:
            if self._reader is not None or self._closed:
                return False
            self._reader = threading.get_ident()
            self._depth += 1
        try:
            self._read_available()
            self._expire_due()
        finally:
            self._release()
        return True

    def _release(self):
        with self._lock:
            self._depth -= 1
            if not self._depth:
                self._reader = None
            self._wake()
            hook = self._on_release if not self._depth else None
        if hook:
            hook()

    def _pump(self, done, deadline):
        p = select.poll()
        p.register(self.dev.fileno(), select.POLLIN)
        p.register(self._wake_r, select.POLLIN)
        while True:
            with self._lock:
                if done():
                    return True
                if self._closed or self._gone:
                    return False
                nxt = self._deadlines[0][0] if self._deadlines else None
            rem = _remaining(deadline)
            if rem is not None and rem <= 0:
                return False
            if nxt is not None:
                until = max(0.0, nxt - time.monotonic())
                rem = until if rem is None else min(rem, until)
            events = p.poll(None if rem is None else rem * 1000 + 1)
            for fd, ev in events:
                if fd == self._wake_r:
                    self._drain_wake()
                elif ev & (select.POLLIN | select.POLLHUP | select.POLLERR):
                    self._read_available()
            self._expire_due()

    def _drain_wake(self):
        try:
            while os.read(self._wake_r, 64):
                pass
        except BlockingIOError:
            pass

    def wake(self):
        """Get the reader out of poll() (stop(), close())."""
        try:
            os.write(self._wake_w, b"w")
        except BlockingIOError:
            pass

    def _read_available(self):
        while True:
            try:
                data = self.dev.read()
            except errors.DeviceGone as e:
                self._went_away(e)
                return
            if data is None:
                return
            self._dispatch(data)

    # ---- what the reader read ---------------------------------------------

    def _dispatch(self, data):
        if data == "overflow":
            self.counters["overflows"] += 1
            log.warning("%s: the session's receive queue overflowed: the "
                        "kernel dropped messages for it (read late)", self.path)
            return
        try:
            m = message.unpack(data)
        except errors.ProtocolError as e:
            self.counters["protocol_errors"] += 1
            log.warning("%s: %s", self.path, e)
            return
        if m.type == message.RESPONSE:
            self._complete(m)
        else:
            self._incoming_msg(m)

    def _complete(self, m):
        with self._lock:
            fut = self._pending.pop(m.msgid, None)
        if fut is None:
            # Its call timed out (or was given up) before it came.
            self.counters["late_replies"] += 1
            return
        if m.error is None:
            self._settle(fut, result=m.result)
        else:
            self._settle(fut, exc=errors.from_reply(fut.method, m.error))

    def _settle(self, fut, result=None, exc=None):
        """Complete @fut (its callbacks run here, without _lock), then
        wake its waiter: done() is true only from now on."""
        try:
            if exc is None:
                fut.set_result(result)
            else:
                fut.set_exception(exc)
        except concurrent.futures.InvalidStateError:
            pass	# cancelled by its caller
        with self._lock:
            self._wake()

    def _incoming_msg(self, m):
        inline = self._inline.get(m.method)
        if inline:
            inline(m)
            with self._lock:
                self._wake()
            return
        with self._lock:
            full = len(self._incoming) >= INCOMING_MAX
            if not full:
                self._incoming.append(m)
                self._wake()
            hook = self._on_incoming
        if full:
            self.refuse(m, "Linux process busy: %d M4 messages wait unhandled"
                        % INCOMING_MAX)
        elif hook:
            hook()

    def refuse(self, m, why):
        """An M4 message nobody handles: its call answered with @why, a
        notification counted and logged."""
        if m.type == message.REQUEST:
            self.counters["m4_calls_refused"] += 1
            self.respond(m, error="m4rpc-python: " + why)
        else:
            self.counters["notifications_dropped"] += 1
            log.warning("%s: notification %r dropped: %s", self.path,
                        m.method, why)

    def respond(self, m, result=None, error=None):
        """Answer the M4's request @m; the M4 waits, so this must not fail
        silently: problems are logged and counted."""
        try:
            try:
                data = message.response(m.msgid, error, result,
                                        self.dev.max_tx, m.method)
            except (errors.MessageTooBig, TypeError) as e:
                data = message.response(m.msgid, "m4rpc-python: %s" % e,
                                        None, 0, m.method)
            self.send(data, m.method, _deadline(self.timeout))
        except (errors.Error, OSError, ValueError) as e:
            self.counters["responses_failed"] += 1
            log.warning("%s: the answer to the M4's %r was not sent: %s",
                        self.path, m.method, e)

    def take_incoming(self):
        with self._lock:
            out = list(self._incoming)
            self._incoming.clear()
            return out

    # ---- timeouts, the end -------------------------------------------------

    def _expire_due(self):
        now = time.monotonic()
        due = []
        with self._lock:
            while self._deadlines and self._deadlines[0][0] <= now:
                _, msgid = heapq.heappop(self._deadlines)
                fut = self._pending.get(msgid)
                if fut is not None and fut.deadline <= now:
                    due.append(msgid)
        for msgid in due:
            self._expire(msgid)

    def _expire(self, msgid):
        with self._lock:
            fut = self._pending.pop(msgid, None)
            note = ("the session's receive queue overflowed %d times"
                    % self.counters["overflows"]
                    if self.counters["overflows"] else "")
        if fut is not None:
            self.counters["timeouts"] += 1
            self._settle(fut, exc=errors.Timeout(fut.method, fut.timeout,
                                                 note))

    def _fail_all(self, exc_for):
        with self._lock:
            futs = list(self._pending.values())
            self._pending.clear()
            self._deadlines.clear()
        for fut in futs:
            self._settle(fut, exc=exc_for(fut))

    def _went_away(self, exc):
        with self._lock:
            if self._gone:
                return
            self._gone = exc
            self._wake(everyone=True)
        self._fail_all(lambda f: errors.DeviceGone(
            self.path, "the device went away before %s's reply" % f.method))
        hook = self._on_incoming
        if hook:
            hook()

    def close(self):
        me = threading.get_ident()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._wake(everyone=True)
        self.wake()
        self._fail_all(lambda f: errors.Closed(
            "%s: closed before %s's reply" % (self.path, f.method)))
        with self._lock:
            # Let a reader in another thread leave poll() first.
            w = (lambda: self._reader in (None, me),
                 threading.Condition(self._lock))
            self._waiters.append(w)
            w[1].wait_for(w[0], 5.0)
            self._waiters.remove(w)
            hook = self._on_incoming
        if hook:
            hook()
        self.dev.close()
        os.close(self._wake_r)
        os.close(self._wake_w)
