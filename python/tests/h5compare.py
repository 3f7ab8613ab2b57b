"""Compare h5rd with h5py (= libhdf5, the ground truth) on one file: every dataset's shape,
dtype and values (whole and random strided slices), every object's attributes.

Used by test_h5py_compat.py; also runnable by hand:
    PYTHONPATH=build/python python3 python/tests/h5compare.py FILE...
"""

import json
import os
import random
import sys

import numpy as np

import h5rd

try:
    import h5py
except ImportError:  # the tests skip
    h5py = None

# Values are compared for datasets up to this size (h5py and h5rd each read it whole).
MAX_VALUE_NBYTES = 64 << 20
# Random strided slices compared per dataset of rank >= 1.
N_SLICES = 3


class Mismatch(Exception):
    pass


class H5rdRaised(Exception):
    """h5rd raised a clean exception in the middle of a comparison (e.g. dereferencing)."""


def _meta(md):
    """dtype metadata with the reference classes made comparable across the two modules."""
    if not md:
        return None
    out = {}
    for k, v in md.items():
        if k == "ref":
            out[k] = getattr(v, "__name__", str(v))
        elif k == "vlen" and isinstance(v, np.dtype):
            out[k] = dtype_sig(v)
        elif k == "vlen":
            out[k] = getattr(v, "__name__", str(v))
        else:
            out[k] = v
    return out


def dtype_sig(dt):
    """Everything about a dtype that h5py's choice pins down, incl. nested metadata."""
    sig = [dt.str, dt.itemsize, _meta(dt.metadata)]
    if dt.names is not None:
        sig.append([(n, dt.fields[n][1], dtype_sig(dt.fields[n][0])) for n in dt.names])
    if dt.subdtype is not None:
        sig.append((dtype_sig(dt.subdtype[0]), dt.subdtype[1]))
    return sig


class Ctx:
    def __init__(self, hf, rf):
        self.hf = hf  # h5py File
        self.rf = rf  # h5rd File


def _ref_addr(ctx, ref):
    if not ref:
        return None
    try:
        return _addr(ctx.hf[ref])
    except Exception:  # noqa: BLE001 - libhdf5 cannot dereference it: dangling
        return None


def same(ctx, a, b, where):
    """a from h5py, b from h5rd; raises Mismatch with a reason."""
    if h5py is not None and isinstance(a, h5py.Empty):
        if not isinstance(b, h5rd.Empty) or dtype_sig(a.dtype) != dtype_sig(b.dtype):
            raise Mismatch("%s: Empty vs %r" % (where, type(b)))
        return
    if isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray):
            raise Mismatch("%s: ndarray vs %s" % (where, type(b).__name__))
        if a.shape != b.shape:
            raise Mismatch("%s: shape %s vs %s" % (where, a.shape, b.shape))
        if dtype_sig(a.dtype) != dtype_sig(b.dtype):
            raise Mismatch("%s: dtype %s vs %s" % (where, dtype_sig(a.dtype), dtype_sig(b.dtype)))
        same_values(ctx, a, b, where)
        return
    if isinstance(a, np.generic):
        # A numpy scalar's dtype is made from its value (np.bytes_ b"" is S0, no metadata).
        if type(a) is not type(b):
            raise Mismatch("%s: scalar type %s vs %s" % (where, type(a), type(b)))
        if a.dtype.str != b.dtype.str:
            raise Mismatch("%s: scalar dtype %s vs %s" % (where, a.dtype, b.dtype))
        same_values(ctx, np.asarray(a), np.asarray(b), where)
        return
    same_obj(ctx, a, b, where)


def same_obj(ctx, a, b, where):
    if h5py is not None and isinstance(a, h5py.Reference):
        if not isinstance(b, h5rd.Reference):
            raise Mismatch("%s: reference vs %r" % (where, b))
        if isinstance(a, h5py.RegionReference) != isinstance(b, h5rd.RegionReference):
            raise Mismatch("%s: reference kind" % where)
        # Same object = same object header address (h5py's .name is slow on big groups, and
        # an object with several links has several names).
        ta = _ref_addr(ctx, a)
        try:
            tb = ctx.rf[b].addr if b.path is not None else None
        except Exception as e:  # noqa: BLE001
            raise H5rdRaised("%s: dereferencing: %s: %s" % (where, type(e).__name__, e))
        if ta != tb:
            raise Mismatch("%s: reference to %s vs %s (%s)" % (where, ta, tb, b.path))
        return
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        same(ctx, a, b, where)
        return
    if type(a) is not type(b):
        raise Mismatch("%s: %s vs %s" % (where, type(a).__name__, type(b).__name__))
    if isinstance(a, float) and np.isnan(a) and np.isnan(b):
        return
    if a != b:
        raise Mismatch("%s: %r vs %r" % (where, a, b))


def _addr(obj):
    from h5py import h5o
    return h5o.get_info(obj.id).addr


def same_values(ctx, a, b, where):
    dt = a.dtype
    if dt.names is not None:
        for n in dt.names:
            same_values(ctx, a[n], b[n], where + "." + n)
        return
    if dt.subdtype is not None:
        same_values(ctx, a, b, where)
        return
    if dt.hasobject:
        fa, fb = a.ravel(), b.ravel()
        for i in range(fa.size):
            same_obj(ctx, fa[i], fb[i], "%s[%d]" % (where, i))
        return
    if dt.kind == "f" and dt.itemsize == 16 and a.shape == b.shape:
        # x87 long double: 10 bytes of value, 6 of padding libhdf5 may leave as garbage.
        if np.array_equal(a, b, equal_nan=True):
            return
    if a.tobytes() != b.tobytes():
        diff = np.flatnonzero(a.reshape(-1).view(np.uint8) != b.reshape(-1).view(np.uint8)) \
            if a.size else []
        raise Mismatch("%s: values differ (first differing byte %s)" %
                       (where, diff[0] if len(diff) else "?"))


def random_slices(shape, rng):
    out = []
    for _ in range(N_SLICES):
        sl = []
        for n in shape:
            if n == 0:
                sl.append(slice(None))
                continue
            kind = rng.random()
            if kind < 0.2:
                sl.append(rng.randrange(-n, n))
            else:
                a = rng.randrange(0, n)
                b = rng.randrange(a, n + 1)
                step = rng.choice([1, 1, 2, 3, 7])
                sl.append(slice(a, b, step))
        out.append(tuple(sl))
    return out


class Counts:
    def __init__(self):
        self.ds_compared = self.ds_identical = self.ds_exception = self.ds_mismatch = 0
        self.ds_h5py_fails = 0
        self.at_compared = self.at_identical = self.at_exception = self.at_mismatch = 0
        self.at_h5py_fails = 0
        self.files_h5py_crashed = 0
        self.mismatches = []   # (file, what)
        self.exceptions = []   # (file, what)

    def add(self, o):
        for k, v in vars(o).items():
            if isinstance(v, int):
                setattr(self, k, getattr(self, k) + v)
            else:
                getattr(self, k).extend(v)

    def summary(self):
        return ("datasets compared %d: identical %d, clean h5rd exception %d, mismatched %d "
                "(h5py failed on %d more); attributes compared %d: identical %d, clean "
                "exception %d, mismatched %d (h5py failed on %d more)" %
                (self.ds_compared, self.ds_identical, self.ds_exception, self.ds_mismatch,
                 self.ds_h5py_fails, self.at_compared, self.at_identical, self.at_exception,
                 self.at_mismatch, self.at_h5py_fails) +
                ("; %d files crashed h5py (not compared; h5rd read them cleanly)" %
                 self.files_h5py_crashed if self.files_h5py_crashed else ""))


def _h5rd_call(fn):
    """Runs an h5rd call; returns (value, None) or (None, exception). Any exception that is a
    Python exception counts as clean (the process is alive)."""
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - every Python exception is a clean failure
        return None, e


def compare_dataset(ctx, path, c, fname, rng, read_values=True):
    hd = ctx.hf[path]
    try:
        hshape, hdtype = hd.shape, hd.dtype
        hval = None
        if read_values:
            nbytes = (hd.size or 0) * hdtype.itemsize
            if nbytes <= MAX_VALUE_NBYTES:
                hval = hd[()]
    except Exception:  # noqa: BLE001 - h5py cannot read it: not compared
        c.ds_h5py_fails += 1
        # h5rd must still end cleanly.
        _h5rd_call(lambda: ctx.rf[path][()])
        return
    c.ds_compared += 1
    rd, err = _h5rd_call(lambda: ctx.rf[path])
    if err is None:
        try:
            if rd.shape != hshape:
                raise Mismatch("shape %s vs %s" % (hshape, rd.shape))
            rdt, err = _h5rd_call(lambda: rd.dtype)
            if err is None:
                if dtype_sig(rdt) != dtype_sig(hdtype):
                    raise Mismatch("dtype %s vs %s" % (dtype_sig(hdtype), dtype_sig(rdt)))
                if hval is not None:
                    rval, err = _h5rd_call(lambda: rd[()])
                    if err is None:
                        same(ctx, hval, rval, "[()]")
                        if hshape:
                            for sl in random_slices(hshape, rng):
                                try:
                                    ha = hd[sl]
                                except Exception:  # noqa: BLE001
                                    continue
                                ra, err = _h5rd_call(lambda: rd[sl])
                                if err is not None:
                                    break
                                same(ctx, ha, ra, str(sl))
        except Mismatch as m:
            c.ds_mismatch += 1
            c.mismatches.append((fname, "dataset %s: %s" % (path, m)))
            return
        except H5rdRaised as e:
            err = e
    if err is not None:
        c.ds_exception += 1
        c.exceptions.append((fname, "dataset %s: %s: %s" % (path, type(err).__name__, err)))
        return
    c.ds_identical += 1


def compare_attrs(ctx, path, c, fname, skip=()):
    if skip is None:
        return  # libhdf5 could not list them (oracle)
    try:
        hobj = ctx.hf[path]
        hkeys = list(hobj.attrs.keys())
    except Exception:  # noqa: BLE001
        return
    robj, err = _h5rd_call(lambda: ctx.rf[path])
    rkeys = None
    if err is None:
        rkeys, err = _h5rd_call(lambda: list(robj.attrs.keys()))
    if err is None and rkeys != hkeys:
        c.at_compared += len(hkeys)
        c.at_mismatch += len(hkeys)
        c.mismatches.append((fname, "attrs of %s: names %s vs %s" % (path, hkeys, rkeys)))
        return
    for k in hkeys:
        if k in skip:
            continue
        try:
            hv = hobj.attrs[k]
        except Exception:  # noqa: BLE001
            c.at_h5py_fails += 1
            if err is None:
                _h5rd_call(lambda: robj.attrs[k])
            continue
        c.at_compared += 1
        if err is not None:
            c.at_exception += 1
            c.exceptions.append((fname, "attrs of %s: %s: %s" % (path, type(err).__name__, err)))
            continue
        rv, e2 = _h5rd_call(lambda: robj.attrs[k])
        if e2 is not None:
            c.at_exception += 1
            c.exceptions.append((fname, "attr %s of %s: %s: %s" % (k, path, type(e2).__name__,
                                                                     e2)))
            continue
        try:
            same(ctx, hv, rv, "attr %s" % k)
        except Mismatch as m:
            c.at_mismatch += 1
            c.mismatches.append((fname, "attr %s of %s: %s" % (k, path, m)))
            continue
        except H5rdRaised as e:
            c.at_exception += 1
            c.exceptions.append((fname, "attr %s of %s: %s" % (k, path, e)))
            continue
        c.at_identical += 1


def h5py_objects(hf):
    """[(path, kind)] of every object h5py visits (hard links)."""
    objs = [("/", "group")]

    def visit(name, obj):
        kind = "dataset" if isinstance(obj, h5py.Dataset) else (
            "group" if isinstance(obj, h5py.Group) else "datatype")
        objs.append(("/" + name, kind))
    hf.visititems(visit)
    return objs


def compare_file(path, objects=None, seed=0, unreadable=(), attr_skip=None):
    """Compares one file. 'objects': [(path, kind)] to compare (default: h5py's walk);
    'unreadable': dataset paths whose values are not read by h5py (the oracle says libhdf5
    fails or they are large); attr_skip: {path: names} h5py cannot read."""
    c = Counts()
    fname = path
    rng = random.Random("%s:%d" % (os.path.basename(path), seed))
    hf = h5py.File(path, "r")
    try:
        rf, err = _h5rd_call(lambda: h5rd.File(path))
        if err is not None:
            objs = objects if objects is not None else h5py_objects(hf)
            nds = sum(1 for _, k in objs if k == "dataset")
            c.ds_compared += nds
            c.ds_exception += nds
            c.exceptions.append((fname, "open: %s: %s" % (type(err).__name__, err)))
            return c
        ctx = Ctx(hf, rf)
        objs = objects if objects is not None else h5py_objects(hf)
        for p, kind in objs:
            if kind == "dataset":
                compare_dataset(ctx, p, c, fname, rng, read_values=p not in unreadable)
            if kind in ("dataset", "group", "datatype"):
                compare_attrs(ctx, p, c, fname, (attr_skip or {}).get(p, ()))
        rf.close()
    finally:
        try:
            hf.close()
        except Exception:  # noqa: BLE001 - libhdf5 can fail to close a hostile file
            pass
    return c


def h5rd_walk(path, objects):
    """Reads everything h5rd can of a file (no comparison): for the crash check."""
    try:
        f = h5rd.File(path)
    except Exception:  # noqa: BLE001
        return
    for p, kind in objects or [("/", "group")]:
        for fn in (lambda: f[p], lambda: f[p][()], lambda: f[p].attrs.items()):
            try:
                fn()
            except Exception:  # noqa: BLE001
                pass


def _in_child(fn):
    """Runs fn() in a forked child; returns ("ok", value), ("error", text) or ("crash", status)."""
    import pickle
    import traceback
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        try:
            data = pickle.dumps(("ok", fn()))
        except BaseException:  # noqa: BLE001
            data = pickle.dumps(("error", traceback.format_exc()))
        view = memoryview(data)
        while view:
            n = os.write(w, view)
            view = view[n:]
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 1 << 20)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if chunks and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return pickle.loads(b"".join(chunks))
    return ("crash", status)


def compare_file_isolated(path, objects=None, **kw):
    """compare_file in a forked child: libhdf5 (h5py) can crash on hostile files. When the
    child dies, h5rd alone reads the file in a second child: if that dies too, it is h5rd's
    crash (a mismatch); otherwise the file is counted as crashing h5py and not compared."""
    res = _in_child(lambda: compare_file(path, objects, **kw))
    if res[0] == "ok":
        return res[1]
    c = Counts()
    if res[0] == "error":
        c.mismatches.append((path, "harness error: " + res[1]))
        return c
    res2 = _in_child(lambda: h5rd_walk(path, objects))
    if res2[0] == "ok":
        c.files_h5py_crashed += 1
    else:
        c.mismatches.append((path, "h5rd CRASHED (status %r)" % (res2[1],)))
    return c


def oracle_plan(oracle_path):
    """From an oracle JSON: (opened, objects, unreadable datasets, attrs h5py fails on)."""
    with open(oracle_path) as fp:
        d = json.load(fp)
    if not d.get("opened"):
        return False, None, None, None
    objs, unreadable, skip = [], set(), {}
    for o in d.get("objects", []):
        if o["kind"] in ("group", "dataset", "datatype"):
            objs.append((o["path"], o["kind"]))
        if o["kind"] == "dataset" and o.get("readable") is not True:
            unreadable.add(o["path"])
        at = o.get("attrs") or {}
        if "__error__" in at:
            skip[o["path"]] = None  # all
        bad = [k for k, v in at.items() if isinstance(v, dict) and "error" in v]
        if bad:
            skip.setdefault(o["path"], bad)
    # An object whose attribute list libhdf5 could not read: its attributes are not compared.
    return True, objs, unreadable, skip


def main(argv):
    tot = Counts()
    for p in argv:
        c = compare_file(p)
        tot.add(c)
    for f, w in tot.mismatches:
        print("MISMATCH", f, w)
    for f, w in tot.exceptions:
        print("EXCEPTION", f, w)
    print(tot.summary())
    return 1 if tot.ds_mismatch or tot.at_mismatch else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
