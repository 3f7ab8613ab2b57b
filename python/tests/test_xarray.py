"""The xarray engine (h5rd.xarray.H5rdBackendEntrypoint) against xarray's "h5netcdf" engine.

The oracle is h5netcdf over h5py (libhdf5): the netCDF-4 fixtures of fixtures/h5/netcdf4_*.nc
(fixtures/gen/gen_netcdf.py) and, when ../shared/corpus exists, every netCDF-4 / dimension-scale
file of the corpus that h5netcdf opens. Each dataset must be identical
(xarray.testing.assert_identical: dims, coords, values, dtypes, attributes) and carry the same
encoding; lazy indexing (ints, strided slices, unsorted/repeated integer arrays), Dask-backed
reads and pickling are checked on the fixtures.
"""
import os
import pickle
import warnings

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
xr = pytest.importorskip("xarray", reason="xarray is not installed")
pytest.importorskip("h5netcdf", reason="h5netcdf is not installed (the oracle)")
pytest.importorskip("h5py", reason="h5py is not installed (h5netcdf needs it)")
h5rd = pytest.importorskip("h5rd", reason="the h5rd module is not built")
from h5rd.xarray import H5rdBackendEntrypoint  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(REPO, "fixtures", "h5")
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus")

ENGINE = H5rdBackendEntrypoint

# (file, open_dataset keyword arguments): every group of the fixtures, both phony modes
FIXTURE_CASES = [
    ("netcdf4_basic.nc", {}),
    ("netcdf4_basic.nc", {"mask_and_scale": False, "decode_times": False}),
    ("netcdf4_basic.nc", {"decode_cf": False}),
    ("netcdf4_basic.nc", {"concat_characters": False, "drop_variables": ["name"]}),
    ("netcdf4_basic.nc", {"decode_vlen_strings": False}),
    ("netcdf4_groups.nc", {}),
    ("netcdf4_groups.nc", {"group": "g1"}),
    ("netcdf4_groups.nc", {"group": "/g1/g2"}),
    ("netcdf4_groups.nc", {"group": "g1/g2", "phony_dims": "sort"}),
    ("netcdf4_phony.nc", {"phony_dims": "sort"}),
    ("netcdf4_phony.nc", {"phony_dims": "access"}),
    ("netcdf4_phony.nc", {"phony_dims": "sort", "group": "sub"}),
    ("netcdf4_phony.nc", {"phony_dims": "access", "group": "sub"}),
]


def _open(path, engine, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xr.open_dataset(path, engine=engine, **kw)


def _deep_equal(a, b):
    """Attribute values equal in type and value, recursing into object arrays and lists
    (xarray's own comparison cannot compare object arrays of arrays: h5netcdf's datasets are
    then not even identical to themselves)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind == "O" or a.dtype.names:
            return all(_deep_equal(x, y) for x, y in zip(a.flat, b.flat))
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, np.void):
        # field by field (padding bytes are not data; NaN equals NaN)
        if a.dtype != b.dtype:
            return False
        if not a.dtype.names:
            return a.tobytes() == b.tobytes()
        return all(_deep_equal(a[n], b[n]) for n in a.dtype.names)
    if isinstance(a, (float, np.floating)) and np.isnan(a):
        return bool(np.isnan(b))
    return bool(a == b)


def _strip_attrs(ds):
    ds = ds.copy()
    ds.attrs = {}
    for v in ds.variables.values():
        v.attrs = {}
    return ds


def assert_same(ref, got, what):
    # object arrays (vlen sequences, strings) and compounds element by element: numpy's ==
    # cannot compare arrays of arrays nor NaN fields, so xarray's comparison is only used on
    # the others
    objs = [k for k, v in ref.variables.items() if v.dtype.kind == "O" or v.dtype.names]
    for k in objs:
        assert k in got.variables, (what, k)
        v, w = ref.variables[k], got.variables[k]
        assert v.dims == w.dims and v.dtype == w.dtype, (what, k, v.dims, w.dims)
        assert _deep_equal(np.asarray(v.values), np.asarray(w.values)), (what, k)
    xr.testing.assert_identical(_strip_attrs(ref.drop_vars(objs)),
                                _strip_attrs(got.drop_vars(objs)))
    assert list(ref.attrs) == list(got.attrs), what
    for k in ref.attrs:
        assert _deep_equal(ref.attrs[k], got.attrs[k]), "%s: global attribute %r: %r != %r" % (
            what, k, ref.attrs[k], got.attrs[k])
    assert list(ref.variables) == list(got.variables), what
    for name, v in ref.variables.items():
        w = got.variables[name]
        assert list(v.attrs) == list(w.attrs), (what, name)
        for k in v.attrs:
            assert _deep_equal(v.attrs[k], w.attrs[k]), "%s: %s attribute %r: %r != %r" % (
                what, name, k, v.attrs[k], w.attrs[k])
        enc_ref = dict(v.encoding)
        enc_got = dict(w.encoding)
        assert list(enc_ref) == list(enc_got) and all(
            _deep_equal(enc_ref[k], enc_got[k]) for k in enc_ref), \
            "%s: %s encoding %r != %r" % (what, name, enc_ref, enc_got)
    assert ref.encoding == got.encoding, what
    # and the strict xarray comparison wherever the oracle passes it against itself
    if objs:
        return
    try:
        xr.testing.assert_identical(ref, ref.copy(deep=True))
    except AssertionError:
        return
    xr.testing.assert_identical(ref, got)


@pytest.mark.parametrize("name,kw", FIXTURE_CASES,
                         ids=["%s-%s" % (n, "-".join("%s=%s" % i for i in k.items()) or "default")
                              for n, k in FIXTURE_CASES])
def test_fixture_identical(name, kw):
    path = os.path.join(FIX, name)
    ref = _open(path, "h5netcdf", **kw)
    got = _open(path, ENGINE, **kw)
    try:
        assert_same(ref.load(), got.load(), name)
    finally:
        ref.close()
        got.close()


def test_fixture_lazy_indexing():
    path = os.path.join(FIX, "netcdf4_basic.nc")
    with _open(path, "h5netcdf") as ref, _open(path, ENGINE) as got:
        keys = [
            dict(time=1),
            dict(time=slice(None, None, 2), lon=slice(1, 5, 3)),
            dict(time=[3, 0, 0, 1], lon=[4, 2]),
            dict(lat=np.array([2, 0]), lon=-1),
            dict(time=slice(3, 3)),
            dict(time=slice(None, None, -1)),
        ]
        for k in keys:
            for var in ("temp", "short_t", "name", "code", "lat2d", "nchar"):
                dims = ref[var].dims
                sel = {d: v for d, v in k.items() if d in dims}
                a = ref[var].isel(sel)
                b = got[var].isel(sel)
                xr.testing.assert_identical(a.load(), b.load())
        # an outer index on two axes at once and vectorised (pointwise) indexing
        xr.testing.assert_identical(
            ref.temp[[0, 3], [2, 0], [1, 1, 4]].load(), got.temp[[0, 3], [2, 0], [1, 1, 4]].load())
        pts = dict(time=xr.DataArray([0, 1, 3], dims="p"), lon=xr.DataArray([4, 0, 2], dims="p"))
        xr.testing.assert_identical(ref.temp.isel(pts).load(), got.temp.isel(pts).load())


def test_fixture_dask_chunks():
    pytest.importorskip("dask", reason="dask is not installed")
    path = os.path.join(FIX, "netcdf4_basic.nc")
    with _open(path, "h5netcdf", chunks={"time": 1}) as ref, \
            _open(path, ENGINE, chunks={"time": 1}) as got:
        assert got.temp.chunks == ref.temp.chunks
        assert_same(ref.compute(scheduler="threads"), got.compute(scheduler="threads"), path)
        m1 = float(ref.temp.mean().compute(scheduler="threads"))
        m2 = float(got.temp.mean().compute(scheduler="threads"))
        assert m1 == m2


def test_fixture_pickle_lazy_dataset():
    path = os.path.join(FIX, "netcdf4_groups.nc")
    with _open(path, ENGINE, group="g1") as got:
        again = pickle.loads(pickle.dumps(got))
        with _open(path, "h5netcdf", group="g1") as ref:
            assert_same(ref.load(), again.load(), path)
        again.close()


def test_phony_dims_required_like_h5netcdf():
    path = os.path.join(FIX, "netcdf4_phony.nc")
    with pytest.raises(ValueError) as e_ref:
        _open(path, "h5netcdf")
    with pytest.raises(ValueError) as e_got:
        _open(path, ENGINE)
    assert "phony_dims" in str(e_ref.value) and "phony_dims" in str(e_got.value)
    with pytest.raises(ValueError):
        _open(path, ENGINE, phony_dims="bogus")
    with pytest.raises(OSError):
        _open(os.path.join(FIX, "netcdf4_groups.nc"), ENGINE, group="nope")


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="../shared/corpus not present")
def test_corpus_group_cycle_is_an_error():
    # hard links making /group1/group3/group4/group1 == /group1: h5netcdf recurses forever
    # with phony_dims="sort" (it visits every group); h5rd's engine says why instead
    path = os.path.join(CORPUS, "HDFGroup__hdf5-examples/C/H5G/h5ex_g_visit.h5")
    if not os.path.exists(path):
        pytest.skip("corpus file missing")
    with pytest.raises(ValueError, match="hard-link cycle"):
        _open(path, ENGINE, phony_dims="sort")
    with _open(path, "h5netcdf", phony_dims="access", group="group1") as ref, \
            _open(path, ENGINE, phony_dims="access", group="group1") as got:
        assert_same(ref.load(), got.load(), path)


def test_guess_can_open(tmp_path):
    be = H5rdBackendEntrypoint()
    assert be.guess_can_open(os.path.join(FIX, "netcdf4_basic.nc"))
    assert be.guess_can_open(os.path.join(FIX, "demo.h5"))
    assert be.guess_can_open("missing.hdf5") and be.guess_can_open("x.he5")
    assert not be.guess_can_open("x.zarr")
    txt = tmp_path / "not_hdf5.nc"
    txt.write_bytes(b"CDF\x01" + b"\0" * 64)  # netCDF-3 classic: not ours
    assert not be.guess_can_open(str(txt))
    with open(os.path.join(FIX, "netcdf4_basic.nc"), "rb") as fh:
        assert be.guess_can_open(fh)


def test_in_memory_file():
    path = os.path.join(FIX, "netcdf4_basic.nc")
    with open(path, "rb") as fh:
        data = fh.read()
    import io
    with _open(path, "h5netcdf") as ref:
        ref.load()
        got = xr.open_dataset(io.BytesIO(data), engine=ENGINE)
        got.load()
        for v in got.variables.values():
            v.encoding.pop("source", None)
        for v in ref.variables.values():
            v.encoding.pop("source", None)
        xr.testing.assert_identical(ref, got)
        got.close()


# ---------------------------------------------------------------------------------------------
# the shared corpus

_HOSTILE_DIRS = ("HDFGroup__cve_hdf5",)
# h5netcdf needs ~50 s on this one (libhdf5's H5Iget_name on 2,000 dereferenced dimension
# scales): compared only with H5RD_SLOW_TESTS=1 so that CI stays fast
_SLOW_ORACLE = {"Unidata__netcdf-c/nc_test4/ref_hdf5_compat1.nc"}
_MARKERS = (b"DIMENSION_SCALE", b"_NCProperties", b"_Netcdf4Dimid", b"DIMENSION_LIST")
# tried in order; the first one under which h5netcdf opens and loads the group is compared
_CONFIGS = (
    {},
    {"phony_dims": "sort"},
    {"phony_dims": "sort", "decode_times": False},
    {"phony_dims": "sort", "decode_cf": False},
)


def _oracle_opened(rel):
    import json
    p = os.path.join(CORPUS, "oracle", rel + ".json")
    try:
        with open(p) as fh:
            return bool(json.load(fh).get("opened"))
    except (OSError, ValueError):
        return False


def _netcdf4_candidates():
    """Corpus files that look like netCDF-4 (its attributes or dimension scales) or carry a
    netCDF extension, and that libhdf5 opens (the oracle says so)."""
    out = []
    for top, dirs, files in os.walk(CORPUS):
        rel_top = os.path.relpath(top, CORPUS)
        if rel_top == "." and "oracle" in dirs:
            dirs.remove("oracle")
        if rel_top.split(os.sep)[0] in _HOSTILE_DIRS:
            dirs[:] = []
            continue
        dirs.sort()
        for fn in sorted(files):
            p = os.path.join(top, fn)
            rel = os.path.relpath(p, CORPUS)
            try:
                with open(p, "rb") as fh:
                    blob = fh.read()
            except OSError:
                continue
            if b"\x89HDF\r\n\x1a\n" not in blob[:1 << 20]:
                continue
            if not (any(m in blob for m in _MARKERS)
                    or os.path.splitext(fn)[1] in (".nc", ".nc4")):
                continue
            if _oracle_opened(rel):
                out.append(rel)
    return out


def _groups_of(path):
    """The groups of a file, or None when a dataset is too large to load twice in a test
    (the corpus has sparse multi-GB datasets of a few allocated chunks)."""
    import h5py
    groups = [None]
    big = []

    def visit(name, obj):
        if isinstance(obj, h5py.Group):
            groups.append(name)
        elif isinstance(obj, h5py.Dataset) and obj.size * obj.dtype.itemsize > (64 << 20):
            # a netCDF dimension without a variable is never read
            if b"not a netCDF variable" not in bytes(obj.attrs.get("NAME", b"")):
                big.append(name)
    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return None if big else groups


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="../shared/corpus not present")
def test_corpus_identical_to_h5netcdf():
    cands = _netcdf4_candidates()
    assert cands, "no netCDF-4 file found in the corpus"
    identical, failing, not_opened, slow, too_big = [], [], [], [], []
    for rel in cands:
        if rel in _SLOW_ORACLE and not os.environ.get("H5RD_SLOW_TESTS"):
            slow.append(rel)
            continue
        path = os.path.join(CORPUS, rel)
        try:
            groups = _groups_of(path)
        except Exception:
            groups = [None]
        if groups is None:
            too_big.append(rel)
            continue
        for group in groups:
            what = "%s[%s]" % (rel, group or "/")
            for cfg in _CONFIGS:
                kw = dict(cfg, group=group)
                try:
                    ref = _open(path, "h5netcdf", **kw)
                    ref.load()
                except Exception:
                    continue
                try:
                    got = _open(path, ENGINE, **kw)
                    try:
                        assert_same(ref, got.load(), what)
                    finally:
                        got.close()
                    identical.append(what)
                except Exception as e:  # counted, reported below
                    failing.append("%s %s: %s: %s" % (what, cfg, type(e).__name__,
                                                      str(e).strip()[:300]))
                finally:
                    ref.close()
                break
            else:
                not_opened.append(what)
    print("\nxarray engine vs h5netcdf on the corpus: %d identical, %d failing, "
          "%d groups h5netcdf cannot open (of %d files; %d slow ones left out: "
          "H5RD_SLOW_TESTS=1 compares them too; %d with datasets > 64 MiB left out)"
          % (len(identical), len(failing), len(not_opened), len(cands), len(slow),
             len(too_big)))
    for f in failing:
        print("  FAIL", f)
    assert not failing, "%d of %d differ:\n%s" % (
        len(failing), len(failing) + len(identical), "\n".join(failing))
