/*
 * rawfile.c - see rawfile.h: a struct h5rd_file set up by hand for tests.
 */
#define _POSIX_C_SOURCE 200809L
#include "rawfile.h"

#include "format/superblock.h"
#include "io/source.h"
#include "object/ohdr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void *hook_malloc(void *user, size_t n)
{
    (void)user;
    return malloc(n);
}

static void *hook_realloc(void *user, void *p, size_t n)
{
    (void)user;
    return realloc(p, n);
}

static void hook_free(void *user, void *p)
{
    (void)user;
    free(p);
}

static bool exists_at(const char *prefix, const char *name, char *buf, size_t buflen)
{
    int n = snprintf(buf, buflen, "%s%s", prefix, name);
    if (n < 0 || (size_t)n >= buflen) {
        return false;
    }
    struct stat st;
    return stat(buf, &st) == 0 && S_ISREG(st.st_mode);
}

bool rawfile_fixture_path(const char *name, char *buf, size_t buflen)
{
    return exists_at(H5RD_SOURCE_DIR "/fixtures/h5/", name, buf, buflen);
}

bool rawfile_corpus_path(const char *rel, char *buf, size_t buflen)
{
    return exists_at(H5RD_SOURCE_DIR "/../shared/corpus/", rel, buf, buflen);
}

void rawfile_init(struct h5rd_file *f, uint32_t flags)
{
    memset(f, 0, sizeof(*f));
    f->alloc.malloc_fn = hook_malloc;
    f->alloc.realloc_fn = hook_realloc;
    f->alloc.free_fn = hook_free;
    f->alloc.user = NULL;
    h5rd__limits_default(&f->limits);
    f->flags = flags;
    f->fd = -1;
    atomic_init(&f->refcount, 1u);
}

h5rd_err rawfile_open(struct h5rd_file *f, const char *path, uint32_t flags,
                      struct h5rd_error *ec)
{
    rawfile_init(f, flags);
    h5rd__err_clear(ec);
    h5rd_err rc = h5rd__src_open_path(f, path, ec);
    if (rc == H5RD_OK) {
        rc = h5rd__sb_read(f, ec);
    }
    if (rc != H5RD_OK) {
        rawfile_close(f);
    }
    return rc;
}

h5rd_err rawfile_open_memory(struct h5rd_file *f, const void *buf, size_t nbytes, uint8_t so,
                             uint8_t sl, uint32_t sym_leaf_k, uint32_t btree_internal_k,
                             struct h5rd_error *ec)
{
    rawfile_init(f, 0);
    h5rd__err_clear(ec);
    h5rd_err rc = h5rd__src_open_memory(f, buf, nbytes, ec);
    if (rc != H5RD_OK) {
        rawfile_close(f);
        return rc;
    }
    f->sb.version = 0;
    f->sb.size_of_offsets = so;
    f->sb.size_of_lengths = sl;
    f->sb.sym_leaf_k = sym_leaf_k;
    f->sb.btree_internal_k = btree_internal_k;
    f->sb.istore_k = 32;
    f->sb.base_addr = 0;
    f->sb.ext_addr = H5RD_ADDR_UNDEF;
    f->sb.eof_addr = nbytes;
    f->sb.driver_info_addr = H5RD_ADDR_UNDEF;
    f->sb.root_addr = H5RD_ADDR_UNDEF;
    return H5RD_OK;
}

void rawfile_close(struct h5rd_file *f)
{
    if (f->sohm != NULL) {
        h5rd__sohm_free(f, f->sohm);
        f->sohm = NULL;
    }
    h5rd__src_close(f);
}
