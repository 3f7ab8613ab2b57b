/*
 * vds_read.h - reading a virtual dataset handle's elements: the handle layer's entry
 * (src/file/dread.c, also declared in file/file.h) to the engine's h5rd__vds_read_view
 * (src/read/vds_read.c). Kept apart from vds.h so that files using the read engine's private
 * selection type (read/read_int.h) can call it: it needs only public types.
 */
#ifndef H5RD_VDS_VDS_READ_H
#define H5RD_VDS_VDS_READ_H

#include "internal.h"

/* Reads selection 'sel' (NULL: all) of virtual dataset 'o' converted to 'mt' (NULL: the
 * virtual type normalised) into 'buf' (buf_nbytes), assembled from the sources as libhdf5 does
 * (H5Dvirtual.c). 'nthreads' and 'flags' (H5RD_READ_*) go to the source reads. Thread-safe:
 * only reads the dataset handle and its sources. */
h5rd_err h5rd__vds_read(const h5rd_obj *o, const struct h5rd_selection *sel,
                        const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                        uint32_t nthreads, uint32_t flags, struct h5rd_error *ec);

#endif
