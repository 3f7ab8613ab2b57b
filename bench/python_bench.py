#!/usr/bin/python3
"""h5rd's Python module vs h5py (libhdf5): whole reads, random small slices, N Python threads
sharing one File, a Dask threaded reduction, and the same reduction through xarray
(engine h5rd vs h5netcdf). Not a test; run by hand:

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [--repeat 3] [--keep DIR]

Writes two files into a temp dir with h5py + hdf5plugin (deterministic, seeded):
  gzip.h5   /x float32 (32, 1024, 1024), chunks (4, 256, 256), shuffle + gzip 4   128 MiB
            (a smooth field plus noise: a simulation output)
  bslz4.h5  /x uint16 (80, 1024, 1024), one chunk per frame, bitshuffle + LZ4      160 MiB
            (Poisson counts, mean 0.3: detector frames)
Each figure is the best of --repeat runs (files in the page cache after the first).

Read the control row (GIL-free numpy in N threads) first: on a machine shared with other jobs
this process may get fewer cores than os.cpu_count(), and then no thread figure means anything.
There, run it for its ~2 minutes with real-time priority (as root): chrt -f 10 python3 ...

Threads: the h5rd files of the thread and Dask rows are opened with threads=1 (one decoding
thread per read) so the scaling shown is that of the Python threads alone; the "whole read"
rows show h5rd both ways (threads=1, and its default: a read from the main thread decodes with
up to os.cpu_count() threads).
"""
import argparse
import os
import shutil
import sys
import tempfile
import threading
import time

import numpy as np
import h5py
import hdf5plugin

import h5rd


def make_files(out):
    rng = np.random.default_rng(20261207)
    gz = os.path.join(out, "gzip.h5")
    if not os.path.exists(gz):
        z, y, x = np.meshgrid(np.arange(32), np.arange(1024), np.arange(1024), indexing="ij")
        field = (np.sin(x / 37.0) * np.cos(y / 53.0) + z / 32.0).astype(np.float32)
        field += rng.normal(scale=0.01, size=field.shape).astype(np.float32)
        with h5py.File(gz, "w") as f:
            f.create_dataset("x", data=field, chunks=(4, 256, 256), shuffle=True,
                             compression="gzip", compression_opts=4)
        del field, x, y, z
    bs = os.path.join(out, "bslz4.h5")
    if not os.path.exists(bs):
        with h5py.File(bs, "w") as f:
            d = f.create_dataset("x", shape=(80, 1024, 1024), dtype="<u2",
                                 chunks=(1, 1024, 1024),
                                 **hdf5plugin.Bitshuffle(nelems=0, cname="lz4"))
            for i in range(0, 80, 10):
                d[i:i + 10] = rng.poisson(0.3, size=(10, 1024, 1024)).astype("<u2")
    return [("gzip", gz), ("bslz4", bs)]


def best(fn, repeat):
    t = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def frames_in_threads(ds, nthreads, step, into_buffer=False):
    """Read every chunk-row along axis 0 (chunks of `step` frames) with nthreads threads
    sharing ds, frames dealt round-robin: ds[s:s+step] (a new array each read), or with
    into_buffer read_direct into one buffer per thread (no allocation, no page faults)."""
    n = ds.shape[0]
    starts = list(range(0, n, step))

    def work(k):
        if into_buffer:
            buf = np.empty((step,) + tuple(ds.shape[1:]), dtype=ds.dtype)
            for s in starts[k::nthreads]:
                ds.read_direct(buf, np.s_[s:s + step])
            return
        for s in starts[k::nthreads]:
            ds[s:s + step]
    th = [threading.Thread(target=work, args=(k,)) for k in range(nthreads)]
    for t in th:
        t.start()
    for t in th:
        t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="directory to write/keep the files in (default: temp)")
    ap.add_argument("--slices", type=int, default=2000)
    ap.add_argument("--only-threads", action="store_true",
                    help="only the N-thread rows (quick; for a quiet moment on a busy machine)")
    args = ap.parse_args()
    ncpu = os.cpu_count() or 1
    out = args.keep or tempfile.mkdtemp(prefix="h5rd-pybench-")
    os.makedirs(out, exist_ok=True)
    try:
        files = make_files(out)
        rows = []

        def row(what, t_h5rd, t_h5py, nbytes=None):
            mbs = (lambda t: "%8.0f" % (nbytes / t / 1e6)) if nbytes else (lambda t: "%8s" % "")
            rows.append("%-46s %9.3f %9.3f %8.2fx %s %s" % (
                what, t_h5rd, t_h5py, t_h5py / t_h5rd, mbs(t_h5rd), mbs(t_h5py)))
            print(rows[-1], flush=True)

        print("load average before: %.2f %.2f %.2f" % os.getloadavg())
        print("h5rd %s, h5py %s (libhdf5 %s), numpy %s, %d CPUs, best of %d" % (
            h5rd.__version__, h5py.__version__, h5py.version.hdf5_version, np.__version__,
            ncpu, args.repeat))
        print("%-46s %9s %9s %9s %8s %8s" % ("", "h5rd s", "h5py s", "speedup",
                                              "h5rd MB/s", "h5py MB/s"))
        scaling = {}
        # control: GIL-free numpy work in N threads shows how many cores this run really got
        # (on a machine shared with other jobs it can be fewer than os.cpu_count())
        ctl = np.random.default_rng(3).random(2_000_000)

        def np_threads(n):
            def work():
                for _ in range(4):
                    np.sort(ctl)
            th = [threading.Thread(target=work) for _ in range(n)]
            for t in th:
                t.start()
            for t in th:
                t.join()
        ctl1 = best(lambda: np_threads(1), args.repeat)
        for n in sorted(set([1, 2] + list(range(2, ncpu + 1)))):
            tn = best(lambda: np_threads(n), args.repeat)
            scaling[("control", "numpy sort", n)] = (ctl1 * n / tn, float("nan"))
        for label, path in files:
            g = h5py.File(path, "r")
            f1 = h5rd.File(path, "r", threads=1)
            fa = h5rd.File(path, "r")
            d1, da_, dg = f1["x"], fa["x"], g["x"]
            nbytes = dg.size * dg.dtype.itemsize
            # same values first
            assert np.array_equal(d1[: dg.chunks[0]], dg[: dg.chunks[0]])

            if not args.only_threads:
                t_py = best(lambda: dg[()], args.repeat)
                row("%s whole read (threads=1)" % label,
                    best(lambda: d1[()], args.repeat), t_py, nbytes)
                row("%s whole read (default threads)" % label,
                    best(lambda: da_[()], args.repeat), t_py, nbytes)

                rng = np.random.default_rng(1)
                sel = [(int(rng.integers(dg.shape[0])), int(rng.integers(dg.shape[1] - 16)),
                        int(rng.integers(dg.shape[2] - 16))) for _ in range(args.slices)]

                def slices(ds):
                    for z, y, x in sel:
                        ds[z, y:y + 16, x:x + 16]
                row("%s %d random 16x16 slices" % (label, args.slices),
                    best(lambda: slices(d1), args.repeat), best(lambda: slices(dg), args.repeat))

            step = dg.chunks[0]
            # the thread counts interleaved, best of 2x --repeat each: on a shared machine
            # other load hits every count alike
            ns = sorted(set([1, 2] + list(range(2, ncpu + 1))))
            for into in (False, True):
                t_r = {n: float("inf") for n in ns}
                t_p = {n: float("inf") for n in ns}
                for _ in range(2 * args.repeat):
                    for n in ns:
                        t_r[n] = min(t_r[n], best(
                            lambda: frames_in_threads(d1, n, step, into), 1))
                        t_p[n] = min(t_p[n], best(
                            lambda: frames_in_threads(dg, n, step, into), 1))
                how = "read_direct" if into else "ds[a:b]"
                for n in ns:
                    scaling[(label, how, n)] = (t_r[1] / t_r[n], t_p[1] / t_p[n])
                    row("%s %d Python thread(s), one File, %s" % (label, n, how),
                        t_r[n], t_p[n], nbytes)
            if args.only_threads:
                g.close()
                f1.close()
                fa.close()
                continue

            import dask.array as darr

            def dask_sum(ds):
                x = darr.from_array(ds, chunks=ds.chunks)
                return x.sum(dtype="f8").compute(scheduler="threads", num_workers=ncpu)
            s1, s2 = dask_sum(d1), dask_sum(dg)
            assert abs(s1 - s2) <= 1e-9 * abs(s2), (s1, s2)
            row("%s Dask threaded sum (%d workers)" % (label, ncpu),
                best(lambda: dask_sum(d1), args.repeat), best(lambda: dask_sum(dg), args.repeat),
                nbytes)

            # xarray: the same sum through open_dataset(chunks=...), engine h5rd vs h5netcdf
            # (which reads behind xarray's HDF5 lock); one Dask chunk per HDF5 chunk
            try:
                import xarray as xr
                from h5rd.xarray import H5rdBackendEntrypoint
                import h5netcdf  # noqa: F401
            except ImportError:
                xr = None
            if xr is not None:
                import warnings
                warnings.simplefilter("ignore")
                with xr.open_dataset(path, engine="h5netcdf", phony_dims="sort") as probe:
                    chunks = dict(zip(probe["x"].dims, dg.chunks))

                def xr_sum(engine):
                    with xr.open_dataset(path, engine=engine, phony_dims="sort",
                                         chunks=chunks) as ds:
                        return float(ds["x"].sum(dtype="f8").compute(
                            scheduler="threads", num_workers=ncpu))
                x1, x2 = xr_sum(H5rdBackendEntrypoint), xr_sum("h5netcdf")
                assert abs(x1 - x2) <= 1e-9 * abs(x2), (x1, x2)
                row("%s xarray chunks= sum, h5rd vs h5netcdf" % label,
                    best(lambda: xr_sum(H5rdBackendEntrypoint), args.repeat),
                    best(lambda: xr_sum("h5netcdf"), args.repeat), nbytes)
            g.close()
            f1.close()
            fa.close()
        print("load average after: %.2f %.2f %.2f" % os.getloadavg())
        print()
        print("thread scaling (time of 1 thread / time of N threads, same File; the control is")
        print("N threads each doing the 1-thread work: N x time(1) / time(N), ideal N):")
        for (label, how, n), (a, b) in sorted(scaling.items()):
            if label == "control":
                print("  control: GIL-free numpy in %d threads: %.2fx (ideal %d)" % (n, a, n))
            else:
                print("  %-6s %-12s %d threads: h5rd %.2fx   h5py %.2fx" % (label, how, n, a, b))
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
