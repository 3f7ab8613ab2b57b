"""xarray backend reading netCDF-4 and plain HDF5 files through h5rd.

    import xarray as xr
    from h5rd.xarray import H5rdBackendEntrypoint
    ds = xr.open_dataset("file.nc", engine=H5rdBackendEntrypoint)  # engine="h5rd" if installed

The result is the Dataset that ``engine="h5netcdf"`` gives (h5netcdf 1.1 with xarray 2023.01):
the netCDF-4 data model is rebuilt from the HDF5 objects exactly as h5netcdf does it (its
``core.py``/``dimensions.py``/``attrs.py`` are the reference for every rule below), then xarray's
own CF decoding (``StoreBackendEntrypoint``: mask_and_scale, decode_times, ...) runs unchanged.
The difference is underneath: values come from h5rd, which releases the GIL while it reads and
decodes and needs no lock, so Dask-backed datasets (``chunks=...``) read on every core; the
h5netcdf engine serialises every read behind xarray's HDF5_LOCK (libhdf5 is not thread-safe).

netCDF-4 on HDF5 (https://docs.unidata.ucar.edu/netcdf-c/current/file_format_specifications.html):
a dimension is a dataset carrying ``CLASS="DIMENSION_SCALE"``; a variable's dimensions are the
scales its ``DIMENSION_LIST`` attribute references (one vlen of object references per axis); a
dimension without a coordinate variable is a scale whose ``NAME`` starts with NOT_A_VARIABLE;
a multi-dimensional coordinate variable lists its dimension ids in ``_Netcdf4Coordinates``; a
variable named like a dimension it does not use is stored as ``_nc4_non_coord_<name>``.
Datasets without scales get h5netcdf's "phony" dimensions (``phony_dims="sort"|"access"``).
"""
import os
from collections import ChainMap, Counter, OrderedDict

import numpy as np

from xarray.backends.common import AbstractDataStore, BackendArray, BackendEntrypoint
from xarray.backends.file_manager import CachingFileManager, DummyFileManager
from xarray.backends.store import StoreBackendEntrypoint
from xarray.core import indexing
from xarray.core.utils import FrozenDict
from xarray.core.variable import Variable

__all__ = ["H5rdBackendEntrypoint", "H5rdDataStore", "H5rdArrayWrapper"]

# h5netcdf/attrs.py: attributes that carry the netCDF-4 / dimension-scale machinery, never
# shown as user attributes.
_HIDDEN_ATTRS = frozenset([
    "REFERENCE_LIST", "CLASS", "DIMENSION_LIST", "NAME", "_Netcdf4Dimid",
    "_Netcdf4Coordinates", "_nc3_strict", "_NCProperties",
])
# netcdf-c marks a dimension scale that is only a dimension (no coordinate variable) with this
# NAME prefix (followed by the length); h5netcdf core.py NOT_A_VARIABLE.
_NOT_A_VARIABLE = b"This is a netCDF dimension but not a netCDF variable."
_NON_COORD = "_nc4_non_coord_"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"

# Set by tests/development to open files with something else than h5rd.File (h5py.File has the
# same reading API); None means h5rd.File.
_OPENER = None


def _default_opener():
    if _OPENER is not None:
        return _OPENER
    import h5rd
    return h5rd.File


def _join(parent, child):
    return "/".join([parent.rstrip("/"), child.lstrip("/")])


def _is_group(obj):
    return hasattr(obj, "keys") and hasattr(obj, "visititems")


def _is_dataset(obj):
    return hasattr(obj, "shape") and hasattr(obj, "dtype") and hasattr(obj, "chunks")


def _bytes_eq(value, text):
    # h5py returns fixed-length string attributes as numpy bytes; accept str too
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value) == text.encode()
    return isinstance(value, str) and value == text


def _vlen_kind(dtype):
    """h5py.check_vlen_dtype without h5py: the base of a vlen dtype (str/bytes/dtype) or None."""
    md = getattr(dtype, "metadata", None) or {}
    return md.get("vlen")


def _string_info(dtype):
    """h5py.check_string_dtype: (encoding, length or None) for string dtypes, else None."""
    vk = _vlen_kind(dtype)
    if vk is str:
        return ("utf-8", None)
    if vk is bytes:
        return ("ascii", None)
    if dtype.kind == "S":
        md = dtype.metadata or {}
        return (md.get("h5py_encoding", "ascii"), dtype.itemsize)
    return None


def _is_empty(value):
    # h5py.Empty / h5rd.Empty: an attribute with a null dataspace
    return type(value).__name__ == "Empty" and hasattr(value, "dtype")


def _raw_attr_dtype(attrs, key, value):
    """The attribute's stored dtype (h5netcdf asks h5py's low-level get_id(key).dtype, h5rd has
    attrs.get_dtype(key)): a scalar fixed-length string comes back as numpy bytes whose length
    lost the padding, and "S1" (kept as bytes) must be told from longer strings (decoded)."""
    get_id = getattr(attrs, "get_id", None)
    if get_id is not None:
        try:
            return get_id(key).dtype
        except Exception:
            pass
    get_dtype = getattr(attrs, "get_dtype", None)  # h5rd's AttributeManager
    if get_dtype is not None:
        try:
            return get_dtype(key)
        except Exception:
            pass
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        if isinstance(value, np.bytes_):
            # length unknown: a value longer than one byte is certainly a length > 1 string;
            # one byte or less is taken as "S1" (netCDF's NC_CHAR), the usual case
            return np.dtype("S%d" % max(1, len(value)))
        return value.dtype
    if isinstance(value, str):
        return np.dtype("O", metadata={"vlen": str})
    if isinstance(value, bytes):
        return np.dtype("O", metadata={"vlen": bytes})
    return np.asarray(value).dtype


def _read_attrs(h5obj):
    """h5netcdf Attributes.__getitem__ for every visible attribute, then xarray's
    _read_attributes (bytes decoded as UTF-8 except _FillValue / missing_value)."""
    h5attrs = h5obj.attrs
    out = {}
    for key in h5attrs:
        if key in _HIDDEN_ATTRS:
            continue
        output = h5attrs[key]
        if _is_empty(output):
            si = _string_info(output.dtype)
            if si and si[1] == 1:
                output = b""
            else:
                output = np.array([], dtype=output.dtype)
        else:
            si = _string_info(_raw_attr_dtype(h5attrs, key, output))
            if si is not None:
                encoding, length = si
                # "S1" char arrays stay bytes (netCDF NC_CHAR), longer fixed strings decode
                if length is not None and length > 1:
                    if np.isscalar(output):
                        output = output.decode(encoding, "surrogateescape")
                    else:
                        output = [b.decode(encoding, "surrogateescape") for b in output.flat]
                elif not np.isscalar(output):
                    output = output.tolist()
            # a one-element array is returned as its element (netcdf4-python does the same)
            if not np.isscalar(output) and len(output) == 1:
                output = output[0]
        if key not in ("_FillValue", "missing_value") and isinstance(output, bytes):
            output = output.decode("utf-8")
        out[key] = output
    return out


def _num_scales(h5ds):
    """Per axis, how many dimension scales are attached (H5DSget_num_scales: the length of the
    axis's entry of DIMENSION_LIST, 0 without the attribute)."""
    rank = len(h5ds.shape)
    dl = h5ds.attrs.get("DIMENSION_LIST", None) if "DIMENSION_LIST" in h5ds.attrs else None
    if dl is None:
        return [0] * rank
    return [len(dl[i]) if i < len(dl) else 0 for i in range(rank)]


def _unlabeled_dimension_mix(h5ds):
    """h5netcdf core._unlabeled_dimension_mix."""
    if not _is_dataset(h5ds) or len(h5ds.shape) == 0:  # h5py: no .dims, or no axes
        return "nodim"
    dimset = set(_num_scales(h5ds))
    if dimset ^ {0} == set():
        return "unlabeled"
    if dimset & {0}:
        name = h5ds.name.split("/")[-1]
        raise ValueError("malformed variable {0} has mixing of labeled and "
                         "unlabeled dimensions.".format(name))
    return "labeled"


def _dimension_but_not_variable(attrs):
    if "NAME" not in attrs:
        return False
    name = attrs["NAME"]
    if isinstance(name, str):
        name = name.encode("utf-8", "surrogateescape")
    try:
        return _NOT_A_VARIABLE in bytes(name)
    except TypeError:
        return False


def _object_key(obj):
    """Identity of the object behind a group (h5rd: its header address; h5py: its id), None
    when unknown. h5rd gives objects reached through an external link the address in their
    own file but not which file (their .file is the file the path started from), so those
    are not compared."""
    addr = getattr(obj, "addr", None)
    if addr is not None:
        if getattr(getattr(obj, "_h", None), "external", False):
            return None
        return ("addr", addr)
    try:
        return ("id", hash(obj.id))
    except Exception:
        return None


def _group_items(h5group, h5path):
    """h5group.items() in the order h5netcdf sees them. h5netcdf reaches every group, the root
    too, as h5py_file[path]: an h5py Group lists its links by creation order when the group
    tracks it (netCDF-4 files do), whereas the h5py File object, and so h5rd for the root
    (include/h5rd.h, h5rd_links), lists the root by name. The order decides dimension ids and
    phony dimension names, so the root is re-sorted by creation order here."""
    links = getattr(h5group, "_links", None)
    if h5path == "/" and links is not None:
        try:
            lst = links()
        except Exception:
            lst = None
        if lst and all(ln[-1] is not None and ln[-1] >= 0 for ln in lst):
            names = [ln[0] for ln in sorted(lst, key=lambda ln: ln[-1])]
            return [(k, h5group.get(k)) for k in names]
    return list(h5group.items())


class _Dimension(object):
    """h5netcdf.dimensions.Dimension, reading only."""

    def __init__(self, group, name, size=None, phony=False):
        root = group._root
        self._root = root
        self._phony = phony
        self._h5path = _join(group._h5path, name)
        self._name = name
        self._size = 0 if size is None else size
        if phony:
            root._phony_dim_count += 1
        else:
            root._max_dim_id += 1
        # ids of dimensions without _Netcdf4Dimid follow creation order, root first
        self._dimensionid = root._max_dim_id
        self._h5ds_cache = None
        self._size_cache = None

    @property
    def _h5ds(self):
        if self._phony:
            return None
        if self._h5ds_cache is None:
            self._h5ds_cache = self._root._h5file[self._h5path]
        return self._h5ds_cache

    @property
    def name(self):
        if self._phony:
            return self._name
        return self._h5ds.name.split("/")[-1]

    def isunlimited(self):
        if self._phony:
            return False
        return tuple(self._h5ds.maxshape) == (None,)

    def __len__(self):
        if self._phony:
            return self._size
        return self._h5ds.shape[0]

    @property
    def size(self):
        # read-only file: computed once (h5netcdf recomputes it for every variable's shape)
        if self._size_cache is None:
            self._size_cache = self._compute_size()
        return self._size_cache

    def _compute_size(self):
        size = len(self)
        if self.isunlimited():
            # netCDF: an unlimited dimension is as long as the longest variable using it
            attrs = self._h5ds.attrs
            reflist = attrs.get("REFERENCE_LIST", None) if "REFERENCE_LIST" in attrs else None
            if reflist is not None:
                for ref, axis in reflist:
                    var = self._root._h5file[ref]
                    size = max(var.shape[axis], size)
        return size

    @property
    def _dimid(self):
        if self._phony:
            return False
        attrs = self._h5ds.attrs
        return attrs["_Netcdf4Dimid"] if "_Netcdf4Dimid" in attrs else self._dimensionid


class _Variable(object):
    """h5netcdf.core.Variable, reading only."""

    def __init__(self, group, h5name):
        self._group = group
        self._root = group._root
        self._h5path = _join(group._h5path, h5name)
        self._h5ds = self._root._h5file[self._h5path]
        self._dimensions = None

    @property
    def name(self):
        return self._h5ds.name.replace(_NON_COORD, "")

    def _lookup_dimensions(self):
        h5ds = self._h5ds
        attrs = h5ds.attrs
        group = self._group
        # a (multi-dimensional) coordinate variable: dims by their netCDF ids
        if "_Netcdf4Coordinates" in attrs and "CLASS" in attrs and _bytes_eq(
                attrs["CLASS"], "DIMENSION_SCALE"):
            order_dim = {value._dimid: key for key, value in group._all_dimensions.items()}
            return tuple(order_dim[cid] for cid in attrs["_Netcdf4Coordinates"])
        if "DIMENSION_LIST" in attrs:
            if _unlabeled_dimension_mix(h5ds) == "labeled":
                # several scales on one axis: the last one, as netcdf-c and netCDF4-python
                return tuple(self._root._h5file[refs[-1]].name.split("/")[-1]
                             for refs in list(attrs["DIMENSION_LIST"]))
        child_name = h5ds.name.split("/")[-1]
        if child_name in group._all_dimensions:
            return (child_name,)
        dims = []
        phony_dims = Counter()
        for axis, nscales in enumerate(_num_scales(h5ds)):
            if nscales:  # only reachable when DIMENSION_LIST is absent: never
                refs = attrs["DIMENSION_LIST"][axis]
                name = self._root._h5file[refs[0]].name.split("/")[-1]
            else:
                if self._root._phony_dims_mode is None:
                    raise ValueError(
                        "variable %r has no dimension scale associated with axis %s. \n"
                        "Use phony_dims=%r for sorted naming or phony_dims=%r for per "
                        "access naming." % (self.name, axis, "sort", "access"))
                dimsize = h5ds.shape[axis]
                # phony dims are looked up in the current group only, by size, in order
                dim_names = [d.name for d in group._all_dimensions.maps[0].values()
                             if d.size == dimsize]
                name = dim_names[phony_dims[dimsize]].split("/")[-1]
                phony_dims[dimsize] += 1
            dims.append(name)
        return tuple(dims)

    @property
    def dimensions(self):
        if self._dimensions is None:
            self._dimensions = self._lookup_dimensions()
        return self._dimensions

    @property
    def shape(self):
        # the dimensions' sizes, which for unlimited ones can exceed the dataset's own
        return tuple(self._group._all_dimensions[d].size for d in self.dimensions)

    @property
    def dtype(self):
        return self._h5ds.dtype

    def read(self, key):
        """self[key] for a tuple of ints and slices (h5netcdf Variable.__getitem__)."""
        h5ds = self._h5ds
        si = _string_info(h5ds.dtype)
        if self._root.decode_vlen_strings and si and si[1] is None:
            return h5ds.asstr()[key]
        if h5ds.dtype.kind in "fiu":
            shape = self.shape
            h5shape = tuple(h5ds.shape)
            if shape != h5shape:
                # the dataset is shorter than its (unlimited) dimension: h5netcdf pads with
                # the dataset's fill value
                fv = h5ds.dtype.type(h5ds.fillvalue)
                pad = [(0, max(0, d0 - d1)) for d0, d1 in zip(shape, h5shape)]
                return np.pad(h5ds[()], pad_width=pad, mode="constant",
                              constant_values=fv)[key]
        return h5ds[key]


class _Group(object):
    """h5netcdf.core.Group, reading only: dimensions, variables and child groups of one HDF5
    group, in the HDF5 group's iteration order."""

    def __init__(self, root, parent, h5path):
        self._root = root
        self._h5path = h5path
        self._dimensions = OrderedDict()
        if parent is None:
            self._all_dimensions = ChainMap(self._dimensions)
        else:
            self._all_dimensions = parent._all_dimensions.new_child(self._dimensions)
        self._variables = OrderedDict()
        self._groups = OrderedDict()
        h5group = root._h5file[h5path]
        self._h5group = h5group
        mode = root._phony_dims_mode
        phony_dims = Counter()
        for k, v in _group_items(h5group, h5path):
            if _is_group(v):
                self._groups[k] = None
                continue
            attrs = v.attrs
            if "CLASS" in attrs and _bytes_eq(attrs["CLASS"], "DIMENSION_SCALE"):
                self._dimensions[k] = _Dimension(self, k)
            elif mode is not None:
                if _unlabeled_dimension_mix(v) == "unlabeled":
                    phony_dims |= Counter(v.shape)
            if not _dimension_but_not_variable(attrs) and _is_dataset(v):
                self._variables[k] = None
        if mode is not None:
            labeled = Counter([d.size for d in self._dimensions.values()
                               if not d._phony and not d.isunlimited()])
            for size, cnt in phony_dims.items():
                for _ in range(labeled[size], cnt):
                    n = root._phony_dim_count
                    if mode == "sort":
                        n += root._max_dim_id + 1
                    name = "phony_dim_{}".format(n)
                    self._dimensions[name] = _Dimension(self, name, size, phony=True)

    @property
    def name(self):
        return self._h5group.name

    @property
    def dimensions(self):
        return self._dimensions

    @property
    def attrs(self):
        return _read_attrs(self._h5group)

    @property
    def groups(self):
        return self._groups

    def group(self, name):
        if name not in self._groups:
            raise KeyError(name)
        if self._groups[name] is None:
            self._groups[name] = _Group(self._root, self, _join(self._h5path, name))
        return self._groups[name]

    def variable_names(self):
        return [k.replace(_NON_COORD, "") for k in self._variables]

    def variable(self, name):
        key = name
        if key not in self._variables and _NON_COORD + key in self._variables:
            key = _NON_COORD + key
        if self._variables[key] is None:
            self._variables[key] = _Variable(self, key)
        return self._variables[key]


class _NcFile(object):
    """The root of one opened file: the h5rd.File plus h5netcdf's per-file counters (dimension
    ids and phony-dimension numbers follow the order groups are first visited)."""

    def __init__(self, source, mode="r", phony_dims=None, decode_vlen_strings=True):
        if mode != "r":
            raise ValueError("h5rd reads only (mode=%r)" % (mode,))
        if phony_dims not in (None, "sort", "access"):
            raise ValueError("unknown value %r for phony_dims\nUse phony_dims=%r for sorted "
                             "naming, phony_dims=%r for per access naming."
                             % (phony_dims, "sort", "access"))
        opener = _default_opener()
        if isinstance(source, (str, os.PathLike)):
            self._h5file = opener(os.fspath(source), "r")
        else:
            self._h5file = opener(source)
        self._phony_dims_mode = phony_dims
        self.decode_vlen_strings = decode_vlen_strings
        self._max_dim_id = -1
        self._phony_dim_count = 0
        self._h5path = "/"
        try:
            self._rootgroup = _Group(self, None, "/")
            if phony_dims == "sort":
                # h5netcdf visits every group up front so phony names do not depend on
                # which group is opened
                # (hard links can make the group graph cyclic: h5netcdf then recurses until
                # it runs out of stack; say what is wrong instead)
                def visit(g, ancestors):
                    key = _object_key(g._h5group)
                    if key is not None and key in ancestors:
                        raise ValueError(
                            "group %s is its own ancestor (a hard-link cycle): "
                            "phony_dims='sort' must visit every group; use "
                            "phony_dims='access' or open a group= below the cycle" % g._h5path)
                    if key is not None:
                        ancestors = ancestors | {key}
                    for name in list(g.groups):
                        visit(g.group(name), ancestors)
                visit(self._rootgroup, frozenset())
        except BaseException:
            self.close()
            raise

    def group(self, path):
        g = self._rootgroup
        if path in (None, "", "/"):
            return g
        if not isinstance(path, str):
            raise ValueError("group must be a string or None")
        for key in path.strip("/").split("/"):
            try:
                g = g.group(key)
            except KeyError as e:
                raise OSError("group not found: %s" % key, e)
        return g

    @property
    def filename(self):
        return getattr(self._h5file, "filename", None)

    def close(self):
        f = getattr(self, "_h5file", None)
        if f is not None:
            self._h5file = None
            f.close()


class H5rdArrayWrapper(BackendArray):
    """Lazy access to one variable: xarray hands outer-indexing keys (ints, slices, 1-D integer
    arrays); h5rd reads ints and slices, integer arrays are read as their covering slice and
    picked in numpy."""

    __slots__ = ("datastore", "dtype", "shape", "variable_name")

    def __init__(self, variable_name, datastore):
        self.datastore = datastore
        self.variable_name = variable_name
        var = datastore.ds.variable(variable_name)
        self.shape = var.shape
        self.dtype = var.dtype

    def __getitem__(self, key):
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._getitem)

    def _getitem(self, key):
        var = self.datastore.ds.variable(self.variable_name)
        h5key = []
        picks = []  # (result axis, indices relative to the covering slice)
        out_axis = 0
        empty = False
        for axis, k in enumerate(key):
            if isinstance(k, (np.ndarray, list)):
                k = np.asarray(k)
                if k.dtype == bool:
                    k = np.nonzero(k)[0]
                k = np.where(k < 0, k + self.shape[axis], k).astype(np.intp)
                if k.size == 0:
                    empty = True
                    h5key.append(slice(0, 0))
                else:
                    lo, hi = int(k.min()), int(k.max()) + 1
                    h5key.append(slice(lo, hi))
                    if not (len(k) == hi - lo and np.all(np.diff(k) == 1)):
                        picks.append((out_axis, k - lo))
                out_axis += 1
            elif isinstance(k, slice):
                if len(range(*k.indices(self.shape[axis]))) == 0:
                    empty = True
                h5key.append(k)
                out_axis += 1
            else:
                h5key.append(int(k))
        if empty:
            shape = []
            for axis, k in enumerate(h5key):
                if isinstance(k, slice):
                    shape.append(len(range(*k.indices(self.shape[axis]))))
            return np.empty(shape, dtype=self.dtype)
        data = var.read(tuple(h5key))
        for ax, idx in picks:
            data = np.take(data, idx, axis=ax)
        return data


class H5rdDataStore(AbstractDataStore):
    """Read-only xarray data store over one group of a file opened with h5rd."""

    __slots__ = ("_manager", "_group", "_filename", "autoclose", "lock")

    def __init__(self, manager, group=None, filename=None):
        self._manager = manager
        self._group = group
        self._filename = filename
        self.autoclose = False
        self.lock = False

    @classmethod
    def open(cls, filename_or_obj, group=None, phony_dims=None, decode_vlen_strings=True):
        kwargs = {"phony_dims": phony_dims, "decode_vlen_strings": decode_vlen_strings}
        if isinstance(filename_or_obj, (str, os.PathLike)):
            filename = os.fspath(filename_or_obj)
            manager = CachingFileManager(_NcFile, filename, mode="r", kwargs=kwargs)
        else:
            # bytes or a file-like object: h5rd.File takes a buffer; such a store is not
            # reopenable, so it is not pickled by path
            data = filename_or_obj
            if hasattr(data, "read"):
                if hasattr(data, "seek"):
                    data.seek(0)
                data = data.read()
            filename = None
            manager = DummyFileManager(_NcFile(data, **kwargs))
        return cls(manager, group=group, filename=filename)

    @property
    def ds(self):
        with self._manager.acquire_context(True) as root:
            return root.group(self._group)

    def open_store_variable(self, name, var):
        data = indexing.LazilyIndexedArray(H5rdArrayWrapper(name, self))
        h5ds = var._h5ds
        attrs = _read_attrs(h5ds)
        encoding = {
            "chunksizes": h5ds.chunks,
            "fletcher32": h5ds.fletcher32,
            "shuffle": h5ds.shuffle,
        }
        if h5ds.compression == "gzip":
            encoding["zlib"] = True
            encoding["complevel"] = h5ds.compression_opts
        elif h5ds.compression is not None:
            encoding["compression"] = h5ds.compression
            encoding["compression_opts"] = h5ds.compression_opts
        encoding["source"] = self._filename
        encoding["original_shape"] = var.shape
        vk = _vlen_kind(var.dtype)
        if vk is str:
            encoding["dtype"] = str
        elif vk is None:
            encoding["dtype"] = var.dtype
        return Variable(var.dimensions, data, attrs, encoding)

    def get_variables(self):
        g = self.ds
        return FrozenDict((k, self.open_store_variable(k, g.variable(k)))
                          for k in g.variable_names())

    def get_attrs(self):
        return FrozenDict(self.ds.attrs)

    def get_dimensions(self):
        return FrozenDict((k, len(v)) for k, v in self.ds.dimensions.items())

    def get_encoding(self):
        return {"unlimited_dims": {k for k, v in self.ds.dimensions.items()
                                   if v.isunlimited()}}

    def close(self, **kwargs):
        self._manager.close(**kwargs)


def _hdf5_signature_at(path):
    """Whether an HDF5 superblock signature sits at 0, 512, 1024, ... (user block sizes)."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            off = 0
            while off + 8 <= size and off <= (1 << 20):
                fh.seek(off)
                if fh.read(8) == _HDF5_MAGIC:
                    return True
                off = 512 if off == 0 else off * 2
    except (OSError, TypeError, ValueError):
        return None
    return False


class H5rdBackendEntrypoint(BackendEntrypoint):
    """Open netCDF-4 and HDF5 files with h5rd (lock-free, GIL released while reading).

    Same options and results as the "h5netcdf" engine; reading only."""

    description = "Open netCDF-4 (.nc) and HDF5 (.h5, .hdf5, .he5) files with h5rd in xarray"
    url = "docs/python.md in the h5rd sources"
    open_dataset_parameters = (
        "filename_or_obj", "mask_and_scale", "decode_times", "concat_characters",
        "decode_coords", "drop_variables", "use_cftime", "decode_timedelta", "format",
        "group", "lock", "invalid_netcdf", "phony_dims", "decode_vlen_strings",
    )

    def guess_can_open(self, filename_or_obj):
        if hasattr(filename_or_obj, "read") and hasattr(filename_or_obj, "seek"):
            try:
                pos = filename_or_obj.tell()
                filename_or_obj.seek(0)
                magic = filename_or_obj.read(8)
                filename_or_obj.seek(pos)
                return magic == _HDF5_MAGIC
            except Exception:
                return False
        try:
            path = os.fspath(filename_or_obj)
        except TypeError:
            return False
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        ext = os.path.splitext(path)[1].lower()
        if os.path.isfile(path):
            found = _hdf5_signature_at(path)
            if found is not None:
                return found
        return ext in {".nc", ".nc4", ".h5", ".hdf5", ".he5"}

    def open_dataset(self, filename_or_obj, *, mask_and_scale=True, decode_times=True,
                     concat_characters=True, decode_coords=True, drop_variables=None,
                     use_cftime=None, decode_timedelta=None, format=None, group=None,
                     lock=None, invalid_netcdf=None, phony_dims=None,
                     decode_vlen_strings=True):
        # lock and invalid_netcdf are accepted for compatibility with the h5netcdf engine:
        # h5rd needs no lock and only reads
        if format not in (None, "NETCDF4"):
            raise ValueError("invalid format for h5rd backend")
        if isinstance(filename_or_obj, os.PathLike):
            filename_or_obj = os.fspath(filename_or_obj)
        if isinstance(filename_or_obj, str):
            filename_or_obj = os.path.abspath(os.path.expanduser(filename_or_obj))
        store = H5rdDataStore.open(filename_or_obj, group=group, phony_dims=phony_dims,
                                   decode_vlen_strings=decode_vlen_strings)
        return StoreBackendEntrypoint().open_dataset(
            store, mask_and_scale=mask_and_scale, decode_times=decode_times,
            concat_characters=concat_characters, decode_coords=decode_coords,
            drop_variables=drop_variables, use_cftime=use_cftime,
            decode_timedelta=decode_timedelta)
