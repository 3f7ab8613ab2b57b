"""HDF5 datatype (as described by the C layer) -> the numpy dtype h5py 3.7 gives.

The rules follow h5py's h5t.pyx (py_dtype of each TypeID class), checked against the fixtures
and the corpus oracle (cli/dtype_str.c writes the same mapping as text):
  integer -> by size and byte order; bitfield -> unsigned of its size; float -> the first numpy
  float at least as large whose mantissa and exponent hold it (bfloat16 -> f4, x87 in 12 bytes
  -> f16); string -> S<n> with metadata h5py_encoding; opaque -> V<n> (tag "NUMPY:<dt>" -> <dt>);
  enum -> bool for FALSE=0/TRUE=1, else the base integer with metadata {"enum": {...}};
  compound -> structured dtype with the file's member offsets and size, or complex for members
  "r", "i" of one float type; array -> subarray dtype; vlen string -> object with metadata
  {"vlen": str|bytes}; vlen sequence -> object with {"vlen": base dtype}; reference -> object
  with {"ref": Reference|RegionReference}; time -> TypeError (h5py has no mapping).
"""

import numpy as np

CLS_INTEGER, CLS_FLOAT, CLS_TIME, CLS_STRING, CLS_BITFIELD, CLS_OPAQUE = 0, 1, 2, 3, 4, 5
CLS_COMPOUND, CLS_REFERENCE, CLS_ENUM, CLS_VLEN, CLS_ARRAY = 6, 7, 8, 9, 10
CLS_COMPLEX = 11  # HDF5 2.0

_REF_CLASSES = {}  # set by _hl: {0: Reference, 1: RegionReference}


def _order(t):
    if t["size"] == 1:
        return "|"
    return ">" if t["order"] == 1 else "<"


def _float_size(t):
    # The numpy float h5py picks (h5t.pyx _c_float / _get_float_dtype_to_hdf5 order).
    nexp, bias, nmant = t["exp_nbits"], t["exp_bias"], t["mant_nbits"]
    if nexp >= 62 or bias > (1 << 62):
        return 0
    top = (1 << nexp) - bias - 1
    bottom = 1 - bias
    for size, fmant, maxexp, minexp in ((2, 10, 16, -14), (4, 23, 128, -126),
                                        (8, 52, 1024, -1022), (16, 64, 16384, -16382)):
        if size >= t["size"] and nmant <= fmant and top <= maxexp and bottom >= minexp:
            return size
    return 0


def _is_bool_enum(t):
    base = t["base"]
    if len(t["enum"]) != 2 or base["cls"] != CLS_INTEGER:
        return False
    return sorted((n, v) for n, v in t["enum"]) == [("FALSE", 0), ("TRUE", 1)]


def _is_complex(t):
    m = t["members"]
    if len(m) != 2 or m[0][0] != "r" or m[1][0] != "i":
        return False
    a, b = m[0][2], m[1][2]
    if a["cls"] != CLS_FLOAT or b["cls"] != CLS_FLOAT:
        return False
    na, nb = _float_size(a), _float_size(b)
    return na == nb and _order(a) == _order(b) and na in (4, 8, 16)


def _has_vlen_or_ref(t):
    cls = t["cls"]
    if cls in (CLS_VLEN, CLS_REFERENCE):
        return True
    if cls == CLS_COMPOUND:
        return any(_has_vlen_or_ref(m[2]) for m in t["members"])
    if cls == CLS_ARRAY:
        return _has_vlen_or_ref(t["base"])
    return False


def _mem_size(t):
    """Size of a type after libhdf5's H5T_set_loc(H5T_LOC_MEMORY) (1.10): vlen string = char*,
    vlen sequence = hvl_t, object reference = hobj_ref_t, region reference = hdset_reg_ref_t."""
    cls = t["cls"]
    if cls == CLS_VLEN:
        return 8 if t["vlen_str"] else 16
    if cls == CLS_REFERENCE:
        return 12 if t["ref_kind"] == 1 else 8
    if cls == CLS_ARRAY:
        n = 1
        for d in t["dims"]:
            n *= d
        return n * _mem_size(t["base"])
    if cls == CLS_COMPOUND and _has_vlen_or_ref(t):
        return t["size"] + sum(_mem_size(m[2]) - m[2]["size"] for m in t["members"])
    return t["size"]


def to_dtype(t, top=True):
    """numpy dtype for a type description dict from the C layer."""
    cls = t["cls"]
    size = t["size"]
    if cls == CLS_INTEGER:
        return np.dtype("%s%s%d" % (_order(t), "i" if t["signed"] else "u", size))
    if cls == CLS_BITFIELD:
        return np.dtype("%su%d" % (_order(t), size))
    if cls == CLS_FLOAT:
        n = _float_size(t) or size
        return np.dtype("%sf%d" % (_order(t), n))
    if cls == CLS_TIME:
        raise TypeError("No NumPy equivalent for TypeTimeID exists")
    if cls == CLS_STRING:
        enc = "utf-8" if t["cset"] == 1 else "ascii"
        return np.dtype("S%d" % size, metadata={"h5py_encoding": enc})
    if cls == CLS_OPAQUE:
        tag = t["tag"] or ""
        if tag.startswith("NUMPY:"):
            try:
                dt = np.dtype(tag[6:])
                if dt.itemsize == size:
                    return np.dtype(dt, metadata={"h5py_opaque": True})
            except TypeError:
                pass
        return np.dtype("V%d" % size)
    if cls == CLS_ENUM:
        if _is_bool_enum(t):
            return np.dtype(np.bool_)
        base = to_dtype(t["base"], False)
        return np.dtype(base, metadata={"enum": {n: v for n, v in t["enum"]}})
    if cls == CLS_COMPLEX:
        # HDF5 2.0's complex class: numpy's complex of twice the base float's size. Native byte
        # order whatever the file's (h5py 3.7 / libhdf5 1.10 cannot read the class at all; the
        # C layer hands over the parts already in native order).
        n = _float_size(t["base"]) or t["base"]["size"]
        return np.dtype("=c%d" % (2 * n))
    if cls == CLS_COMPOUND:
        if _is_complex(t):
            a = t["members"][0][2]
            return np.dtype("%sc%d" % (_order(a), 2 * _float_size(a)))
        members = t["members"]
        if _has_vlen_or_ref(t):
            # libhdf5 hands h5py the type "in memory" (H5T_set_loc(H5T_LOC_MEMORY), called by
            # H5Dget_type/H5Aget_type): members sorted by offset, and every member whose size
            # changes (a vlen string 16 -> 8 bytes, ...) shifts the members after it.
            members = sorted(members, key=lambda m: m[1])
            accum, moved = 0, []
            for name, off, mt in members:
                moved.append((name, off + accum, mt))
                accum += _mem_size(mt) - mt["size"]
            members = moved
            size = size + accum
        names = [m[0] for m in members]
        formats = [to_dtype(m[2], False) for m in members]
        offsets = [m[1] for m in members]
        return np.dtype({"names": names, "formats": formats, "offsets": offsets,
                         "itemsize": size})
    if cls == CLS_ARRAY:
        base = to_dtype(t["base"], False)
        return np.dtype((base, tuple(t["dims"])))
    if cls == CLS_VLEN:
        if t["vlen_str"]:
            return np.dtype("O", metadata={"vlen": str if t["cset"] == 1 else bytes})
        return np.dtype("O", metadata={"vlen": to_dtype(t["base"], False)})
    if cls == CLS_REFERENCE:
        return np.dtype("O", metadata={"ref": _REF_CLASSES.get(1 if t["ref_kind"] == 1 else 0)})
    raise TypeError("No NumPy equivalent for HDF5 type class %d" % cls)


# ---- h5py's dtype helpers (h5py.check_*_dtype), for code ported from h5py ----

def check_vlen_dtype(dt):
    return (dt.metadata or {}).get("vlen")


def check_enum_dtype(dt):
    return (dt.metadata or {}).get("enum")


def check_ref_dtype(dt):
    return (dt.metadata or {}).get("ref")


def check_opaque_dtype(dt):
    return (dt.metadata or {}).get("h5py_opaque", False)


class string_info:
    def __init__(self, encoding, length):
        self.encoding = encoding
        self.length = length

    def __repr__(self):
        return "string_info(encoding=%r, length=%r)" % (self.encoding, self.length)


def check_string_dtype(dt):
    vlen_kind = check_vlen_dtype(dt)
    if vlen_kind is str:
        return string_info("utf-8", None)
    if vlen_kind is bytes:
        return string_info("ascii", None)
    if dt.kind == "S":
        enc = (dt.metadata or {}).get("h5py_encoding", "ascii")
        return string_info(enc, dt.itemsize)
    return None


def string_dtype(encoding="utf-8", length=None):
    if length is None:
        return np.dtype("O", metadata={"vlen": str if encoding == "utf-8" else bytes})
    return np.dtype("S%d" % length, metadata={"h5py_encoding": encoding})


def vlen_dtype(basetype):
    return np.dtype("O", metadata={"vlen": np.dtype(basetype)})


def enum_dtype(values_dict, basetype=np.uint8):
    return np.dtype(basetype, metadata={"enum": dict(values_dict)})


def has_objects(dt):
    """True when elements of dt hold Python objects (vlen, references)."""
    return dt.hasobject
