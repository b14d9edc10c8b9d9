# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Error replies and errnos onto exceptions; the texts they match are
checked against the emulator's and the kernel's sources when the tree is
there ($M4RPC_SRC), so a change of wording there fails here."""
import errno
import os
import re
import tempfile
import unittest

import m4rpc
from m4rpc import errors

SRC = os.environ.get("M4RPC_SRC", "")


def _c_strings(path):
    with open(os.path.join(SRC, path)) as f:
        # Not the file names of #include lines.
        text = "".join(l for l in f if not l.lstrip().startswith("#include"))
    # Adjacent C literals are one string; enough for these files.
    return [s.replace('\\"', '"') for s in re.findall(r'"((?:[^"\\]|\\.)*)"', text)]


class FromReply(unittest.TestCase):
    def test_rpclib_texts(self):
        """rpclib's texts (as the emulator words them) map to NoSuchMethod,
        BadArguments, and RemoteError for the rest"""
        e = errors.from_reply("nosuch", "rpclib: server could not find "
                              "function 'nosuch' with argument count 0.")
        self.assertIsInstance(e, m4rpc.NoSuchMethod)
        self.assertIn("could not find function 'nosuch'", str(e))
        e = errors.from_reply("echo", "rpclib: Function 'echo' was called "
                              "with an invalid number of arguments. "
                              "Expected: 1, got: 2")
        self.assertIsInstance(e, m4rpc.BadArguments)
        e = errors.from_reply("led", "rpclib: function 'led' (called with 1 "
                              "arg(s)) threw an exception. The exception "
                              "contained this information: std::bad_cast.")
        self.assertIs(type(e), m4rpc.RemoteError)
        self.assertIn("std::bad_cast", e.error)
        e = errors.from_reply("m", [1, "not a str"])
        self.assertIs(type(e), m4rpc.RemoteError)
        self.assertEqual(e.error, [1, "not a str"])

    def test_kernel_texts(self):
        """the kernel's own replies: M4NotRunning, ReplyLost, KernelError"""
        e = errors.from_reply("t", "m4rpc: the M4 stopped running RPC")
        self.assertIsInstance(e, m4rpc.M4NotRunning)
        self.assertEqual(e.reason, "the M4 stopped running RPC")
        e = errors.from_reply("t", "m4rpc: the reply was lost on the link "
                              "(the H7 dropped bytes)")
        self.assertIsInstance(e, m4rpc.ReplyLost)
        self.assertIsInstance(errors.from_reply("t", "m4rpc: other"),
                              m4rpc.KernelError)

    @unittest.skipUnless(SRC, "M4RPC_SRC (the source tree) not set")
    def test_texts_match_the_sources(self):
        """the prefixes matched are the ones emu/ and the kernel send"""
        emu = _c_strings("emu/h7emu_m4.c")
        self.assertTrue(any(s.startswith(errors.RPCLIB_NO_FUNCTION)
                            for s in emu), "emu: could not find function")
        self.assertTrue(any(s.startswith(errors.RPCLIB_BAD_ARGC) and
                            errors.RPCLIB_BAD_ARGC_TAIL in s for s in emu),
                        "emu: invalid number of arguments")
        kern = _c_strings("kernel/ep/ep.h")
        self.assertIn(errors.KERNEL_M4_STOPPED, kern)
        self.assertTrue(any(s.startswith(errors.KERNEL_REPLY_LOST)
                            for s in kern))
        self.assertTrue(all(s.startswith(errors.KERNEL_PREFIX) for s in kern
                            if s.startswith("m4rpc")))


class FromErrno(unittest.TestCase):
    def test_classes(self):
        """each errno gets its exception, also a standard one"""
        g = errors.from_errno(errno.ENODEV, "/dev/m4rpc0", "read")
        self.assertIsInstance(g, m4rpc.DeviceGone)
        self.assertIsInstance(g, ConnectionError)
        n = errors.from_errno(errno.ENOENT, "/dev/m4rpc9", "open")
        self.assertIsInstance(n, FileNotFoundError)
        self.assertIn("--device /dev/m4rpc9", str(n))
        o = errors.from_errno(errno.EIO, "/dev/m4rpc0", "read")
        self.assertIs(type(o), OSError)
        self.assertIn("read", str(o))

    def test_standard_bases(self):
        self.assertTrue(issubclass(m4rpc.Timeout, TimeoutError))
        self.assertTrue(issubclass(m4rpc.NoPermission, PermissionError))
        self.assertTrue(issubclass(m4rpc.MessageTooBig, ValueError))
        for c in (m4rpc.Timeout, m4rpc.RemoteError, m4rpc.NoSuchMethod,
                  m4rpc.M4NotRunning, m4rpc.DeviceGone, m4rpc.MessageTooBig,
                  m4rpc.NoPermission, m4rpc.AlreadyBound):
            self.assertTrue(issubclass(c, m4rpc.Error), c)

    def test_permission_hint_names_the_group(self):
        """EACCES: the hint names the node's group, or says it is closed"""
        with tempfile.NamedTemporaryFile() as f:
            os.chmod(f.name, 0o660)
            e = errors.from_errno(errno.EACCES, f.name, "open")
            self.assertIsInstance(e, PermissionError)
            import grp
            name = grp.getgrgid(os.stat(f.name).st_gid).gr_name
            self.assertIn("usermod -aG %s" % name, str(e))
            os.chmod(f.name, 0o600)
            e = errors.from_errno(errno.EACCES, f.name, "open")
            self.assertIn("not open to its group", str(e))

    def test_m4_reasons(self):
        """the M4 states in words"""
        self.assertIn("no valid M4 program", errors.m4_reason(-1))
        self.assertIn("RPC.begin()", errors.m4_reason(0))
        self.assertIn("not know", errors.m4_reason(-2))
        e = m4rpc.M4NotRunning(errors.m4_reason(0), 0, "temperature")
        self.assertIn("temperature: the M4 is not running RPC", str(e))


if __name__ == "__main__":
    unittest.main()
