"""Many Python threads sharing one h5rd.File: results equal to h5py's single-threaded reads.
(Correctness only; speed is measured by bench/, not here.)"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
h5py = pytest.importorskip("h5py", reason="h5py is not installed (the oracle)")
try:
    import hdf5plugin  # noqa: F401
except ImportError:
    hdf5plugin = None
import h5rd  # noqa: E402

from conftest import DATA  # noqa: E402

FRAMES = os.path.join(DATA, "frames.h5")
NAMES = ["gzip"] + (["bitshuffle"] if hdf5plugin is not None else [])


@pytest.fixture(scope="module")
def expected():
    with h5py.File(FRAMES, "r") as f:
        return {n: f[n][()] for n in NAMES}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("nthreads", [2, 8])
def test_frames_from_threads(expected, name, nthreads):
    with h5rd.File(FRAMES) as f:
        ds = f[name]
        n = ds.shape[0]

        def read(i):
            return i, ds[i]

        with ThreadPoolExecutor(nthreads) as ex:
            results = dict(ex.map(read, [i % n for i in range(4 * n)]))
        for i in range(n):
            np.testing.assert_array_equal(results[i], expected[name][i])


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_whole_reads_concurrently(expected, threads):
    # Each read itself decodes on 'threads' threads, from 3 Python threads at once.
    with h5rd.File(FRAMES, threads=threads) as f:
        out = [None] * 3

        def work(k):
            out[k] = {n: f[n][()] for n in NAMES}

        ts = [threading.Thread(target=work, args=(k,)) for k in range(3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for k in range(3):
            for n in NAMES:
                np.testing.assert_array_equal(out[k][n], expected[n])


def test_lookups_and_attrs_from_threads():
    with h5rd.File(FRAMES) as f:
        def work(_):
            g = f["meta"]
            return (sorted(f.keys()), g.attrs["detector"], g.attrs["shape"].tolist(),
                    f["gzip"].chunks, f["gzip"][3:5, ::7, 1::9].sum())

        with ThreadPoolExecutor(4) as ex:
            res = list(ex.map(work, range(64)))
    assert all(r[:4] == res[0][:4] for r in res)
    assert all(r[4] == res[0][4] for r in res)
    assert res[0][1] == "synthetic"


def test_close_while_reading():
    # close() while other threads read: every read either completes with the right values or
    # raises ValueError (file closed); nothing crashes.
    with h5py.File(FRAMES, "r") as hf:
        exp = hf["gzip"][()]
    for _ in range(5):
        f = h5rd.File(FRAMES)
        errors, done = [], []
        start = threading.Barrier(5)

        def work():
            start.wait()
            for i in range(16):
                try:
                    x = f["gzip"][i]
                except ValueError:
                    errors.append(i)
                    continue
                np.testing.assert_array_equal(x, exp[i])
                done.append(i)

        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        start.wait()
        f.close()
        for t in ts:
            t.join()
        assert len(errors) + len(done) == 64
    # A dataset opened before close() keeps reading (its handle holds the file).
    f = h5rd.File(FRAMES)
    ds = f["gzip"]
    f.close()
    np.testing.assert_array_equal(ds[2], exp[2])
    with pytest.raises(ValueError):
        f["gzip"]
