"""`h5rd kerchunk` references read back with the real clients (fsspec's reference filesystem +
zarr v2 + numcodecs) against h5py (libhdf5, the ground truth), on every fixture and, when
../shared/corpus exists, on the corpus files libhdf5 opens (per their oracle JSON).

Every dataset h5py can read is counted once as
  identical      - in the references, and zarr reads the same shape and values as h5py;
  inexpressible  - left out and listed on stderr with a reason (`h5rd kerchunk` reports);
  wrong          - in the references but zarr reads something else or fails (must be 0), or
                   neither in the references nor reported (silently dropped; must be 0 too).
Values are compared up to 64 MiB and 1000 chunks per dataset (the leading rows that fit), to
bound run time and memory; contiguous data is split into 16 MiB chunks (--split), and a dataset whose chunks are
over 64 MiB is counted as not compared (zarr and libhdf5 would decode whole chunks).
Also: xarray opens a netCDF-4 fixture through the references with the same variables and
dimensions as xarray on the file itself (h5netcdf).
Run by hand (`python3 test_kerchunk.py [corpus]`) it prints the counts.
"""
import base64
from collections.abc import Mapping
import glob
import json
import os
import select
import signal
import subprocess
import sys
import time

import pytest

np = pytest.importorskip("numpy")
h5py = pytest.importorskip("h5py")
fsspec = pytest.importorskip("fsspec")
zarr = pytest.importorskip("zarr")
try:  # filters libhdf5 needs for some files (Debian python3-hdf5plugin)
    import hdf5plugin  # noqa: F401
except ImportError:
    hdf5plugin = None

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("H5RD_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.abspath(os.path.join(SRC, "..", "shared", "corpus"))
CAP_NBYTES = 64 << 20
MAX_CHUNKS = 1000
ISOLATED_TIMEOUT_S = 30
NSHARDS = 4
HOSTILE_DIRS = ("HDFGroup__cve_hdf5", "TeamSeri0us__pocs", "rustystack__rustyhdf5",
                "scigolib__hdf5", "magicSwordsMan__PAAFS")


def _cli():
    """The h5rd CLI of the build whose Python module is on PYTHONPATH (ctest sets it to
    BUILD/python), else H5RD_CLI, else a build*/h5rd of the source tree."""
    if os.environ.get("H5RD_CLI"):
        return os.environ["H5RD_CLI"]
    for p in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        cand = os.path.join(os.path.dirname(os.path.abspath(p)), "h5rd") if p else ""
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    for cand in sorted(glob.glob(os.path.join(SRC, "build*", "h5rd"))):
        if os.access(cand, os.X_OK):
            return cand
    return None


CLI = _cli()
FLETCHER = "fletcher32" in __import__("numcodecs").registry.codec_registry


def kerchunk(path, *extra):
    """(refs dict or None, {reported path: reason}, exit status)."""
    args = [CLI, "kerchunk", "--url", path, "--split", str(16 << 20)] + list(extra)
    if FLETCHER:
        args.append("--fletcher32")
    r = subprocess.run(args + [path], capture_output=True, timeout=300)
    reported = {}
    prefix = "h5rd kerchunk: %s: " % path
    for line in r.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith(prefix):
            p, _, why = line[len(prefix):].partition(": ")
            reported[p] = why
    refs = json.loads(r.stdout) if r.returncode == 0 else None
    return refs, reported, r.returncode


class RefStore(Mapping):
    """A read-only Zarr store over fsspec's reference filesystem that reports a key without a
    reference as missing. Debian's fsspec 2022.11 ReferenceFileSystem.cat of several keys
    raises KeyError for a missing one instead of leaving it out, so zarr over
    fs.get_mapper("") cannot read an array with unallocated chunks (kerchunk leaves them out,
    as h5rd does; later fsspec releases handle it). Zarr reads one key at a time through this."""

    def __init__(self, refs):
        self.fs = fsspec.filesystem("reference", fo=refs)
        self.keys_ = set(refs["refs"])

    def __getitem__(self, key):
        if key not in self.keys_:
            raise KeyError(key)
        return self.fs.cat_file(key)

    def __contains__(self, key):
        return key in self.keys_

    def __iter__(self):
        return iter(self.keys_)

    def __len__(self):
        return len(self.keys_)



def _store(refs):
    return zarr.storage.KVStore(RefStore(refs))


def _zroot(refs):
    return zarr.open(_store(refs), mode="r")


def _netcdf_dim_only(ds):
    """A netCDF-4 dimension without a variable: a scale with no data (left out by h5netcdf,
    kerchunk and h5rd)."""
    try:
        return ds.attrs.get("CLASS") == b"DIMENSION_SCALE" and bytes(ds.attrs.get(
            "NAME", b"")).startswith(b"This is a netCDF dimension but not a netCDF variable")
    except Exception:
        return False


def _zname(name):
    parts = name.split("/")
    if parts[-1].startswith("_nc4_non_coord_") and len(parts[-1]) > 15:
        parts[-1] = parts[-1][15:]
    return "/".join(parts)


def _equal(a, b):
    if a.shape != b.shape:
        return False
    if a.dtype.names or b.dtype.names:
        if a.dtype.names != b.dtype.names:
            return False
        return all(_equal(a[n], b[n]) for n in a.dtype.names)
    if a.dtype.kind in "fc":
        return np.array_equal(a, b, equal_nan=True)
    if a.dtype.kind == "V" or b.dtype.kind == "V":
        return a.tobytes() == b.tobytes()
    return np.array_equal(a, b)


class Counts:
    def __init__(self):
        self.identical = self.inexpressible = self.unchecked = 0
        self.wrong = []
        self.reasons = {}
        self.files = self.failed_files = 0

    def add(self, other):
        self.identical += other["identical"]
        self.inexpressible += other["inexpressible"]
        self.unchecked += other["unchecked"]
        self.wrong += other["wrong"]
        for r, n in other["reasons"].items():
            self.reasons[r] = self.reasons.get(r, 0) + n
        self.files += 1
        self.failed_files += other["failed"]

    def summary(self):
        return ("%d files (%d h5rd could not open): %d identical, %d inexpressible, %d wrong, "
                "%d not compared (a chunk over 64 MiB)" % (
                    self.files, self.failed_files, self.identical, self.inexpressible,
                    len(self.wrong), self.unchecked))


def compare_file(path, names=None):
    """Counts for one file, as a dict (JSON-serialisable: forked children send it back).
    names: the datasets to compare (the corpus oracle's readable ones); None: h5py's
    visititems."""
    out = {"identical": 0, "inexpressible": 0, "unchecked": 0, "wrong": [], "reasons": {},
           "failed": 0}
    try:
        h5 = h5py.File(path, "r")
    except Exception:
        return out
    with h5:
        dsets = list(names) if names is not None else []
        try:
            if names is None:
                h5.visititems(lambda n, o: dsets.append(n) if isinstance(o, h5py.Dataset)
                              else None)
        except Exception:
            pass  # libhdf5 stops part way: the datasets it reached are compared
        if not dsets:
            return out
        refs, reported, rc = kerchunk(path)
        if refs is None:
            out["failed"] = 1
            out["wrong"].append("%s: h5rd kerchunk exit %d" % (path, rc))
            return out
        root = None
        for name in dsets:
            try:
                ds = h5[name]
                shape, dtype = ds.shape, ds.dtype
            except Exception:
                continue  # libhdf5 cannot read it either: not counted
            if _netcdf_dim_only(ds):
                continue
            zn = _zname(name)
            key = zn + "/.zarray"
            if key not in refs["refs"]:
                why = reported.get("/" + name)
                if why is not None:
                    out["inexpressible"] += 1
                    r = why[:60]
                    out["reasons"][r] = out["reasons"].get(r, 0) + 1
                else:
                    out["wrong"].append("%s: %s: dropped without a report" % (path, name))
                continue
            if dtype.kind == "O" or shape is None:
                out["wrong"].append("%s: %s: emitted a type h5py reads as objects" % (path, name))
                continue
            meta = json.loads(refs["refs"][key])
            chunk_nbytes = dtype.itemsize * int(np.prod(meta["chunks"] or [1]))
            if chunk_nbytes > CAP_NBYTES:
                out["unchecked"] += 1  # zarr and libhdf5 would decode whole huge chunks
                continue
            try:
                rows = shape[0] if shape else 1
                per_row = max(1, dtype.itemsize * int(np.prod(shape[1:] or (1,))))
                nrows = max(1, min(rows, CAP_NBYTES // per_row))
                if shape and meta["chunks"]:  # and at most MAX_CHUNKS chunks
                    c = meta["chunks"]
                    per_block = int(np.prod([-(-n // k) for n, k in zip(shape[1:], c[1:])] or [1]))
                    nrows = max(1, min(nrows, max(1, MAX_CHUNKS // max(1, per_block)) * c[0]))
                want = ds[()] if not shape else ds[:nrows]
            except Exception:
                continue  # libhdf5 cannot read it: not counted
            try:
                if root is None:
                    root = _zroot(refs)
                z = root[zn]
                got = z[()] if not shape else z[:len(want)]
                if _equal(np.asarray(got), np.asarray(want)):
                    out["identical"] += 1
                else:
                    out["wrong"].append("%s: %s: values differ (%s %s vs h5py %s %s)" % (
                        path, name, got.dtype, got.shape, want.dtype, want.shape))
            except Exception as e:
                out["wrong"].append("%s: %s: zarr: %s: %s" % (path, name, type(e).__name__,
                                                             str(e)[:200]))
    return out


def compare_isolated(path, names=None):
    """compare_file in a forked child, for files libhdf5 may crash or hang on."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            data = json.dumps(compare_file(path, names)).encode()
        except BaseException as e:
            data = json.dumps({"identical": 0, "inexpressible": 0, "unchecked": 0, "reasons": {},
                               "failed": 0,
                               "wrong": ["%s: exception %r" % (path, e)]}).encode()
        with os.fdopen(wfd, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(wfd)
    # libhdf5 loops forever on some hostile files (e.g. cve-2018-15671.h5): a deadline
    data, deadline = b"", time.monotonic() + ISOLATED_TIMEOUT_S
    with os.fdopen(rfd, "rb") as f:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([f], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                data = b""
                break
            chunk = os.read(f.fileno(), 1 << 16)
            if not chunk:
                break
            data += chunk
    os.waitpid(pid, 0)
    if not data:  # libhdf5 crashed or hung: nothing it reads to compare with
        return {"identical": 0, "inexpressible": 0, "unchecked": 0, "wrong": [], "reasons": {},
                "failed": 0}
    return json.loads(data)


def fixture_files():
    return sorted(glob.glob(os.path.join(SRC, "fixtures", "h5", "*.h5")) +
                  glob.glob(os.path.join(SRC, "fixtures", "h5", "*.nc")) +
                  glob.glob(os.path.join(SRC, "fixtures", "vds", "h5", "*.h5")) +
                  glob.glob(os.path.join(HERE, "data", "*.h5")))


def corpus_files():
    """[(file, readable dataset paths)] of the corpus files libhdf5 opened that hold datasets it
    reads, from their oracle JSON (which also spares h5py's visititems, which loops forever on
    some hostile files)."""
    out = []
    oracle_root = os.path.join(CORPUS, "oracle")
    for oj in sorted(glob.glob(os.path.join(oracle_root, "**", "*.json"), recursive=True)):
        rel = os.path.relpath(oj, oracle_root)[:-len(".json")]
        path = os.path.join(CORPUS, rel)
        if not os.path.isfile(path):
            continue
        try:
            with open(oj) as f:
                o = json.load(f)
        except (OSError, ValueError):
            continue
        if not isinstance(o, dict) or not o.get("opened"):
            continue
        names = [x["path"].lstrip("/") for x in o.get("objects", [])
                 if x.get("kind") == "dataset" and x.get("readable") is True]
        if names:
            out.append((path, names))
    return out


def _risky(path):
    rel = os.path.relpath(path, CORPUS)
    return rel.split(os.sep, 1)[0] in HOSTILE_DIRS or \
        any(w in rel.lower() for w in ("cve", "fuzz", "poc", "crash", "corrupt", "bad"))


def _report(name, c):
    print("%s: %s" % (name, c.summary()))
    for r, n in sorted(c.reasons.items(), key=lambda x: -x[1]):
        print("  inexpressible x%d: %s" % (n, r))
    for w in c.wrong[:40]:
        print("  WRONG: %s" % w)


needs_cli = pytest.mark.skipif(CLI is None, reason="h5rd CLI not found (set H5RD_CLI)")


@needs_cli
def test_fixtures():
    c = Counts()
    files = fixture_files()
    assert files
    for p in files:
        c.add(compare_file(p))
    _report("fixtures", c)
    assert not c.wrong
    assert c.identical > 200, c.summary()


@needs_cli
@pytest.mark.parametrize("shard", ["s%d" % i for i in range(NSHARDS)])
def test_corpus(shard):
    if not os.path.isdir(os.path.join(CORPUS, "oracle")):
        pytest.skip("no corpus at %s" % CORPUS)
    k = int(shard[1:])
    c = Counts()
    for p, names in corpus_files()[k::NSHARDS]:
        c.add(compare_isolated(p, names) if _risky(p) else compare_file(p, names))
    _report("corpus shard %d/%d" % (k, NSHARDS), c)
    assert not c.wrong


@needs_cli
def test_misc_strict_and_usage():
    p = os.path.join(SRC, "fixtures", "h5", "types_latest.h5")
    refs, reported, rc = kerchunk(p)
    assert rc == 0 and reported  # vlen data there is reported, not dropped
    _, _, rc = kerchunk(p, "--strict")
    assert rc == 1
    r = subprocess.run([CLI, "kerchunk", "--no-such-option", p], capture_output=True)
    assert r.returncode == 2
    r = subprocess.run([CLI, "kerchunk", "--help"], capture_output=True)
    assert r.returncode == 0 and b"--inline" in r.stdout and b"--strict" in r.stdout


@needs_cli
def test_misc_inline_and_split():
    """--inline 0 references every chunk; --split cuts contiguous data into whole rows; both
    read back the same values."""
    p = os.path.join(SRC, "fixtures", "h5", "layouts_latest.h5")
    base, _, rc = kerchunk(p)
    assert rc == 0
    for extra in (["--inline", "0"], ["--inline", "100000"], ["--split", "64"]):
        refs, _, rc = kerchunk(p, *extra)
        assert rc == 0
        root = _zroot(refs)
        with h5py.File(p, "r") as h5:
            for key in refs["refs"]:
                if key.endswith("/.zarray"):
                    name = key[:-len("/.zarray")]
                    assert _equal(np.asarray(root[name][()]), h5[name][()]), (extra, name)
    inl = [v for v in kerchunk(p, "--inline", "0")[0]["refs"].values() if isinstance(v, str)
           and not v.startswith("{")]
    assert all(not v.startswith("base64:") or base64.b64decode(v[7:]) for v in inl)


def test_misc_python_api():
    """h5rd.kerchunk (the library call through ctypes) gives the CLI's references and reports."""
    try:
        import h5rd
    except ImportError:
        pytest.skip("h5rd Python module not built")
    if CLI is None:
        pytest.skip("h5rd CLI not found")
    p = os.path.join(SRC, "fixtures", "h5", "types_latest.h5")
    seen = []
    try:
        refs = h5rd.kerchunk(p, split=16 << 20, fletcher32=FLETCHER,
                             report=lambda path, why: seen.append(path))
    except NotImplementedError:
        pytest.skip("static libh5rd: no h5rd.kerchunk")
    want, reported, rc = kerchunk(p)
    assert rc == 0 and refs == want
    assert sorted(seen) == sorted(reported)
    with pytest.raises(h5rd.H5rdError):
        h5rd.kerchunk(p, strict=True, report=lambda path, why: None)
    sub = h5rd.kerchunk(os.path.join(SRC, "fixtures", "h5", "demo.h5"), group="/measurements")
    assert "temps/.zarray" in sub["refs"] and ".zgroup" in sub["refs"]


# netCDF-4 fixtures for xarray, with the variables left out on both sides: netcdf4_basic's
# /name is a vlen string (reported, not in the references), and its /short_t holds fewer
# records than its unlimited dimension: netCDF pads it to the dimension's length, HDF5 (h5py,
# and so the references) has its own shorter extent, which xarray refuses as a conflicting
# dimension size.
XR_CASES = [("netcdf4_groups.nc", ()), ("netcdf4_phony.nc", ()),
            ("netcdf4_basic.nc", ("name", "short_t"))]


def test_misc_xarray_netcdf4():
    """xarray over the references (zarr engine) sees the variables, dimensions (scales by name,
    phony_dim_N as h5netcdf's phony_dims="sort") and values xarray sees through h5netcdf."""
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    if CLI is None:
        pytest.skip("h5rd CLI not found")
    for name, drop in XR_CASES:
        p = os.path.join(SRC, "fixtures", "h5", name)
        refs, reported, rc = kerchunk(p)
        assert rc == 0, reported
        assert all(("/" + v) in reported for v in drop if v != "short_t"), reported
        kw = dict(decode_times=False, mask_and_scale=False, drop_variables=list(drop))
        a = xr.open_dataset(_store(refs), engine="zarr", consolidated=False, **kw)
        b = xr.open_dataset(p, engine="h5netcdf", phony_dims="sort", **kw)
        assert set(a.variables) == set(b.variables), (name, set(a.variables), set(b.variables))
        assert dict(a.dims) == dict(b.dims), name
        for v in b.variables:
            assert a[v].dims == b[v].dims, (name, v)
            assert _equal(a[v].values, b[v].values), (name, v)
        a.close()
        b.close()


if __name__ == "__main__":
    c = Counts()
    files = corpus_files() if sys.argv[1:] == ["corpus"] else [(p, None) for p in fixture_files()]
    for p, names in files:
        c.add(compare_isolated(p, names) if _risky(p) else compare_file(p, names))
    _report("corpus" if sys.argv[1:] == ["corpus"] else "fixtures", c)
