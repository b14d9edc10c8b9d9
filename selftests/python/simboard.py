# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The simulated board for the Python package's VM tests.

m4rpc_sim.ko is loaded by the runner (python_vm.sh), which also cleans
up after a crash; this module starts the emulator (build/tools/m4rpc-sim,
its commands on stdin) on board 0 and then loads m4rpc.ko, as the C
tests' board_up() does: a link bound to a running H7 syncs at once. A new
sketch takes a new emulator, and the link is unloaded and loaded again
around it, so each test class starts from a fresh link.
"""
import gc
import os
import subprocess
import time

import m4rpc
from m4rpc.device import Device

KMOD = os.environ.get("M4RPC_KMOD_DIR", "")
BUILD = os.environ.get("M4RPC_BUILD", "")
SIM = os.path.join(BUILD, "tools", "m4rpc-sim")
PIDFILE = os.environ.get("M4RPC_SIM_PIDFILE", "")
PATH = "/dev/m4rpc0"


def usable():
    """Why the tests cannot run here, or ""."""
    if os.geteuid() != 0:
        return "needs root: run in the VM (scripts/vm-run.sh)"
    if not os.path.exists(os.path.join(KMOD, "m4rpc.ko")):
        return "no $M4RPC_KMOD_DIR/m4rpc.ko"
    if not os.path.exists("/dev/m4rpc-sim0"):
        return "m4rpc_sim.ko is not loaded (python_vm.sh loads it)"
    if not os.access(SIM, os.X_OK):
        return "%s not built" % SIM
    return ""


def wait_for(cond, timeout, what, diag=None):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %g s waiting for %s%s"
                                 % (timeout, what, diag() if diag else ""))
        time.sleep(0.02)


def _info():
    try:
        d = Device(PATH)
    except m4rpc.Error:
        return None
    try:
        return d.get_info()
    finally:
        d.close()


class Board:
    def __init__(self):
        self.proc = None
        self.err = None
        self.link_loaded = os.path.exists("/sys/module/m4rpc")

    def start(self, sketch, *args, m4=m4rpc.M4_RUNNING):
        """The emulator with @sketch and m4rpc-sim options @args, then the
        link; back when /dev/m4rpc0 says the M4 is in state @m4."""
        t0 = time.monotonic()
        self.stop()
        self.err = open("/tmp/m4rpc-sim-py.err", "w")
        self.proc = subprocess.Popen(
            [SIM, "--board", "0", "-q", "--commands", "--sketch", sketch]
            + list(args), stdin=subprocess.PIPE, stderr=self.err, text=True)
        if PIDFILE:
            with open(PIDFILE, "a") as f:
                f.write("%d\n" % self.proc.pid)
        wait_for(self._attached, 10, "m4rpc-sim to attach")
        subprocess.run(["insmod", os.path.join(KMOD, "m4rpc.ko")], check=True)
        self.link_loaded = True
        info = self.wait_m4(m4)
        self.spi = info.spi_device
        print("# board: %s up in %.1f s (the last one down, m4rpc-sim, "
              "m4rpc.ko, the M4's state)" % (sketch, time.monotonic() - t0))
        return info

    def _attached(self):
        if self.proc.poll() is not None:
            raise AssertionError("m4rpc-sim exited: %s" % self.stderr())
        fds = "/proc/%d/fd" % self.proc.pid
        try:
            return any(os.readlink(os.path.join(fds, f)) == "/dev/m4rpc-sim0"
                       for f in os.listdir(fds))
        except OSError:
            return False

    def wait_m4(self, state, timeout=20):
        """Until INFO's m4_state is @state: the Info."""
        return wait_for(lambda: (lambda i: i if i and i.m4_state == state
                                 else None)(_info()), timeout,
                        "the M4 in state %d" % state)

    def set_m4(self, state, timeout=20):
        """The M4 stopped, started (m4rpc-sim's boot-m4), and the link told
        to ask the H7 (its sysfs refresh; else it learns at the next
        exchange): the Info once the endpoint says @state."""
        self.command("boot-m4 %d" % state)
        refresh = "/sys/bus/spi/devices/%s/m4rpc/refresh" % self.spi

        def changed():
            with open(refresh, "w") as f:
                f.write("1")
            i = _info()
            return i if i and i.m4_state == state else None
        return wait_for(changed, timeout, "the M4 in state %d" % state,
                        self.dump)

    def dump(self):
        """The link's files and the emulator's counters, after a failure."""
        d = "/sys/bus/spi/devices/%s/m4rpc" % self.spi
        out = []
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else ():
            try:
                with open(os.path.join(d, name)) as f:
                    out.append("%s=%s" % (name, f.read().strip()))
            except OSError:
                pass
        if self.proc and self.proc.poll() is None:
            self.command("stats")
        return "\nlink: %s\nm4rpc-sim:\n%s" % (" ".join(out), self.stderr())

    def command(self, line):
        """One line of m4rpc-sim --commands (a fault, boot-m4 V, ...),
        back once the emulator has taken it: a "stats" after it, which
        prints its counters, has been answered."""
        mark = "counters (command)"
        n = self.stderr().count(mark)
        self.proc.stdin.write(line + "\nstats\n")
        self.proc.stdin.flush()
        wait_for(lambda: self.stderr().count(mark) > n, 10,
                 "m4rpc-sim to take %r" % line)

    def stderr(self):
        try:
            with open("/tmp/m4rpc-sim-py.err") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        """The link unloaded (every session must be closed), the emulator
        stopped."""
        if self.link_loaded:
            gc.collect()	# a session only a failed test still holds
            r = subprocess.run(["rmmod", "m4rpc"], capture_output=True,
                               text=True)
            if r.returncode:
                raise AssertionError("rmmod m4rpc: %s (a session left open?)"
                                     % r.stderr.strip())
            self.link_loaded = False
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
            self.err.close()
