#!/usr/bin/env python3
# Write the seed corpus of the fuzz targets (tests/fuzz/corpus/TARGET/): a
# handful of small inputs each, in the input layout the target's comment
# describes, so the fuzzer starts from valid frames and messages rather
# than from nothing. The files are committed; run this again after changing
# a layout:  python3 tests/fuzz/make-corpus.py
# msgpack is packed by hand (shortest encodings, as the M4's msgpack-c).
import os
import struct

top = os.path.dirname(os.path.abspath(__file__))


def mp_uint(v):
    if v <= 0x7f:
        return bytes([v])
    if v <= 0xff:
        return bytes([0xcc, v])
    if v <= 0xffff:
        return b'\xcd' + struct.pack('>H', v)
    return b'\xce' + struct.pack('>I', v)


def mp_str(s):
    b = s.encode()
    if len(b) <= 31:
        return bytes([0xa0 | len(b)]) + b
    return bytes([0xd9, len(b)]) + b


def mp_bin(b):
    return bytes([0xc4, len(b)]) + b


def request(msgid, method, params=b'\x90'):
    return b'\x94\x00' + mp_uint(msgid) + mp_str(method) + params


def response(msgid, err=b'\xc0', result=b'\xc0'):
    return b'\x94\x01' + mp_uint(msgid) + err + result


def notify(method, params=b'\x90'):
    return b'\x93\x02' + mp_str(method) + params


MSGS = [
    request(1, 'temperature'),
    request(0x1234, 'echo', b'\x91' + mp_bin(bytes(range(20)))),
    response(7, b'\xc0', b'\xcb' + struct.pack('>d', 21.5)),
    response(0xdeadbeef, mp_str('m4rpc: no Linux process bound \'x\''), b'\xc0'),
    notify('tty', b'\x91' + mp_str('hello\n')),
    # nested, maps, ext, every number width
    notify('n', b'\x93\x81\xa1k\x92\x01\xd0\xff\xd4\x01\x02\xcf' + bytes(8)),
]


def frame(subs, size=None):
    payload = b''.join(bytes([p, o]) + struct.pack('<H', len(d)) + d
                       for p, o, d in subs)
    n = len(payload) if size is None else size
    buf = struct.pack('<HH', n, n ^ 0x5555) + payload
    return (buf + bytes(256))[:256]


def write(target, name, data):
    d = os.path.join(top, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# fuzz_frame: mode byte (0 strict, 1 H7 walk, 2 build), then the frame or
# the list of (periph, opcode, le16 len) appends.
ui = MSGS[1]
frames = {
    'empty': frame([]),
    'ui': frame([(0x0a, 0x01, ui)]),
    'h7_boot': frame([(0x09, 0x77, struct.pack('<i', 1)), (0x0a, 0x01, MSGS[4])]),
    'full': frame([(0x0a, 0x01, bytes(248))]),
    # the H7's off-by-four: size 256, the last subframe's tail not carried
    'offby4': frame([(0x0a, 0x01, bytes(120)), (0x0a, 0x01, bytes(124))], 256)[:256],
}
for i, (name, f) in enumerate(sorted(frames.items())):
    write('frame', 'strict-' + name, b'\x00' + f)
    write('frame', 'h7-' + name, b'\x01' + f)
write('frame', 'build-ui', b'\x02' + bytes([0x0a, 0x01, 100, 0, 0x09, 0x77, 0, 0,
                                             0x0a, 0x01, 248, 0, 0x00, 0, 1, 0]))

# fuzz_mpack_scan: a chunking seed byte, then the bytes.
for i, m in enumerate(MSGS):
    write('mpack_scan', 'msg%d' % i, bytes([i * 37 & 0xff]) + m)
write('mpack_scan', 'deep', b'\x05' + b'\x91' * 33 + b'\xc0')
write('mpack_scan', 'big-lengths', b'\x09' + b'\xdb\xff\xff\xff\xff\xdd\x00\x00\x00\x02')

# fuzz_reasm: cap/give-up byte, plan length, plan bytes, then the stream:
# messages with raw bytes between them, possible holes and losses.
stream = MSGS[0] + b'raw text\r\n' + MSGS[1] + MSGS[4] + b'\x94\x94\x93' + MSGS[2]
write('reasm', 'plain', bytes([0x02, 0]) + stream)
write('reasm', 'chunks', bytes([0x02, 4, 7, 1, 63, 20]) + stream)
write('reasm', 'holes', bytes([0x02, 4, 0x40 | 9, 0x80 | 30, 0x40 | 3, 0x80 | 63]) + stream)
write('reasm', 'lost', bytes([0x06, 3, 0xc0 | 12, 40, 0x80 | 5]) + stream)
write('reasm', 'oversize', bytes([0x01, 2, 30, 0x80 | 63]) + MSGS[1] + MSGS[1][:30]
      + MSGS[4])

# fuzz_rpc_msg: be32 msgid, max byte, then the message.
for i, m in enumerate(MSGS):
    ids = [0, 0x7f, 0x80, 0xffff, 0x10000, 0xffffffff]
    write('rpc_msg', 'msg%d' % i, struct.pack('>I', ids[i % len(ids)]) + b'\x08' + m)
write('rpc_msg', 'long-name', struct.pack('>I', 5) + b'\x80' + request(3, 'n' * 70))

# fuzz_lib_decode: one message as read() gives it: every kind, every type
# of result for the getters, the errors the library classifies, and a few
# that are not messages of msgpack-rpc.
for i, m in enumerate(MSGS):
    write('lib_decode', 'msg%d' % i, m)
results = {
    'nil': b'\xc0', 'true': b'\xc3', 'uint': b'\xcf' + bytes([0x80] + [0] * 7),
    'neg': b'\xd3' + struct.pack('>q', -5), 'fixneg': b'\xff',
    'float32': b'\xca' + struct.pack('>f', 1.5), 'str': mp_str('hi\x00there'),
    'bin': mp_bin(b'\x00\x01\x02'), 'array': b'\x92\x01\xa1x', 'map': b'\x81\x01\x02',
    'ext': b'\xd4\x01\x02',
}
for name, v in sorted(results.items()):
    write('lib_decode', 'result-' + name, response(9, b'\xc0', v))
errors = {
    'no-method': mp_str('could not find function: foo'),
    'argc': mp_str('Function expects 2 arguments, got 1'),
    'unbound': mp_str('m4rpc: no Linux process bound \'x\''),
    'int': b'\x05', 'array': b'\x92\xa1a\x01',
}
for name, e in sorted(errors.items()):
    write('lib_decode', 'error-' + name, response(10, e))
write('lib_decode', 'bin-name', b'\x94\x00\x01' + mp_bin(b'led') + b'\x91\x01')
write('lib_decode', 'bad-params', b'\x93\x02' + mp_str('tty') + b'\x01')
write('lib_decode', 'trailing', request(2, 'x') + b'\xc0')
write('lib_decode', 'msgid-64', b'\x94\x01\xcf' + bytes([1] + [0] * 7) + b'\xc0\xc0')

# fuzz_mpframe: chunking seed byte, mpf_array()'s max, then a TCP stream:
# messages back to back, then a tail that is incomplete or no msgpack.
stream = b''.join(MSGS) + b'\xdc\x00\x02\x01\x02' + b'\xdd\x00\x00\x00\x00'
write('mpframe', 'stream', bytes([0x11, 4]) + stream)
write('mpframe', 'stream-max0', bytes([0x53, 0]) + stream + MSGS[1][:9])
write('mpframe', 'not-msgpack', bytes([0x02, 8]) + MSGS[0] + b'\xc1' + MSGS[1])
write('mpframe', 'big-lengths', bytes([0x07, 255]) + MSGS[4] +
      b'\xdb\xff\xff\xff\xff' + b'\xdf\xff\xff\xff\xff')
write('mpframe', 'ext', bytes([0x30, 16]) + b'\x95\xc7\x02\x05ab\xc8\x00\x01\x07x'
      b'\xd8\x01' + bytes(16) + b'\xc9\x00\x00\x00\x00\x09\xca' + bytes(4))
