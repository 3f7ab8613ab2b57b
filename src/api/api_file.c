/*
 * api_file.c - opening and closing files, options, version: the public face of the file
 * registry (src/file/file.c).
 */
#include "api/api.h"

#include <string.h>

const char *h5rd_version(void)
{
    return H5RD_VERSION_STRING;
}

void h5rd_limits_init(struct h5rd_limits *limits)
{
    if (limits != NULL) {
        h5rd__limits_default(limits);
    }
}

void h5rd_open_opts_init(struct h5rd_open_opts *opts)
{
    if (opts != NULL) {
        memset(opts, 0, sizeof *opts);
        opts->struct_nbytes = sizeof *opts;
        opts->chunk_cache_nbytes = H5RD__CHUNK_CACHE_DEFAULT;
    }
}

h5rd_err h5rd_file_open(const char *path, const struct h5rd_open_opts *opts, h5rd_file **file_ret,
                        struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (path == NULL || file_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "open: NULL argument");
    }
    return h5rd__file_open_path(path, opts, file_ret, ec);
}

h5rd_err h5rd_file_open_memory(const void *buf, size_t nbytes, const struct h5rd_open_opts *opts,
                               h5rd_file **file_ret, struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if ((buf == NULL && nbytes > 0) || file_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "open: NULL argument");
    }
    return h5rd__file_open_memory(buf, nbytes, opts, file_ret, ec);
}

void h5rd_file_close(h5rd_file *file)
{
    h5rd__file_unref(file);
}

h5rd_err h5rd_file_get_info(const h5rd_file *f, struct h5rd_file_info *info_ret,
                            struct h5rd_error *err)
{
    H5RD_API_BEGIN(err, local);
    if (f == NULL || info_ret == NULL) {
        return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "file info: NULL argument");
    }
    struct h5rd_file_info i;
    memset(&i, 0, sizeof i);
    i.superblock_version = f->sb.version;
    i.size_of_offsets = f->sb.size_of_offsets;
    i.size_of_lengths = f->sb.size_of_lengths;
    i.base_address = f->sb.base_addr;
    i.superblock_addr = f->sb.sb_abs_addr;
    i.eof_addr = f->sb.eof_addr;
    i.file_nbytes = f->nbytes;
    i.root_addr = f->sb.root_addr;
    i.sym_leaf_k = f->sb.sym_leaf_k;
    i.btree_internal_k = f->sb.btree_internal_k;
    i.istore_k = f->sb.istore_k;
    i.has_superblock_extension = f->sb.ext_addr != H5RD_ADDR_UNDEF;
    i.n_shared_message_indexes = f->sohm != NULL ? f->sohm->n_indexes : 0;
    *info_ret = i;
    return H5RD_OK;
}
