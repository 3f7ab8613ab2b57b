#!/usr/bin/env python3
"""Writes the files bench/h5_compare.c reads (not committed: ~300 MB).

    /usr/bin/python3 bench/gen_bench_files.py [OUTDIR]     (default /tmp/h5rd-bench)

Needs h5py and hdf5plugin (Debian: python3-h5py python3-hdf5plugin). Deterministic (seeded).

 contig.h5  /x  float32 (32, 1024, 1024), contiguous                         128 MiB
 gzip.h5    /x  float32 (32, 1024, 1024), chunks (4, 256, 256), shuffle+gzip 4
            (a smooth field plus noise: a simulation output)                   128 MiB
 bslz4.h5   /x  uint16 (100, 1024, 1024), one chunk per frame, bitshuffle+LZ4
            (filter 32008; Poisson photon counts, mean 0.3: Eiger-style frames) 200 MiB
 rows.h5    /x  float32 (8, 1024, 1024), chunks (1, 128, 128) (64 KiB), shuffle+gzip 4  32 MiB
 small.h5   /g00../g49, 100 datasets each of 100 int32, compact attribute "n" (5,000 datasets)
"""
import os
import sys

import numpy as np
import h5py
import hdf5plugin


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/h5rd-bench"
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261121)

    z, y, x = np.meshgrid(np.arange(32), np.arange(1024), np.arange(1024), indexing="ij")
    field = (np.sin(x / 37.0) * np.cos(y / 53.0) + z / 32.0).astype(np.float32)
    field += rng.normal(0, 0.01, field.shape).astype(np.float32)
    del x, y, z
    with h5py.File(os.path.join(out, "contig.h5"), "w") as f:
        f.create_dataset("x", data=field)
    with h5py.File(os.path.join(out, "gzip.h5"), "w") as f:
        f.create_dataset("x", data=field, chunks=(4, 256, 256), shuffle=True,
                         compression="gzip", compression_opts=4)
    with h5py.File(os.path.join(out, "rows.h5"), "w") as f:
        f.create_dataset("x", data=field[:8], chunks=(1, 128, 128), shuffle=True,
                         compression="gzip", compression_opts=4)
    del field

    with h5py.File(os.path.join(out, "bslz4.h5"), "w") as f:
        d = f.create_dataset("x", shape=(100, 1024, 1024), dtype=np.uint16,
                             chunks=(1, 1024, 1024),
                             **hdf5plugin.Bitshuffle(nelems=0, cname="lz4"))
        for i in range(100):
            d[i] = rng.poisson(0.3, (1024, 1024)).astype(np.uint16)

    with h5py.File(os.path.join(out, "small.h5"), "w") as f:
        for g in range(50):
            grp = f.create_group("g%02d" % g)
            for k in range(100):
                ds = grp.create_dataset("d%03d" % k, data=np.arange(100, dtype=np.int32) + k)
                ds.attrs["n"] = k
    for name in ("contig.h5", "gzip.h5", "rows.h5", "bslz4.h5", "small.h5"):
        print("%-10s %10d bytes" % (name, os.path.getsize(os.path.join(out, name))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
