#!/usr/bin/env python3
"""gen.py - conversion test vectors for tests/unit/test_convert.c, produced by libhdf5 itself.

Run with h5py 3.7 / libhdf5 1.10.8 (the corpus oracle's versions):
    python3 gen.py > vectors.txt

For each source type (built with h5py's low-level h5t API) and a list of source element bit
patterns, the file holds:
  T name cls size order signed offset prec lopad hipad spos epos esize mpos msize ebias norm
    cls: i integer, b bitfield, f float; order: 0 LE, 1 BE, 2 VAX;
    norm in the file-format encoding (0 none, 1 msb set, 2 implied)
  I n hex          n source elements as stored
  N hex            what h5py's ds[()] gives (made little-endian), when that has the source's size
                   (written to and read back from a real dataset)
  O dst hex        libhdf5's conversion (H5Tconvert, the path H5Dread takes) to memory type dst:
                   i1/u1/i2/u2/i4/u4/i8/u8/f2/f4/f8 with '<' or '>'; '-' when libhdf5 refuses
"""
import os
import random
import struct
import sys
import tempfile

import h5py
import numpy as np
from h5py import h5d, h5s, h5t

random.seed(1234)
OUT = []
DSTS = [o + k for k in ('i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8')
        for o in ('<', '>')]
TMP = os.path.join(tempfile.mkdtemp(), 'n.h5')


def int_type(size, signed, order, prec=None, off=0, lopad=0, hipad=0, bitfield=False):
    if bitfield:
        # h5py's TypeBitfieldID has no setters: only the predefined bitfields.
        return getattr(h5t, 'STD_B%d%s' % (8 * size, 'BE' if order == h5t.ORDER_BE else 'LE')).copy()
    t = h5t.NATIVE_INT8.copy()
    t.set_size(size)
    t.set_order(order)
    t.set_sign(h5t.SGN_2 if signed else h5t.SGN_NONE)
    prec = 8 * size if prec is None else prec
    t.set_precision(prec)
    t.set_offset(off)
    t.set_pad(h5t.PAD_ONE if lopad else h5t.PAD_ZERO, h5t.PAD_ONE if hipad else h5t.PAD_ZERO)
    return t


def float_type(size, order, fields, ebias, prec=None, off=0, norm=h5t.NORM_IMPLIED):
    # libhdf5 checks every intermediate state: fields inside the precision, precision plus
    # offset inside the size. Grow the fields first, then move the precision window, then shrink.
    t = h5t.IEEE_F64LE.copy()
    prec = size * 8 if prec is None else prec
    t.set_fields(*fields)
    t.set_precision(off + prec)
    t.set_offset(off)
    t.set_precision(prec)
    t.set_size(size)
    t.set_order(order)
    t.set_ebias(ebias)
    t.set_norm(norm)
    return t


def describe(name, t, cls):
    if cls == 'b':  # predefined bitfields: full precision, no offset, zero padding
        return 'T %s b %d %d 0 0 %d 0 0 0 0 0 0 0 0 0' % (
            name, t.get_size(), 1 if t.get_order() == h5t.ORDER_BE else 0, 8 * t.get_size())
    order = {h5t.ORDER_LE: 0, h5t.ORDER_BE: 1, h5t.ORDER_VAX: 2}[t.get_order()]
    lo, hi = t.get_pad()
    if cls == 'f':
        s, ep, es, mp, ms = t.get_fields()
        norm = {h5t.NORM_NONE: 0, h5t.NORM_MSBSET: 1, h5t.NORM_IMPLIED: 2}[t.get_norm()]
        eb = t.get_ebias()
        sgn = 0
    else:
        s = ep = es = mp = ms = eb = norm = 0
        sgn = 1 if cls == 'i' and t.get_sign() == h5t.SGN_2 else 0
    return 'T %s %s %d %d %d %d %d %d %d %d %d %d %d %d %d %d' % (
        name, cls, t.get_size(), order, sgn, t.get_offset(), t.get_precision(),
        lo == h5t.PAD_ONE, hi == h5t.PAD_ONE, s, ep, es, mp, ms, eb, norm)


def le_fix(arr):
    """Bytes of a numpy array with every number little-endian (the oracle's convention)."""
    a = np.ascontiguousarray(arr)
    if a.dtype.byteorder == '>':
        a = a.byteswap().view(a.dtype.newbyteorder('<'))
    return a.tobytes()


def emit(name, cls, t, raw, n, dsts=DSTS):
    size = t.get_size()
    assert len(raw) == n * size
    OUT.append(describe(name, t, cls))
    OUT.append('I %d %s' % (n, raw.hex()))
    # What h5py's ds[()] returns for a real dataset of this type.
    with h5py.File(TMP, 'w') as f:
        d = h5d.create(f.id, b'd', t, h5s.create_simple((n,)))
        d.write(h5s.ALL, h5s.ALL, np.frombuffer(raw, dtype='u1').copy(), mtype=t)
        try:
            v = f['d'][()]
            if v.dtype.itemsize == size:
                b = bytearray(le_fix(v))
                if v.dtype.kind == 'f' and size == 16:
                    # x87 long double: the oracle zeroes the 6 padding bytes (numpy leaves them)
                    for i in range(n):
                        b[16 * i + 10:16 * i + 16] = bytes(6)
                OUT.append('N %s' % bytes(b).hex())
            else:
                OUT.append('# h5py reads it as %s' % v.dtype.str)
        except Exception as e:  # noqa: BLE001
            OUT.append('# h5py cannot read it: %s' % str(e).replace('\n', ' '))
    for dst in dsts:
        mt = h5t.py_create(np.dtype(dst))
        buf = np.zeros(n * max(size, mt.get_size()) + 64, dtype='u1')
        buf[:len(raw)] = np.frombuffer(raw, dtype='u1')
        try:
            h5t.convert(t, mt, n, buf)
            OUT.append('O %s %s' % (dst, buf[:n * mt.get_size()].tobytes().hex()))
        except Exception:  # noqa: BLE001
            OUT.append('O %s -' % dst)


# ---- integers ---------------------------------------------------------------------------------

INT_VALUES = [0, 1, -1, 2, -2, 5, -5, 100, 127, 128, -128, -129, 200, 255, 256, 300, -300,
              1000, 2047, 2048, -2048, 4095, 4096, 32767, 32768, -32768, -32769, 65535, 65536,
              100000, 2**23 - 1, -2**23, 2**24, 2**24 + 1, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
              2**32 - 1, 2**32, 2**53 + 1, 2**53 + 3, 2**62 + 2**40 + 1, 2**63 - 1, -2**63,
              2**63, 2**64 - 1, 2**64 - 2**39, 2**64 - 2**40 + 1, 123456789, -987654321,
              2**100 + 7, -2**99 - 3, 2**127 - 1, -2**127]


def int_case(name, size, signed, order, prec=None, off=0, lopad=0, hipad=0, bitfield=False,
             garbage=False, extra=()):
    t = int_type(size, signed, order, prec, off, lopad, hipad, bitfield)
    prec = 8 * size if bitfield else t.get_precision()
    lo, hi = (-(1 << (prec - 1)), (1 << (prec - 1)) - 1) if signed else (0, (1 << prec) - 1)
    vals = sorted({v for v in list(INT_VALUES) + [lo, hi, lo + 1, hi - 1] + list(extra)
                   if lo <= v <= hi}, key=lambda v: (abs(v), v))
    for _ in range(4):
        vals.append(random.randint(lo, hi))
    raw = bytearray()
    nbits = 8 * size
    for v in vals:
        bits = (v & ((1 << prec) - 1)) << off
        if garbage:
            pad = random.getrandbits(nbits) & ~(((1 << prec) - 1) << off)
        else:
            pad = (((1 << off) - 1) if lopad else 0) | \
                  ((((1 << nbits) - 1) ^ ((1 << (off + prec)) - 1)) if hipad else 0)
        word = bits | pad
        raw += word.to_bytes(size, 'big' if order == h5t.ORDER_BE else 'little')
    # libhdf5 1.10.8 smashes its stack converting integers wider than 8 bytes to floats.
    dsts = DSTS if size <= 8 else [d for d in DSTS if d[1] != 'f']
    emit(name, 'b' if bitfield else 'i', t, bytes(raw), len(vals), dsts)


def ints():
    for size in (1, 2, 4, 8):
        for signed in (True, False):
            for order, on in ((h5t.ORDER_LE, 'le'), (h5t.ORDER_BE, 'be')):
                int_case('%s%d%s' % ('i' if signed else 'u', size, on), size, signed, order)
    int_case('i3le', 3, True, h5t.ORDER_LE)
    int_case('u3be', 3, False, h5t.ORDER_BE)
    int_case('i16le', 16, True, h5t.ORDER_LE)
    int_case('u16be', 16, False, h5t.ORDER_BE)
    int_case('i12o2le', 2, True, h5t.ORDER_LE, 12, 2)
    int_case('i12o2be', 2, True, h5t.ORDER_BE, 12, 2)
    int_case('i12o2padsle', 2, True, h5t.ORDER_LE, 12, 2, 1, 1)
    int_case('i12o4garbage', 2, True, h5t.ORDER_LE, 12, 4, garbage=True)
    int_case('u12o4be', 2, False, h5t.ORDER_BE, 12, 4, 1, 1)
    int_case('u12o0le', 2, False, h5t.ORDER_LE, 12, 0)
    int_case('i5o3', 1, True, h5t.ORDER_LE, 5, 3, garbage=True)
    int_case('i16o5be', 4, True, h5t.ORDER_BE, 16, 5)   # h5ex_d_nbit.h5
    int_case('u25o7le', 4, False, h5t.ORDER_LE, 25, 7)  # weatherdata.h5
    int_case('u57o7le', 8, False, h5t.ORDER_LE, 57, 7)  # compound_example.h5
    int_case('i40o20be', 8, True, h5t.ORDER_BE, 40, 20, garbage=True)
    int_case('i100o10le', 16, True, h5t.ORDER_LE, 100, 10, garbage=True)
    int_case('i1p1', 1, True, h5t.ORDER_LE, 1, 0)
    int_case('u1p1o7', 1, False, h5t.ORDER_LE, 1, 7, 1, 0)
    int_case('b1', 1, False, h5t.ORDER_LE, bitfield=True)
    int_case('b2be', 2, False, h5t.ORDER_BE, bitfield=True)
    int_case('b4le', 4, False, h5t.ORDER_LE, bitfield=True)


# ---- floats -----------------------------------------------------------------------------------

F_VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 0.1, 3.75, 100.7, 127.9, 128.0, -128.7,
            -129.0, 255.5, 256.0, -0.99, 32767.5, 32768.0, -32768.9, -32769.0, 65504.0, 65519.0,
            65520.0, 65535.9, 65536.0, 1e5, 2.0**31 - 1, 2.0**31, -2.0**31, -2.0**31 - 1,
            2.0**32 - 1, 2.0**32, 2.0**53 + 2, 2.0**63, -2.0**63, 2.0**64, -2.0**64, 1e20, -1e20,
            3.4028234663852886e38, 3.4028235e38, 3.5e38, -1e39, 1e300, -1e300,
            1 + 2.0**-24, 1 + 3 * 2.0**-24, 1 + 2.0**-11, 1 + 3 * 2.0**-11, 1 + 2.0**-23 + 2.0**-40,
            6.103515625e-05, 6.0e-05, 5.960464477539063e-08, 2.98e-08, 2.9802322387695312e-08,
            1.1754943508222875e-38, 1e-40, 1.401298464324817e-45, 7.006492321624085e-46, 1e-310,
            5e-324, -5e-324, float('inf'), float('-inf'), float('nan'), -float('nan'),
            1.0000000000000002, 0.3333333333333333, -7.5e-310, 2.0**-1022, 2.0**-1023 * 3]


def from_doubles(t, vals):
    """The source bit patterns of 'vals' in type t, as libhdf5 converts doubles to it."""
    n = len(vals)
    buf = np.zeros(n * max(8, t.get_size()) + 64, dtype='u1')
    buf[:8 * n] = np.frombuffer(np.array(vals, dtype='<f8').tobytes(), dtype='u1')
    h5t.convert(h5t.IEEE_F64LE, t, n, buf)
    return buf[:n * t.get_size()].tobytes()


def random_ieee(size, order, n, ebits):
    out = bytearray()
    nbits = 8 * size
    for _ in range(n):
        v = random.getrandbits(nbits)
        e = random.choice([0, 1, 2, (1 << ebits) - 2, (1 << ebits) - 1, None, None, None])
        if e is not None:
            mpos = nbits - 1 - ebits
            v = (v & ~(((1 << ebits) - 1) << mpos)) | (e << mpos)
        out += v.to_bytes(size, 'big' if order == h5t.ORDER_BE else 'little')
    return bytes(out)


def float_case(name, t, raw_extra=b'', nrand=0, ebits=0):
    raw = from_doubles(t, F_VALUES) + raw_extra
    if nrand:
        raw += random_ieee(t.get_size(), t.get_order(), nrand, ebits)
    emit(name, 'f', t, raw, len(raw) // t.get_size())


def x87_bytes(vals):
    """x87 extended values in 16 bytes (little-endian), padding bytes set to garbage."""
    out = bytearray()
    for sign, e, m in vals:
        v = (sign << 79) | (e << 64) | m
        out += v.to_bytes(10, 'little') + bytes(random.getrandbits(8) for _ in range(6))
    return bytes(out)


def floats():
    for size, std, ebits in ((2, 'F16', 5), (4, 'F32', 8), (8, 'F64', 11)):
        for order, on in ((h5t.ORDER_LE, 'le'), (h5t.ORDER_BE, 'be')):
            if size == 2:
                t = float_type(2, order, (15, 10, 5, 0, 10), 15)
            else:
                t = getattr(h5t, 'IEEE_%s%s' % (std, on.upper())).copy()
            float_case("f%d%s" % (size, on), t, nrand=10, ebits=ebits)
    # x87 extended precision in 16 bytes (numpy longdouble on x86-64), both orders.
    x87 = [(0, 0x3fff, 1 << 63), (1, 0x3fff, 3 << 62), (0, 0x3ffe, (1 << 63) | 12345),
           (0, 0x403e, (1 << 64) - 1), (1, 0x403e, 1 << 63), (0, 0x401d, (1 << 63) | (1 << 32)),
           (0, 0x3fff, (1 << 63) | (1 << 11)), (0, 0x3fff, (1 << 63) | (3 << 11)),
           (0, 0x3fff, (1 << 63) | (1 << 39)), (0, 0x3fff, (1 << 63) | (1 << 40) | (1 << 39)),
           (0, 0x7fff, 1 << 63), (1, 0x7fff, 1 << 63), (0, 0x7fff, (3 << 62)),
           (0, 0x43fe, (1 << 64) - 1), (0, 0x0001, 1 << 63), (0, 0x0000, 12345),
           (0, 0x3c00, 1 << 63), (1, 0x3b00, (1 << 63) | 99), (0, 0x407e, (1 << 63) | 5),
           (0, 0x4086, (1 << 63)), (1, 0x0000, 0), (0, 0x400a, (1 << 63) | (1 << 55))]
    for _ in range(12):
        e = random.randint(0x3f00, 0x4100)
        x87.append((random.getrandbits(1), e, (1 << 63) | random.getrandbits(63)))
    le = h5t.NATIVE_LDOUBLE.copy()
    emit('x87le', 'f', le, from_doubles(le, F_VALUES) + x87_bytes(x87),
         len(F_VALUES) + len(x87))
    be = h5t.NATIVE_LDOUBLE.copy()
    be.set_order(h5t.ORDER_BE)
    raw = x87_bytes(x87)
    raw = b''.join(raw[i:i + 16][::-1] for i in range(0, len(raw), 16))
    emit('x87be', 'f', be, from_doubles(be, F_VALUES) + raw, len(F_VALUES) + len(x87))
    # The nbit-filter test float of libhdf5 (cve-2016-4331.h5 and friends): 20 bits at offset 7.
    for order, on in ((h5t.ORDER_LE, 'le'), (h5t.ORDER_BE, 'be')):
        t = float_type(4, order, (26, 20, 6, 7, 13), 31, prec=20, off=7)
        float_case('nbitf%s' % on, t)
    # A 4-byte float with an 11-bit exponent (h5py reads it as f8), and a 3-byte float.
    float_case('f4e11', float_type(4, h5t.ORDER_LE, (31, 20, 11, 0, 20), 1023))
    float_case('f3be', float_type(3, h5t.ORDER_BE, (23, 16, 7, 0, 16), 63))
    # A 64-bit float without an implied mantissa bit.
    float_case('f8none', float_type(8, h5t.ORDER_LE, (63, 52, 11, 0, 52), 1023,
                                    norm=h5t.NORM_NONE))
    # VAX order (libhdf5's H5T_VAX_F32 / H5T_VAX_F64).
    float_case('vaxf4', float_type(4, h5t.ORDER_VAX, (31, 23, 8, 0, 23), 129))
    float_case('vaxf8', float_type(8, h5t.ORDER_VAX, (63, 52, 11, 0, 52), 1025))


ints()
floats()
sys.stdout.write('\n'.join(OUT) + '\n')
