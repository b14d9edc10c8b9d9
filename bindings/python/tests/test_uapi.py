# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The ioctl numbers, constants and structure layouts of m4rpc._uapi
against <linux/m4rpc.h>, as a C program compiled against it prints them
($M4RPC_UAPI_DUMP, make's python-uapi-dump): they must never drift."""
import os
import subprocess
import unittest

from m4rpc import _uapi

DUMP = os.environ.get("M4RPC_UAPI_DUMP", "")


def c_side():
    out = subprocess.run([DUMP], check=True, capture_output=True,
                         text=True).stdout
    got = {}
    for line in out.splitlines():
        kind, name, value = line.split()
        got[(kind, name)] = int(value)
    return got


@unittest.skipUnless(DUMP, "M4RPC_UAPI_DUMP (the C side) not set")
class Layout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = c_side()

    def entries(self, kind):
        return {n: v for (k, n), v in self.c.items() if k == kind}

    def test_ioctl_numbers(self):
        """every ioctl number, and no ioctl of the header missing here"""
        self.assertEqual(self.entries("ioctl"), _uapi.IOCTLS)

    def test_constants(self):
        self.assertEqual(self.entries("const"), _uapi.CONSTANTS)

    def test_sizes(self):
        """every structure's size"""
        self.assertEqual(self.entries("size"),
                         {l.cname: l.size for l in _uapi.LAYOUTS})

    def test_offsets(self):
        """every field's offset, the same fields on both sides"""
        py = {}
        for l in _uapi.LAYOUTS:
            for f, off in l.offsets().items():
                py["%s.%s" % (l.cname, f)] = off
        self.assertEqual(self.entries("offset"), py)

    def test_unpack_roundtrip(self):
        """a structure unpacks into its fields, arrays as tuples"""
        raw = bytes(range(_uapi.INFO.size))
        f = _uapi.INFO.unpack(raw)
        self.assertEqual(f["fw_version"], raw[16:80])
        self.assertEqual(len(f["reserved"]), 2)
        self.assertEqual(len(f), len(_uapi.INFO.fields))


if __name__ == "__main__":
    unittest.main()
