#!/usr/bin/python3
"""Generates the end-to-end read test files of tests/unit/test_read.c and their expected hashes.

Run with the system Python that has h5py 3.7 / libhdf5 1.10.8:

    /usr/bin/python3 tests/data/read/gen.py

Writes, next to this script:
  read_latest.h5    libver latest (layout message v4: single chunk, implicit, fixed array,
                    extensible array and v2 B-tree indexes) with a 512-byte user block
  read_earliest.h5  libver earliest (layout v3: v1 B-tree indexes)
  ext1.bin ext2.bin the external raw files of /external (both files)
  expected.txt      one line per dataset: "<file> <path> <nbytes> <sha256>" of the bytes h5py
                    reads, made little-endian (compound members each), in C order
  chunks.txt        one line per chunk of every chunked dataset, in get_chunk_info order:
                    "<file> <path> <offsets,> <addr> <size> <filter_mask>" (addr as h5py gives it)
"""
import ctypes
import hashlib
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS = 0x0002


def lib():
    return ctypes.CDLL("libhdf5_serial.so.103")


def make_file(path, libver, userblock=0):
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    if userblock:
        fcpl.set_userblock(userblock)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    lv = {"earliest": h5py.h5f.LIBVER_EARLIEST, "latest": h5py.h5f.LIBVER_LATEST}[libver]
    fapl.set_libver_bounds(lv, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl)
    return h5py.File(fid)


def low_level(f, name, data, dcpl, dtype=None, shape=None, maxshape=None):
    """Creates a dataset through the low-level API (for properties h5py does not expose)."""
    dtype = np.dtype(dtype if dtype is not None else data.dtype)
    shape = shape if shape is not None else data.shape
    space = h5py.h5s.create_simple(shape, maxshape if maxshape is not None else shape)
    tid = h5py.h5t.py_create(dtype, logical=True)
    dsid = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl)
    ds = h5py.Dataset(dsid)
    if data is not None:
        ds[...] = data
    return ds


def populate(f, libver, rng):
    a = np.arange(20 * 30, dtype="<i4").reshape(20, 30)
    f.create_dataset("contig_i32", data=a)
    f.create_dataset("contig_be_f64", data=rng.standard_normal((7, 11)).astype(">f8"))
    f.create_dataset("scalar_i64", data=np.int64(-123456789012))
    f.create_dataset("strings", data=np.array([b"ab", b"cdefg", b"", b"xyz"], dtype="S5"))
    f.create_dataset("empty_null", data=h5py.Empty("<f4"))
    f.create_dataset("zero_rows", shape=(0, 5), dtype="<i2", chunks=(2, 5), maxshape=(None, 5))

    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    low_level(f, "compact_i16", np.arange(30, dtype="<i2").reshape(5, 6) * 7 - 50, dcpl)

    # contiguous, never written: fill value / default zeros
    f.create_dataset("contig_unwritten_fill", shape=(10, 10), dtype="<f4", fillvalue=3.5)
    f.create_dataset("contig_unwritten", shape=(13,), dtype="<i4")

    # chunked with partial edge chunks
    f.create_dataset("chunked_i32", data=rng.integers(-1000, 1000, (50, 37)).astype("<i4"),
                     chunks=(8, 5))
    f.create_dataset("chunked_3d_u16", data=rng.integers(0, 60000, (9, 10, 11)).astype("<u2"),
                     chunks=(4, 3, 5))
    f.create_dataset("chunked_gzip_shuf_f32",
                     data=rng.standard_normal((64, 33)).astype("<f8"),
                     chunks=(16, 8), compression="gzip", shuffle=True, fletcher32=True)
    f.create_dataset("chunked_be_i32", data=rng.integers(-2**31, 2**31, (30, 20)).astype(">i4"),
                     chunks=(7, 6), compression="gzip", compression_opts=1)

    # sparse: unallocated chunks read as the fill value
    d = f.create_dataset("sparse_fill", shape=(100, 100), dtype="<i4", chunks=(10, 10),
                         fillvalue=-7)
    d[5:15, 20:22] = 1
    d[90:100, 90:100] = np.arange(100).reshape(10, 10)
    d = f.create_dataset("sparse_default", shape=(60, 60), dtype="<f8", chunks=(16, 16),
                         compression="gzip")
    d[17:20, 3:40] = 2.25
    # fill time "never": unallocated chunks read as zeros whatever the fill value
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((4, 4))
    dcpl.set_fill_value(np.array(9, dtype="<i4"))
    dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
    d = low_level(f, "fill_never", None, dcpl, dtype="<i4", shape=(12, 12))
    d[0:4, 0:4] = 5

    # compound with a compound fill value
    ct = np.dtype([("a", "<i4"), ("b", ">f8"), ("c", "S3"), ("d", "<u2")])
    d = f.create_dataset("compound_fill", shape=(20,), dtype=ct, chunks=(4,),
                         fillvalue=np.array((11, 2.5, b"xy", 7), dtype=ct))
    d[4:8] = np.array([(i, i * 0.5, b"q%d" % i, 100 + i) for i in range(4)], dtype=ct)
    d[17] = np.array((-1, -1.0, b"zzz", 65535), dtype=ct)

    # unlimited dimensions: extensible array / v2 B-tree (latest), v1 B-tree (earliest)
    d = f.create_dataset("unlim_1", shape=(23, 20), maxshape=(None, 20), dtype="<i8",
                         chunks=(4, 5))
    d[...] = np.arange(23 * 20).reshape(23, 20)
    d = f.create_dataset("unlim_2", shape=(17, 19), maxshape=(None, None), dtype="<f4",
                         chunks=(5, 4), compression="gzip")
    d[...] = rng.standard_normal((17, 19)).astype("<f4")
    d[3:9, 0:4] = 0  # still allocated
    # many chunks: deep v1 B-tree / paged fixed array
    f.create_dataset("many_chunks", data=(np.arange(3000) % 251).astype("u1"), chunks=(1,))
    # single chunk (filtered and not)
    f.create_dataset("single", data=np.arange(42, dtype="<i2").reshape(6, 7), chunks=(6, 7))
    f.create_dataset("single_gzip", data=np.arange(42, dtype="<i2").reshape(6, 7),
                     chunks=(6, 7), compression="gzip")
    # implicit index: early allocation, no filters
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((3, 4))
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    low_level(f, "implicit", np.arange(70, dtype="<u4").reshape(7, 10), dcpl)

    # partial edge chunks stored unfiltered (layout v4 only)
    if libver == "latest":
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((8, 5))
        dcpl.set_deflate(6)
        h5 = lib()
        h5.H5Pset_chunk_opts.argtypes = [ctypes.c_int64, ctypes.c_uint]
        if h5.H5Pset_chunk_opts(dcpl.id, H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) < 0:
            raise RuntimeError("H5Pset_chunk_opts failed")
        low_level(f, "edge_unfiltered", rng.integers(0, 100, (50, 37)).astype("<i4"), dcpl)

        # external raw storage: two files of 400 bytes
        f.create_dataset("external", data=np.arange(200, dtype="<i4") * 3,
                         external=[("ext1.bin", 0, 400), ("ext2.bin", 0, 400)])


def le_bytes(a):
    if a.dtype.names is None and a.dtype.kind in "S":
        return a.tobytes()
    return np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"))).tobytes()


def main():
    rng = np.random.default_rng(20240603)
    expected, chunks = [], []
    cwd = os.getcwd()
    os.chdir(HERE)  # external files are created relative to the working directory
    try:
        for libver, ub in (("latest", 512), ("earliest", 0)):
            name = "read_%s.h5" % libver
            with make_file(os.path.join(HERE, name), libver, ub) as f:
                populate(f, libver, rng)
            with h5py.File(os.path.join(HERE, name), "r") as f:
                def visit(path, obj):
                    if not isinstance(obj, h5py.Dataset):
                        return
                    if obj.shape is None:
                        data = b""
                    else:
                        data = le_bytes(obj[()] if obj.shape == () else obj[...])
                    expected.append("%s /%s %d %s" % (name, path, len(data),
                                                     hashlib.sha256(data).hexdigest()))
                    if obj.chunks is not None:
                        n = obj.id.get_num_chunks()
                        for i in range(n):
                            ci = obj.id.get_chunk_info(i)
                            chunks.append("%s /%s %s %d %d %d" % (
                                name, path, ",".join(str(x) for x in ci.chunk_offset),
                                ci.byte_offset, ci.size, ci.filter_mask))
                f.visititems(visit)
    finally:
        os.chdir(cwd)
    with open(os.path.join(HERE, "expected.txt"), "w") as out:
        out.write("\n".join(expected) + "\n")
    with open(os.path.join(HERE, "chunks.txt"), "w") as out:
        out.write("\n".join(chunks) + "\n")


if __name__ == "__main__":
    main()
