#!/usr/bin/python3
"""Generates the chunk index test files of tests/unit/test_cidx.c and their expected tables.

Run with the system Python that has h5py 3.7 / libhdf5 1.10.8:

    /usr/bin/python3 tests/data/cidx/gen.py

Writes, next to this script:
  earliest.h5  layout message v3: version 1 B-tree indexes (a 3-level tree, filtered, sparse);
               512-byte user block, so relative addresses differ from absolute ones
  latest.h5    layout message v4: single chunk, implicit, fixed array (small, paged, filtered),
               extensible array (super blocks, paged data blocks, unlimited dimension not first,
               filtered), version 2 B-tree (unfiltered, filtered), and empty datasets
  expected.txt one line per dataset:  "D <file> <path> <n>", then n lines
               "<offset0>,<offset1>,... <addr> <size> <filter mask>" in the order
               h5py's get_chunk_info(i) lists the chunks (libhdf5's index order); <addr> is
               what get_chunk_info reports: the address RELATIVE to the base address (it
               differs from the byte offset in files with a user block)
"""
import ctypes
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def set_istore_k(fcpl, k):
    """H5Pset_istore_k is not wrapped by h5py: call libhdf5 directly (same library)."""
    lib = ctypes.CDLL("libhdf5_serial.so.103")
    lib.H5Pset_istore_k.argtypes = [ctypes.c_int64, ctypes.c_uint]
    if lib.H5Pset_istore_k(fcpl.id, k) < 0:
        raise RuntimeError("H5Pset_istore_k failed")


def make_file(path, libver, userblock=0, istore_k=None):
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    if userblock:
        fcpl.set_userblock(userblock)
    if istore_k:
        set_istore_k(fcpl, istore_k)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    lv = {"earliest": h5py.h5f.LIBVER_EARLIEST, "latest": h5py.h5f.LIBVER_LATEST}[libver]
    fapl.set_libver_bounds(lv, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl)
    return h5py.File(fid)


def gen_earliest(path):
    with make_file(path, "earliest", userblock=512, istore_k=2) as f:
        # 20 x 20 chunks of 1 x 1: 400 leaves' worth of keys with 2K = 4 entries per node
        # gives a tree of 5 levels.
        d = f.create_dataset("bt1_deep", shape=(20, 20), chunks=(1, 1), dtype="u1")
        d[...] = np.arange(400, dtype="u1").reshape(20, 20)
        d = f.create_dataset("bt1_filt", shape=(30, 40), chunks=(7, 9), dtype="<i4",
                             compression="gzip", shuffle=True, maxshape=(None, 40))
        d[0:7, 0:9] = 1
        d[14:30, 18:40] = np.arange(16 * 22, dtype="<i4").reshape(16, 22)
        d = f.create_dataset("bt1_3d", shape=(5, 6, 7), chunks=(2, 4, 3), dtype="<f8")
        d[1:5, :, 2:7] = 2.5
        f.create_dataset("bt1_empty", shape=(10, 10), chunks=(5, 5), dtype="u1")


def gen_latest(path):
    with make_file(path, "latest") as f:
        d = f.create_dataset("single", shape=(10, 12), chunks=(10, 12), dtype="<i2")
        d[...] = 7
        d = f.create_dataset("single_filt", shape=(10, 12), chunks=(10, 12), dtype="<i2",
                             compression="gzip")
        d[...] = np.arange(120, dtype="<i2").reshape(10, 12)
        # Implicit index: early allocation, no filters, fixed max dims larger than the dims
        # in the second dimension so the numbering over the maximum grid has gaps.
        space = h5py.h5s.create_simple((6, 7), (8, 11))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((2, 3))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        h5py.h5d.create(f.id, b"implicit", h5py.h5t.STD_I32LE, space, dcpl=dcpl)
        f["implicit"][...] = 3
        # Fixed arrays.
        d = f.create_dataset("fa_small", shape=(6, 8), chunks=(2, 3), dtype="<i4",
                             maxshape=(8, 9))
        d[0:2, :] = 1
        d[4:6, 3:6] = 2
        d = f.create_dataset("fa_paged", shape=(50, 50), chunks=(1, 1), dtype="u1")
        d[0:12, :] = 5          # pages 0 (elements 0..1023) partly
        d[30, 7] = 9            # one element of page 1
        d[45:50, 0:50:7] = 4    # page 2
        d = f.create_dataset("fa_filt", shape=(40, 40), chunks=(1, 1), dtype="u1",
                             compression="gzip")
        d[0:3, 0:5] = 1
        d[39, 39] = 2
        # Extensible arrays.
        d = f.create_dataset("ea_1d", shape=(140000,), chunks=(1,), dtype="u1",
                             maxshape=(None,))
        for i in list(range(0, 40)) + [100, 101, 500, 1500, 20000, 131056, 131057, 133000,
                                       135110, 139999]:
            d[i] = i % 251 + 1
        d = f.create_dataset("ea_swz", shape=(5, 30), chunks=(2, 3), dtype="<i4",
                             maxshape=(7, None))
        d[0:2, :] = coded((5, 30))[0:2, :]
        d[4:5, 9:21] = coded((5, 30))[4:5, 9:21]
        d.resize((5, 40))
        d[2:4, 36:40] = coded((5, 40))[2:4, 36:40]
        d = f.create_dataset("ea_filt", shape=(3000, 4), chunks=(10, 4), dtype="<i4",
                             maxshape=(None, 4), compression="gzip")
        d[0:100] = 1
        d[2000:2010] = np.arange(40, dtype="<i4").reshape(10, 4)
        f.create_dataset("ea_none", shape=(0, 4), chunks=(10, 4), dtype="<i4",
                         maxshape=(None, 4))
        # Version 2 B-trees.
        d = f.create_dataset("bt2", shape=(24, 20), chunks=(2, 2), dtype="u1",
                             maxshape=(None, None))
        d[...] = 1
        d = f.create_dataset("bt2_filt", shape=(30, 30), chunks=(4, 5), dtype="<f4",
                             maxshape=(None, None), compression="gzip")
        d[0:4, 0:5] = 1.5
        d[12:30, 10:25] = 2.5


def coded(shape):
    """Element (r, c) holds 1 + 1000 r + c: a chunk's first element names the chunk."""
    r, c = np.indices(shape)
    return (1 + 1000 * r + c).astype("<i4")


def offset_from_data(path, addr):
    """The chunk offset a (2-D, unfiltered, coded) chunk at relative 'addr' holds."""
    with open(path, "rb") as fp:
        fp.seek(addr)  # these files have no user block: relative = absolute
        v = int(np.frombuffer(fp.read(4), "<i4")[0]) - 1
    return (v // 1000, v % 1000)


def table(path, rel):
    """get_chunk_info(i) for every i: libhdf5's index order.

    libhdf5 1.10.8 reports wrong offsets for an extensible array whose unlimited dimension is
    not the first: H5D__earray_idx_iterate_cb steps the coordinates without the swizzle (and
    H5Dget_chunk_info_by_coord agrees with that wrong listing, while H5Dread finds the data
    where the swizzled numbering says). For such datasets the offsets are taken from the data
    itself (the dataset must be coded, see coded()) and the dataset is marked "fixed"."""
    lines = []
    with h5py.File(path, "r") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        for name in names:
            dset = f[name]
            dsid = dset.id
            n = dsid.get_num_chunks()
            recs = []
            for i in range(n):
                c = dsid.get_chunk_info(i)
                recs.append([tuple(c.chunk_offset), c.byte_offset, c.size, c.filter_mask])
            ms = dset.maxshape or ()
            fixed = ms.count(None) == 1 and ms[0] is not None
            if fixed:
                for r in recs:
                    r[0] = offset_from_data(path, r[1])
                    assert all(o % c == 0 for o, c in zip(r[0], dset.chunks))
                    assert np.array_equal(dset[r[0][0], r[0][1]], coded(dset.shape)[r[0]])
            lines.append("D %s %s %d%s" % (rel, name, n, " fixed" if fixed else ""))
            for r in recs:
                lines.append("%s %d %d %d" % (",".join(str(v) for v in r[0]), r[1], r[2], r[3]))
    return lines


def main():
    out = []
    for name, gen in (("earliest.h5", gen_earliest), ("latest.h5", gen_latest)):
        path = os.path.join(HERE, name)
        gen(path)
        out += table(path, name)
    with open(os.path.join(HERE, "expected.txt"), "w") as fp:
        fp.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
