#!/usr/bin/env python3
"""Time `h5rd kerchunk` on a file with many chunks (default 2 x 10^5), and kerchunk's own
h5py-based scan (kerchunk.hdf.SingleHdf5ToZarr) on the same file when kerchunk is importable;
without kerchunk, the h5py loop kerchunk's scan is made of (get_chunk_info per chunk), timed on
2000 calls and scaled to every chunk.

    python3 bench/kerchunk_bench.py [--cli build/h5rd] [--chunks 200000] [--keep FILE]

Prints seconds and chunks/s (best of 3 for h5rd). The file is written with h5py: a 2-D int32
dataset with 16x16 chunks, gzip, every chunk allocated; it is made once under /tmp and reused.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import h5py


def make(path, nchunks):
    side = int(np.ceil(np.sqrt(nchunks)))
    rows = (nchunks + side - 1) // side
    shape = (rows * 16, side * 16)
    if os.path.exists(path):
        with h5py.File(path, "r") as f:
            if f["data"].shape == shape:
                return rows * side
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("data", shape=shape, dtype="i4", chunks=(16, 16), compression="gzip",
                             shuffle=True)
        block = np.arange(16 * shape[1], dtype="i4").reshape(16, shape[1])
        for r in range(rows):
            d[r * 16:(r + 1) * 16] = block + r
    return rows * side


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--cli", default=os.path.join(here, "..", "build", "h5rd"))
    ap.add_argument("--chunks", type=int, default=200000)
    ap.add_argument("--keep", default="/tmp/h5rd_kerchunk_bench.h5")
    a = ap.parse_args()
    t0 = time.perf_counter()
    n = make(a.keep, a.chunks)
    print("file: %s, %d chunks (made/checked in %.1f s), %.1f MB" % (
        a.keep, n, time.perf_counter() - t0, os.path.getsize(a.keep) / 1e6))
    best = None
    for _ in range(3):
        t = time.perf_counter()
        r = subprocess.run([a.cli, "kerchunk", "--inline", "0", a.keep], capture_output=True,
                           check=True)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    refs = json.loads(r.stdout)
    nrefs = sum(1 for k in refs["refs"] if k.startswith("data/") and not k.endswith(
        (".zarray", ".zattrs")))
    assert nrefs == n, (nrefs, n)
    print("h5rd kerchunk: %.3f s, %.0f chunks/s (%d references, %.1f MB of JSON)" % (
        best, n / best, nrefs, len(r.stdout) / 1e6))
    # kerchunk's _storage_info asks h5py for one chunk at a time (get_chunk_info(i), which
    # walks the chunk index up to i): that loop alone is the floor of kerchunk's scan and runs
    # without kerchunk. Timed on 2000 indexes spread over the table, scaled to all n.
    with h5py.File(a.keep, "r") as f:
        dsid = f["data"].id
        total = dsid.get_num_chunks()
        sample = np.linspace(0, total - 1, 2000).astype(int)
        t = time.perf_counter()
        for i in sample:
            dsid.get_chunk_info(int(i))
        per = (time.perf_counter() - t) / len(sample)
    print("h5py get_chunk_info loop (kerchunk's scan without its Zarr/JSON work), estimated "
          "from 2000 calls: %.1f s, %.0f chunks/s" % (per * total, 1 / per))
    try:
        import kerchunk.hdf  # noqa: F401
    except ImportError:
        print("kerchunk: not installed (no end-to-end comparison)")
        return 0
    t = time.perf_counter()
    with open(a.keep, "rb") as f:
        out = kerchunk.hdf.SingleHdf5ToZarr(f, a.keep, inline_threshold=0).translate()
    dt = time.perf_counter() - t
    print("kerchunk SingleHdf5ToZarr: %.3f s, %.0f chunks/s (%d keys)" % (
        dt, n / dt, len(out["refs"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
