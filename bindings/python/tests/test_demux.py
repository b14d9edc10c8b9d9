# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The Client against a socketpair standing in for the device (fakedev):
replies matched by msgid whatever their order, threads, timeouts,
futures, serving, asyncio, Serial, the end of a session."""
import asyncio
import concurrent.futures
import threading
import time
import unittest

import m4rpc
from fakedev import pair


class Base(unittest.TestCase):
    kw = {}

    def setUp(self):
        self.dev, self.m4 = pair(**self.kw)
        self.c = m4rpc.Client(device=self.dev, timeout=5.0)

    def tearDown(self):
        self.c.close()
        self.m4.stop()

    def next_received(self, timeout=5.0):
        return self.m4.received.get(timeout=timeout)


class Calls(Base):
    def test_result_types(self):
        """results come back decoded, bin as bytes, str as str"""
        for v in (0, -1, 2**64 - 1, -2**63, 1.5, True, None, "é", b"\x00\xff",
                  [1, [2, "x"]], {"a": 1, 2: b"b"}):
            self.assertEqual(self.c.call("echo", v), v)

    def test_remote_errors(self):
        """an unknown method: NoSuchMethod; a failing one: RemoteError"""
        with self.assertRaises(m4rpc.NoSuchMethod) as cm:
            self.c.call("nosuch")
        self.assertIn("could not find function 'nosuch'", str(cm.exception))
        self.m4.methods["boom"] = lambda: 1 / 0
        with self.assertRaises(m4rpc.RemoteError) as cm:
            self.c.call("boom")
        self.assertIn("division by zero", cm.exception.error)

    def test_too_big(self):
        """a call too long for one message: MessageTooBig, nothing sent"""
        with self.assertRaises(m4rpc.MessageTooBig) as cm:
            self.c.call("echo", b"x" * 300)
        self.assertEqual(cm.exception.limit, 248)
        self.assertEqual(self.c.call("echo", 1), 1)
        self.assertEqual(len(self.m4.requests), 1)

    def test_timeout_then_late_reply(self):
        """no reply: Timeout; a reply after that is dropped and counted"""
        with self.assertRaises(m4rpc.Timeout) as cm:
            self.c.call("hang", timeout=0.2)
        self.assertIsInstance(cm.exception, TimeoutError)
        msg, _ = self.next_received()
        self.m4.send([1, msg[1], None, "late"])
        self.assertEqual(self.c.call("echo", "next"), "next")
        self.assertEqual(self.c.stats_client()["late_replies"], 1)

    def test_out_of_order(self):
        """replies answered in random order reach their callers"""
        self.m4.shuffle = 16
        futs = [self.c.call_async("echo", i) for i in range(16)]
        self.assertEqual([f.result() for f in futs], list(range(16)))

    def test_pending_capped(self):
        """no more calls pending than the session's receive queue holds
        (64 here): a burst of 200 futures waits, none is lost"""
        self.m4.shuffle = 1000		# answers only when nothing comes
        futs = [self.c.call_async("echo", i) for i in range(200)]
        self.assertEqual([f.result() for f in futs], list(range(200)))
        self.assertLessEqual(self.m4.max_held, 64)
        self.assertGreater(self.m4.max_held, 1)

    def test_threads(self):
        """8 threads x 300 calls on one client, replies shuffled"""
        self.m4.shuffle = 6
        bad = []

        def worker(t):
            for i in range(300):
                v = [t, i]
                r = self.c.call("echo", v)
                if r != v:
                    bad.append((v, r))
        ts = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(bad, [])
        self.assertEqual(len(self.m4.requests), 2400)
        self.assertEqual(len(self.c._engine._pending), 0)

    def test_future(self):
        """call_async: a concurrent.futures.Future; callbacks; result(t)"""
        f = self.c.call_async("echo", 5)
        self.assertIsInstance(f, concurrent.futures.Future)
        self.assertEqual(f.result(), 5)
        got = []
        f2 = self.c.call_async("echo", 6)
        f2.add_done_callback(lambda f: got.append(f.result()))
        f2.result()
        self.assertEqual(got, [6])
        f3 = self.c.call_async("hang", timeout=5.0)
        with self.assertRaises(concurrent.futures.TimeoutError):
            f3.result(timeout=0.05)
        self.assertFalse(f3.done())
        self.assertFalse(f3.cancel())
        f4 = self.c.call_async("hang", timeout=0.1)
        self.assertIsInstance(f4.exception(), m4rpc.Timeout)

    def test_notify(self):
        self.c.notify("led", True)
        self.assertEqual(self.next_received()[0], [2, "led", [True]])


class Serving(Base):
    def test_call_and_notification(self):
        """the M4's call is answered with its msgid, a notification handled"""
        seen = []

        @self.c.bind("ping")
        def ping(seq, data):
            seen.append(("call", seq))
            return [seq, data]

        @self.c.bind
        def event(seq):
            seen.append(("notify", seq))
            if seq == 2:
                self.c.stop()
        self.assertEqual(self.dev.bound, {"ping", "event"})
        self.m4.send([0, 77, "ping", [1, b"ab"]])
        self.m4.send([2, "event", [1]])
        self.m4.send([2, "event", [2]])
        self.c.serve(timeout=5.0)
        self.assertEqual(seen, [("call", 1), ("notify", 1), ("notify", 2)])
        self.assertEqual(self.next_received()[0], [1, 77, None, [1, b"ab"]])

    def test_handler_errors(self):
        """a handler's exception is the call's error; no handler: refused"""
        @self.c.bind("bad")
        def bad():
            raise ValueError("no such sensor")
        self.m4.send([0, 5, "bad", []])
        self.m4.send([0, 6, "unhandled", []])
        self.c.serve(timeout=0.3)
        msgs = sorted([self.next_received()[0] for _ in range(2)])
        self.assertEqual(msgs[0], [1, 5, "ValueError: no such sensor", None])
        self.assertEqual(msgs[1][:2], [1, 6])
        self.assertIn("no handler for 'unhandled'", msgs[1][2])
        self.assertEqual(self.c.stats_client()["handler_errors"], 1)

    def test_kept_while_calling(self):
        """the M4's calls arriving while a thread waits for a reply are kept
        for serve(), and a handler may call the M4 itself"""
        self.c.bind("ping", lambda n: self.c.call("echo", n * 10))
        self.m4.methods["slow"] = lambda: (self.m4.send([0, 9, "ping", [4]]), 1)[1]
        self.assertEqual(self.c.call("slow"), 1)
        self.c.serve(timeout=0.3)
        self.assertEqual(self.next_received()[0], [1, 9, None, 40])

    def test_already_bound(self):
        with self.assertRaises(m4rpc.AlreadyBound):
            self.c.bind("taken", print)

    def test_result_too_big(self):
        """a result too long for a message: the M4 gets an error instead"""
        self.c.bind("big", lambda: b"x" * 400)
        self.m4.send([0, 3, "big", []])
        self.c.serve(timeout=0.3)
        m = self.next_received()[0]
        self.assertEqual(m[:2], [1, 3])
        self.assertIn("at most 248", m[2])


class Asyncio(Base):
    def test_acall_and_serve_async(self):
        """acall() in the loop; serve_async() runs coroutine handlers"""
        got = []

        async def main():
            @self.c.bind("ping")
            async def ping(n):
                await asyncio.sleep(0)
                got.append(n)
                if len(got) == 3:
                    self.c.stop()
                return n + 1
            r = await asyncio.gather(*(self.c.acall("echo", i) for i in range(10)))
            self.assertEqual(r, list(range(10)))
            with self.assertRaises(m4rpc.Timeout):
                await self.c.acall("hang", timeout=0.1)
            for i in range(3):
                self.m4.send([0, 100 + i, "ping", [i]])
            await asyncio.wait_for(self.c.serve_async(), 5)
        asyncio.run(main())
        self.assertEqual(got, [0, 1, 2])
        answers = []
        while len(answers) < 3:
            m = self.next_received()[0]
            if m[0] == 1:
                answers.append(m)
        answers.sort()
        self.assertEqual(answers, [[1, 100 + i, None, i + 1] for i in range(3)])


class SerialPort(Base):
    def test_lines(self):
        """the tty notifications as lines, however they are cut"""
        s = m4rpc.Serial(self.c, timeout=5.0)
        for part in (b"hel", b"lo\r\n", b"wor", b"ld\r\nrest"):
            self.m4.send([2, "tty", [part]])
        self.assertEqual(s.readline(), b"hello\r\n")
        lines = s.lines()
        self.assertEqual(next(lines), "world")
        s.timeout = 0.1
        self.assertEqual(s.readline(), b"rest")
        self.assertEqual(s.read(), b"")
        s.close()
        self.assertNotIn("tty", self.dev.bound)

    def test_write_chunks(self):
        """write(): tty calls, one per line, each within one message"""
        self.m4.methods["tty"] = lambda b: None
        s = m4rpc.Serial(self.c)
        data = bytes(range(256)) * 3
        self.assertEqual(s.write(data), len(data))
        calls = [r for r in self.m4.requests if r[1] == "tty"]
        self.assertEqual(b"".join(r[2][0] for r in calls), data)
        self.assertTrue(all(n <= 248 + 4 for *_, n in calls))
        self.assertGreater(len(calls), 3)
        s.write("é\n")
        self.assertEqual(self.m4.requests[-1][2], ["é\n".encode()])
        n = len(self.m4.requests)
        s.write("a\nbb\nccc")
        self.assertEqual([r[2][0] for r in self.m4.requests[n:]],
                         [b"a\n", b"bb\n", b"ccc"])


class End(Base):
    def test_close_fails_pending(self):
        """close(): a call waiting in another thread gets Closed"""
        out = []
        t = threading.Thread(target=lambda: out.append(
            self._catch(lambda: self.c.call("hang", timeout=10))))
        t.start()
        time.sleep(0.1)
        self.c.close()
        t.join(5)
        self.assertIsInstance(out[0], m4rpc.Closed)
        with self.assertRaises(m4rpc.Closed):
            self.c.call("echo", 1)

    def test_device_gone(self):
        """the far end goes: pending and later calls get DeviceGone"""
        f = self.c.call_async("hang", timeout=10)
        self.m4.stop()
        self.m4.sock.close()
        self.assertIsInstance(f.exception(), m4rpc.DeviceGone)
        with self.assertRaises(m4rpc.DeviceGone):
            self.c.call("echo", 1)

    @staticmethod
    def _catch(fn):
        try:
            return fn()
        except Exception as e:
            return e


def _stats_client(self):
    return dict(self._engine.counters)


m4rpc.Client.stats_client = _stats_client

if __name__ == "__main__":
    unittest.main()
