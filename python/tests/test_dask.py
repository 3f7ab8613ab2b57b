"""h5rd datasets as a Dask source: dask.array.from_array(ds, chunks=ds.chunks) reductions on
compressed datasets, on Dask's threaded scheduler and on a dask.distributed LocalCluster of
worker processes (the datasets travel pickled), equal to the same computed from h5py.

The files are written into a temp dir with h5py (gzip + shuffle, and LZ4 via hdf5plugin when
it is importable); h5py (libhdf5) gives the expected values.
"""
import os
import pickle

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
h5py = pytest.importorskip("h5py", reason="h5py is not installed (the oracle)")
da = pytest.importorskip("dask.array", reason="dask is not installed")
import dask  # noqa: E402
h5rd = pytest.importorskip("h5rd", reason="the h5rd module is not built")

SHAPE = (64, 96, 80)        # 491,520 elements, 12 chunks along the first axis
CHUNKS = (8, 48, 80)


@pytest.fixture(scope="module")
def h5file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("dask") / "frames.h5")
    rng = np.random.default_rng(2024)
    base = np.cumsum(rng.normal(size=SHAPE[1:]), axis=1)
    frames = (base[None] * 100 + rng.normal(scale=5, size=SHAPE)).astype("<i4")
    with h5py.File(path, "w") as f:
        f.create_dataset("gzip_i4", data=frames, chunks=CHUNKS, compression="gzip",
                         compression_opts=4, shuffle=True)
        f.create_dataset("gzip_f8_be", data=frames.astype(">f8") / 7.0, chunks=CHUNKS,
                         compression="gzip", shuffle=True)
        try:
            import hdf5plugin
            f.create_dataset("lz4_u2", data=(frames & 0xFFFF).astype("<u2"), chunks=CHUNKS,
                             **hdf5plugin.LZ4())
        except Exception:  # hdf5plugin missing: the gzip datasets still test everything
            pass
    return path


def _names(path):
    with h5py.File(path, "r") as f:
        return list(f.keys())


def _reductions(x):
    """A few whole-array reductions of a dask array, computed together."""
    return (x.sum(dtype="f8"), x.max(), x.min(), x.mean(axis=0, dtype="f8"),
            (x[:, ::3, 5:70:7].astype("f8") ** 2).sum(axis=(1, 2)))


def _expected(path, name):
    with h5py.File(path, "r") as f:
        a = f[name][()]
    return (a.sum(dtype="f8"), a.max(), a.min(), a.mean(axis=0, dtype="f8"),
            (a[:, ::3, 5:70:7].astype("f8") ** 2).sum(axis=(1, 2)))


def _check(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        g = np.asarray(g)
        w = np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype
        # the same additions in a different (chunked) order: equal to rounding
        if g.dtype.kind == "f":
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=0)
        else:
            np.testing.assert_array_equal(g, w)


def test_from_array_threaded(h5file):
    with h5rd.File(h5file, "r") as f, h5py.File(h5file, "r") as g:
        for name in _names(h5file):
            ds = f[name]
            assert ds.chunks == g[name].chunks == CHUNKS
            x = da.from_array(ds, chunks=ds.chunks)
            assert x.shape == g[name].shape and x.dtype == g[name].dtype
            got = dask.compute(*_reductions(x), scheduler="threads", num_workers=4)
            _check(got, _expected(h5file, name))
            # h5py through Dask (serialised by libhdf5's lock) gives the same numbers
            y = da.from_array(g[name], chunks=g[name].chunks)
            ref = dask.compute(*_reductions(y), scheduler="threads", num_workers=4)
            _check(got, ref)
            # and the array itself, chunk by chunk
            np.testing.assert_array_equal(x.compute(scheduler="threads"), g[name][()])


def test_pickled_dataset_round_trip(h5file):
    with h5rd.File(h5file, "r") as f:
        ds = f["gzip_i4"]
        again = pickle.loads(pickle.dumps(ds))
        assert again.name == ds.name and again.shape == ds.shape and again.dtype == ds.dtype
        np.testing.assert_array_equal(again[3:9, ::5, 7], ds[3:9, ::5, 7])
        x = da.from_array(again, chunks=again.chunks)
        # the dask graph itself pickles (what dask.distributed sends to workers)
        y = pickle.loads(pickle.dumps(x))
        _check(dask.compute(*_reductions(y), scheduler="threads"),
               _expected(h5file, "gzip_i4"))


def test_distributed_local_cluster(h5file):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    import logging
    for name in ("distributed", "distributed.scheduler", "distributed.worker",
                 "distributed.nanny", "distributed.core", "distributed.http.proxy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # the worker processes import h5rd from the same place as this process
    env_path = os.pathsep.join(p for p in (os.path.dirname(os.path.dirname(h5rd.__file__)),
                                           os.environ.get("PYTHONPATH")) if p)
    with dask.config.set({"distributed.worker.daemon": False,
                          "distributed.admin.tick.limit": "60s",
                          "distributed.worker.memory.target": False,
                          "distributed.worker.memory.spill": False}):
        old = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = env_path
        try:
            cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                               processes=True, dashboard_address=None,
                                               silence_logs=logging.ERROR)
        finally:
            if old is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = old
        try:
            with distributed.Client(cluster) as client:
                with h5rd.File(h5file, "r") as f:
                    for name in _names(h5file):
                        ds = f[name]
                        x = da.from_array(ds, chunks=ds.chunks)
                        got = client.compute(list(_reductions(x)), sync=True)
                        _check(got, _expected(h5file, name))
                    # the tasks really ran in the worker processes, on unpickled datasets
                    pids = client.run(os.getpid)
                    assert len(pids) == 2 and os.getpid() not in pids.values()

                    def read_there(d):
                        return (os.getpid(), type(d).__module__, float(d[::4, ::4, ::4].sum()))
                    futs = client.map(read_there, [f["gzip_i4"]] * 4, pure=False)
                    res = client.gather(futs)
                with h5py.File(h5file, "r") as g:
                    want = float(g["gzip_i4"][::4, ::4, ::4].sum())
                assert all(r[1].startswith("h5rd") and r[2] == want for r in res)
                assert set(r[0] for r in res) <= set(pids.values())
        finally:
            cluster.close()
