# SPDX-License-Identifier: GPL-2.0 OR MIT
"""asyncio: the device's descriptor in the event loop (loop.add_reader).

acall() is a coroutine; serve_async() runs the handlers (coroutine
functions too) in the loop. Everything else stays as it is: other threads
may still call synchronously on the same Client, and the loop then reads
only when they do not.
"""
import asyncio
import inspect

from . import message


class AsyncioMixin:
    _loop = None
    _aio_event = None
    _aio_tasks = None
    _aio_parked = False

    def attach(self, loop=None):
        """Read the device from @loop (default: the running one). acall()
        and serve_async() attach by themselves."""
        loop = loop or asyncio.get_running_loop()
        if self._loop is loop:
            return
        if self._loop is not None:
            raise RuntimeError("%s: already attached to another event loop"
                               % self.path)
        self._loop = loop
        self._aio_event = asyncio.Event()
        self._aio_tasks = set()
        e = self._engine
        e._on_incoming = lambda: loop.call_soon_threadsafe(self._aio_event.set)
        e._on_release = self._aio_unpark
        loop.add_reader(self.fileno(), self._aio_readable)

    def detach(self):
        loop = self._loop
        if loop is None:
            return
        e = self._engine
        e._on_incoming = e._on_release = None
        if not loop.is_closed():
            loop.remove_reader(self.fileno())
        self._loop = None

    def _aio_readable(self):
        if self._engine.try_read_now():
            return
        # Another thread reads: stop watching until it is done, or the
        # loop would spin on a descriptor it may not read.
        if not self._aio_parked and self._loop is not None:
            self._aio_parked = True
            self._loop.remove_reader(self.fileno())

    def _aio_unpark(self):
        loop = self._loop
        if self._aio_parked and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._aio_repark)

    def _aio_repark(self):
        if self._aio_parked and self._loop is not None:
            self._aio_parked = False
            self._loop.add_reader(self.fileno(), self._aio_readable)
            self._aio_readable()

    def _aio_stop(self):
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._aio_event.set)

    async def acall(self, method, *args, timeout=None):
        """call(), as a coroutine."""
        self.attach()
        fut = self._engine.start_call(method, args, timeout)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut),
                                          fut.timeout)
        except asyncio.TimeoutError:
            self._engine._expire(fut.msgid)
            return fut.result(0)

    async def serve_async(self):
        """serve(), in the event loop, until stop()."""
        self.attach()
        e = self._engine
        e._stop = False
        while True:
            self._aio_event.clear()
            if self._serve_step(self._aio_handle):
                return
            await self._aio_event.wait()

    def _aio_handle(self, m):
        h = self._handler_for(m)
        if h is None:
            return
        if not inspect.iscoroutinefunction(h):
            self._handle(m)
            return
        task = asyncio.ensure_future(self._aio_run(h, m))
        self._aio_tasks.add(task)
        task.add_done_callback(self._aio_tasks.discard)

    async def _aio_run(self, h, m):
        try:
            result = await h(*m.params)
        except Exception as exc:
            self._handler_failed(m, exc)
            return
        if m.type == message.REQUEST:
            self._engine.respond(m, result=result)


