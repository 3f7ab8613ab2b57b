/*
 * err.c - error detail recording and h5rd_strerror.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Thread_local uint32_t h5rd__io_epoch;
_Thread_local uint32_t h5rd__io_epoch_hold;

void h5rd__err_begin_call(struct h5rd_error *ec)
{
    if (h5rd__io_epoch_hold == 0) {
        h5rd__io_epoch++;
    }
    h5rd__err_clear(ec);
}

void h5rd__err_clear(struct h5rd_error *ec)
{
    /* Field by field, not a memset of the whole record: it is 680 bytes (the path and detail
     * buffers) and is cleared at every public call; the strings are empty once their first
     * byte is (h5rd__err_set_path and h5rd__err_set_detail test only that byte). */
    ec->code = H5RD_OK;
    ec->file_offset = H5RD_ADDR_UNDEF;
    ec->what = "";
    ec->path[0] = '\0';
    ec->sys_errno = 0;
    ec->src_file = "";
    ec->src_line = 0;
    ec->detail[0] = '\0';
}

h5rd_err h5rd__fail(struct h5rd_error *ec, h5rd_err code, uint64_t addr, const char *what,
                    const char *src_file, int src_line)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    /* An internal error is a bug whatever the input: make the fuzzer report it. */
    if (code == H5RD_E_INTERNAL) {
        abort();
    }
#endif
    if (ec != NULL && ec->code == H5RD_OK) {
        ec->code = code;
        ec->file_offset = addr;
        ec->what = what != NULL ? what : "";
        ec->src_file = src_file;
        ec->src_line = src_line;
    }
    return code;
}

void h5rd__err_set_path(struct h5rd_error *ec, const char *path)
{
    if (ec == NULL || path == NULL || ec->path[0] != '\0') {
        return;
    }
    size_t n = strlen(path);
    if (n >= sizeof ec->path) {
        n = sizeof ec->path - 1;
    }
    memcpy(ec->path, path, n);
    ec->path[n] = '\0';
}

void h5rd__err_set_detail(struct h5rd_error *ec, const char *fmt, ...)
{
    if (ec == NULL || fmt == NULL || ec->detail[0] != '\0') {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(ec->detail, sizeof ec->detail, fmt, ap);
    va_end(ap);
    if (n < 0) {
        ec->detail[0] = '\0';
    }
}

const char *h5rd_strerror(h5rd_err code)
{
    switch (code) {
    case H5RD_OK: return "success";
    case H5RD_E_INVAL: return "invalid argument";
    case H5RD_E_NOMEM: return "out of memory";
    case H5RD_E_IO: return "I/O error";
    case H5RD_E_TRUNCATED: return "truncated: structure runs past the end of the file or block";
    case H5RD_E_CORRUPT: return "corrupt file: inconsistent metadata";
    case H5RD_E_CHECKSUM: return "checksum mismatch";
    case H5RD_E_UNSUPPORTED: return "unsupported feature";
    case H5RD_E_LIMIT: return "resource limit reached";
    case H5RD_E_NOT_FOUND: return "not found";
    case H5RD_E_TYPE: return "wrong object kind or type";
    case H5RD_E_RANGE: return "out of range";
    case H5RD_E_BUFSIZE: return "buffer too small";
    case H5RD_E_NOT_HDF5: return "not an HDF5 file (no signature found)";
    case H5RD_E_INTERNAL: return "internal error (a bug in h5rd)";
    }
    return "unknown error code";
}
