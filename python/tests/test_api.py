"""The h5py API surface of h5rd against h5py on the fixtures: dataset properties, links,
visiting, indexing rules, astype/asstr/fields, read_direct, the direct chunk API, VDS."""
import glob
import os

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
h5py = pytest.importorskip("h5py", reason="h5py is not installed (the oracle)")
try:
    import hdf5plugin  # noqa: F401
except ImportError:
    hdf5plugin = None
import h5rd  # noqa: E402

from conftest import DATA, FIXTURES  # noqa: E402

H5 = os.path.join(FIXTURES, "h5")
FILES = sorted(glob.glob(os.path.join(H5, "*.h5")) + glob.glob(os.path.join(FIXTURES, "vds", "h5", "*.h5")) +
               glob.glob(os.path.join(DATA, "*.h5")))


def _datasets(hf):
    out = []
    hf.visititems(lambda n, o: out.append("/" + n) if isinstance(o, h5py.Dataset) else None)
    return out


def _same_scalar(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.names:
        return a.tobytes() == b.tobytes() or all(_same_scalar(a[n], b[n]) for n in a.dtype.names)
    if a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return a.tobytes() == b.tobytes()


@pytest.mark.parametrize("path", FILES, ids=os.path.basename)
def test_dataset_properties(path):
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        for p in _datasets(hf):
            h, r = hf[p], rf[p]
            try:
                hd = h.dtype
            except Exception:  # noqa: BLE001 - h5py has no dtype for it (time class)
                continue
            assert r.dtype == hd, p
            for attr in ("shape", "maxshape", "chunks", "ndim", "size", "nbytes", "is_virtual",
                         "compression", "compression_opts", "shuffle", "fletcher32"):
                assert getattr(r, attr) == getattr(h, attr), (p, attr)
            if h.shape:
                assert len(r) == len(h)
            if hd.hasobject:
                continue  # h5py's fillvalue crashes on vlen types
            try:
                hv = h.fillvalue
            except Exception:  # noqa: BLE001
                hv = None
            if hv is not None:
                assert _same_scalar(r.fillvalue, hv), (p, r.fillvalue, hv)


@pytest.mark.parametrize("name", ["links_latest.h5", "links_earliest.h5"])
def test_links(name):
    path = os.path.join(H5, name)
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        assert list(rf.keys()) == list(hf.keys())
        assert len(rf) == len(hf)
        for k in hf.keys():
            hl, rl = hf.get(k, getlink=True), rf.get(k, getlink=True)
            assert type(rl).__name__ == type(hl).__name__, k
            if isinstance(hl, h5py.SoftLink):
                assert rl.path == hl.path
            if isinstance(hl, h5py.ExternalLink):
                assert (rl.filename, rl.path) == (hl.filename, hl.path)
            assert rf.get(k, getlink=True, getclass=True).__name__ == \
                hf.get(k, getlink=True, getclass=True).__name__
            ho = hf.get(k)
            ro = rf.get(k)
            assert (ro is None) == (ho is None), k
            assert (k in rf) == (k in hf), k
            if isinstance(ho, h5py.Dataset):
                np.testing.assert_array_equal(ro[()], ho[()])
                assert rf.get(k, getclass=True) is h5rd.Dataset


@pytest.mark.parametrize("path", FILES, ids=os.path.basename)
def test_visit(path):
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        hn, rn = [], []
        hf.visit(hn.append)
        rf.visit(rn.append)
        assert sorted(rn) == sorted(hn)
        kinds = {}
        rf.visititems(lambda n, o: kinds.__setitem__(n, type(o).__name__))
        for n in hn:
            assert kinds[n] == type(hf[n]).__name__, n
        g = rf["/"]
        assert g.name == "/" and rf.parent == rf and rf.file is rf


def test_indexing_rules():
    path = os.path.join(H5, "layouts_latest.h5")
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        for p in _datasets(hf):
            h, r = hf[p], rf[p]
            if not h.shape or h.dtype.hasobject:
                continue
            try:
                h[()]
            except OSError:
                continue  # h5py cannot read it (external raw data relative to the cwd)
            n = h.shape[0]
            sels = [(), Ellipsis, 0, -1, slice(None, None, 3), slice(1, -1, 2),
                    slice(n + 5, n + 9), (Ellipsis, 0), [0, n - 1] if n > 1 else [0],
                    np.arange(n) % 2 == 0]
            for s in sels:
                np.testing.assert_array_equal(r[s], h[s], err_msg="%s %r" % (p, s))
            for bad, exc in ((slice(None, None, -1), ValueError), (n, IndexError),
                             ([1, 0] if n > 1 else None, TypeError)):
                if bad is None:
                    continue
                with pytest.raises(exc):
                    h[bad]
                with pytest.raises(exc):
                    r[bad]
            assert [x.tolist() if hasattr(x, "tolist") else x for x in r][:3] == \
                [x.tolist() if hasattr(x, "tolist") else x for x in h][:3]
            np.testing.assert_array_equal(np.asarray(r), np.asarray(h))


def test_types_api():
    path = os.path.join(H5, "types_latest.h5")
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        for p, t in (("ds/int/be_i4", "f8"), ("ds/int/le_u2", "i1"), ("ds/float/be_f8", "<i4"),
                     ("ds/float/le_f4", "f2"), ("ds/int/le_i8", ">f4")):
            np.testing.assert_array_equal(rf[p].astype(t)[()], hf[p].astype(t)[()])
            np.testing.assert_array_equal(rf[p].astype(t)[1:5], hf[p].astype(t)[1:5])
        for p in ("ds/str/vlen_utf8", "ds/str/vlen_ascii", "ds/str/fixed9_nullpad_utf8"):
            assert rf[p].asstr()[()].tolist() == hf[p].asstr()[()].tolist()
        assert rf["ds/str/vlen_utf8_scalar"].asstr()[()] == hf["ds/str/vlen_utf8_scalar"].asstr()[()]
        c = "ds/compound/nested"
        for sel in (("id",), ("pos",), ("id", "arr"), ("arr", 1)):
            a, b = rf[c][sel], hf[c][sel]
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), sel
        np.testing.assert_array_equal(rf[c].fields(["id", "pos"])[:2], hf[c].fields(["id", "pos"])[:2])
        assert h5rd.check_enum_dtype(rf["ds/enum/enum_i1"].dtype) == \
            h5py.check_enum_dtype(hf["ds/enum/enum_i1"].dtype)
        assert h5rd.check_string_dtype(rf["ds/str/vlen_utf8"].dtype).encoding == "utf-8"
        assert h5rd.check_vlen_dtype(rf["ds/vlen/vlen_i4"].dtype) == np.dtype("int32")
        assert h5rd.check_ref_dtype(rf["ds/ref/objref"].dtype) is h5rd.Reference
        ref = rf["ds/ref/objref"][1]
        assert isinstance(ref, h5rd.Reference) and rf[ref].name == "/ds/ref/target"
        assert isinstance(rf["ds/ref/regionref"][0], h5rd.RegionReference)
        assert rf["types/t_cmpd"].dtype == hf["types/t_cmpd"].dtype
        assert isinstance(rf["types/t_cmpd"], h5rd.Datatype)


def test_read_direct_and_empty():
    path = os.path.join(H5, "layouts_latest.h5")
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        p = next(p for p in _datasets(hf) if len(hf[p].shape) == 2 and not hf[p].dtype.hasobject)
        h = hf[p]
        a = np.zeros(h.shape, h.dtype)
        b = np.zeros(h.shape, h.dtype)
        h.read_direct(a, np.s_[0:2, 1:3], np.s_[1:3, 0:2])
        rf[p].read_direct(b, np.s_[0:2, 1:3], np.s_[1:3, 0:2])
        np.testing.assert_array_equal(a, b)
    path = os.path.join(H5, "dataspaces_latest.h5")
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        for p in _datasets(hf):
            if hf[p].shape is None:
                assert rf[p].shape is None and isinstance(rf[p][()], h5rd.Empty)
                assert rf[p][()] == h5rd.Empty(hf[p].dtype)


def test_chunk_api():
    path = os.path.join(H5, "chunkidx_latest.h5")
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        for p in _datasets(hf):
            h, r = hf[p], rf[p]
            if h.chunks is None:
                continue
            n = h.id.get_num_chunks()
            assert r.id.get_num_chunks() == n, p
            table = r.chunk_table()
            assert len(table) == n
            for i in range(n):
                hi, ri = h.id.get_chunk_info(i), r.id.get_chunk_info(i)
                assert tuple(ri) == tuple(hi), (p, i)
                assert tuple(r.id.get_chunk_info_by_coord(hi.chunk_offset)) == \
                    tuple(h.id.get_chunk_info_by_coord(hi.chunk_offset))
                assert r.id.read_direct_chunk(hi.chunk_offset) == \
                    h.id.read_direct_chunk(hi.chunk_offset)
                assert tuple(table[i]["offset"]) == hi.chunk_offset
                assert (table[i]["addr"], table[i]["size"], table[i]["filter_mask"]) == \
                    (hi.byte_offset, hi.size, hi.filter_mask)
            if h.shape and all(h.shape):
                assert list(r.iter_chunks()) == list(h.iter_chunks())


def test_virtual_sources():
    path = os.path.join(FIXTURES, "vds", "h5", "halves.h5")
    with h5py.File(path, "r") as hf, h5rd.File(path) as rf:
        for p in _datasets(hf):
            h, r = hf[p], rf[p]
            assert r.is_virtual == h.is_virtual
            if not h.is_virtual:
                continue
            hv, rv = h.virtual_sources(), r.virtual_sources()
            assert [(m.file_name, m.dset_name) for m in rv] == \
                [(m.file_name, m.dset_name) for m in hv]
            for hm, rm in zip(hv, rv):
                if rm.vspace.kind == "hyperslab":
                    start, count = hm.vspace.get_regular_hyperslab()[0::2]
                    assert tuple(rm.vspace.start) == tuple(start)
            np.testing.assert_array_equal(r[()], h[()])


def test_memory_file_and_context():
    path = os.path.join(H5, "demo.h5")
    with open(path, "rb") as fp:
        image = fp.read()
    with h5py.File(path, "r") as hf:
        with h5rd.File(image) as mf, h5rd.File(bytearray(image)) as bf:
            for p in _datasets(hf):
                np.testing.assert_array_equal(mf[p][()], hf[p][()])
                np.testing.assert_array_equal(bf[p][()], hf[p][()])
        with open(path, "rb") as fp, h5rd.File(fp) as ff:
            assert sorted(ff.keys()) == sorted(hf.keys())
    assert not mf
    with pytest.raises(ValueError):
        h5rd.File(path, "w")
