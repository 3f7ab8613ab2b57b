"""h5py's reading API (3.7) over the h5rd C layer: File, Group, Dataset, Datatype,
AttributeManager, links, references.

Threads: every read and lookup releases the GIL inside the C layer, and the objects here hold
no mutable state after construction (cached properties are computed at construction or are
idempotent), so one File and its objects may be used from any number of threads at once.
File.close() while other threads read: reads already inside the library finish first (the C
layer closes the library handle when the last one leaves); calls that start after close()
raise ValueError. Objects opened before close() keep working until they are freed (the
library's object handles hold their own reference to the file), unlike h5py, which
invalidates them.
"""

import collections
import os
import posixpath
import threading

import numpy as np

from . import _h5rd
from . import _dtype
from ._errors import H5rdError, NotFoundError, _make_error
from ._sel import select

# ---- threads used by one read ---------------------------------------------------------------
_default_threads = None  # None: automatic (see _read_threads)


def set_default_threads(n):
    """Threads one dataset read may decode with, for Files opened with threads=None.
    None restores the automatic choice: os.cpu_count() (at most 8) for reads made from the
    main thread, 1 for reads made from other threads (a thread pool, Dask's threaded
    scheduler) - those already read in parallel, and one read per core is what scales."""
    global _default_threads
    _default_threads = None if n is None else max(1, int(n))


_NCPU = max(1, min(8, os.cpu_count() or 1))


def _auto_threads():
    if threading.current_thread() is threading.main_thread():
        return _NCPU
    return 1


# ---- small value classes --------------------------------------------------------------------
class Empty:
    """The value of a dataset or attribute with a null dataspace (as h5py.Empty)."""

    shape = None
    size = None

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def __eq__(self, other):
        return isinstance(other, Empty) and self.dtype == other.dtype

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return "Empty(dtype={0!r})".format(self.dtype)


class HardLink:
    """A hard link (h5py.HardLink)."""


class SoftLink:
    """A soft link: its target path (h5py.SoftLink)."""

    def __init__(self, path):
        self._path = str(path)

    @property
    def path(self):
        return self._path

    def __repr__(self):
        return '<SoftLink to "%s">' % self.path


class ExternalLink:
    """An external link: file name and object path (h5py.ExternalLink)."""

    def __init__(self, filename, path):
        self._filename = str(filename)
        self._path = str(path)

    @property
    def path(self):
        return self._path

    @property
    def filename(self):
        return self._filename

    def __repr__(self):
        return '<ExternalLink to "%s" in file "%s"' % (self.path, self.filename)


class UnknownLink:
    """A user-defined link type h5rd lists but does not follow."""


class Reference:
    """An object reference (h5py.h5r.Reference). `f[ref]` opens the object. The target path is
    resolved when the reference is read (None for a null or dangling reference)."""

    typecode = 0

    def __init__(self, path, raw=b"", kind=0):
        self._path = path
        self._raw = bytes(raw)

    @property
    def path(self):
        """Absolute path of the referenced object (h5rd addition), None when none."""
        return self._path

    def __bool__(self):
        return any(self._raw)

    def __eq__(self, other):
        return type(other) is type(self) and other._raw == self._raw

    def __hash__(self):
        return hash((type(self), self._raw))

    def __reduce__(self):
        return (type(self), (self._path, self._raw))

    def __repr__(self):
        return "<HDF5 object reference>" if self else "<HDF5 object reference (null)>"


class RegionReference(Reference):
    """A dataset region reference (h5py.h5r.RegionReference). `f[ref]` opens its dataset;
    reading the region itself (ds[regref]) is not supported."""

    typecode = 1

    def __repr__(self):
        return "<HDF5 region reference>" if self else "<HDF5 region reference (null)>"


_dtype._REF_CLASSES.update({0: Reference, 1: RegionReference})
ref_dtype = np.dtype("O", metadata={"ref": Reference})
regionref_dtype = np.dtype("O", metadata={"ref": RegionReference})


def _ref_factory(path, raw, kind):
    return (RegionReference if kind == 1 else Reference)(path, raw)


StoreInfo = collections.namedtuple("StoreInfo", ("chunk_offset", "filter_mask", "byte_offset",
                                                 "size"))
VDSmap = collections.namedtuple("VDSmap", ("vspace", "file_name", "dset_name", "src_space"))


class VDSSelection:
    """A selection of a VDS mapping (h5py gives a SpaceID; this is its content): kind
    ("hyperslab", "all", "points", "blocks", "none"), and start/stride/count/block (None for
    unlimited) or coords."""

    def __init__(self, d):
        self.__dict__.update(d)

    def __repr__(self):
        return "VDSSelection(%r)" % (self.__dict__,)


# ---- helpers --------------------------------------------------------------------------------
def _join(base, name):
    if name.startswith("/"):
        p = name
    else:
        p = base.rstrip("/") + "/" + name
    parts = [c for c in p.split("/") if c not in ("", ".")]
    return "/" + "/".join(parts)


def _alloc(shape, dtype, path):
    """np.zeros, with a request no memory can hold reported as h5rd's LIMIT error (as the
    library reports a selection beyond limits.max_alloc_nbytes)."""
    try:
        return np.zeros(shape, dtype=dtype)
    except (ValueError, MemoryError, OverflowError):
        raise _make_error(8, "read: the selection does not fit in memory", path, None,
                          "%s x %s" % (shape, dtype), 0) from None


def _to_str(name):
    if isinstance(name, bytes):
        return name.decode("utf-8", "surrogateescape")
    return name


_KIND_GROUP, _KIND_DATASET, _KIND_DATATYPE = 0, 1, 2
_LINK_HARD, _LINK_SOFT, _LINK_EXTERNAL = 0, 1, 64


# ---- objects --------------------------------------------------------------------------------
class HLObject:
    """Common base of Group, Dataset and Datatype."""

    def __init__(self, file, handle, name):
        self._file = file
        self._h = handle
        self._name = name

    @property
    def file(self):
        """The File this object was opened from."""
        return self._file

    @property
    def name(self):
        """Absolute path of the object (the path it was opened by)."""
        return self._name

    @property
    def parent(self):
        return self._file[posixpath.dirname(self._name) or "/"]

    @property
    def attrs(self):
        return AttributeManager(self)

    @property
    def addr(self):
        """Object header address (h5rd addition)."""
        return self._h.addr

    @property
    def comment(self):
        """Object comment, None when there is none (h5rd addition)."""
        return self._h.comment()

    @property
    def ref(self):
        return Reference(self._name, self._h.addr.to_bytes(8, "little"))

    def __eq__(self, other):
        return (isinstance(other, HLObject) and other._file._fh is self._file._fh and
                other._h.addr == self._h.addr and other._h.external == self._h.external)

    def __hash__(self):
        return hash((id(self._file._fh), self._h.addr))

    def __bool__(self):
        return not self._file._fh.closed

    def __reduce__(self):
        # Pickles as (file, object path): reopened by path on unpickling.
        return (_reopen_object, (self._file, self._name))


def _reopen_object(file, name):
    return file[name]


class Group(HLObject):
    """A group: h5py's read-only Group mapping API."""

    def _open(self, name):
        name = _to_str(name)
        path = _join(self._name, name)
        try:
            h = self._file._fh.open(path)
        except NotFoundError as e:
            raise KeyError("Unable to open object (object '%s' doesn't exist)" % name) from e
        return self._file._wrap(h, path)

    def __getitem__(self, name):
        if isinstance(name, Reference):
            return self._file._deref(name)
        if isinstance(name, (str, bytes)):
            if _to_str(name) == "":
                raise ValueError("Empty name is not a valid object name")
            return self._open(name)
        raise TypeError("Accessing a group is done with bytes or str, not %s" % type(name))

    def _links(self):
        return self._h.links()

    def __iter__(self):
        for ln in self._links():
            yield ln[0]

    def __len__(self):
        return len(self._links())

    def __contains__(self, name):
        if isinstance(name, Reference):
            return name._path is not None
        # As h5py: true when the link exists, even when it dangles.
        try:
            path = _join(self._name, _to_str(name))
            if path == "/":
                return True
            parent, last = posixpath.split(path)
            self._file._fh.open(parent or "/").find_link(last)
            return True
        except (H5rdError, ValueError, UnicodeError):
            return False

    def keys(self):
        return [ln[0] for ln in self._links()]

    def values(self):
        return [self.get(k) for k in self.keys()]

    def items(self):
        return [(k, self.get(k)) for k in self.keys()]

    def get(self, name, default=None, getclass=False, getlink=False):
        if not (getclass or getlink):
            try:
                return self[name]
            except KeyError:
                return default
        if not getlink:
            try:
                obj = self[name]
            except KeyError:
                return default
            return type(obj)
        name = _to_str(name)
        path = _join(self._name, name)
        parent, last = posixpath.split(path)
        try:
            ph = self._file._fh.open(parent or "/")
            ln = ph.find_link(last)
        except NotFoundError:
            return default
        if ln[1] == _LINK_HARD:
            return HardLink if getclass else HardLink()
        if ln[1] == _LINK_SOFT:
            return SoftLink if getclass else SoftLink(ln[3])
        if ln[1] == _LINK_EXTERNAL:
            return ExternalLink if getclass else ExternalLink(ln[4], ln[5])
        return UnknownLink if getclass else UnknownLink()

    def visit(self, func):
        """Calls func(name) for each object below this group (each once, hard links only,
        names relative to this group, as H5Ovisit by name); stops at a non-None return."""
        return self.visititems(lambda name, obj: func(name), _need_obj=False)

    def visititems(self, func, _need_obj=True):
        seen = {self._h.addr}
        # Depth-first, names in byte order as libhdf5's name index.
        stack = [(self, "")]
        order = []

        def walk(grp, prefix):
            links = sorted(grp._links(), key=lambda ln: ln[0].encode("utf-8", "surrogateescape"))
            for ln in links:
                if ln[1] != _LINK_HARD:
                    continue
                rel = prefix + ln[0]
                if ln[2] in seen:
                    continue
                seen.add(ln[2])
                obj = self._file._wrap(grp._file._fh.open(_join(grp._name, ln[0])),
                                       _join(grp._name, ln[0]))
                r = func(rel, obj) if _need_obj else func(rel, None)
                if r is not None:
                    return r
                if isinstance(obj, Group):
                    r = walk(obj, rel + "/")
                    if r is not None:
                        return r
            return None

        del stack, order
        return walk(self, "")

    def __repr__(self):
        if not self:
            return "<Closed HDF5 group>"
        return '<HDF5 group "%s" (%d members)>' % (self._name, len(self))


class Datatype(HLObject):
    """A committed (named) datatype."""

    def __init__(self, file, handle, name):
        super().__init__(file, handle, name)
        self._td = handle.type()

    @property
    def dtype(self):
        """The numpy dtype (TypeError where h5py has none, e.g. the time class)."""
        return _dtype.to_dtype(self._td)

    def __repr__(self):
        try:
            t = self.dtype.str
        except TypeError:
            t = "?"
        return '<HDF5 named type "%s" (dtype %s)>' % (self._name, t)


class AttributeManager:
    """obj.attrs: attribute names and values as h5py returns them (scalars as numpy scalars,
    variable-length strings as str, null dataspaces as Empty)."""

    def __init__(self, parent):
        self._parent = parent
        self._h = parent._h

    def _info(self, name):
        try:
            return self._h.attr_info(_to_str(name))
        except NotFoundError as e:
            raise KeyError("Can't open attribute (can't locate attribute: '%s')" % name) from e

    def __getitem__(self, name):
        nm, td, space = self._info(name)
        dtype = _dtype.to_dtype(td)
        kind, dims, _ = space
        if kind == 2:
            return Empty(dtype)
        shape = tuple(dims)
        rdtype = dtype
        if dtype.subdtype is not None:
            sub, subshape = dtype.subdtype
            shape = shape + subshape
            dtype = sub
        arr = _alloc(shape, dtype, self._parent.name)
        self._h.attr_read(_to_str(name), arr, rdtype, _ref_factory)
        si = _dtype.check_string_dtype(dtype)
        if si is not None and si.length is None:
            arr = np.array([b.decode("utf-8", "surrogateescape") for b in arr.flat],
                           dtype=dtype).reshape(arr.shape)
        if arr.ndim == 0:
            return arr[()]
        return arr

    def get_dtype(self, name):
        return _dtype.to_dtype(self._info(name)[1])

    def get_shape(self, name):
        kind, dims, _ = self._info(name)[2]
        return None if kind == 2 else tuple(dims)

    def keys(self):
        return self._h.attr_names()

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def __contains__(self, name):
        try:
            self._h.attr_info(_to_str(name))
            return True
        except NotFoundError:
            return False

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def values(self):
        return [self[k] for k in self.keys()]

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def __repr__(self):
        return "<Attributes of HDF5 object at %d>" % id(self._parent)


class DatasetID:
    """ds.id: the parts of h5py's DatasetID that read (direct chunk access)."""

    def __init__(self, dset):
        self._dset = dset
        self._h = dset._h

    @property
    def shape(self):
        return self._dset.shape

    @property
    def rank(self):
        return self._dset.ndim

    @property
    def dtype(self):
        return self._dset.dtype

    def get_num_chunks(self, space=None):
        return self._h.nchunks()

    def get_chunk_info(self, index, space=None):
        off, mask, addr, size = self._h.chunk(index)
        return StoreInfo(off, mask, addr, size)

    def get_chunk_info_by_coord(self, chunk_offset):
        try:
            off, mask, addr, size = self._h.find_chunk(tuple(chunk_offset))
        except NotFoundError:
            return StoreInfo(tuple(chunk_offset), 0, None, 0)
        return StoreInfo(off, mask, addr, size)

    def read_direct_chunk(self, offsets, filter_mask=None, dxpl=None):
        """(filter_mask, bytes) of the stored chunk at 'offsets' (h5py's read_direct_chunk)."""
        return self._h.read_chunk_raw(tuple(offsets))


class _FieldsWrapper:
    def __init__(self, dset, prior_dtype, names):
        self._dset = dset
        self.extract_field = None
        if isinstance(names, str):
            self.extract_field = names
            names = [names]
        if prior_dtype.names is None:
            raise ValueError("Field names only allowed for compound types")
        for n in names:
            if n not in prior_dtype.names:
                raise ValueError("Field %s does not appear in this type." % n)
        self.read_dtype = np.dtype([(n, prior_dtype.fields[n][0]) for n in names])

    def __getitem__(self, args):
        data = self._dset.__getitem__(args, new_dtype=self.read_dtype)
        if self.extract_field is not None:
            data = data[self.extract_field]
        return data

    def __len__(self):
        return len(self._dset)


class _AstypeWrapper:
    def __init__(self, dset, dtype):
        self._dset = dset
        self._dtype = np.dtype(dtype)

    def __getitem__(self, args):
        return self._dset.__getitem__(args, new_dtype=self._dtype)

    def __array__(self, dtype=None):
        return np.asarray(self[()], dtype=dtype)

    def __len__(self):
        return len(self._dset)


class _AsStrWrapper:
    def __init__(self, dset, encoding, errors="strict"):
        self._dset = dset
        if encoding is None:
            encoding = _dtype.check_string_dtype(dset.dtype).encoding
        self.encoding = encoding
        self.errors = errors

    def __getitem__(self, args):
        b = self._dset[args]
        if np.isscalar(b):
            return b.decode(self.encoding, self.errors)
        return np.array([x.decode(self.encoding, self.errors) for x in b.flat],
                        dtype=object).reshape(b.shape)

    def __len__(self):
        return len(self._dset)


_COMP_NAMES = {1: "gzip", 4: "szip", 2: "shuffle", 3: "fletcher32", 32000: "lzf",
               6: "scaleoffset"}


class Dataset(HLObject):
    """A dataset: h5py's reading API."""

    def __init__(self, file, handle, name):
        super().__init__(file, handle, name)
        kind, dims, maxdims = handle.space()
        self._null = kind == 2
        self._shape = None if self._null else tuple(dims)
        self._maxshape = None if self._null else tuple(maxdims)
        self._td = handle.type()
        self._dtype_err = None
        try:
            self._dtype = _dtype.to_dtype(self._td)
        except (TypeError, ValueError) as e:
            self._dtype = None
            self._dtype_err = e
        self._layout = handle.layout()

    # ---- metadata ----
    @property
    def id(self):
        return DatasetID(self)

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        if self._dtype is None:
            raise TypeError(str(self._dtype_err))
        return self._dtype

    @property
    def ndim(self):
        return 0 if self._shape is None else len(self._shape)

    @property
    def size(self):
        if self._shape is None:
            return None
        n = 1
        for d in self._shape:
            n *= d
        return n

    @property
    def nbytes(self):
        s = self.size
        return 0 if s is None else s * self.dtype.itemsize

    @property
    def maxshape(self):
        return self._maxshape

    @property
    def chunks(self):
        if self._layout["cls"] == 2:
            return tuple(self._layout["chunk_dims"])
        return None

    @property
    def is_virtual(self):
        return self._layout["cls"] == 3

    @property
    def layout(self):
        """Storage layout as a dict (h5rd addition)."""
        return dict(self._layout)

    @property
    def _filters(self):
        pipeline = {}
        for code, _flags, _name, vals in self._h.filters():
            vals = tuple(vals)
            if code == 1:
                vals = vals[0] if vals else None
            elif code == 4:
                mask, pixels = (vals + (0, 0))[0:2]
                mask = "ec" if mask & 4 else ("nn" if mask & 32 else mask)
                vals = (mask, pixels)
            elif code == 32000:
                vals = None
            elif len(vals) == 0:
                vals = None
            pipeline[_COMP_NAMES.get(code, str(code))] = vals
        return pipeline

    @property
    def filters(self):
        """[(id, flags, name, client values)] of the filter pipeline (h5rd addition)."""
        return self._h.filters()

    @property
    def compression(self):
        f = self._filters
        for x in ("gzip", "lzf", "szip"):
            if x in f:
                return x
        return None

    @property
    def compression_opts(self):
        return self._filters.get(self.compression, None)

    @property
    def shuffle(self):
        return "shuffle" in self._filters

    @property
    def fletcher32(self):
        return "fletcher32" in self._filters

    @property
    def scaleoffset(self):
        f = self._filters
        if "scaleoffset" in f:
            v = f["scaleoffset"]
            return v[1] if v and len(v) > 1 else None
        return None

    @property
    def fillvalue(self):
        dt = self.dtype
        arr = np.zeros((1,), dtype=dt)
        _at, _ft, _defined, value = self._h.fill()
        if value is not None and not dt.hasobject and len(value) == dt.itemsize:
            arr = np.frombuffer(value, dtype=dt).copy()
        return arr[0]

    def __len__(self):
        return self.len()

    def len(self):
        if not self._shape:
            raise TypeError("Attempt to take len() of scalar dataset")
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise TypeError("Can't iterate over a scalar dataset")
        for i in range(self._shape[0]):
            yield self[i]

    def __repr__(self):
        if not self:
            return "<Closed HDF5 dataset>"
        try:
            t = self.dtype.str
        except TypeError:
            t = "?"
        return '<HDF5 dataset "%s": shape %s, type "%s">' % (
            posixpath.basename(self._name) or "/", self._shape, t)

    # ---- reading ----
    def _memtype(self, dtype):
        """(cls, size, signed) when h5rd converts to 'dtype' itself (astype to a number)."""
        if self._td["cls"] not in (_dtype.CLS_INTEGER, _dtype.CLS_FLOAT, _dtype.CLS_BITFIELD):
            return None
        if dtype.kind in "iu" and dtype.itemsize in (1, 2, 4, 8):
            return (1, dtype.itemsize, 1 if dtype.kind == "i" else 0)
        if dtype.kind == "f" and dtype.itemsize in (2, 4, 8):
            return (2, dtype.itemsize, 1)
        return None

    def _read_into(self, out, dtype, sel):
        """Reads the selection (None: all) into the C-contiguous array 'out'."""
        start = step = count = points = None
        if sel is not None:
            if sel.points is not None:
                points = sel.points
            else:
                start, step, count = sel.start, sel.step, sel.count
        nthreads = self._file._threads_for_read()
        memtype = None
        if dtype != self._dtype:
            memtype = self._memtype(dtype)
            if memtype is not None:
                native = dtype.newbyteorder("=")
                self._h.read(out.view(native) if native != dtype else out, native, start, step,
                             count, points, nthreads, _ref_factory, memtype)
                if native != dtype:
                    out.view(native).byteswap(inplace=True)
                return
            if dtype.names is None or self._dtype.names is None:
                # A conversion h5rd does not do itself: read as h5py's dtype, then numpy's.
                tmp = np.zeros(out.shape, dtype=self._dtype)
                self._read_into(tmp, self._dtype, sel)
                out[...] = tmp.astype(dtype)
                return
        self._h.read(out, dtype, start, step, count, points, nthreads, _ref_factory, None)

    def __getitem__(self, args, new_dtype=None):
        args = args if isinstance(args, tuple) else (args,)
        if self._null:
            if args == () or (len(args) == 1 and args[0] is Ellipsis):
                return Empty(self.dtype)
            raise ValueError("Empty datasets cannot be sliced")
        names = tuple(x for x in args if isinstance(x, str))
        if names:
            if len(names) == 1:
                names = names[0]
            args = tuple(x for x in args if not isinstance(x, str))
            return self.fields(names, _prior_dtype=new_dtype)[args]
        if new_dtype is None:
            new_dtype = self.dtype
        new_dtype = np.dtype(new_dtype)
        if len(args) == 1 and isinstance(args[0], RegionReference):
            raise NotImplementedError("h5rd does not read dataset regions of region references")
        if self.size == 0 and (args == () or (len(args) == 1 and args[0] is Ellipsis)):
            return np.zeros(self._shape, dtype=new_dtype)
        if self._shape == ():
            if args == ():
                mshape = None
            elif len(args) == 1 and args[0] is Ellipsis:
                mshape = ()
            else:
                raise ValueError("Illegal slicing argument for scalar dataspace")
            arr = np.zeros((), dtype=new_dtype)
            self._read_into(arr, new_dtype, None)
            return arr[()] if mshape is None else arr
        sel = select(self._shape, args)
        if sel.nselect == 0:
            return np.zeros(sel.array_shape, dtype=new_dtype)
        arr = _alloc(sel.array_shape, new_dtype, self._name)
        self._read_into(arr, new_dtype, sel)
        if arr.shape == ():
            return arr[()]
        return arr

    def read_direct(self, dest, source_sel=None, dest_sel=None):
        """Reads into an existing array (h5py's read_direct): source_sel and dest_sel are
        index expressions (e.g. np.s_[0:10])."""
        if self._null:
            raise TypeError("Cannot read from an empty dataset")
        src = self[source_sel if source_sel is not None else ()]
        if dest_sel is None:
            dest_sel = ()
        dest[dest_sel] = src

    def astype(self, dtype):
        """ds.astype('f4')[...]: read converted (numbers as libhdf5 converts them)."""
        return _AstypeWrapper(self, dtype)

    def asstr(self, encoding=None, errors="strict"):
        if _dtype.check_string_dtype(self.dtype) is None:
            raise TypeError("dset.asstr() can only be used on datasets with an HDF5 string "
                            "datatype")
        return _AsStrWrapper(self, encoding, errors)

    def fields(self, names, *, _prior_dtype=None):
        if _prior_dtype is None:
            _prior_dtype = self.dtype
        return _FieldsWrapper(self, _prior_dtype, names)

    def __array__(self, dtype=None):
        arr = _alloc(self._shape if self._shape is not None else (), self.dtype, self._name)
        if self.size:
            self._read_into(arr, self.dtype, None)
        return arr if dtype is None else arr.astype(dtype)

    def iter_chunks(self, sel=None):
        return _ChunkIterator(self, sel)

    # ---- h5rd additions ----
    def chunk_table(self):
        """All allocated chunks in one call: a structured array with fields offset (u8,
        rank), addr (u8), size (u8), filter_mask (u4), in chunk-index order."""
        rank = self.ndim
        dt = np.dtype({"names": ["offset", "addr", "size", "filter_mask"],
                       "formats": [np.dtype(("<u8", (rank,))), "<u8", "<u8", "<u4"],
                       "offsets": [0, rank * 8, rank * 8 + 8, rank * 8 + 16],
                       "itemsize": rank * 8 + 20})
        n = self._h.nchunks()
        out = np.zeros(n, dtype=dt)
        self._h.chunk_table(out)
        return out

    def vds_mappings(self):
        """The mappings of a virtual dataset as dicts (file, dataset, vspace, srcspace,
        is_printf, sources), as `h5rd vds` shows them."""
        return self._h.vds_mappings()

    def virtual_sources(self):
        """h5py's VDSmap list: vspace and src_space are VDSSelection objects (h5py gives
        SpaceIDs)."""
        if not self.is_virtual:
            raise RuntimeError("Not a virtual dataset")
        return [VDSmap(VDSSelection(m["vspace"]), m["file"], m["dataset"],
                       VDSSelection(m["srcspace"])) for m in self._h.vds_mappings()]


class _ChunkIterator:
    """h5py's ChunkIterator: the slices of each chunk-grid cell within a region."""

    def __init__(self, dset, source_sel=None):
        self._shape = dset.shape
        rank = len(self._shape)
        if not dset.chunks:
            raise TypeError("Chunked dataset required")
        self._layout = dset.chunks
        if source_sel is None:
            self._sel = tuple(slice(0, self._shape[d]) for d in range(rank))
        else:
            self._sel = (source_sel,) if isinstance(source_sel, slice) else tuple(source_sel)
        if len(self._sel) != rank:
            raise ValueError("Invalid selection - selection region must have same rank as "
                             "dataset")
        self._chunk_index = []
        for dim in range(rank):
            s = self._sel[dim]
            if s.start < 0 or s.stop > self._shape[dim] or s.stop <= s.start:
                raise ValueError("Invalid selection - selection region must be within dataset "
                                 "space")
            self._chunk_index.append(s.start // self._layout[dim])

    def __iter__(self):
        return self

    def __next__(self):
        rank = len(self._shape)
        if rank == 0 or self._chunk_index[0] * self._layout[0] >= self._sel[0].stop:
            raise StopIteration()
        slices = []
        for dim in range(rank):
            s = self._sel[dim]
            start = max(self._chunk_index[dim] * self._layout[dim], s.start)
            stop = min((self._chunk_index[dim] + 1) * self._layout[dim], s.stop)
            slices.append(slice(start, stop, 1))
        dim = rank - 1
        while dim >= 0:
            s = self._sel[dim]
            self._chunk_index[dim] += 1
            if self._chunk_index[dim] * self._layout[dim] < s.stop:
                return tuple(slices)
            if dim > 0:
                self._chunk_index[dim] = s.start // self._layout[dim]
            dim -= 1
        return tuple(slices)


class File(Group):
    """An HDF5 file opened read-only: h5rd.File(path) or h5rd.File(bytes/buffer/file object).

    Options: threads (decoding threads per read; None: see set_default_threads),
    skip_checksums, no_mmap, chunk_cache_nbytes (also accepted as h5py's rdcc_nbytes).
    Other h5py keywords (driver, libver, locking, swmr, ...) are accepted and ignored."""

    def __init__(self, name, mode="r", *, threads=None, skip_checksums=False, no_mmap=False,
                 chunk_cache_nbytes=None, rdcc_nbytes=None, **kwds):
        if mode not in ("r", None):
            raise ValueError("h5rd opens files read-only (mode 'r'), not %r" % (mode,))
        if chunk_cache_nbytes is None:
            chunk_cache_nbytes = rdcc_nbytes
        self._opts = dict(threads=threads, skip_checksums=bool(skip_checksums),
                          no_mmap=bool(no_mmap), chunk_cache_nbytes=chunk_cache_nbytes)
        flags = ((_h5rd.OPEN_SKIP_CHECKSUMS if skip_checksums else 0) |
                 (_h5rd.OPEN_NO_MMAP if no_mmap else 0))
        cache = -1 if chunk_cache_nbytes is None else int(chunk_cache_nbytes)
        self._image = None
        if isinstance(name, (bytes, bytearray, memoryview)):
            self._image = name
            self.filename = "<memory>"
            fh = _h5rd.open_memory(name, flags, cache)
        elif hasattr(name, "read") and hasattr(name, "seek"):
            name.seek(0)
            self._image = name.read()
            self.filename = getattr(name, "name", "<file object>")
            fh = _h5rd.open_memory(self._image, flags, cache)
        else:
            self.filename = os.fsdecode(name)
            fh = _h5rd.open_file(self.filename, flags, cache)
            self._abspath = os.path.abspath(self.filename)
        self._fh = fh
        self.mode = "r"
        root = fh.open("/")
        super().__init__(self, root, "/")

    def _threads_for_read(self):
        t = self._opts["threads"]
        if t is None:
            t = _default_threads
        if t is None:
            t = _auto_threads()
        return int(t)

    def _wrap(self, h, path):
        k = h.kind
        if k == _KIND_GROUP:
            return Group(self, h, path)
        if k == _KIND_DATASET:
            return Dataset(self, h, path)
        return Datatype(self, h, path)

    def _deref(self, ref):
        if not isinstance(ref, Reference):
            raise TypeError("not a reference")
        if ref._path is None:
            raise ValueError("Invalid HDF5 object reference")
        return self._wrap(self._fh.open(ref._path), ref._path)

    @property
    def file(self):
        return self

    @property
    def parent(self):
        return self

    @property
    def id(self):
        return self._fh

    @property
    def info(self):
        """Superblock facts (h5rd addition)."""
        return self._fh.info()

    def close(self):
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        if self._fh.closed:
            return "<Closed HDF5 file>"
        return '<HDF5 file "%s" (mode r)>' % os.path.basename(self.filename)

    def __reduce__(self):
        # (file path or image bytes, options): reopened on unpickling.
        if self._image is not None:
            return (_reopen_file, (bytes(self._image), self._opts))
        return (_reopen_file, (self._abspath, self._opts))


def _reopen_file(name, opts):
    return File(name, "r", **opts)
