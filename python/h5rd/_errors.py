"""Exceptions: every failure the library reports is an H5rdError (an OSError), one subclass per
h5rd error code; a missing name is a KeyError, as in h5py."""

import errno as _errno

from . import _h5rd

CODE_NAMES = {
    1: "INVAL", 2: "NOMEM", 3: "IO", 4: "TRUNCATED", 5: "CORRUPT", 6: "CHECKSUM",
    7: "UNSUPPORTED", 8: "LIMIT", 9: "NOT_FOUND", 10: "TYPE", 11: "RANGE", 12: "BUFSIZE",
    13: "NOT_HDF5", 14: "INTERNAL",
}


class H5rdError(OSError):
    """An error reported by h5rd. Attributes: code (int), code_name ("CORRUPT", ...), what
    (the library's "structure: problem" text), path (object path involved, "" if none),
    file_offset (int or None), detail, sys_errno."""

    code = 0
    code_name = ""
    what = ""
    path = ""
    file_offset = None
    detail = ""
    sys_errno = 0


class InvalidArgumentError(H5rdError): pass          # noqa: E701
class OutOfMemoryError(H5rdError): pass              # noqa: E701
class H5rdIOError(H5rdError): pass                   # noqa: E701
class TruncatedError(H5rdError): pass                # noqa: E701
class CorruptError(H5rdError): pass                  # noqa: E701
class ChecksumError(H5rdError): pass                 # noqa: E701
class UnsupportedError(H5rdError): pass              # noqa: E701
class LimitError(H5rdError): pass                    # noqa: E701
class NotFoundError(H5rdError): pass                 # noqa: E701
class H5rdTypeError(H5rdError): pass                 # noqa: E701
class RangeError(H5rdError): pass                    # noqa: E701
class BufferSizeError(H5rdError): pass               # noqa: E701
class NotHDF5Error(H5rdError): pass                  # noqa: E701
class InternalError(H5rdError): pass                 # noqa: E701

_CLASSES = {
    1: InvalidArgumentError, 2: OutOfMemoryError, 3: H5rdIOError, 4: TruncatedError,
    5: CorruptError, 6: ChecksumError, 7: UnsupportedError, 8: LimitError, 9: NotFoundError,
    10: H5rdTypeError, 11: RangeError, 12: BufferSizeError, 13: NotHDF5Error, 14: InternalError,
}

# OSError(errno, strerror) sets .errno; pick one that says the kind of failure.
_ERRNO = {2: _errno.ENOMEM, 9: _errno.ENOENT, 1: _errno.EINVAL}


def _make_error(code, what, path, file_offset, detail, sys_errno):
    cls = _CLASSES.get(code, H5rdError)
    msg = _h5rd.strerror(code)
    if what:
        msg += ": " + what
    if detail:
        msg += " (" + detail + ")"
    if path:
        msg += " [object " + path + "]"
    if file_offset is not None:
        msg += " [file offset 0x%x]" % file_offset
    en = sys_errno if code == 3 and sys_errno else _ERRNO.get(code, _errno.EIO)
    exc = cls(en, msg)
    exc.code = code
    exc.code_name = CODE_NAMES.get(code, str(code))
    exc.what = what
    exc.path = path
    exc.file_offset = file_offset
    exc.detail = detail
    exc.sys_errno = sys_errno
    return exc


_h5rd.set_error_factory(_make_error)
