#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
"""Writes the seed corpus of the codec fuzz targets: corpus/<target>/*.bin.

Each seed is one valid IU built field by field from the layouts in
libsrpt/proto/*.c (the same IUs the unit tests use), so that the fuzzers
start from inputs that get past every check. Run it from anywhere; it
rewrites the corpus next to itself. The generated files are committed too.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

GUID = bytes.fromhex('505400fffe123456')
INIT_ID = bytes.fromhex('fe80000000000000') + GUID
TGT_ID = GUID + GUID
TAG0 = bytes(8)
TAG = bytes.fromhex('1122334455667788')


def tag(n):
    """A tag as ib_srp writes it: a host-order (little-endian) u64."""
    return struct.pack('<Q', n)


def login_req(tag_, iu_len, fmt, flags, imm_off):
    return (b'\x00' + bytes(7) + tag_ + struct.pack('>I', iu_len) + bytes(4)
            + struct.pack('>HBxH2x', fmt, flags, imm_off) + INIT_ID + TGT_ID)


def login_req_rdma(tag_, iu_len, fmt, flags, imm_off):
    return (tag_ + struct.pack('>HBBI', fmt, flags, 0, iu_len) + INIT_ID
            + TGT_ID + struct.pack('>H', imm_off) + bytes(6))


def login_rsp(credits, tag_, max_it, max_ti, fmt, flags):
    return (b'\xc0' + bytes(3) + struct.pack('>I', credits) + tag_
            + struct.pack('>IIHB', max_it, max_ti, fmt, flags) + bytes(25))


def login_rej(reason, tag_, fmt):
    return (b'\xc2' + bytes(3) + struct.pack('>I', reason) + tag_ + bytes(8)
            + struct.pack('>H', fmt) + bytes(6))


def direct(va, key, length):
    return struct.pack('>QII', va, key, length)


def cmd(sol, out_fmt, in_fmt, out_cnt, in_cnt, tag_, lun, attr, cdb, descs):
    add = max(0, len(cdb) - 16)
    add = (add + 3) & ~3
    cdb = cdb.ljust(16 + add, b'\x00')
    return (struct.pack('>BB3xBBB', 0x02, sol, out_fmt << 4 | in_fmt,
                        out_cnt, in_cnt) + tag_ + bytes(4) + lun
            + struct.pack('>xBxB', attr, add) + cdb + descs)


def rsp(sol, credits, tag_, flags, status, do_res, di_res, resp, sense):
    return (struct.pack('>BB2xI', 0xc1, sol, credits) + tag_
            + struct.pack('>2xBBIIII', flags, status, do_res, di_res,
                          len(sense), len(resp)) + resp + sense)


LUN0 = bytes(8)
LUN1 = bytes.fromhex('0001000000000000')
LUN2 = bytes.fromhex('0002000000000000')
# ILLEGAL REQUEST / INVALID FIELD IN CDB
SENSE = bytes.fromhex('700005000000000a00000000240000000000')
# UNIT ATTENTION / REPORTED LUNS DATA HAS CHANGED
SENSE_UA = bytes.fromhex('700006000000000a000000003f0e00000000')
INQUIRY = bytes.fromhex('120000002400')
WRITE10 = bytes.fromhex('2a000000001000000100')

CORPUS = {
    'login': {
        'req-ib-linux.bin': login_req(TAG0, 8260, 6, 0x80, 68),
        'req-ib-multi.bin': login_req(TAG, 276, 4, 0x71, 0),
        'req-rdma-linux.bin': login_req_rdma(TAG0, 8260, 6, 0x80, 68),
        'rsp-linux.bin': login_rsp(32, TAG0, 8260, 8260, 6, 0x80),
        'rej-limit.bin': login_rej(0x00010006, TAG, 6),
    },
    'cmd': {
        'inquiry-direct.bin': cmd(0, 0, 1, 0, 0, tag(5), LUN0, 0, INQUIRY,
                                  direct(0x12345000, 0x1234, 36)),
        'write-imm68.bin': cmd(0, 3, 0, 0, 0, tag(42), LUN1, 0, WRITE10,
                               struct.pack('>I', 512) + bytes(16))
        + bytes((i * 7 + 3) & 0xff for i in range(512)),
        'write-indirect.bin': cmd(6, 2, 0, 2, 0,
                                  bytes.fromhex('0102030405060708'), LUN2,
                                  2, bytes.fromhex('2a000000010000001000'),
                                  direct(0xabcd0000, 0x5678, 32)
                                  + struct.pack('>I', 8192)
                                  + direct(0x7f0000001000, 1, 4096)
                                  + direct(0x7f0000003000, 2, 4096)),
        'read32-direct.bin': cmd(0, 0, 1, 0, 0, tag(7), LUN0, 0,
                                 bytes.fromhex('7f' + '00' * 6 + '18'
                                               + '0009' + '00' * 6
                                               + '00' * 6 + '1000'
                                               + '00' * 7 + '08'),
                                 direct(0x100000, 9, 4096)),
        'bidi-external.bin': cmd(0, 1, 2, 0, 1, tag(9), LUN0, 0,
                                 bytes.fromhex('53') + bytes(7) + b'\x08',
                                 direct(0x200000, 10, 4096)
                                 + direct(0x300000, 11, 48)
                                 + struct.pack('>I', 12288)
                                 + direct(0x400000, 12, 4096)),
        'tur-nodata.bin': cmd(0, 0, 0, 0, 0, tag(1), LUN0, 0, bytes(6), b''),
        'imm-bidi.bin': cmd(0, 3, 1, 0, 0, tag(11), LUN0, 0,
                            bytes.fromhex('530000000000000001'),
                            struct.pack('>I', 8) + direct(0x500000, 13, 8))
        + bytes(range(0xd0, 0xd8)),
    },
    'rsp': {
        'good.bin': rsp(0, 1, tag(5), 0, 0, 0, 0, b'', b''),
        'sense-diunder.bin': rsp(1, 1, tag(42), 0x22, 2, 0, 512, b'', SENSE),
        'tm-not-supp.bin': rsp(0, 2, tag(0x80000003), 1, 0, 0, 0,
                               bytes([0, 0, 0, 4]), b''),
        'resp-and-sense.bin': rsp(0, 0, TAG, 7, 2, 256, 0, bytes(4), SENSE),
    },
    'iu': {
        'tm-abort.bin': struct.pack('>BB6x', 1, 0) + tag(0x80000003)
        + bytes(4) + LUN1 + struct.pack('>2xBx', 1) + tag(7) + bytes(8),
        'tm-lun-reset.bin': struct.pack('>BB6x', 1, 6) + tag(0x80010004)
        + bytes(4) + bytes.fromhex('d2040b0300000000')
        + struct.pack('>2xBx', 8) + tag(0xffffffff) + bytes(8),
        'i-logout.bin': b'\x03' + bytes(7)
        + bytes.fromhex('a1a2a3a4a5a6a7a8'),
        't-logout.bin': struct.pack('>BB2xI', 0x80, 1, 1)
        + bytes.fromhex('1020304050607080'),
        'cred-req.bin': struct.pack('>BB2xI', 0x81, 1, 16) + tag(1),
        'cred-rsp.bin': b'\x41' + bytes(7) + tag(1),
        'aer-req.bin': struct.pack('>BB2xI', 0x82, 0, 2) + tag(2) + bytes(4)
        + LUN2 + struct.pack('>I4x', len(SENSE_UA)) + SENSE_UA,
        'aer-rsp.bin': b'\x42' + bytes(7) + tag(2),
    },
}

# The layouts these seeds must match (srp-wire.md section 3).
SIZES = {'req-ib-linux.bin': 64, 'req-rdma-linux.bin': 56,
         'rsp-linux.bin': 52, 'rej-limit.bin': 32, 'inquiry-direct.bin': 64,
         'write-imm68.bin': 580, 'write-indirect.bin': 100,
         'read32-direct.bin': 80, 'bidi-external.bin': 100,
         'tur-nodata.bin': 48, 'imm-bidi.bin': 76, 'good.bin': 36, 'tm-abort.bin': 48,
         'i-logout.bin': 16, 'aer-req.bin': 54}


def main():
    for target, seeds in CORPUS.items():
        d = os.path.join(HERE, 'corpus', target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            if name in SIZES:
                assert len(data) == SIZES[name], (name, len(data))
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
