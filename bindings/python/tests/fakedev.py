# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A socketpair standing in for /dev/m4rpcN, for the host tests.

A SOCK_SEQPACKET pair keeps message boundaries as the device does: one
write() one message, one read() one message. FakeDevice is the session's
end (Device's read/write, fake ioctls); FakeM4 plays the kernel and the
sketch on the other end in a thread: it answers requests (msgids as they
came, as the kernel restores them), in an order and with results the test
chooses, and sends the M4's own messages on demand.
"""
import errno
import queue
import random
import socket
import threading

import msgpack

from m4rpc import device, errors, _uapi


def _info(max_tx):
    fields = {name: 0 for name, _ in _uapi.INFO.fields}
    fields.update(api_version=1, link_state=1, m4_state=1, max_tx_msg=max_tx,
                  max_rx_msg=8192, fw_version=b"fake\0", spi_device=b"fake\0",
                  reserved=(0, 0), calls_max=256)
    return device.Info(fields)


class FakeDevice(device.Device):
    def __init__(self, sock, max_tx=248):
        self.path = "/dev/fake-m4rpc"
        self.sock = sock
        self.fd = sock.fileno()
        self.sock.setblocking(False)
        self.info = _info(max_tx)
        self.max_tx = max_tx
        self.rx_size = 65536
        self.bound = set()
        self.taken = {"taken"}		# bound by "another session"

    def get_info(self):
        return self.info

    def bind(self, name):
        if name in self.taken:
            raise errors.AlreadyBound(name)
        self.bound.add(name)

    def unbind(self, name):
        if name not in self.bound:
            raise OSError(errno.ENOENT, "not bound")
        self.bound.discard(name)

    def read(self):
        try:
            data = super().read()
        except ConnectionResetError:
            data = b""
        if data == b"":
            raise errors.DeviceGone(self.path)
        return data

    def write(self, data, what):
        if len(data) > self.max_tx + 4:
            raise errors.MessageTooBig(what, len(data), self.max_tx)
        try:
            return super().write(data, what)
        except (BrokenPipeError, ConnectionResetError):
            raise errors.DeviceGone(self.path) from None

    def close(self):
        self.sock.close()
        self.fd = -1


class FakeM4(threading.Thread):
    """The far end. methods: name -> fn(*params) giving the result (an
    exception: its str as the error); "hang" is never answered. With
    shuffle=N it holds up to N requests and answers them in random order
    (after a short idle pause, whatever it has)."""

    def __init__(self, sock, methods=None, shuffle=0, seed=1):
        super().__init__(daemon=True)
        self.sock = sock
        self.methods = {"echo": lambda x: x}
        self.methods.update(methods or {})
        self.shuffle = shuffle
        self.rand = random.Random(seed)
        self.received = queue.Queue()	# everything but answered requests
        self.requests = []		# (msgid, method, params) answered
        self.lock = threading.Lock()
        self.stopped = False
        self.max_held = 0

    def send(self, obj):
        self.sock.send(msgpack.packb(obj, use_bin_type=True))

    def _answer(self, msgid, method, params):
        fn = self.methods.get(method)
        if fn is None:
            err = ("rpclib: server could not find function '%s' with "
                   "argument count %d." % (method, len(params)))
            self.send([1, msgid, err, None])
            return
        try:
            self.send([1, msgid, None, fn(*params)])
        except Exception as e:
            self.send([1, msgid, str(e), None])

    def run(self):
        held = []
        self.sock.settimeout(0.01)
        while not self.stopped:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                data = None
            except OSError:
                return
            if data == b"":
                return
            if data is None:
                self._flush(held)
                continue
            msg = msgpack.unpackb(data, raw=False, strict_map_key=False)
            if msg[0] == 0 and msg[2] != "hang":
                with self.lock:
                    self.requests.append((msg[1], msg[2], msg[3], len(data)))
                held.append(msg)
                self.max_held = max(self.max_held, len(held))
                if len(held) > self.shuffle:
                    self._flush(held)
            else:
                self.received.put((msg, len(data)))

    def _flush(self, held):
        self.rand.shuffle(held)
        while held:
            m = held.pop()
            self._answer(m[1], m[2], m[3])

    def stop(self):
        self.stopped = True
        self.join(2)


def pair(max_tx=248, **kw):
    """(FakeDevice, FakeM4 running) on a new socketpair."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    m4 = FakeM4(b, **kw)
    m4.start()
    return FakeDevice(a, max_tx), m4


