# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The package installs the Python way (pip, pyproject.toml) and the
Debian way (make install-python), and imports from there."""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.environ.get("M4RPC_SRC", "")


def sources(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".py"))


FILES = sources(os.path.join(PKG, "m4rpc"))


def imported_from(path):
    """Where a fresh interpreter with @path first imports m4rpc from."""
    code = "import m4rpc, sys; m4rpc.Client; sys.stdout.write(m4rpc.__file__)"
    env = dict(os.environ, PYTHONPATH=path)
    return subprocess.run([sys.executable, "-B", "-c", code], env=env,
                          check=True, capture_output=True, text=True,
                          cwd="/").stdout


class Install(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_pip(self):
        """pip install bindings/python (offline: Debian's setuptools)"""
        if importlib.util.find_spec("pip") is None:
            self.skipTest("no pip for %s" % sys.executable)
        # A copy: setuptools writes build/ and *.egg-info next to the source.
        src = os.path.join(self.tmp, "src")
        shutil.copytree(PKG, src, ignore=shutil.ignore_patterns(
            "__pycache__", "build", "*.egg-info"))
        target = os.path.join(self.tmp, "site")
        r = subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                            "--no-build-isolation", "--no-deps", "--no-index",
                            "--disable-pip-version-check", "--target", target,
                            src], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(sources(os.path.join(target, "m4rpc")), FILES)
        self.assertEqual(imported_from(target),
                         os.path.join(target, "m4rpc", "__init__.py"))

    @unittest.skipUnless(SRC, "M4RPC_SRC (the source tree) not set")
    def test_make_install_python(self):
        """make install-python DESTDIR=... : Debian's dist-packages"""
        r = subprocess.run(["make", "-s", "--no-print-directory", "-C", SRC,
                            "install-python", "DESTDIR=" + self.tmp],
                           capture_output=True, text=True,
                           env=dict(os.environ, MAKEFLAGS=""))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        dist = os.path.join(self.tmp, "usr/lib/python3/dist-packages")
        self.assertEqual(sorted(os.listdir(os.path.join(dist, "m4rpc"))),
                         FILES)
        self.assertEqual(imported_from(dist),
                         os.path.join(dist, "m4rpc", "__init__.py"))


if __name__ == "__main__":
    unittest.main()
