"""h5rd.kerchunk: kerchunk references (a dict, as kerchunk's SingleHdf5ToZarr.translate()) made
by libh5rd's h5rd_kerchunk_write (docs/kerchunk.md), called through ctypes on the shared libh5rd
that the extension module h5rd._h5rd is linked with."""
import ctypes
import json
import os
import warnings

from . import _h5rd  # noqa: F401  (loads libh5rd.so.0)

H5RD_KERCHUNK_STRICT = 0x1
H5RD_KERCHUNK_FLETCHER32 = 0x2


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("file_offset", ctypes.c_uint64),
                ("what", ctypes.c_char_p), ("path", ctypes.c_char * 512),
                ("sys_errno", ctypes.c_int), ("src_file", ctypes.c_char_p),
                ("src_line", ctypes.c_int), ("detail", ctypes.c_char * 128)]


_REPORT = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)
_WRITE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)


class _Opts(ctypes.Structure):
    _fields_ = [("struct_nbytes", ctypes.c_size_t), ("url", ctypes.c_char_p),
                ("inline_threshold", ctypes.c_uint64),
                ("max_contiguous_chunk_nbytes", ctypes.c_uint64), ("flags", ctypes.c_uint32),
                ("report", _REPORT), ("user", ctypes.c_void_p)]


_lib_cache = []


def _lib():
    if _lib_cache:
        return _lib_cache[0]
    lib = None
    # The extension has loaded libh5rd already: dlopen by its soname returns that copy.
    for name in ("libh5rd.so.0", "libh5rd.so"):
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            pass
    if lib is None:
        try:
            with open("/proc/self/maps") as f:
                for line in f:
                    p = line.split()[-1]
                    if os.path.basename(p).startswith("libh5rd.so"):
                        lib = ctypes.CDLL(p)
                        break
        except OSError:
            pass
    if lib is None or not hasattr(lib, "h5rd_kerchunk_write"):
        raise NotImplementedError("h5rd.kerchunk needs the shared libh5rd with "
                                  "h5rd_kerchunk_write (this build links h5rd statically)")
    lib.h5rd_file_open.argtypes = [ctypes.c_char_p, ctypes.c_void_p,
                                   ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(_Error)]
    lib.h5rd_file_open.restype = ctypes.c_int
    lib.h5rd_file_close.argtypes = [ctypes.c_void_p]
    lib.h5rd_file_close.restype = None
    lib.h5rd_kerchunk_opts_init.argtypes = [ctypes.POINTER(_Opts)]
    lib.h5rd_kerchunk_opts_init.restype = None
    lib.h5rd_kerchunk_write.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(_Opts),
                                        _WRITE, ctypes.c_void_p,
                                        ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(_Error)]
    lib.h5rd_kerchunk_write.restype = ctypes.c_int
    lib.h5rd_strerror.argtypes = [ctypes.c_int]
    lib.h5rd_strerror.restype = ctypes.c_char_p
    _lib_cache.append(lib)
    return lib


def _raise(lib, rc, err, path):
    from ._errors import H5rdError
    what = err.what.decode("utf-8", "replace") if err.what else ""
    msg = "%s: %s%s" % (path, lib.h5rd_strerror(rc).decode(), (": " + what) if what else "")
    raise H5rdError(msg)


def kerchunk(path, group="/", url=None, inline_threshold=100, split=0, strict=False,
             fletcher32=False, report=None):
    """kerchunk version-1 references for the groups and datasets under `group` of the HDF5
    file `path`: {"version": 1, "refs": {...}}, as kerchunk's SingleHdf5ToZarr(...).translate()
    (without templates). `url` is written into every reference (default: `path`).
    Chunks stored in fewer than `inline_threshold` bytes are inlined; `split` > 0 cuts
    contiguous datasets into chunks of at most that many bytes (whole rows). `fletcher32`: the
    reader's numcodecs has the fletcher32 codec (>= 0.12).

    What cannot be expressed is left out and passed to report(path, reason) (default: a
    warning each, as kerchunk warns); with strict=True an H5rdError is raised after all of
    them were reported."""
    lib = _lib()
    fspath = os.fsencode(path)
    err = _Error()
    f = ctypes.c_void_p()
    rc = lib.h5rd_file_open(fspath, None, ctypes.byref(f), ctypes.byref(err))
    if rc != 0:
        _raise(lib, rc, err, path)
    chunks = []

    def _write(user, buf, n):
        chunks.append(ctypes.string_at(buf, n))
        return 0

    def _report(user, p, why):
        p = p.decode("utf-8", "replace")
        why = why.decode("utf-8", "replace")
        if report is not None:
            report(p, why)
        else:
            warnings.warn("h5rd.kerchunk: %s: %s: %s" % (path, p, why), stacklevel=3)

    opts = _Opts()
    lib.h5rd_kerchunk_opts_init(ctypes.byref(opts))
    opts.url = os.fsencode(url if url is not None else path)
    opts.inline_threshold = int(inline_threshold)
    opts.max_contiguous_chunk_nbytes = int(split)
    opts.flags = (H5RD_KERCHUNK_STRICT if strict else 0) | \
        (H5RD_KERCHUNK_FLETCHER32 if fletcher32 else 0)
    rep = _REPORT(_report)
    wr = _WRITE(_write)
    opts.report = rep
    nrep = ctypes.c_uint64()
    try:
        rc = lib.h5rd_kerchunk_write(f, group.encode("utf-8"), ctypes.byref(opts), wr, None,
                                     ctypes.byref(nrep), ctypes.byref(err))
    finally:
        lib.h5rd_file_close(f)
    if rc != 0:
        _raise(lib, rc, err, path)
    return json.loads(b"".join(chunks))
