#!/usr/bin/env python3
"""Regenerates the committed seed corpora fuzz/corpus/<harness>/ from the fixtures.

    /usr/bin/python3 fuzz/gen_seeds.py

Needs h5py (and hdf5plugin for the filter seeds). Deterministic: the same fixtures give the
same seeds. Kept small on purpose (a few hundred KiB in all): bulk corpora grown by fuzzing stay
out of git (docs/fuzzing.md).

 * image harnesses (open_walk_read, superblock, ohdr, btree1, btree2, fheap, gheap, vds): whole
   fixture files of at most 48 KiB holding the structure the harness looks for;
 * dtype: datatype messages (h5py TypeID.encode() minus its 2-byte prefix) + element bytes;
 * select: serialized selections (h5py SpaceID.encode() after the extent);
 * filter_<name>: stored chunks of fixtures/h5/filters_*.h5 in fuzz_filter.c's input layout
   (u8 n_values, u32 values, u32 output capacity, stream), plus hand-made shuffle seeds.
"""
import hashlib
import os
import shutil
import struct
import sys

import numpy as np
import h5py

try:
    import hdf5plugin  # noqa: F401  (registers the plugin filters for reading chunk info)
except ImportError:
    pass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIX = os.path.join(ROOT, "fixtures", "h5")
# Files libhdf5 2.0 wrote with the 2.0 bounds (layout message version 5; fixtures/gen/gen_h5wasm.mjs):
# image seeds only, h5py (libhdf5 1.10) cannot read their filtered datasets.
FIX_V200 = os.path.join(ROOT, "fixtures", "v200", "h5")
OUT = os.path.join(HERE, "corpus")
MAX_FILE = 48 * 1024

IMAGE_SIGS = {
    "open_walk_read": None,
    "superblock": None,
    "ohdr": b"OHDR",
    "btree1": b"TREE",
    "btree2": b"BTHD",
    "fheap": b"FRHP",
    "gheap": b"GCOL",
    "vds": b"GCOL",
}

FILTER_NAMES = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit",
                6: "scaleoffset", 307: "bzip2", 32000: "lzf", 32001: "blosc", 32004: "lz4",
                32008: "bitshuffle", 32015: "zstd"}


def put(harness, data, name=None):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    if name is None:
        name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as fp:
        fp.write(data)


def image_seeds():
    files = sorted((FIX, f) for f in os.listdir(FIX) if f.endswith(".h5"))
    if os.path.isdir(FIX_V200):
        files += sorted((FIX_V200, f) for f in os.listdir(FIX_V200) if f.endswith(".h5"))
    for d, fn in files:
        path = os.path.join(d, fn)
        if os.path.getsize(path) > MAX_FILE:
            continue
        data = open(path, "rb").read()
        for harness, sig in IMAGE_SIGS.items():
            if harness == "vds" and "vds" not in fn:
                continue
            if harness == "superblock" and not fn.startswith(("sb", "userblock_512", "sohm")):
                continue
            if sig is None or sig in data:
                put(harness, data, fn)


def dtype_seeds():
    types = [
        "<i1", "<u2", ">i4", "<i8", ">u8", "<f2", "<f4", ">f8", "<f16", "S7", "V5", "?",
        np.dtype([("a", "<i4"), ("b", ">f8"), ("c", "S3")]),
        np.dtype([("x", [("y", "<i2"), ("z", "<u1", (2, 3))])]),
        np.dtype(("<i4", (2, 3))),
        np.dtype(("<f8", (4,))),
        h5py.string_dtype("utf-8"), h5py.string_dtype("ascii"),
        h5py.vlen_dtype(np.dtype("<i4")),
        h5py.enum_dtype({"R": 0, "G": 1, "B": 2}, basetype="i1"),
        h5py.enum_dtype({"lo": -5, "hi": 70000}, basetype=">i4"),
        h5py.ref_dtype, h5py.regionref_dtype,
        h5py.opaque_dtype(np.dtype("V8")),
    ]
    elems = bytes(range(256)) * 2
    for t in types:
        tid = h5py.h5t.py_create(np.dtype(t) if not isinstance(t, np.dtype) else t, logical=True)
        enc = tid.encode()[2:]
        put("dtype", enc + elems[:64])
    # Bitfield and time types via the low-level API.
    for tid in (h5py.h5t.STD_B8LE, h5py.h5t.STD_B32BE):
        put("dtype", tid.encode()[2:] + elems[:32])
    # Integer with precision/offset narrower than its size.
    t = h5py.h5t.STD_I32LE.copy()
    t.set_precision(12)
    t.set_offset(3)
    put("dtype", t.encode()[2:] + elems[:64])


def select_seeds():
    def emit(space):
        enc = space.encode()
        ext = struct.unpack_from("<I", enc, 3)[0]
        put("select", enc[7 + ext:])
    s = h5py.h5s.create_simple((10, 20))
    emit(s)  # all
    s.select_none()
    emit(s)
    s = h5py.h5s.create_simple((10, 20))
    s.select_hyperslab((1, 2), (3, 4))
    emit(s)
    s.select_hyperslab((0, 0), (2, 2), stride=(5, 10), block=(2, 3))
    emit(s)
    s = h5py.h5s.create_simple((10, 20, 30))
    s.select_hyperslab((1, 2, 3), (2, 2, 2), stride=(4, 5, 6), block=(1, 2, 3))
    s.select_hyperslab((0, 0, 0), (1, 1, 1), op=h5py.h5s.SELECT_OR)
    emit(s)
    s = h5py.h5s.create_simple((100,), (h5py.h5s.UNLIMITED,))
    s.select_hyperslab((0,), (h5py.h5s.UNLIMITED,), stride=(10,), block=(3,))
    emit(s)
    s = h5py.h5s.create_simple((10, 20))
    s.select_elements([(0, 1), (5, 6), (9, 19)])
    emit(s)
    s = h5py.h5s.create_simple((2 ** 33, 4))
    s.select_hyperslab((2 ** 32, 0), (1, 2))
    emit(s)


def chunked_datasets(f):
    """The chunked datasets of an open file, in name order."""
    names = []
    f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    return [f[n] for n in sorted(names) if f[n].chunks is not None]


def filter_seeds():
    for fn in ("filters_latest.h5", "filters_earliest.h5"):
        with h5py.File(os.path.join(FIX, fn), "r") as f:
            for d in chunked_datasets(f):
                pl = d.id.get_create_plist()
                nf = pl.get_nfilters()
                if nf == 0:
                    continue
                fid, _, cd, _ = pl.get_filter(nf - 1)
                fname = FILTER_NAMES.get(fid)
                if fname is None:
                    continue
                cap = int(np.prod(d.chunks)) * d.dtype.itemsize
                nchunks = d.id.get_num_chunks()
                for i in range(min(nchunks, 2)):
                    info = d.id.get_chunk_info(i)
                    mask, raw = d.id.read_direct_chunk(info.chunk_offset)
                    head = struct.pack("<B", len(cd)) + b"".join(struct.pack("<I", v) for v in cd)
                    put("filter_" + fname, head + struct.pack("<I", cap) + raw)
    # Shuffle (filter 2) is never outermost in the fixtures: hand-made byte transpositions.
    for esize, n in ((2, 50), (4, 100), (8, 33)):
        data = np.arange(n * esize, dtype=np.uint8).reshape(n, esize)
        shuffled = data.T.tobytes()
        put("filter_shuffle", struct.pack("<BII", 1, esize, n * esize) + shuffled)


# ZFP (32013): no fixture uses it (h5py writes it only with the H5Z-ZFP plugin, which Debian
# lacks), so its seeds are stored chunks of the H5Z-ZFP test files in the shared corpus. Without
# ../shared the committed filter_zfp seeds are kept as they are.
ZFP_FILES = ("HDFGroup__hdf5_plugins/ZFP/H5Z-ZFP/test/test_zfp_052.h5",
             "HDFGroup__hdf5_plugins/ZFP/H5Z-ZFP/test/test_zfp_110xxx.h5",
             "HDFGroup__hdf5_plugins/ZFP/example/testfiles/h5ex_d_zfp.h5")
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")


def zfp_seeds():
    for rel in ZFP_FILES:
        path = os.path.join(CORPUS, rel)
        if not os.path.exists(path):
            continue
        with h5py.File(path, "r") as f:
            for d in chunked_datasets(f):
                pl = d.id.get_create_plist()
                for k in range(pl.get_nfilters()):
                    fid, _, cd, _ = pl.get_filter(k)
                    if fid != 32013:
                        continue
                    cap = int(np.prod(d.chunks)) * d.dtype.itemsize
                    info = d.id.get_chunk_info(0)
                    _, raw = d.id.read_direct_chunk(info.chunk_offset)
                    if len(raw) > MAX_FILE:
                        continue
                    head = struct.pack("<B", len(cd)) + b"".join(struct.pack("<I", v) for v in cd)
                    put("filter_zfp", head + struct.pack("<I", cap) + raw)


def main():
    keep_zfp = None
    zfp_dir = os.path.join(OUT, "filter_zfp")
    if not os.path.isdir(CORPUS) and os.path.isdir(zfp_dir):
        keep_zfp = {x: open(os.path.join(zfp_dir, x), "rb").read() for x in os.listdir(zfp_dir)}
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    if keep_zfp is not None:
        for name, data in keep_zfp.items():
            put("filter_zfp", data, name)
    else:
        zfp_seeds()
    image_seeds()
    dtype_seeds()
    select_seeds()
    filter_seeds()
    total = 0
    for d in sorted(os.listdir(OUT)):
        files = os.listdir(os.path.join(OUT, d))
        nb = sum(os.path.getsize(os.path.join(OUT, d, x)) for x in files)
        total += nb
        print("%-24s %4d files %8d bytes" % (d, len(files), nb))
    print("total %d bytes" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
