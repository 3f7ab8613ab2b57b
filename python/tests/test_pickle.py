"""File, Group and Dataset pickle as (file path, object path, open options) and reopen."""
import os
import pickle

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
h5py = pytest.importorskip("h5py", reason="h5py is not installed (the oracle)")
import h5rd  # noqa: E402

from conftest import DATA, FIXTURES  # noqa: E402

FRAMES = os.path.join(DATA, "frames.h5")


def test_file_group_dataset_round_trip():
    with h5py.File(FRAMES, "r") as hf:
        exp = hf["gzip"][()]
    with h5rd.File(FRAMES, threads=2, chunk_cache_nbytes=0) as f:
        pf, pg, pd = (pickle.dumps(x) for x in (f, f["meta"], f["gzip"]))
    f2, g2, d2 = (pickle.loads(x) for x in (pf, pg, pd))
    assert isinstance(f2, h5rd.File) and f2.name == "/" and sorted(f2) == sorted(["gzip", "meta"] + (["bitshuffle"] if "bitshuffle" in f2 else []))
    assert f2._opts["threads"] == 2 and f2._opts["chunk_cache_nbytes"] == 0
    assert isinstance(g2, h5rd.Group) and g2.name == "/meta" and g2.attrs["detector"] == "synthetic"
    assert isinstance(d2, h5rd.Dataset) and d2.name == "/gzip"
    np.testing.assert_array_equal(d2[()], exp)
    np.testing.assert_array_equal(d2[5, 10:20:3], exp[5, 10:20:3])
    assert d2.file.filename == os.path.abspath(FRAMES) or os.path.samefile(d2.file.filename, FRAMES)


def test_survives_cwd_change(tmp_path, monkeypatch):
    monkeypatch.chdir(os.path.dirname(FRAMES))
    f = h5rd.File(os.path.basename(FRAMES))
    blob = pickle.dumps(f["gzip"])
    monkeypatch.chdir(tmp_path)
    d = pickle.loads(blob)
    assert d.shape == (16, 96, 128)


def test_memory_file_pickles_its_bytes():
    with open(os.path.join(FIXTURES, "h5", "demo.h5"), "rb") as fp:
        image = fp.read()
    f = h5rd.File(image)
    names = sorted(f.keys())
    f2 = pickle.loads(pickle.dumps(f))
    assert sorted(f2.keys()) == names
    assert f2.filename == "<memory>"


def test_references_pickle():
    with h5rd.File(os.path.join(FIXTURES, "h5", "types_latest.h5")) as f:
        refs = f["ds/ref/objref"][()]
        r2 = pickle.loads(pickle.dumps(refs))
        assert [f[r].name if r else None for r in r2] == \
            ["/ds", "/ds/ref/target", "/types/t_cmpd", None]
