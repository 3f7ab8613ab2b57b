/*
 * api.h - what the files of src/api share: the public entry points are a thin facade over the
 * handle layer (src/file/file.h), which they alone include through this header.
 */
#ifndef H5RD_API_API_H
#define H5RD_API_API_H

#include "file/file.h"

/* Starts a public call: clears the caller's error struct or points 'ec' at a local one. */
#define H5RD_API_BEGIN(err, local) \
    struct h5rd_error local;       \
    struct h5rd_error *ec = (err) != NULL ? (err) : &local; \
    h5rd__err_begin_call(ec)

#endif
