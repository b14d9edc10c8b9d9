#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The VM test's client of m4rpc-proxy, speaking as the X8's stock
containers do: Debian's python3-msgpack with use_bin_type=False (strings as
old raw, no str8, no bin), msgids from 0, a new connection per call to
port 5001, register(port, [names]) on port 5000, and a server of its own
for the M4's calls. Each subcommand prints "ok DESCRIPTION" or "not ok
DESCRIPTION" lines (selftests/tools/m4rpc_proxy.sh numbers them)."""
import json
import os
import socket
import sys
import threading
import time

import msgpack

HOST = "127.0.0.1"
CALL_PORT = int(os.environ.get("PROXY_CALL_PORT", "5001"))
failed = 0


def say(good, desc, detail=None):
    global failed
    print(("ok " if good else "not ok ") + desc, flush=True)
    if not good:
        failed += 1
        if detail is not None:
            for line in str(detail).splitlines():
                print("#   " + line, flush=True)


def stock_packer():
    return msgpack.Packer(use_bin_type=False)


def read_one(sock, timeout=15.0):
    """One whole message from sock: (object, its raw bytes)."""
    sock.settimeout(timeout)
    buf = b""
    while True:
        u = msgpack.Unpacker(raw=False, strict_map_key=False)
        u.feed(buf)
        try:
            obj = u.unpack()
            return obj, buf[:u.tell()]
        except msgpack.OutOfData:
            pass
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk


def call_once(method, params, port=None, packer=None, split=False):
    """A stock client's call: connect, one request (msgid 0), one reply."""
    p = packer or stock_packer()
    req = p.pack([0, 0, method, params])
    with socket.create_connection((HOST, port or CALL_PORT), timeout=15) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if split:
            for i in range(len(req)):
                s.sendall(req[i:i + 1])
                time.sleep(0.002)
        else:
            s.sendall(req)
        return read_one(s)


def cmd_register(port, names):
    p = stock_packer()
    with socket.create_connection((HOST, 5000), timeout=5) as s:
        s.sendall(p.pack([0, 0, "register", [int(port), names]]))
        obj, raw = read_one(s)
    good = obj == [1, 0, None, ""] and raw == b"\x94\x01\x00\xc0\xa0"
    say(good, "register(%s, %s) on 5000: the stock reply [1, 0, nil, \"\"]"
        % (port, names), raw.hex())


def cmd_calls():
    # One call per connection, as the stock containers make them.
    obj, _ = call_once("echo", [42])
    say(obj == [1, 0, None, 42], "a call per connection, msgid 0: echo(42)", obj)
    for n in (32, 100, 200):
        s = "s" * n
        obj, raw = call_once("echo", [s])
        say(obj == [1, 0, None, s] and bytes([0xd9, n]) in raw,
            "a %d-byte string (sent as old raw) comes back whole, as str8" % n,
            raw.hex())
    obj, raw = call_once("echo", [1.5])
    say(obj == [1, 0, None, 1.5] and b"\xcb" in raw, "float64 through", raw.hex())
    obj, raw = call_once("echo", [0.25],
                         packer=msgpack.Packer(use_bin_type=False,
                                               use_single_float=True))
    say(obj == [1, 0, None, 0.25] and b"\xca\x3e\x80\x00\x00" in raw,
        "float32 through, still float32", raw.hex())
    blob = bytes(range(200))
    obj, raw = call_once("echo", [blob],
                         packer=msgpack.Packer(use_bin_type=True))
    say(obj == [1, 0, None, blob] and b"\xc4\xc8" + blob in raw,
        "bin8 of 200 bytes through unchanged", raw.hex())
    for v, what in ((None, "nil"), ({"k": [1, None]}, "a map"),
                    (msgpack.ExtType(5, b"ab"), "an ext")):
        obj, raw = call_once("echo", [v])
        say(obj == [1, 0, None, v], what + " through", raw.hex())
    obj, _ = call_once("echo", ["split"], split=True)
    say(obj == [1, 0, None, "split"],
        "a request split over many TCP segments (one byte each)", obj)
    obj, _ = call_once("nosuch", [])
    say(obj[0] == 1 and obj[1] == 0 and "could not find function" in str(obj[2]),
        "an unknown method: rpclib's error reply", obj)


def cmd_concurrent(what):
    """20 persistent connections, 10 calls in flight on each."""
    errors = []

    def worker(c):
        try:
            with socket.create_connection((HOST, CALL_PORT), timeout=20) as s:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                p = stock_packer()
                s.sendall(p.pack([2, "echo", [c]]))   # a notification: no reply
                s.sendall(b"".join(p.pack([0, i, "echo", [c * 1000 + i]])
                                   for i in range(10)))
                u = msgpack.Unpacker(raw=False)
                got = {}
                s.settimeout(20)
                while len(got) < 10:
                    data = s.recv(65536)
                    if not data:
                        raise EOFError("closed after %d replies" % len(got))
                    u.feed(data)
                    for m in u:
                        if m[0] != 1 or m[1] in got:
                            raise ValueError("unexpected %r" % (m,))
                        got[m[1]] = m[3] if m[2] is None else "error: %s" % m[2]
                for i in range(10):
                    if got.get(i) != c * 1000 + i:
                        raise ValueError("msgid %d got %r" % (i, got.get(i)))
        except Exception as e:        # noqa: BLE001 (reported below)
            errors.append("connection %d: %s" % (c, e))

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(c,)) for c in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    say(not errors, "200 calls from 20 persistent connections at once, every "
        "reply matched to its caller by msgid %s(%.1f s)"
        % (what, time.monotonic() - t0), "\n".join(errors[:5]))


def emu_command(line):
    """A command to the emulator (m4rpc-sim --commands, its fifo)."""
    with open(os.environ["EMU_FIFO"], "w") as f:
        f.write(line + "\n")


def cmd_timeout(ms):
    emu_command("slow-m4 1500")     # the M4 holds the call 1.5 s
    time.sleep(0.2)
    t0 = time.monotonic()
    obj, _ = call_once("echo", ["late"])
    took = time.monotonic() - t0
    emu_command("slow-m4 0")
    say(obj[0] == 1 and "no reply from the M4 within %s ms" % ms in str(obj[2])
        and obj[3] is None,
        "a call the M4 does not answer in time: an error reply (%.1f s)" % took, obj)


def cmd_after_timeout():
    # The late reply of the call before comes meanwhile; it must not reach
    # this caller.
    time.sleep(2)
    obj, _ = call_once("echo", ["fresh"])
    say(obj == [1, 0, None, "fresh"], "the next caller gets its own reply", obj)


def cmd_server(port, record, split):
    """Serve the M4's calls forwarded to PORT: echo the params back (split
    over many TCP segments with --split), record every message."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, int(port)))
    srv.listen(16)
    lock = threading.Lock()

    def handle(conn):
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                msg, raw = read_one(conn)
            except Exception:          # noqa: BLE001 (a client that went)
                return
            with lock, open(record, "a") as f:
                f.write(json.dumps({"hex": raw.hex()}) + "\n")
            if msg[0] != 0:
                return
            # The seq and the payload's length: a reply the M4 takes (the
            # payload itself would be longer than a message to the M4).
            result = [msg[3][0], len(msg[3][1])] if msg[3] and isinstance(msg[3][-1], bytes) \
                else msg[3]
            reply = msgpack.Packer(use_bin_type=True).pack([1, msg[1], None, result])
            try:
                if split:
                    for i in range(0, len(reply), 16):
                        conn.sendall(reply[i:i + 16])
                        time.sleep(0.001)
                else:
                    conn.sendall(reply)
            except OSError as e:
                print("# the proxy closed the connection before the reply's end: %s" % e,
                      file=sys.stderr, flush=True)

    while True:
        c, _ = srv.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


def cmd_silent(port):
    """A registrant that accepts the M4's calls and never answers."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, int(port)))
    srv.listen(16)
    held = []
    while True:
        c, _ = srv.accept()
        held.append(c)


def cmd_served(record, size):
    """What the server recorded: the M4's echo calls with their bin
    payloads of SIZE bytes intact, and the tty notification."""
    size = int(size)
    calls = tty = 0
    bad = []
    with open(record) as f:
        for line in f:
            raw = bytes.fromhex(json.loads(line)["hex"])
            m = msgpack.unpackb(raw, raw=False)
            if m[0] == 0 and m[2] == "echo":
                n, blob = m[3]
                want = bytes((n + i) & 255 for i in range(size))
                hdr = b"\xc5" + size.to_bytes(2, "big")
                if blob == want and hdr + want in raw:
                    calls += 1
                else:
                    bad.append(raw[:40].hex())
            elif m[0] == 2 and m[1] == "tty":
                tty += m[2][0] == b"hello tty"
    say(calls >= 2 and not bad, "the M4's calls of echo reached the registrant "
        "with their bin16 of %d bytes unchanged (%d calls)" % (size, calls),
        "\n".join(bad[:3]))
    say(tty >= 1, "the M4's tty notification reached the registrant")


def run(cmd, args):
    if cmd == "register":
        cmd_register(args[0], args[1:])
    elif cmd == "calls":
        cmd_calls()
    elif cmd == "concurrent":
        cmd_concurrent(" ".join(args))
    elif cmd == "timeout":
        cmd_timeout(args[0])
    elif cmd == "after-timeout":
        cmd_after_timeout()
    elif cmd == "server":
        cmd_server(args[0], args[1], len(args) > 2 and args[2] == "--split")
    elif cmd == "silent":
        cmd_silent(args[0])
    elif cmd == "served":
        cmd_served(args[0], args[1])
    else:
        sys.exit("unknown subcommand " + cmd)


def main():
    """SUBCOMMAND [ARG]... [+ SUBCOMMAND [ARG]...]...: one after the other
    (one interpreter start: they are slow in the VM)."""
    argv = sys.argv[1:]
    while argv:
        end = argv.index("+") if "+" in argv else len(argv)
        run(argv[0], argv[1:end])
        argv = argv[end + 1:]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
