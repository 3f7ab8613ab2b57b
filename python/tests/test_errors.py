"""Hostile files raise h5rd.H5rdError subclasses (OSError) with h5rd's code - never a crash -
with the code fixtures/hostile/MANIFEST gives; a missing name is a KeyError."""
import glob
import os

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
import h5rd  # noqa: E402

from conftest import FIXTURES  # noqa: E402

HOSTILE = os.path.join(FIXTURES, "hostile")


def manifest():
    rows = []
    with open(os.path.join(HOSTILE, "MANIFEST")) as fp:
        for line in fp:
            line = line.split("#", 1)[0].split()
            if len(line) == 4 and line[1] in ("open", "obj", "read", "links", "attrs", "vlen",
                                              "walk"):
                rows.append(tuple(line))
    return rows


def run_op(path, op, obj):
    f = h5rd.File(path)
    if op == "open":
        return
    if op == "obj":
        f[obj]
    elif op in ("read", "vlen"):
        f[obj][()]
    elif op == "links":
        list(f[obj].keys())
    elif op == "attrs":
        f[obj].attrs.items()
    elif op == "walk":
        f.visititems(lambda n, o: None)


@pytest.mark.parametrize("fname,op,obj,expected", manifest())
def test_hostile(fname, op, obj, expected):
    path = os.path.join(HOSTILE, fname)
    if expected == "OK":
        run_op(path, op, obj)
        return
    with pytest.raises(h5rd.H5rdError) as ei:
        run_op(path, op, obj)
    e = ei.value
    assert isinstance(e, OSError)
    assert e.code_name == expected, str(e)
    assert isinstance(e.code, int) and e.code > 0
    assert e.file_offset is None or isinstance(e.file_offset, int)
    assert isinstance(e.path, str)


def _walk_everything(path):
    try:
        f = h5rd.File(path)
    except h5rd.H5rdError:
        return

    def visit(name, obj):
        for fn in (lambda: obj.attrs.items(), lambda: obj[()] if isinstance(obj, h5rd.Dataset)
                   else None):
            try:
                fn()
            except (h5rd.H5rdError, TypeError, ValueError, NotImplementedError):
                pass
    try:
        f.visititems(visit)
    except h5rd.H5rdError:
        pass


def test_fuzz_inputs_never_crash():
    files = [p for p in glob.glob(os.path.join(HOSTILE, "**", "*"), recursive=True)
             if os.path.isfile(p) and not p.endswith((".py", "MANIFEST", ".md"))]
    assert files
    for p in files:
        _walk_everything(p)


def test_missing_names_are_key_errors():
    with h5rd.File(os.path.join(FIXTURES, "h5", "demo.h5")) as f:
        with pytest.raises(KeyError):
            f["no/such/object"]
        with pytest.raises(KeyError):
            f.attrs["no such attribute"]
        assert f.get("nope") is None
        assert "nope" not in f


def test_not_hdf5(tmp_path):
    p = tmp_path / "x.h5"
    p.write_bytes(b"not an HDF5 file" * 64)
    with pytest.raises(h5rd.NotHDF5Error) as ei:
        h5rd.File(str(p))
    assert ei.value.code_name == "NOT_HDF5"
    with pytest.raises(OSError):
        h5rd.File(str(tmp_path / "missing.h5"))
    with pytest.raises(h5rd.H5rdError):
        h5rd.File(b"\x89HDF\r\n\x1a\n" + b"\0" * 32)
