"""h5rd: read HDF5 files without libhdf5, through h5py's reading API, with the GIL released.

    import h5rd as h5py          # existing reading code ports by changing the import
    with h5rd.File("data.h5") as f:
        x = f["group/dataset"][0:100:2]

Every read and decode runs without the GIL, and one File may be used by any number of threads
at once. File, Group and Dataset objects pickle as (file path, object path, open options) and
reopen when unpickled (an in-memory File pickles its bytes). See docs/python.md.
"""

from . import _h5rd
from ._errors import (H5rdError, InvalidArgumentError, OutOfMemoryError, H5rdIOError,
                      TruncatedError, CorruptError, ChecksumError, UnsupportedError,
                      LimitError, NotFoundError, H5rdTypeError, RangeError, BufferSizeError,
                      NotHDF5Error, InternalError)
from ._dtype import (check_vlen_dtype, check_enum_dtype, check_ref_dtype, check_string_dtype,
                     check_opaque_dtype, string_dtype, vlen_dtype, enum_dtype)
from ._hl import (File, Group, Dataset, Datatype, AttributeManager, DatasetID, Empty,
                  HardLink, SoftLink, ExternalLink, UnknownLink, Reference, RegionReference,
                  StoreInfo, VDSmap, VDSSelection, ref_dtype, regionref_dtype,
                  set_default_threads)
from ._kerchunk import kerchunk  # noqa: F401  (h5rd's own, not h5py's: docs/kerchunk.md)

__version__ = _h5rd.library_version
version = __version__

__all__ = [
    "File", "Group", "Dataset", "Datatype", "AttributeManager", "DatasetID", "Empty",
    "HardLink", "SoftLink", "ExternalLink", "UnknownLink", "Reference", "RegionReference",
    "StoreInfo", "VDSmap", "VDSSelection", "ref_dtype", "regionref_dtype",
    "set_default_threads", "H5rdError", "InvalidArgumentError", "OutOfMemoryError",
    "H5rdIOError", "TruncatedError", "CorruptError", "ChecksumError", "UnsupportedError",
    "LimitError", "NotFoundError", "H5rdTypeError", "RangeError", "BufferSizeError",
    "NotHDF5Error", "InternalError", "check_vlen_dtype", "check_enum_dtype",
    "check_ref_dtype", "check_string_dtype", "check_opaque_dtype", "string_dtype",
    "vlen_dtype", "enum_dtype",
]
