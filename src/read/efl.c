/*
 * efl.c - external raw storage (Spec v3.0 IV.A.2.h "The External Data Files Message"): the
 * slots (file name, offset in that file, size) are concatenated into one address space that
 * holds the dataset's contiguous bytes.
 *
 * libhdf5 (H5Defl.c H5D__efl_read, H5Dint.c H5D__build_file_prefix): reading past the end of
 * one external file gives zeros, reading past the last slot is an error; a slot of size
 * "unlimited" takes everything after it. Names are combined with a prefix unless absolute.
 * h5rd resolves relative names against the HDF5 file's directory (what libhdf5 does with
 * HDF5_EXTFILE_PREFIX="${ORIGIN}"); when HDF5_EXTFILE_PREFIX is set, its colon-separated
 * prefixes are tried in order, "${ORIGIN}" at the start of one standing for that directory.
 *
 * Invariants: no shared state: every read opens, preads and closes the files it needs; names
 * are built in bounded allocations; an unopenable file is NOT_FOUND with the file named in the
 * error's path.
 */
#define _POSIX_C_SOURCE 200809L
#include "read/read_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ORIGIN_TOKEN "${ORIGIN}"

/* prefix (len bytes, "${ORIGIN}" expanded to dir) + "/" + name, or name when absolute. */
static char *combine(const struct h5rd_file *f, const char *prefix, size_t plen, const char *name,
                     struct h5rd_error *ec)
{
    const char *dir = f->dir != NULL ? f->dir : ".";
    size_t tlen = strlen(ORIGIN_TOKEN);
    bool origin = plen >= tlen && memcmp(prefix, ORIGIN_TOKEN, tlen) == 0;
    size_t dlen = origin ? strlen(dir) : 0;
    size_t rest = origin ? plen - tlen : plen;
    size_t nlen = strlen(name);
    if (name[0] == '/' || (plen == 0 && !origin)) {
        return h5rd__strndup(f, name, nlen, ec);
    }
    uint64_t total = (uint64_t)dlen + rest + 1 + nlen + 1;
    char *s = h5rd__malloc(f, total, ec);
    if (s == NULL) {
        return NULL;
    }
    size_t k = 0;
    memcpy(s + k, dir, dlen);
    k += dlen;
    memcpy(s + k, prefix + (origin ? tlen : 0), rest);
    k += rest;
    if (k > 0 && s[k - 1] != '/') {
        s[k++] = '/';
    }
    memcpy(s + k, name, nlen);
    k += nlen;
    s[k] = '\0';
    return s;
}

static h5rd_err not_found(struct h5rd_error *ec, const char *name)
{
    h5rd_err e = H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF,
                           "external raw data: cannot open external file");
    char msg[H5RD_ERROR_PATH_MAX];
    snprintf(msg, sizeof msg, "%s", name);
    h5rd__err_set_path(ec, msg);
    return e;
}

/* Opens external file 'name' as libhdf5 would find it. */
static h5rd_err open_ext(const struct h5rd_file *f, const char *name, int *fd_ret,
                         struct h5rd_error *ec)
{
    const char *env = getenv("HDF5_EXTFILE_PREFIX");
    if (env == NULL || env[0] == '\0') {
        env = ORIGIN_TOKEN;
    }
    const char *p = env;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t plen = colon != NULL ? (size_t)(colon - p) : strlen(p);
        char *full = combine(f, p, plen, name, ec);
        if (full == NULL) {
            return ec->code;
        }
        int fd;
        do {
            fd = open(full, O_RDONLY | O_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        h5rd__free(f, full);
        if (fd >= 0) {
            *fd_ret = fd;
            return H5RD_OK;
        }
        if (colon == NULL || name[0] == '/') {
            break;
        }
        p = colon + 1;
    }
    return not_found(ec, name);
}

/* pread() of up to n bytes at 'off'; bytes past the end of the file are zeros. */
static h5rd_err read_ext(int fd, const char *name, uint64_t off, uint8_t *dst, uint64_t n,
                         struct h5rd_error *ec)
{
    while (n > 0) {
        if (off > (uint64_t)INT64_MAX) {
            memset(dst, 0, (size_t)n);
            return H5RD_OK;
        }
        size_t want = n > (1u << 30) ? (size_t)1 << 30 : (size_t)n;
        ssize_t got = pread(fd, dst, want, (off_t)off);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            int en = errno;
            h5rd_err e = H5RD_FAIL(ec, H5RD_E_IO, H5RD_ADDR_UNDEF,
                                   "external raw data: read error in external file");
            ec->sys_errno = en;
            h5rd__err_set_path(ec, name);
            return e;
        }
        if (got == 0) {
            memset(dst, 0, (size_t)n); /* past the end of this file: zeros, as libhdf5 */
            return H5RD_OK;
        }
        dst += got;
        off += (uint64_t)got;
        n -= (uint64_t)got;
    }
    return H5RD_OK;
}

h5rd_err h5rd__efl_read(const struct h5rd_file *f, const struct h5rd__efl *efl, uint64_t addr,
                        uint64_t nbytes, uint8_t *dst, struct h5rd_error *ec)
{
    uint32_t u = 0;
    uint64_t cur = 0, skip = 0;
    for (u = 0; u < efl->n; u++) {
        uint64_t sz = efl->v[u].nbytes;
        if (sz == H5RD_UNLIMITED || addr - cur < sz) {
            skip = addr - cur;
            break;
        }
        cur += sz; /* cur <= addr, so no overflow */
    }
    while (nbytes > 0) {
        if (u >= efl->n) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                                "external raw data: read past the end of the external files");
        }
        const struct h5rd__efl_entry *s = &efl->v[u];
        uint64_t avail = s->nbytes == H5RD_UNLIMITED ? UINT64_MAX : s->nbytes - skip;
        uint64_t n = nbytes < avail ? nbytes : avail;
        uint64_t off;
        if (!h5rd__add_u64(s->file_offset, skip, &off)) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "external raw data: file offset overflows");
        }
        int fd = -1;
        H5RD_TRY(open_ext(f, s->name, &fd, ec));
        h5rd_err e = read_ext(fd, s->name, off, dst, n, ec);
        close(fd);
        H5RD_TRY(e);
        dst += n;
        nbytes -= n;
        skip = 0;
        u++;
    }
    return H5RD_OK;
}
