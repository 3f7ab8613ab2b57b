/*
 * dread.c - a virtual dataset handle read by the engine (read/vds_read.c), which reads each
 * source through the source handle's view (read/read.h struct h5rd__dview), never through the
 * public API.
 */
#include "file/file.h"

h5rd_err h5rd__vds_read(const h5rd_obj *o, const struct h5rd_selection *sel,
                        const struct h5rd_memtype *mt, uint8_t *buf, uint64_t buf_nbytes,
                        uint32_t nthreads, uint32_t flags, struct h5rd_error *ec)
{
    return h5rd__vds_read_view(&o->view, sel, mt, buf, buf_nbytes, nthreads, flags, ec);
}
