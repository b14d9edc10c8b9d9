# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The device contract, <linux/m4rpc.h>, written again in Python.

Nothing here is read from the header at run time (a container has no
headers): the numbers and layouts are copied by hand, and the test
tests/test_uapi.py compares every one of them with what a C program
compiled against the header prints (make's python-uapi-dump), so the two
cannot drift apart unnoticed.

Every structure of the header is naturally aligned (no padding on any
ABI), so the layouts use struct's "=" (native byte order, standard sizes,
no alignment) and each field's offset is the sum of the sizes before it.
"""
import struct

API_VERSION = 1
NAME_MAX = 64

LINK_STATE_SYNCING = 0
LINK_STATE_UP = 1
LINK_STATE_GONE = 2

M4_UNKNOWN = -2
M4_NO_PROGRAM = -1
M4_NO_RPC = 0
M4_RUNNING = 1

MODE_MSG = 0
MODE_RAW = 1
# info.flags: the H7 firmware clips received frames (53df799): writes fail
# with ENOEXEC.
INFO_FW_CLIPS = 1 << 0


class Layout:
    """A C structure as (name, struct code) fields, in order.

    A code with a count ("64s", "3Q") is one field: a char array gives
    bytes, an integer array a tuple.
    """

    def __init__(self, cname, fields):
        self.cname = cname
        self.fields = fields
        self.struct = struct.Struct("=" + "".join(c for _, c in fields))
        self.size = self.struct.size

    def offsets(self):
        """{field: offset}, as C's offsetof() should give them."""
        out, off = {}, 0
        for name, code in self.fields:
            out[name] = off
            off += struct.calcsize("=" + code)
        return out

    def unpack(self, buf):
        """{field: value}; integer arrays come out as tuples."""
        vals = list(self.struct.unpack(buf))
        out = {}
        for name, code in self.fields:
            n = struct.calcsize("=" + code) // struct.calcsize("=" + code[-1])
            if code.endswith("s") or n == 1:
                out[name] = vals.pop(0)
            else:
                out[name] = tuple(vals[:n])
                del vals[:n]
        return out


def _u64s(*names):
    return [(n, "Q") for n in names]


def _u32s(*names):
    return [(n, "I") for n in names]


INFO = Layout("m4rpc_info", [
    ("api_version", "I"), ("index", "I"), ("link_state", "i"),
    ("m4_state", "i"), ("fw_version", "64s"), ("spi_device", "32s"),
] + _u32s("max_tx_msg", "max_rx_msg", "rx_queue_len", "raw_buf_size",
          "tx_queue_len", "tx_session_len", "calls_max", "m4_calls_max",
          "wire_calls_max", "wire_bytes_max", "flags", "reserved0")
    + [("reserved", "2Q")])

BIND = Layout("m4rpc_bind", [("len", "I"), ("flags", "I"),
                             ("name", "%ds" % NAME_MAX)])

LINK_STATS = Layout("m4rpc_link_stats", _u64s(
    "rx_msgs", "rx_requests", "rx_responses", "rx_notifications",
    "rx_raw_bytes", "rx_oversize", "rx_malformed", "rx_lost",
    "rx_lost_bytes", "replies_unmatched", "notify_unbound",
    "requests_unbound", "requests_refused", "requests_abandoned",
    "rx_queue_drops", "raw_drops", "tx_msgs", "tx_bytes", "tx_requests",
    "tx_responses", "tx_notifications", "tx_errors", "tx_purged",
    "tx_kernel_drops", "calls_failed", "wire_expired") + _u32s(
    "sessions", "tx_queued", "calls_pending", "m4_calls_pending",
    "calls_on_wire", "reserved0") + _u64s("wire_long", "rx_suspect",
                                          "rx_cut"))

SESSION_STATS = Layout("m4rpc_session_stats", _u64s(
    "rx_msgs", "rx_drops", "raw_bytes", "raw_drops", "overflows",
    "tx_msgs", "replies", "m4_calls") + _u32s(
    "mode", "rx_queued", "next_msg_len", "tx_queued", "calls_pending",
    "m4_calls_pending", "bindings", "reserved0") + [("reserved", "4Q")])

U32_SIZE = 4

# <asm-generic/ioctl.h>: what x86, arm and arm64 (the X8) use. Other
# architectures (powerpc, mips, sparc) encode differently; the layout
# test would say so.
_IOC_WRITE = 1
_IOC_READ = 2
IOC_MAGIC = 0xB9


def _ioc(direction, nr, size):
    return (direction << 30) | (size << 16) | (IOC_MAGIC << 8) | nr


IOC_INFO = _ioc(_IOC_READ, 1, INFO.size)
IOC_BIND = _ioc(_IOC_WRITE, 2, BIND.size)
IOC_UNBIND = _ioc(_IOC_WRITE, 3, BIND.size)
IOC_SET_MODE = _ioc(_IOC_WRITE, 4, U32_SIZE)
IOC_LINK_STATS = _ioc(_IOC_READ, 5, LINK_STATS.size)
IOC_SESSION_STATS = _ioc(_IOC_READ, 6, SESSION_STATS.size)

LAYOUTS = (INFO, BIND, LINK_STATS, SESSION_STATS)
IOCTLS = {
    "M4RPC_IOC_INFO": IOC_INFO, "M4RPC_IOC_BIND": IOC_BIND,
    "M4RPC_IOC_UNBIND": IOC_UNBIND, "M4RPC_IOC_SET_MODE": IOC_SET_MODE,
    "M4RPC_IOC_LINK_STATS": IOC_LINK_STATS,
    "M4RPC_IOC_SESSION_STATS": IOC_SESSION_STATS,
}
CONSTANTS = {
    "M4RPC_API_VERSION": API_VERSION, "M4RPC_NAME_MAX": NAME_MAX,
    "M4RPC_LINK_STATE_SYNCING": LINK_STATE_SYNCING,
    "M4RPC_LINK_STATE_UP": LINK_STATE_UP,
    "M4RPC_LINK_STATE_GONE": LINK_STATE_GONE,
    "M4RPC_M4_UNKNOWN": M4_UNKNOWN, "M4RPC_M4_NO_PROGRAM": M4_NO_PROGRAM,
    "M4RPC_M4_NO_RPC": M4_NO_RPC, "M4RPC_M4_RUNNING": M4_RUNNING,
    "M4RPC_MODE_MSG": MODE_MSG, "M4RPC_MODE_RAW": MODE_RAW,
    "M4RPC_INFO_FW_CLIPS": INFO_FW_CLIPS,
}
