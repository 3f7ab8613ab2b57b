"""Tailing a file that a libhdf5 SWMR writer appends to (issue 11): `h5rd watch --json` and the
library's h5rd_dataset_refresh (through ctypes on the build's libh5rd.so) against an h5py writer
(libver="latest", swmr_mode=True) that appends rows at random short intervals.

Datasets, one per chunk index SWMR uses:
  ea     int32 (n, 3), one unlimited dimension       -> extensible array
  ea_gz  float64 (n, 5), gzip + shuffle               -> extensible array
  bt2    int64 (n, m), two unlimited dimensions       -> v2 B-tree (grows in both)
  fa     int32 (16, 4), fixed size, gzip, rewritten   -> fixed array
Every element of the growing datasets has a value fixed by its position (value()), so what a
reader printed can be checked against the writer's final content element by element: every
row (and, for bt2, every new hyperslab) exactly once, nothing missed, nothing else printed.

The CLI and the library are the build's: PYTHONPATH is BUILD/python under ctest, so they are
BUILD/h5rd and BUILD/libh5rd.so (or H5RD_CLI / H5RD_LIB). Skips when they are not there.
"""
import ctypes
import json
import os
import random
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

SEEDS = [11, 22, 33]
GROWING = ("ea", "ea_gz", "bt2")


def value(name, shape):
    """The content the writer gives every element (by position)."""
    i, j = np.indices(shape)
    if name == "ea":
        return (i * 10 + j).astype(np.int32)
    if name == "ea_gz":
        return (i + j / 10.0).astype(np.float64)
    return (i * 1000 + j).astype(np.int64)


def _build_file(name, env):
    for p in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if p:
            cand = os.path.join(os.path.dirname(os.path.abspath(p)), name)
            if os.path.isfile(cand):
                return cand
    return os.environ.get(env)


CLI = os.environ.get("H5RD_CLI") or _build_file("h5rd", "H5RD_CLI")
LIB = os.environ.get("H5RD_LIB") or _build_file("libh5rd.so", "H5RD_LIB")


def _cli_has_watch():
    if not CLI or not os.access(CLI, os.X_OK):
        return False
    r = subprocess.run([CLI, "watch", "--help"], capture_output=True)
    return r.returncode == 0


needs_cli = pytest.mark.skipif(not _cli_has_watch(), reason="h5rd CLI with `watch` not found")


# ---- the writer (run as a separate process: python3 test_swmr.py writer FILE SEED) ----------

def writer_main(path, seed):
    import h5py

    rng = random.Random(seed)
    with h5py.File(path, "w", libver="latest") as f:
        ea = f.create_dataset("ea", shape=(0, 3), maxshape=(None, 3), chunks=(4, 3),
                              dtype="i4")
        gz = f.create_dataset("ea_gz", shape=(0, 5), maxshape=(None, 5), chunks=(3, 5),
                              dtype="f8", compression="gzip", shuffle=True)
        bt = f.create_dataset("bt2", shape=(0, 2), maxshape=(None, None), chunks=(4, 2),
                              dtype="i8")
        fa = f.create_dataset("fa", shape=(16, 4), chunks=(4, 4), dtype="i4",
                              compression="gzip")
        # a few rows before the readers start: printed as the "existing" rows
        for d, n in ((ea, 5), (gz, 4), (bt, 3)):
            d.resize((n,) + d.shape[1:])
            d[...] = value(d.name[1:], d.shape)
        f.swmr_mode = True
        f.flush()
        print("ready", flush=True)
        sys.stdin.readline()  # the readers are started
        fa_version = 0
        for step in range(rng.randint(40, 60)):
            d = (ea, gz, bt)[rng.randrange(3)]
            name = d.name[1:]
            n0, m0 = d.shape
            n1 = n0 + rng.randint(1, 3)
            m1 = m0 + (1 if name == "bt2" and rng.random() < 0.3 else 0)
            d.resize((n1, m1))
            if m1 > m0:
                d[:n0, m0:] = value(name, (n0, m1))[:, m0:]
            d[n0:] = value(name, (n1, m1))[n0:]
            if rng.random() < 0.3:
                fa_version += 1
                b = rng.randrange(4)
                fa[b * 4:(b + 1) * 4] = fa_version
            f.flush()
            time.sleep(rng.uniform(0.0, 0.03))
    print("done", flush=True)


# ---- ctypes view of include/h5rd.h (the few calls used) ------------------------------------

class Space(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("rank", ctypes.c_uint32),
                ("dims", ctypes.c_uint64 * 32), ("maxdims", ctypes.c_uint64 * 32)]


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("file_offset", ctypes.c_uint64),
                ("what", ctypes.c_char_p), ("path", ctypes.c_char * 512),
                ("sys_errno", ctypes.c_int), ("src_file", ctypes.c_char_p),
                ("src_line", ctypes.c_int), ("detail", ctypes.c_char * 128)]


class OpenOpts(ctypes.Structure):
    _fields_ = [("struct_nbytes", ctypes.c_size_t), ("alloc", ctypes.c_void_p),
                ("limits", ctypes.c_void_p), ("flags", ctypes.c_uint32),
                ("filters", ctypes.c_void_p), ("n_filters", ctypes.c_size_t),
                ("chunk_cache_nbytes", ctypes.c_uint64)]


class Selection(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("rank", ctypes.c_uint32),
                ("start", ctypes.POINTER(ctypes.c_uint64)),
                ("stride", ctypes.POINTER(ctypes.c_uint64)),
                ("count", ctypes.POINTER(ctypes.c_uint64)),
                ("block", ctypes.POINTER(ctypes.c_uint64)),
                ("npoints", ctypes.c_uint64), ("points", ctypes.POINTER(ctypes.c_uint64))]


H5RD_OPEN_LIVE = 0x4


class Lib:
    def __init__(self, path):
        self.l = ctypes.CDLL(path)
        self.l.h5rd_file_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(OpenOpts),
                                          ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(Error)]
        self.l.h5rd_obj_open.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                         ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(Error)]
        self.l.h5rd_dataset_refresh.argtypes = [ctypes.c_void_p, ctypes.POINTER(Error)]
        self.l.h5rd_dataset_get_space.argtypes = [ctypes.c_void_p, ctypes.POINTER(Space),
                                                  ctypes.POINTER(Error)]
        self.l.h5rd_dataset_read.argtypes = [ctypes.c_void_p, ctypes.POINTER(Selection),
                                             ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                             ctypes.c_void_p, ctypes.POINTER(Error)]
        self.l.h5rd_open_opts_init.argtypes = [ctypes.POINTER(OpenOpts)]
        self.l.h5rd_obj_close.argtypes = [ctypes.c_void_p]
        self.l.h5rd_file_close.argtypes = [ctypes.c_void_p]

    def check(self, rc, err):
        if rc != 0:
            raise RuntimeError("h5rd error %d: %s %s (%s)" % (
                rc, err.what and err.what.decode(), err.path.decode(), err.detail.decode()))

    def open_live(self, path):
        opts = OpenOpts()
        self.l.h5rd_open_opts_init(ctypes.byref(opts))
        opts.flags = H5RD_OPEN_LIVE
        f = ctypes.c_void_p()
        err = Error()
        self.check(self.l.h5rd_file_open(path.encode(), ctypes.byref(opts), ctypes.byref(f),
                                         ctypes.byref(err)), err)
        return f

    def open(self, f, name):
        o = ctypes.c_void_p()
        err = Error()
        self.check(self.l.h5rd_obj_open(f, name.encode(), ctypes.byref(o), ctypes.byref(err)),
                   err)
        return o

    def refresh(self, o):
        err = Error()
        self.check(self.l.h5rd_dataset_refresh(o, ctypes.byref(err)), err)

    def shape(self, o):
        s, err = Space(), Error()
        self.check(self.l.h5rd_dataset_get_space(o, ctypes.byref(s), ctypes.byref(err)), err)
        return tuple(s.dims[k] for k in range(s.rank))

    def read(self, o, shape, dtype):
        """Rows [0, shape[0]) x [0, shape[1]) as an array (a hyperslab: still valid in any
        later state of an appended dataset)."""
        out = np.empty(shape, dtype=dtype)
        start = (ctypes.c_uint64 * 2)(0, 0)
        count = (ctypes.c_uint64 * 2)(*shape)
        sel = Selection(1, 2, start, None, count, None, 0, None)
        err = Error()
        rc = self.l.h5rd_dataset_read(o, ctypes.byref(sel), None,
                                      out.ctypes.data_as(ctypes.c_void_p), out.nbytes, None,
                                      ctypes.byref(err))
        self.check(rc, err)
        return out


# ---- the test ---------------------------------------------------------------------------------

def _start_writer(path, seed):
    w = subprocess.Popen([sys.executable, os.path.abspath(__file__), "writer", path, str(seed)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert w.stdout.readline().strip() == "ready"
    return w


def _replay(name, lines, final):
    """Builds the dataset from the watcher's JSON lines; returns per-element print counts."""
    n, m = final.shape
    got = np.zeros((n, m), dtype=final.dtype)
    seen = np.zeros((n, m), dtype=np.int64)
    rows = 0
    for ln in lines:
        v = json.loads(ln)
        if isinstance(v, dict):  # a new hyperslab of old rows (bt2 growing in dimension 1)
            (i, j), (_, c) = v["start"], v["count"]
            assert len(v["data"]) == c, ln
            got[i, j:j + c] = v["data"]
            seen[i, j:j + c] += 1
        else:  # the next new row, whole at the extent of its time
            assert isinstance(v, list), ln
            got[rows, :len(v)] = v
            seen[rows, :len(v)] += 1
            rows += 1
    return got, seen, rows


def _lib_reader(lib, path, name, stop, results):
    """Refresh-and-read loop of one thread plus two threads reading the same handle at once:
    every read of rows [0, n) must equal the writer's content."""
    f = lib.open_live(path)
    o = lib.open(f, name)
    dtype = value(name, (1, 1)).dtype
    bad, reads, shapes = [], [0], []

    def reader():
        last = (0, 0)
        while not stop.is_set():
            shp = lib.shape(o)
            if shp[0] < last[0] or shp[1] < last[1]:
                bad.append(("shrank", last, shp))
            last = shp
            a = lib.read(o, shp, dtype)
            if not np.array_equal(a, value(name, shp)):
                bad.append(shp)
            reads[0] += 1

    ts = [threading.Thread(target=reader) for _ in range(2)]
    for t in ts:
        t.start()
    try:
        while not stop.is_set():
            lib.refresh(o)
            shapes.append(lib.shape(o))
            time.sleep(0.01)
    finally:
        for t in ts:
            t.join()
        lib.refresh(o)
        shapes.append(lib.shape(o))
        lib.l.h5rd_obj_close(o)
        lib.l.h5rd_file_close(f)
    results[name] = (bad, reads[0], shapes)


def _fa_reader(lib, path, stop, results):
    """The fixed array rewritten in place: each element is always a version the writer wrote
    there (0 .. latest) and never goes back."""
    f = lib.open_live(path)
    o = lib.open(f, "fa")
    last = np.zeros((16, 4), dtype=np.int32)
    errors, reads = [], 0
    failed = 0
    while not stop.is_set():
        lib.refresh(o)
        try:
            a = lib.read(o, (16, 4), np.int32)
        except RuntimeError:
            # A chunk rewritten in place can be read mid-write (SWMR only covers appends):
            # the read fails cleanly (a gzip stream that does not decode), never with values.
            failed += 1
            continue
        if (a < last).any() or (a > 1000).any():
            errors.append(a)
        last = np.maximum(last, a)
        reads += 1
        time.sleep(0.005)
    lib.refresh(o)
    last = np.maximum(last, lib.read(o, (16, 4), np.int32))
    lib.l.h5rd_obj_close(o)
    lib.l.h5rd_file_close(f)
    results["fa"] = (errors, reads, last, failed)


def run_once(tmp_path, seed, use_lib):
    path = str(tmp_path / ("swmr_%d.h5" % seed))
    w = _start_writer(path, seed)
    watchers = {name: subprocess.Popen(
        [CLI, "watch", "--json", "--interval", "0.05", "--max-wait", "2", path, "/" + name],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in GROWING}
    stop = threading.Event()
    results = {}
    threads = []
    if use_lib:
        lib = Lib(LIB)
        threads = [threading.Thread(target=_lib_reader, args=(lib, path, n, stop, results))
                   for n in ("ea_gz", "bt2")]
        threads.append(threading.Thread(target=_fa_reader, args=(lib, path, stop, results)))
        for t in threads:
            t.start()
    time.sleep(0.1)
    w.stdin.write("go\n")
    w.stdin.flush()
    assert w.stdout.readline().strip() == "done"
    assert w.wait(timeout=60) == 0
    stop.set()
    for t in threads:
        t.join()
    outs = {name: p.communicate(timeout=60) for name, p in watchers.items()}

    import h5py
    with h5py.File(path, "r") as fh:
        final = {name: fh[name][...] for name in GROWING}
        fa_final = fh["fa"][...]
    stats = {}
    for name in GROWING:
        out, err = outs[name]
        assert watchers[name].returncode == 0, (name, err)
        assert err == "", (name, err)
        lines = out.splitlines()
        fin = final[name]
        assert np.array_equal(fin, value(name, fin.shape))
        got, seen, rows = _replay(name, lines, fin)
        assert rows == fin.shape[0], (name, rows, fin.shape)
        assert (seen == 1).all(), (name, "elements printed other than once",
                                   np.argwhere(seen != 1)[:5])
        assert np.array_equal(got, fin), name
        stats[name] = (len(lines), rows, fin.shape)
    if use_lib:
        for name in ("ea_gz", "bt2"):
            bad, reads, shapes = results[name]
            assert bad == [], (name, bad[:3])
            assert reads > 0
            assert shapes[-1] == final[name].shape, (name, shapes[-1], final[name].shape)
        errors, reads, last, _ = results["fa"]
        assert errors == [] and reads > 0
        assert np.array_equal(last, fa_final)
    return stats


@needs_cli
@pytest.mark.parametrize("seed", SEEDS)
def test_watch_follows_swmr_writer(tmp_path, seed):
    # the library-level readers need the shared libh5rd.so (a static build runs the watchers)
    run_once(tmp_path, seed, use_lib=bool(LIB))


@needs_cli
def test_watch_text_and_usage(tmp_path):
    import h5py
    path = str(tmp_path / "t.h5")
    with h5py.File(path, "w", libver="latest") as f:
        f.create_dataset("x", data=np.arange(6).reshape(3, 2), maxshape=(None, 2), chunks=(2, 2))
    r = subprocess.run([CLI, "watch", "--max-wait", "0", path, "/x"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "Monitoring dataset /x...",
        "dimension 0: 0->3 (increases)",
        "dimension 1: 2->2 (unchanged)",
        "    Data:",
        "        (0,0) 0, 1",
        "        (1,0) 2, 3",
        "        (2,0) 4, 5",
    ]
    r = subprocess.run([CLI, "watch", "--bogus", path, "/x"], capture_output=True, text=True)
    assert r.returncode == 2 and "--bogus" in r.stderr
    r = subprocess.run([CLI, "watch", "--interval", "-1", path, "/x"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "-1" in r.stderr


@needs_cli
def test_watch_sigint_exits_cleanly(tmp_path):
    import signal
    import h5py
    path = str(tmp_path / "s.h5")
    with h5py.File(path, "w", libver="latest") as f:
        f.create_dataset("x", data=np.arange(4), maxshape=(None,), chunks=(2,))
    p = subprocess.Popen([CLI, "watch", "--json", "--interval", "0.05", path, "/x"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    first = b""
    while first.count(b"\n") < 4:  # the rows there are printed (and flushed) first
        chunk = os.read(p.stdout.fileno(), 65536)
        assert chunk, "watch ended early"
        first += chunk
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 0 and err == b""
    assert [json.loads(x) for x in (first + out).decode().splitlines()] == [0, 1, 2, 3]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "writer":
        writer_main(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: test_swmr.py writer FILE SEED")
