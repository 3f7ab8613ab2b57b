#!/usr/bin/python3
"""Generates the filter test vectors in this folder (tests/unit/test_filters.c reads them).

Each dataset is written by libhdf5 (h5py) with the real encoders (hdf5plugin for the plugin
filters); we store the raw bytes of chunk 0 as libhdf5 wrote them and the bytes the filter
pipeline must give back: the chunk read with the file's own datatype as memory type, so no
conversion happens (for nbit/scaleoffset that is the lossy decoded layout).

File layout (little-endian):
  "H5RDFV01", u32 nfilters, per filter {u32 id, u32 flags, u32 nvalues, u32 values[]},
  u32 filter_mask, u32 elem_size, u64 raw_n, raw bytes, u64 exp_n, exp bytes.
Usage: /usr/bin/python3 gen_vectors.py   (rewrites *.vec here)
       /usr/bin/python3 gen_vectors.py zfp   (rewrites only zfp_*.vec)
"""
import ctypes, os, struct, subprocess, sys
import numpy as np
import h5py
import hdf5plugin
from h5py import h5t, h5s, h5d, h5p, h5z

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = "/tmp/h5rd_filter_vectors.h5"
rng = np.random.default_rng(1234)


_lib = ctypes.CDLL("libhdf5_serial.so.103")
_lib.H5Pget_filter2.restype = ctypes.c_int
_lib.H5Pget_filter2.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint),
                                ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_uint),
                                ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint)]


def get_filters(plist):
    """h5py 3.7's get_filter reads at most 20 client values into a fixed array and returns
    garbage past them (nbit on compounds has more), so ask libhdf5 directly."""
    out = []
    for i in range(plist.get_nfilters()):
        flags = ctypes.c_uint(0)
        nel = ctypes.c_size_t(256)  # libhdf5 rejects more as "uninitialized"
        vals = (ctypes.c_uint * 256)()
        cfg = ctypes.c_uint(0)
        name = ctypes.create_string_buffer(256)
        fid = _lib.H5Pget_filter2(plist.id, i, ctypes.byref(flags), ctypes.byref(nel), vals,
                                  256, name, ctypes.byref(cfg))
        assert fid >= 0
        out.append((fid, flags.value, list(vals[:nel.value]), name.value))
    return out


def emit(name, dset):
    plist = dset.id.get_create_plist()
    filters = get_filters(plist)
    nd = len(dset.chunks)
    mask, raw = dset.id.read_direct_chunk((0,) * nd)
    ftype = dset.id.get_type()
    esz = ftype.get_size()
    nelem = int(np.prod(dset.chunks))
    buf = np.zeros(nelem * esz, dtype=np.uint8)
    sel = tuple(slice(0, c) for c in dset.chunks)
    fspace = dset.id.get_space()
    fspace.select_hyperslab((0,) * nd, dset.chunks)
    mspace = h5s.create_simple((nelem,))
    dset.id.read(mspace, fspace, buf, mtype=ftype)
    exp = buf.tobytes()
    out = bytearray(b"H5RDFV01")
    out += struct.pack("<I", len(filters))
    for (fid, flags, vals, _n) in filters:
        out += struct.pack("<III", fid, flags, len(vals))
        out += b"".join(struct.pack("<I", v) for v in vals)
    out += struct.pack("<II", mask, esz)
    out += struct.pack("<Q", len(raw)) + raw
    out += struct.pack("<Q", len(exp)) + exp
    with open(os.path.join(HERE, name + ".vec"), "wb") as fh:
        fh.write(out)
    print(f"{name:32s} filters={[f[0] for f in filters]} raw={len(raw)} exp={len(exp)} mask={mask}")


def write_vec(name, filters, mask, esz, raw, exp):
    out = bytearray(b"H5RDFV01")
    out += struct.pack("<I", len(filters))
    for (fid, flags, vals) in filters:
        out += struct.pack("<III", fid, flags, len(vals))
        out += b"".join(struct.pack("<I", v) for v in vals)
    out += struct.pack("<II", mask, esz)
    out += struct.pack("<Q", len(raw)) + raw
    out += struct.pack("<Q", len(exp)) + exp
    with open(os.path.join(HERE, name + ".vec"), "wb") as fh:
        fh.write(out)
    print(f"{name:32s} filters={[f[0] for f in filters]} raw={len(raw)} exp={len(exp)} (manual)")


def zstd_frame(data, level):
    src = TMP + ".zin"
    with open(src, "wb") as fh:
        fh.write(data)
    out = subprocess.run(["zstd", "-q", "-c", f"-{level}", src], check=True,
                         stdout=subprocess.PIPE).stdout
    os.remove(src)
    return out


def manual(name, filters, exp, raw):
    write_vec(name, filters, 0, 1, raw, exp)


def bszstd(name, data, nelems):
    esz = data.dtype.itemsize
    with h5py.File(TMP, "w") as f:
        d = f.create_dataset("d", data=data, chunks=data.shape,
                             **hdf5plugin.Bitshuffle(nelems=nelems, cname="none"))
        _m, shuffled = d.id.read_direct_chunk((0,))
    size = len(data)
    bs = nelems if nelems else max((8192 // esz) // 8 * 8, 128)
    raw = bytearray(struct.pack(">QI", size * esz, bs * esz))
    pos = 0
    nfull = size // bs
    last = (size % bs) - (size % bs) % 8
    for blk in [bs] * nfull + ([last] if last else []):
        comp = zstd_frame(shuffled[pos:pos + blk * esz], 3)
        raw += struct.pack(">I", len(comp)) + comp
        pos += blk * esz
    raw += shuffled[pos:]
    write_vec(name, [(32008, 1, [0, 3, esz, nelems, 3, 3])], 0, esz, bytes(raw),
              data.tobytes())


def smooth(n, dtype, scale=100.0):
    x = np.cumsum(rng.normal(0, 1, n)) * scale / 10
    return x.astype(dtype)


def hl(name, data, chunks, **kw):
    with h5py.File(TMP, "w") as f:
        d = f.create_dataset("d", data=data, chunks=chunks, **kw)
        emit(name, d)


def lowlevel(name, tid, data, chunks, setup, fill=None, memtype=None):
    with h5py.File(TMP, "w") as f:
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_chunk(chunks)
        if fill is not None:
            dcpl.set_fill_value(fill)
        setup(dcpl)
        space = h5s.create_simple(data.shape)
        dsid = h5d.create(f.id, b"d", tid, space, dcpl=dcpl)
        dsid.write(h5s.ALL, h5s.ALL, data, mtype=memtype)
        emit(name, f["d"])


def scaleoffset_minbits():
    """Chunks whose stored minbits exceeds the type's width (corrupt, as in libhdf5's
    tmisc38a.h5): libhdf5 1.10 does not reject them, it unpacks nothing. Written with
    write_direct_chunk, the expected bytes are what libhdf5 reads back. The payload is long
    enough that libhdf5 never reads past the chunk."""
    n = 24
    cases = [("i2_fill_127", "<i2", 127, True), ("i2be_fill_127", ">i2", 127, True),
             ("u1_fill_32", "u1", 32, True), ("u1_fill_16", "u1", 16, True),
             ("i4_nofill_40", "<i4", 40, False), ("i4_fill_64", "<i4", 64, True),
             ("i8_fill_128", "<i8", 128, True), ("i8_fill_100", "<i8", 100, True),
             ("f4_fill_33", "<f4", 33, True), ("f4_fill_96", "<f4", 96, True),
             ("f8_nofill_70", "<f8", 70, False)]
    for (tag, dt, minbits, fill) in cases:
        with h5py.File(TMP, "w") as f:
            kw = {"fillvalue": 3} if fill else {}
            so = 0 if np.dtype(dt).kind in "iu" else 2
            d = f.create_dataset("d", shape=(n,), chunks=(n,), dtype=dt, scaleoffset=so, **kw)
            if np.dtype(dt).kind == "f":
                minval = struct.pack("<d" if np.dtype(dt).itemsize == 8 else "<f", 1.25)
                minval = minval.ljust(8, b"\0")
            else:
                minval = struct.pack("<q", -9)
            hdr = struct.pack("<IB", minbits, 8) + minval + b"\0" * 8
            payload = bytes((i * 37 + 11) & 0xFF for i in range(n * 8 + 8))
            d.id.write_direct_chunk((0,), hdr + payload)
            emit(f"scaleoffset_minbits_{tag}", d)


REGRESSION = "/work/shared/corpus/kiyo-masui__bitshuffle/tests/data/regression_0.4.0.h5"


def bitshuffle_regression():
    """Chunks of bitshuffle's own regression file (written by bitshuffle 0.4.0 with zstd; the
    file keeps the data under /original). The expected bytes are the original data: the h5py
    used for the corpus oracles has a bitshuffle without zstd that reads these chunks as if
    uncompressed, so its sha256 for /compressed_zstd/* is of garbage."""
    if not os.path.exists(REGRESSION):
        print("no", REGRESSION)
        return
    with h5py.File(REGRESSION, "r") as f:
        for n in ["a1_a", "a6_a", "|S2_c", "|S10_b", "a3_a"]:
            d = f["compressed_zstd/" + n]
            fid, flags, vals, _nm = get_filters(d.id.get_create_plist())[0]
            mask, raw = d.id.read_direct_chunk((0,))
            exp = f["original/" + n][...].tobytes()
            tag = n.replace("|", "")
            write_vec(f"bitshuffle_zstd_regr040_{tag}", [(fid, flags, vals)], mask,
                      d.dtype.itemsize, raw, exp)



def zfp_vectors():
    """H5Z-ZFP (32013) via hdf5plugin's zfp build: each mode, type and rank 1-4, partial blocks
    (dims not multiples of 4), and chunk shapes with unity dimensions (dropped from the zfp
    header). Expected = what libhdf5 + the plugin decode (zfp is lossy)."""
    for fn in os.listdir(HERE):
        if fn.startswith("zfp_") and fn.endswith(".vec"):
            os.remove(os.path.join(HERE, fn))
    f64 = smooth(1000, "<f8", 1)
    f32 = smooth(1000, "<f4", 1)
    i32 = smooth(1000, "<i4", 100000)
    i64 = smooth(1000, "<i8", 1e12)
    hl("zfp_rate16_f64", f64, (1000,), **hdf5plugin.Zfp(rate=16))
    hl("zfp_rate8_f32_partial", f32[:999], (999,), **hdf5plugin.Zfp(rate=8))
    hl("zfp_prec20_f64_2d", f64.reshape(25, 40), (25, 40), **hdf5plugin.Zfp(precision=20))
    hl("zfp_acc_f32_3d", f32[:990].reshape(9, 10, 11), (9, 10, 11),
       **hdf5plugin.Zfp(accuracy=1e-3))
    hl("zfp_rev_i32", i32, (1000,), **hdf5plugin.Zfp(reversible=True))
    hl("zfp_rev_i64_4d", i64[:720].reshape(4, 5, 6, 6), (4, 5, 6, 6),
       **hdf5plugin.Zfp(reversible=True))
    hl("zfp_rate32_i32_unity", i32[:600].reshape(1, 20, 1, 30), (1, 20, 1, 30),
       **hdf5plugin.Zfp(rate=32))
    hl("zfp_expert_f64", f64, (1000,),
       **hdf5plugin.Zfp(minbits=64, maxbits=1024, maxprec=40, minexp=-1074))
    hl("zfp_rev_f64_chunks", f64.reshape(40, 25), (16, 25), **hdf5plugin.Zfp(reversible=True))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "scaleoffset_minbits":
        scaleoffset_minbits()
        return
    if len(sys.argv) > 1 and sys.argv[1] == "zfp":
        zfp_vectors()
        return
    if len(sys.argv) > 1 and sys.argv[1] == "bitshuffle_regression":
        bitshuffle_regression()
        return
    for fn in os.listdir(HERE):
        if fn.endswith(".vec"):
            os.remove(os.path.join(HERE, fn))
    n = 2000
    i16 = smooth(n, "<i2")
    i32 = smooth(n, "<i4", 1000)
    f64 = smooth(n, "<f8", 1)
    f32 = smooth(n, "<f4", 1)
    u8 = (np.arange(n) % 251).astype("u1")
    rnd = rng.integers(0, 2**32, n, dtype="<u4")

    # deflate / shuffle / fletcher32
    hl("deflate_l1_i16", i16, (n,), compression="gzip", compression_opts=1)
    hl("deflate_l9_f64", f64, (n,), compression="gzip", compression_opts=9)
    hl("deflate_rand_u32", rnd, (n,), compression="gzip", compression_opts=6)
    hl("deflate_2d_i32", i32.reshape(40, 50), (20, 25), compression="gzip")
    hl("shuffle_i32", i32, (n,), shuffle=True)
    hl("shuffle_u8", u8, (n,), shuffle=True)
    cmp = np.zeros(500, dtype=[("a", "<i4"), ("b", "<f8")])
    cmp["a"] = np.arange(500)
    cmp["b"] = np.linspace(0, 1, 500)
    hl("shuffle_compound12", cmp, (500,), shuffle=True)
    hl("shuffle_deflate_f64", f64, (n,), shuffle=True, compression="gzip")
    hl("fletcher32_i16", i16, (n,), fletcher32=True)
    hl("fletcher32_odd_u8", u8[:999], (999,), fletcher32=True)
    hl("fletcher32_shuffle_deflate_i32", i32, (n,), shuffle=True, compression="gzip",
       fletcher32=True)

    # LZF (h5py built-in)
    hl("lzf_i32", i32, (n,), compression="lzf")
    hl("lzf_shuffle_f64", f64, (n,), compression="lzf", shuffle=True)
    hl("lzf_text_u8", np.frombuffer((b"hello hdf5 lzf " * 200)[:3000], dtype="u1"), (3000,),
       compression="lzf")

    # LZ4 plugin
    hl("lz4_default_i32", i32, (n,), **hdf5plugin.LZ4())
    hl("lz4_blocks_f64", f64, (n,), **hdf5plugin.LZ4(nbytes=1000))
    hl("lz4_rand_raw_u32", rnd, (n,), **hdf5plugin.LZ4(nbytes=1024))

    # bitshuffle plugin
    for cname in ("none", "lz4"):
        hl(f"bitshuffle_{cname}_i16", i16, (n,), **hdf5plugin.Bitshuffle(cname=cname))
        hl(f"bitshuffle_{cname}_f64_odd", f64[:1003], (1003,),
           **hdf5plugin.Bitshuffle(cname=cname))
        hl(f"bitshuffle_{cname}_u8_blk64", u8[:1005], (1005,),
           **hdf5plugin.Bitshuffle(nelems=64, cname=cname))
    hl("bitshuffle_lz4_cmp12", cmp[:499], (499,), **hdf5plugin.Bitshuffle(cname="lz4"))
    hl("bitshuffle_none_i32_large", smooth(6000, "<i4", 1000), (6000,),
       **hdf5plugin.Bitshuffle(cname="none"))
    hl("bitshuffle_lz4_i32_large", smooth(6000, "<i4", 1000), (6000,),
       **hdf5plugin.Bitshuffle(cname="lz4"))

    # bitshuffle + zstd: this hdf5plugin build has no zstd in its bitshuffle, so the blocks of
    # the real bitshuffle (cname none) output are compressed with the zstd tool and framed as
    # bshuf_h5filter.c does (8-byte BE size, 4-byte BE block bytes, per block 4-byte BE size).
    bszstd("bitshuffle_zstd_i16", i16, 0)
    bszstd("bitshuffle_zstd_f64_odd", f64[:1003], 0)
    bszstd("bitshuffle_zstd_u8_blk64", u8[:1005], 64)

    # zstd (32015): not in this hdf5plugin build; the chunk is one zstd frame (ZSTD_compress)
    manual("zstd_l3_i32", [(32015, 1, [3])], i32.tobytes(), zstd_frame(i32.tobytes(), 3))
    manual("zstd_l19_f64", [(32015, 1, [19])], f64.tobytes(), zstd_frame(f64.tobytes(), 19))
    shuf = np.frombuffer(i16.tobytes(), dtype="u1").reshape(-1, 2).T.tobytes()
    manual("zstd_shuffle_i16", [(2, 1, [2]), (32015, 1, [3])], i16.tobytes(),
           zstd_frame(shuf, 3))

    # bzip2 / blosc plugins
    hl("bzip2_9_i32", i32, (n,), **hdf5plugin.BZip2(blocksize=9))
    hl("bzip2_1_rand", rnd, (n,), **hdf5plugin.BZip2(blocksize=1))
    for cname in ("blosclz", "lz4", "lz4hc", "zlib", "zstd"):
        hl(f"blosc_{cname}_i32", i32, (n,),
           **hdf5plugin.Blosc(cname=cname, clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
    hl("blosc_lz4_bitshuffle_f64", f64, (n,),
       **hdf5plugin.Blosc(cname="lz4", clevel=9, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
    hl("blosc_noshuffle_rand", rnd, (n,),
       **hdf5plugin.Blosc(cname="blosclz", clevel=1, shuffle=hdf5plugin.Blosc.NOSHUFFLE))

    # szip (libaec inside libhdf5)
    hl("szip_nn8_i16", i16, (n,), compression="szip", compression_opts=("nn", 8))
    hl("szip_ec16_i32", i32, (n,), compression="szip", compression_opts=("ec", 16))
    hl("szip_ec8_i16", i16, (n,), compression="szip", compression_opts=("ec", 8))
    hl("szip_nn32_f64", f64, (n,), compression="szip", compression_opts=("nn", 32))

    # nbit (low level: the datatype carries precision/offset)
    def nbit(dcpl):
        dcpl.set_filter(h5z.FILTER_NBIT, 0, ())

    t = h5t.STD_I32LE.copy(); t.set_precision(12); t.set_offset(4)
    lowlevel("nbit_i32le_p12_o4", t, (np.arange(n) % 2000 - 1000).astype("<i4"), (n,), nbit,
             memtype=h5t.NATIVE_INT32)
    t = h5t.STD_U16BE.copy(); t.set_precision(10); t.set_offset(3)
    lowlevel("nbit_u16be_p10_o3", t, (np.arange(n) % 1000).astype("<u2"), (n,), nbit,
             memtype=h5t.NATIVE_UINT16)
    t = h5t.STD_U8LE.copy(); t.set_precision(3); t.set_offset(2)
    lowlevel("nbit_u8_p3_o2", t, (np.arange(999) % 8).astype("u1"), (999,), nbit,
             memtype=h5t.NATIVE_UINT8)
    t = h5t.STD_I64LE.copy(); t.set_precision(40); t.set_offset(16)
    lowlevel("nbit_i64_p40_o16", t, (np.arange(500) * 123457 - 3000000).astype("<i8"), (500,),
             nbit, memtype=h5t.NATIVE_INT64)
    # float with reduced precision: IEEE single trimmed to 20 significant bits
    t = h5t.IEEE_F32LE.copy()
    t.set_fields(19, 11, 8, 0, 11); t.set_offset(12); t.set_precision(20)
    t.set_ebias(127)
    lowlevel("nbit_f32_p20", t, np.linspace(-5, 5, 700).astype("<f4"), (700,), nbit,
             memtype=h5t.NATIVE_FLOAT)
    # compound {a: int16 p9 o1, b: uint8 full, c: float64 no-op? (full), d: array 3 x u32 p5}
    ta = h5t.STD_I16LE.copy(); ta.set_precision(9); ta.set_offset(1)
    td = h5t.STD_U32LE.copy(); td.set_precision(5); td.set_offset(0)
    tarr = h5t.array_create(td, (3,))
    tc = h5t.create(h5t.COMPOUND, 2 + 1 + 8 + 12 + 4)
    tc.insert(b"a", 0, ta)
    tc.insert(b"b", 2, h5t.STD_U8LE)
    tc.insert(b"c", 3, h5t.IEEE_F64LE)
    tc.insert(b"d", 11, tarr)
    tc.insert(b"e", 23, h5t.C_S1.copy() if False else h5t.STD_REF_OBJ if False else h5t.STD_B32LE)
    mt = np.dtype([("a", "<i2"), ("b", "u1"), ("c", "<f8"), ("d", "<u4", (3,)), ("e", "<u4")])
    data = np.zeros(300, dtype=mt)
    data["a"] = np.arange(300) - 150
    data["b"] = np.arange(300) % 256
    data["c"] = np.linspace(0, 3, 300)
    data["d"] = (np.arange(900) % 32).reshape(300, 3)
    data["e"] = np.arange(300) * 77
    mtid = h5t.py_create(mt)
    lowlevel("nbit_compound", tc, data, (300,), nbit, memtype=mtid)

    # scaleoffset
    hl("scaleoffset_int_auto_i32", i32, (n,), scaleoffset=0)
    hl("scaleoffset_int_auto_neg_i16", (i16 - 20000).astype("<i2"), (n,), scaleoffset=0)
    hl("scaleoffset_int_bits10_u16", (np.arange(n) % 1024).astype("<u2"), (n,), scaleoffset=10)
    hl("scaleoffset_int_u8", u8, (n,), scaleoffset=0)
    hl("scaleoffset_int_i8", (u8.astype(int) % 100 - 50).astype("i1"), (n,), scaleoffset=0)
    hl("scaleoffset_int_be_i32", i32.astype(">i4"), (n,), scaleoffset=0)
    hl("scaleoffset_int_i64", (i32.astype("<i8") * 1000 - 5), (n,), scaleoffset=0)
    hl("scaleoffset_int_fill_i32", i32, (n,), scaleoffset=0, fillvalue=-7)
    hl("scaleoffset_int_full_u32", rnd, (n,), scaleoffset=0)
    hl("scaleoffset_int_const_i32", np.full(n, 42, dtype="<i4"), (n,), scaleoffset=0)
    hl("scaleoffset_float_d2_f32", f32, (n,), scaleoffset=2)
    hl("scaleoffset_float_d3_f64", f64, (n,), scaleoffset=3)
    hl("scaleoffset_float_d1_be_f64", f64.astype(">f8"), (n,), scaleoffset=1)
    hl("scaleoffset_float_fill_f64", f64, (n,), scaleoffset=2, fillvalue=-999.0)
    hl("scaleoffset_deflate_i32", i32, (n,), scaleoffset=0, compression="gzip")
    partial = np.arange(1500, dtype="<i4")
    with h5py.File(TMP, "w") as f:
        d = f.create_dataset("d", shape=(n,), dtype="<i4", chunks=(n,), scaleoffset=0,
                             fillvalue=5)
        d[:1500] = partial
        emit("scaleoffset_int_partialfill_i32", d)
    scaleoffset_minbits()
    bitshuffle_regression()
    os.remove(TMP)


if __name__ == "__main__":
    main()
