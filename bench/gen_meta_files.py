#!/usr/bin/env python3
"""Writes the metadata-bound bench files (issue 13) that bench/run_meta.sh and bench/meta_bench
read. Not committed (~25 MB); deterministic (seeded), so every run makes the same bytes.

    /usr/bin/python3 bench/gen_meta_files.py [OUTDIR]     (default /tmp/h5rd-bench)

W4, tiny chunks: /x, 25,000 x 4 int32 in (1, 3) chunks = 50,000 chunks of 12 bytes (the last
column's chunks half outside the dataspace), one file per chunk index. libhdf5 picks the index
from the format bounds and the maximum shape (H5Dchunk.c, H5D__layout_set_latest_indexing):
 w4_farray.h5   libver latest, maxshape = shape           -> fixed array
 w4_earray.h5   libver latest, maxshape (None, 4)         -> extensible array
 w4_btree2.h5   libver latest, maxshape (None, None)      -> version 2 B-tree
 w4_btree1.h5   libver earliest (v1 layout message)       -> version 1 B-tree

W5, many objects: a source-tree-like hierarchy of ~20,000 small gzip datasets (10-1,000
elements, int32/float64/uint8, 1-3 attributes each) in ~1,800 nested groups (depth <= 5) of 2-30 entries:
 w5_latest.h5   libver latest: v2 object headers, compact or dense (fractal heap + v2 B-tree)
                link storage, single-chunk index
 w5_earliest.h5 libver earliest: v0 superblock, symbol-table groups (v1 B-tree + local heap),
                v1 object headers, v1 B-tree chunk index

Start-up: w0_empty.h5, a file with an empty root group (libver latest).

W3, small random reads: w3.h5 with three int32 1-D datasets of 2^22 elements (16 MiB each):
 /contig   contiguous
 /chunked  chunks of 4,096 elements (16 KiB), no filter
 /gzip     chunks of 4,096 elements, gzip level 4
"""
import os
import sys

import numpy as np
import h5py

W4_SHAPE = (25000, 4)
W4_CHUNK = (1, 3)
W5_TARGET = 20000
W3_N = 1 << 22
W3_CHUNK = 4096


def gen_w4(out):
    data = np.arange(W4_SHAPE[0] * W4_SHAPE[1], dtype=np.int32).reshape(W4_SHAPE)
    for name, libver, maxshape in (("w4_farray.h5", "latest", W4_SHAPE),
                                   ("w4_earray.h5", "latest", (None, W4_SHAPE[1])),
                                   ("w4_btree2.h5", "latest", (None, None)),
                                   ("w4_btree1.h5", "earliest", W4_SHAPE)):
        with h5py.File(os.path.join(out, name), "w", libver=libver) as f:
            f.create_dataset("x", data=data, chunks=W4_CHUNK, maxshape=maxshape)


def w5_plan(rng):
    """The tree: a list of (group path, [dataset names]); same for both formats."""
    plan = []
    ndsets = 0
    # Breadth-first: each directory gets 0-8 subdirectories (fewer deeper down) and 2-20
    # files, like a source tree (a few big directories, many small leaves).
    queue = [("", 0)]
    while queue and ndsets < W5_TARGET:
        path, depth = queue.pop(0)
        nfiles = int(rng.integers(2, 21))
        names = ["f%03d_%s" % (k, rng.choice(["c", "h", "py", "txt", "json", "cfg"]))
                 for k in range(nfiles)]
        plan.append((path, names))
        ndsets += nfiles
        nsub = int(rng.integers(0, 11 - depth)) if depth < 7 else 0
        if depth < 3:
            nsub = max(nsub, 4)
        for k in range(nsub):
            queue.append(("%s/d%02d_%s" % (path, k, rng.choice(["src", "lib", "test", "doc",
                                                                "util", "core"])), depth + 1))
    return plan


def gen_w5(out):
    rng = np.random.default_rng(20261213)
    plan = w5_plan(rng)
    # Per dataset: dtype, size, attributes; drawn once so both formats hold the same content.
    dtypes = [np.int32, np.float64, np.uint8]
    specs = []
    for path, names in plan:
        for nm in names:
            n = int(rng.integers(10, 1001))
            dt = dtypes[int(rng.integers(0, 3))]
            nattr = int(rng.integers(1, 4))
            seed = int(rng.integers(0, 1 << 31))
            specs.append((path, nm, n, dt, nattr, seed))
    for name, libver in (("w5_latest.h5", "latest"), ("w5_earliest.h5", "earliest")):
        with h5py.File(os.path.join(out, name), "w", libver=libver) as f:
            for path, _ in plan:
                if path:
                    f.create_group(path)
            for path, nm, n, dt, nattr, seed in specs:
                r = np.random.default_rng(seed)
                if dt is np.uint8:
                    data = r.integers(32, 127, n).astype(np.uint8)
                elif dt is np.int32:
                    data = np.cumsum(r.integers(-3, 4, n)).astype(np.int32)
                else:
                    data = np.cumsum(r.normal(0, 1, n))
                ds = f.create_dataset("%s/%s" % (path, nm), data=data, compression="gzip",
                                      compression_opts=4)
                ds.attrs["size"] = np.int64(n)
                if nattr >= 2:
                    ds.attrs["kind"] = np.bytes_(nm.rsplit("_", 1)[1])
                if nattr >= 3:
                    ds.attrs["mtime"] = np.float64(1.7e9 + seed % 100000)
    return len(plan), len(specs)


def gen_w3(out):
    rng = np.random.default_rng(20261214)
    data = np.cumsum(rng.integers(-100, 101, W3_N)).astype(np.int32)
    with h5py.File(os.path.join(out, "w3.h5"), "w") as f:
        f.create_dataset("contig", data=data)
        f.create_dataset("chunked", data=data, chunks=(W3_CHUNK,))
        f.create_dataset("gzip", data=data, chunks=(W3_CHUNK,), compression="gzip",
                         compression_opts=4)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/h5rd-bench"
    os.makedirs(out, exist_ok=True)
    with h5py.File(os.path.join(out, "w0_empty.h5"), "w", libver="latest"):
        pass
    gen_w4(out)
    ngroups, ndsets = gen_w5(out)
    gen_w3(out)
    print("W5: %d groups, %d datasets" % (ngroups, ndsets))
    for name in ("w0_empty.h5", "w4_farray.h5", "w4_earray.h5", "w4_btree2.h5", "w4_btree1.h5",
                 "w5_latest.h5", "w5_earliest.h5", "w3.h5"):
        print("%-15s %10d bytes" % (name, os.path.getsize(os.path.join(out, name))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
