"""HDF5 2.0 complex numbers (datatype class 11) against libhdf5 2.0.0's reading of the corpus's
HDFView test files, recorded through h5wasm in fixtures/h5wasm/complex_corpus.json (libhdf5
1.10 and so h5py cannot read the class: h5wasm is the oracle, see issue 12)."""
import json
import os

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
import h5rd  # noqa: E402

from conftest import FIXTURES  # noqa: E402

REPO = os.path.dirname(FIXTURES)
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus")
EXPECTED = os.path.join(FIXTURES, "h5wasm", "complex_corpus.json")
FILES = ["scigolib__hdf5/testdata/hdf5_official/tcomplex.h5",
         "scigolib__hdf5/testdata/hdf5_official/tcomplex_be.h5"]


def pairs(v):
    """The [re, im] pairs of an expected value, in C order (nested lists, dicts of members)."""
    if isinstance(v, dict):
        for x in v.values():
            yield from pairs(x)
    elif isinstance(v, list) and len(v) == 2 and not isinstance(v[0], (list, dict)):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from pairs(x)


def num(x):
    return float.fromhex(x) if isinstance(x, str) else float(x)


def got_pairs(a):
    """The complex numbers of an h5rd value, in C order, whatever wraps them."""
    if isinstance(a, np.ndarray) and a.dtype.names:
        for rec in a.ravel():
            for name in a.dtype.names:
                yield from got_pairs(np.asarray(rec[name]))
    elif isinstance(a, np.ndarray) and a.dtype == object:
        for x in a.ravel():
            yield from got_pairs(np.asarray(x))
    else:
        for z in np.asarray(a).ravel():
            yield [z.real, z.imag]


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="../shared/corpus is not present")
@pytest.mark.parametrize("rel", FILES)
def test_complex_values_equal_libhdf5_2(rel):
    expected = json.load(open(EXPECTED))["files"][rel]
    f = h5rd.File(os.path.join(CORPUS, rel))
    checked = 0
    for path, e in expected.items():
        ds = f[path]
        want = [(num(re), num(im)) for re, im in pairs(e["values"])]
        got = [(float(re), float(im)) for re, im in got_pairs(ds[()])]
        # long double parts: the oracle's exact hex values, compared as doubles
        assert got == want, path
        assert ds.dtype.kind in "cOV" or ds.dtype.names or ds.dtype.subdtype, path
        for name, ae in e.get("attrs", {}).items():
            got_a = [(float(z.real), float(z.imag)) for z in np.asarray(ds.attrs[name]).ravel()]
            assert got_a == [(num(re), num(im)) for re, im in pairs(ae["values"])], name
        checked += 1
    assert checked == len(expected) > 0


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="../shared/corpus is not present")
def test_complex_dtypes():
    f = h5rd.File(os.path.join(CORPUS, FILES[1]))  # big-endian file: parts come out native
    assert f["DatasetFloatComplex"].dtype == np.dtype("=c8")
    assert f["DatasetDoubleComplex"].dtype == np.dtype("=c16")
    assert f["DatasetLongDoubleComplex"].dtype == np.dtype(np.clongdouble)
    assert f["ArrayDatasetFloatComplex"].dtype == np.dtype(("=c8", (10, 10)))
