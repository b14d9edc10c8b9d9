#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""pyserial (Debian's python3-serial) on /dev/ttyM4RPCn, run by tty_pyserial.

The port given as the only argument is opened as any serial port; the tty
sketch echoes each line (Serial.println()). Exits 0 when everything held,
1 with the reason on stderr otherwise.
"""
import sys

import serial


def check(what, got, want):
    if got != want:
        sys.stderr.write("%s: got %r, want %r\n" % (what, got, want))
        sys.exit(1)


def main():
    port = serial.Serial(sys.argv[1], 115200, timeout=2)
    # A read with a timeout returns what came: nothing, the sketch is quiet.
    check("read of a quiet port", port.read(16), b"")
    port.write(b"hello from pyserial\n")
    port.flush()                        # tcdrain(): the sketch has it
    check("echoed line", port.read_until(b"\r\n"), b"hello from pyserial\r\n")
    # Rates mean nothing on this link, but are taken and kept.
    for rate in (9600, 57600, 921600):
        port.baudrate = rate
        check("rate", port.baudrate, rate)
        port.write(b"at %d\n" % rate)
        check("line at %d" % rate, port.read_until(b"\r\n"),
              b"at %d\r\n" % rate)
    port.dtr = False
    port.rts = False
    check("carrier", port.cd, True)
    port.reset_input_buffer()
    port.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
