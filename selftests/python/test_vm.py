# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The m4rpc Python package against the simulated board (m4rpc_sim.ko,
m4rpc-sim, m4rpc.ko), with Debian's python3, in the VM.

One class per sketch, in the order of load_tests() below; each starts
its emulator and a fresh link (simboard.Board).
"""
import asyncio
import grp
import itertools
import math
import os
import re
import sys
import threading
import time
import unittest

import msgpack

import m4rpc
import simboard

board = None
SENSORS = ["temperature", "humidity", "pressure", "gas", "altitude"]
README = os.path.join(os.environ.get("M4RPC_SRC", ""), "bindings", "python",
                      "README.md")


def setUpModule():
    global board
    why = simboard.usable()
    if why:
        raise unittest.SkipTest(why)
    board = simboard.Board()


def tearDownModule():
    if board:
        board.stop()


def diag(fmt, *args):
    sys.stdout.write("# " + (fmt % args) + "\n")


class Sensors(unittest.TestCase):
    """the sensors sketch: the tutorial, errors, the M4's states"""

    @classmethod
    def setUpClass(cls):
        board.start("sensors")

    def test_tutorial_five_values(self):
        """the tutorial's five sensor values, ints, on one client"""
        with m4rpc.Client() as m4:
            got = [m4.call(m) for m in SENSORS]
        self.assertEqual(got, [100, 200, 300, 400, 500])
        self.assertTrue(all(type(v) is int for v in got))

    def test_migration_snippet_runs(self):
        """the README's "after" code of the migration section, as written"""
        with open(README) as f:
            blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
        after = [b for b in blocks if "from m4rpc import Client as RpcClient" in b]
        self.assertEqual(len(after), 1)
        ns = {}
        try:
            exec(after[0], ns)
        finally:
            if "rpc_client" in ns:
                ns["rpc_client"].close()
        self.assertEqual((ns["temperature"], ns["humidity"]), (100, 200))

    def test_no_such_method(self):
        """an unknown method: NoSuchMethod with rpclib's text"""
        with m4rpc.Client() as m4:
            with self.assertRaises(m4rpc.NoSuchMethod) as cm:
                m4.call("nosuch")
            self.assertEqual(cm.exception.error, "rpclib: server could not "
                             "find function 'nosuch' with argument count 0.")
            self.assertEqual(m4.call("gas"), 400)

    def test_remote_error(self):
        """a wrong argument count: BadArguments, a RemoteError with the M4's text"""
        with m4rpc.Client() as m4:
            with self.assertRaises(m4rpc.RemoteError) as cm:
                m4.call("temperature", 1)
        self.assertIsInstance(cm.exception, m4rpc.BadArguments)
        self.assertIn("Expected: 0, got: 1", cm.exception.error)

    def test_message_too_big(self):
        """too long for one message: MessageTooBig with the link's limit,
        from the package's check and from the kernel's EMSGSIZE alike"""
        with m4rpc.Client() as m4:
            limit = m4.info().max_tx_msg
            with self.assertRaises(m4rpc.MessageTooBig) as cm:
                m4.call("temperature", b"x" * limit)
            self.assertEqual(cm.exception.limit, limit)
            dev = m4._engine.dev
            with self.assertRaises(m4rpc.MessageTooBig):
                dev.write(b"\x93\x02\xa1x\x91" + b"\xc5\x01\x00" + b"x" * 256,
                          "raw write")
            self.assertEqual(m4.call("pressure"), 300)

    def test_timeout(self):
        """a slow M4 (slow-m4 fault): Timeout; the late reply is dropped"""
        with m4rpc.Client() as m4:
            board.command("slow-m4 1500")
            try:
                with self.assertRaises(m4rpc.Timeout) as cm:
                    m4.call("temperature", timeout=0.3)
                self.assertIsInstance(cm.exception, TimeoutError)
                f = m4.call_async("humidity", timeout=0.3)
                self.assertIsInstance(f.exception(), m4rpc.Timeout)
            finally:
                board.command("slow-m4 0")
            self.assertEqual(m4.call("gas", timeout=10), 400)
            # The late replies come before gas's.
            self.assertEqual(m4.stats().client.get("late_replies"), 2)

    def test_m4_not_running(self):
        """no M4 program, no RPC.begin(): M4NotRunning with the reason"""
        with m4rpc.Client() as m4:
            try:
                board.set_m4(m4rpc.M4_NO_PROGRAM)
                with self.assertRaises(m4rpc.M4NotRunning) as cm:
                    m4.call("temperature")
                self.assertEqual(cm.exception.state, m4rpc.M4_NO_PROGRAM)
                self.assertIn("no valid M4 program", cm.exception.reason)
                board.set_m4(m4rpc.M4_NO_RPC)
                with self.assertRaises(m4rpc.M4NotRunning) as cm:
                    m4.notify("led", True)
                self.assertIn("RPC.begin()", cm.exception.reason)
            finally:
                board.set_m4(m4rpc.M4_RUNNING)
            self.assertEqual(m4.call("altitude"), 500)

    def test_permission(self):
        """open() refused: NoPermission, a PermissionError naming the group"""
        path = simboard.PATH
        st = os.stat(path)
        # A group "nobody" is not in: not nogroup, its own.
        groups = [g for g in grp.getgrall() if 0 < g.gr_gid < 65534
                  and "nobody" not in g.gr_mem]
        group = next((g for g in groups if g.gr_name == "dialout"), groups[0])
        try:
            os.chown(path, 0, group.gr_gid)
            os.chmod(path, 0o660)
            out = self.as_nobody(lambda: m4rpc.Client().close())
        finally:
            os.chown(path, st.st_uid, st.st_gid)
            os.chmod(path, st.st_mode & 0o7777)
        self.assertTrue(out.startswith("NoPermission "), out)
        self.assertIn("usermod -aG %s" % group.gr_name, out)
        self.assertIn("--group-add %d" % group.gr_gid, out)

    @staticmethod
    def as_nobody(fn):
        """fn() in a child running as nobody: what it raised, as
        "Class text", or "" (a fork, not a new interpreter: fast under TCG)."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
                try:
                    fn()
                    msg = ""
                except Exception as e:
                    msg = "%s %s" % (type(e).__name__, e)
                os.write(w, msg.encode())
            finally:
                os._exit(0)
        os.close(w)
        with os.fdopen(r) as f:
            out = f.read()
        os.waitpid(pid, 0)
        return out

    def test_info_and_stats(self):
        """info() and stats(): plain objects with the device's values"""
        with m4rpc.Client() as m4:
            info = m4.info()
            self.assertEqual(info.api_version, 1)
            self.assertIn(info.max_tx_msg, (244, 248))
            self.assertTrue(info.spi_device.startswith("spi"))
            self.assertTrue(info.m4_running)
            before = m4.stats()
            for m in SENSORS:
                m4.call(m)
            after = m4.stats()
            self.assertEqual(after.session.replies - before.session.replies, 5)
            self.assertGreaterEqual(after.link.tx_requests
                                    - before.link.tx_requests, 5)
            self.assertEqual(after.session.calls_pending, 0)

    def test_no_device(self):
        """a board that is not there: NoDevice, a FileNotFoundError"""
        with self.assertRaises(FileNotFoundError) as cm:
            m4rpc.Client(board=7)
        self.assertIsInstance(cm.exception, m4rpc.NoDevice)


ECHO_VALUES = [
    None, True, False, 0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1,
    2**32, 2**64 - 1, -1, -32, -33, -128, -129, -32768, -32769, -2**31,
    -2**31 - 1, -2**63, 1.5, -2.25e300, float("inf"), "", "x", "é" * 10,
    "s" * 31, "s" * 32, "s" * 200, b"", b"\x00\xff", bytes(range(200)), [],
    [1, [2, [3, [4]]]], list(range(20)), {}, {"a": 1, "b": [1, b"2"]},
    {1: "int key", -1: None}, {str(i): i for i in range(16)},
    msgpack.ExtType(5, b"ext"), msgpack.ExtType(1, b"x" * 100),
    msgpack.Timestamp(1700000000, 5),
]


class Threads(unittest.TestCase):
    """the echo sketch on a fresh link: threads"""

    @classmethod
    def setUpClass(cls):
        # Before Echo's long values: the link learns each method's longest
        # reply and lets fewer calls of it onto the wire at once.
        board.start("echo")

    def test_threads(self):
        """8 threads x 500 calls on one client, each reply its own"""
        bad, errors = [], []

        def worker(m4, t):
            try:
                for i in range(500):
                    v = t * 1000 + i
                    r = m4.call("echo", v, timeout=30)
                    if r != v:
                        bad.append((v, r))
            except Exception as e:
                errors.append(e)
        with m4rpc.Client() as m4:
            t0 = time.monotonic()
            ts = [threading.Thread(target=worker, args=(m4, t)) for t in range(8)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            dt = time.monotonic() - t0
            st = m4.stats()
        diag("4000 calls in %.1f s (%.0f calls/s)", dt, 4000 / dt)
        self.assertEqual(errors, [])
        self.assertEqual(bad, [])
        self.assertEqual(st.session.replies, 4000)
        self.assertEqual(st.session.calls_pending, 0)
        self.assertEqual(st.client.get("late_replies", 0), 0)


class Echo(unittest.TestCase):
    """the echo sketch: types, futures, asyncio"""

    @classmethod
    def setUpClass(cls):
        board.start("echo")

    def test_every_type(self):
        """every msgpack type comes back as it went (bin as bytes)"""
        with m4rpc.Client() as m4:
            for v in ECHO_VALUES:
                got = m4.call("echo", v)
                self.assertEqual(got, v)
                self.assertIs(type(got), type(v))
            nan = m4.call("echo", float("nan"))
            self.assertTrue(math.isnan(nan))

    def test_futures(self):
        """call_async: 64 futures in flight, results in order"""
        with m4rpc.Client() as m4:
            futs = [m4.call_async("echo", i) for i in range(64)]
            self.assertEqual([f.result() for f in futs], list(range(64)))

    def test_asyncio(self):
        """acall(): 32 calls at once from the event loop"""
        async def main(m4):
            return await asyncio.gather(*(m4.acall("echo", i) for i in range(32)))
        with m4rpc.Client() as m4:
            self.assertEqual(asyncio.run(main(m4)), list(range(32)))


class Tty(unittest.TestCase):
    """the tty sketch: the M4's Serial"""

    @classmethod
    def setUpClass(cls):
        board.start("tty")

    def test_read_lines_and_write(self):
        """Serial written (tty calls) and read as lines"""
        with m4rpc.Serial(timeout=10) as tty:
            self.assertEqual(tty.write("hello\n"), 6)
            self.assertEqual(tty.readline(), b"hello\r\n")
            tty.write(b"one\ntwo\n\n")
            self.assertEqual(list(itertools.islice(tty.lines(), 3)),
                             ["one", "two", ""])

    def test_long_write(self):
        """a write longer than a message, cut into tty calls, lines intact"""
        lines = ["line %d " % i + "x" * (60 + i) for i in range(8)]
        with m4rpc.Client() as m4:
            tty = m4rpc.Serial(m4, timeout=10)
            before = m4.stats().session.replies
            tty.write("".join(l + "\n" for l in lines))
            got = list(itertools.islice(tty.lines(), len(lines)))
            calls = m4.stats().session.replies - before
            tty.close()
            if got != lines:
                self.fail("lines lost or changed: %r%s" % (got, board.dump()))
            self.assertGreater(calls, 1)
            # The client goes on without the binding.
            self.assertEqual(m4._engine.dev.session_stats().bindings, 0)



class Traffic(unittest.TestCase):
    """the traffic sketch: serving the M4's calls and notifications"""

    @classmethod
    def setUpClass(cls):
        # mix: message n is a call (n % 4 == 0), a notification (1), raw
        # bytes (2), Serial output (3); each carries seq n and bytes
        # (n + i) & 255. A call waits for its reply (timeout 0: forever),
        # so the next message shows the reply reached the M4.
        board.start("traffic", "--traffic-kind", "mix", "--traffic-rate",
                    "25", "--traffic-size", "8", "--traffic-timeout", "0",
                    "--traffic-method", "m4")

    @staticmethod
    def payload(seq):
        return bytes((seq + i) & 255 for i in range(8))

    def check_seen(self, seen):
        try:
            self._check_seen(seen)
        except AssertionError as e:
            raise AssertionError("%s\nseen: %s%s" % (
                e, [s for s, _ in seen], board.dump())) from None

    def _check_seen(self, seen):
        for seq, data in seen:
            self.assertIn(seq % 4, (0, 1), seq)
            self.assertEqual(data, self.payload(seq))
        seqs = [s for s, _ in seen]
        self.assertEqual(seqs, sorted(seqs))
        calls = [s for s in seqs if s % 4 == 0]
        # Each call after the first came because the one before was answered.
        self.assertEqual(calls, list(range(calls[0], calls[0] + 4 * len(calls), 4)))

    def test_serve(self):
        """serve(): the M4's calls answered, notifications and Serial taken"""
        seen = []
        with m4rpc.Client() as m4:
            tty = m4rpc.Serial(m4, timeout=0)

            @m4.bind("m4")
            def handler(seq, data):
                seen.append((seq, data))
                if len(seen) >= 12:
                    m4.stop()
                return seq
            m4.serve(timeout=30)
            st = m4.stats()
            serial = tty.read()
            tty.close()
        self.assertGreaterEqual(len(seen), 12)
        self.check_seen(seen)
        self.assertGreaterEqual(st.session.m4_calls, 6)
        self.assertGreater(len(serial), 0)
        self.assertEqual(st.client.get("handler_errors", 0), 0)

    def test_serve_async(self):
        """serve_async(): coroutine handlers in the event loop"""
        seen = []

        async def main(m4):
            @m4.bind("m4")
            async def handler(seq, data):
                await asyncio.sleep(0)
                seen.append((seq, data))
                if len(seen) >= 8:
                    m4.stop()
                return [seq]
            await asyncio.wait_for(m4.serve_async(), 30)
        with m4rpc.Client() as m4:
            asyncio.run(main(m4))
        self.check_seen(seen)

    def test_already_bound(self):
        """a method another session serves: AlreadyBound"""
        with m4rpc.Client() as a, m4rpc.Client() as b:
            a.bind("m4", lambda *p: None)
            with self.assertRaises(m4rpc.AlreadyBound):
                b.bind("m4", lambda *p: None)

    def test_serial_needs_tty(self):
        """writing to the Serial of a sketch without tty(): NoSuchMethod"""
        with m4rpc.Serial() as tty:
            with self.assertRaises(m4rpc.NoSuchMethod):
                tty.write("x\n")


class Ends(unittest.TestCase):
    """the link goes away, the M4 stops, under an open client"""

    @classmethod
    def setUpClass(cls):
        board.start("sensors")

    def test_a_device_gone(self):
        """unbound link: pending and later calls get DeviceGone"""
        spi = board.spi
        drv = os.path.realpath("/sys/bus/spi/devices/%s/driver" % spi)
        with m4rpc.Client() as m4:
            self.assertEqual(m4.call("temperature"), 100)
            board.command("slow-m4 5000")
            f = m4.call_async("humidity", timeout=30)
            with open(os.path.join(drv, "unbind"), "w") as u:
                u.write(spi)
            try:
                self.assertIsInstance(f.exception(), m4rpc.DeviceGone)
                with self.assertRaises(m4rpc.DeviceGone) as cm:
                    m4.call("gas")
                self.assertIsInstance(cm.exception, ConnectionError)
                with self.assertRaises(m4rpc.NoDevice):
                    m4rpc.Client()
            finally:
                board.command("slow-m4 0")
                with open(os.path.join(drv, "bind"), "w") as b:
                    b.write(spi)
        board.wait_m4(m4rpc.M4_RUNNING)

    def test_b_m4_stops_during_call(self):
        """a call pending when the M4 stops: M4NotRunning, from the kernel"""
        with m4rpc.Client() as m4:
            self.assertEqual(m4.call("altitude"), 500)
            board.command("slow-m4 3000")
            f = m4.call_async("altitude", timeout=20)
            board.set_m4(m4rpc.M4_NO_RPC)
            exc = f.exception()
        self.assertIsInstance(exc, m4rpc.M4NotRunning)
        self.assertEqual(exc.reason, "the M4 stopped running RPC")


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    for cls in (Sensors, Threads, Echo, Tty, Traffic, Ends):
        suite.addTests(loader.loadTestsFromTestCase(cls))
    return suite
