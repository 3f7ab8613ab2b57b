/*
 * file.c - the file registry: file structures from their options, the source and superblock
 * opened, reference counts, and the files opened through external links and virtual dataset
 * sources (one list per file, published lock-free). src/api/api_file.c is the public face.
 */
#include "file/file.h"
#include "format/superblock.h"
#include "io/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct h5rd__extfile {
    struct h5rd__extfile *next;
    char *name;                 /* as named by the link */
    const char *env_var;        /* the prefix variable it was searched with (static string) */
    char *path;                 /* the path it was opened by */
    struct h5rd_file *file;     /* one reference held */
};

static void *default_malloc(void *user, size_t n)
{
    (void)user;
    return malloc(n);
}

static void *default_realloc(void *user, void *p, size_t n)
{
    (void)user;
    return realloc(p, n);
}

static void default_free(void *user, void *p)
{
    (void)user;
    free(p);
}

/* Allocates the file structure from the options (validated like libspng's ctx_new2). */
static h5rd_err file_new(const struct h5rd_open_opts *opts, struct h5rd_file **f_ret,
                         struct h5rd_error *ec)
{
    struct h5rd_alloc alloc = {default_malloc, default_realloc, default_free, NULL};
    struct h5rd_limits limits;
    uint32_t flags = 0;
    const struct h5rd_filter_plugin *plugins = NULL;
    size_t n_plugins = 0;
    uint64_t cache_nbytes = H5RD__CHUNK_CACHE_DEFAULT;
    h5rd__limits_default(&limits);
    if (opts != NULL) {
        if (opts->struct_nbytes < sizeof(size_t) || opts->struct_nbytes > sizeof *opts) {
            return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "options: struct_nbytes not set by h5rd_open_opts_init");
        }
        if (opts->alloc != NULL) {
            if (opts->alloc->malloc_fn == NULL || opts->alloc->realloc_fn == NULL ||
                opts->alloc->free_fn == NULL) {
                return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "options: allocator hooks incomplete");
            }
            alloc = *opts->alloc;
        }
        if (opts->limits != NULL) {
            limits = *opts->limits;
        }
        flags = opts->flags;
        /* Fields added after the first release are read only when the caller's struct has
         * them (struct_nbytes, libdeflate's extensible-options rule). */
        if (opts->struct_nbytes >= offsetof(struct h5rd_open_opts, n_filters) + sizeof(size_t)) {
            if (opts->n_filters > 0 && opts->filters == NULL) {
                return H5RD_FAIL(ec, H5RD_E_INVAL, H5RD_ADDR_UNDEF, "options: n_filters set without filters");
            }
            plugins = opts->filters;
            n_plugins = opts->n_filters;
        }
        if (opts->struct_nbytes >=
            offsetof(struct h5rd_open_opts, chunk_cache_nbytes) + sizeof(uint64_t)) {
            cache_nbytes = opts->chunk_cache_nbytes;
        }
    }
    struct h5rd_file *f = alloc.malloc_fn(alloc.user, sizeof *f);
    if (f == NULL) {
        return H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "open: out of memory");
    }
    memset(f, 0, sizeof *f);
    f->alloc = alloc;
    f->limits = limits;
    f->flags = flags;
    f->plugins = plugins;
    f->n_plugins = n_plugins;
    f->chunk_cache_nbytes = cache_nbytes;
    f->fd = -1;
    atomic_init(&f->refcount, 1);
    atomic_init(&f->pathmap, NULL);
    atomic_init(&f->extfiles, NULL);
    for (size_t k = 0; k < sizeof f->links_cache / sizeof f->links_cache[0]; k++) {
        atomic_init(&f->links_cache[k].addr, 0);
        atomic_init(&f->links_cache[k].links, NULL);
    }
    *f_ret = f;
    return H5RD_OK;
}


/* libhdf5 refuses a file shorter than the end-of-file address its superblock stores
 * (H5F__super_read: "truncated file"; it compares the physical size with the relative stored
 * address), and afterwards bounds every read by base + that address. */
static h5rd_err check_eof(struct h5rd_file *f, struct h5rd_error *ec)
{
    uint64_t eof = f->sb.eof_addr;
    /* A live file: the SWMR writer moves the end-of-file address as it allocates, so the one
     * read at open soon lags behind; reads are bounded by the file's size (io/source.c). */
    if (eof == H5RD_ADDR_UNDEF || (f->flags & H5RD_OPEN_LIVE) != 0) {
        return H5RD_OK;
    }
    if (f->nbytes < eof) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, H5RD_ADDR_UNDEF,
                         "superblock: file is shorter than its stored end-of-file address (truncated file)");
    }
    uint64_t end;
    if (!h5rd__add_u64(f->sb.base_addr, eof, &end)) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "superblock: end-of-file address overflows");
    }
    f->eoa_abs = end == 0 ? 1 : end;
    return H5RD_OK;
}

static void file_destroy(struct h5rd_file *f)
{
    struct h5rd__extfile *e = atomic_load(&f->extfiles);
    while (e != NULL) {
        struct h5rd__extfile *next = e->next;
        h5rd__file_unref(e->file);
        h5rd__free(f, e->name);
        h5rd__free(f, e->path);
        h5rd__free(f, e);
        e = next;
    }
    h5rd__pathmap_free(f, atomic_load(&f->pathmap));
    h5rd__links_cache_free(f);
    h5rd__free(f, atomic_load(&f->spare_obj));
    if (f->sohm != NULL) {
        h5rd__sohm_free(f, f->sohm);
    }
    h5rd__src_close(f);
    struct h5rd_alloc a = f->alloc;
    a.free_fn(a.user, f);
}

void h5rd__file_ref(struct h5rd_file *f)
{
    atomic_fetch_add(&f->refcount, 1);
}

void h5rd__file_unref(struct h5rd_file *f)
{
    if (f != NULL && atomic_fetch_sub(&f->refcount, 1) == 1) {
        file_destroy(f);
    }
}

h5rd_err h5rd__file_open_path(const char *path, const struct h5rd_open_opts *opts,
                              struct h5rd_file **f_ret, struct h5rd_error *ec)
{
    struct h5rd_file *f = NULL;
    H5RD_TRY(file_new(opts, &f, ec));
    h5rd_err e = h5rd__src_open_path(f, path, ec);
    if (e == H5RD_OK) {
        e = h5rd__sb_read(f, ec);
    }
    if (e == H5RD_OK) {
        e = check_eof(f, ec);
    }
    if (e != H5RD_OK) {
        h5rd__err_set_path(ec, path);
        file_destroy(f);
        return e;
    }
    *f_ret = f;
    return H5RD_OK;
}

h5rd_err h5rd__file_open_memory(const void *buf, size_t nbytes, const struct h5rd_open_opts *opts,
                                struct h5rd_file **f_ret, struct h5rd_error *ec)
{
    struct h5rd_file *f = NULL;
    H5RD_TRY(file_new(opts, &f, ec));
    h5rd_err e = h5rd__src_open_memory(f, buf, nbytes, ec);
    if (e == H5RD_OK) {
        e = h5rd__sb_read(f, ec);
    }
    if (e == H5RD_OK) {
        e = check_eof(f, ec);
    }
    if (e != H5RD_OK) {
        file_destroy(f);
        return e;
    }
    *f_ret = f;
    return H5RD_OK;
}

/* ---- external files ------------------------------------------------------------------------ */

static bool file_exists(const char *p)
{
    FILE *fp = fopen(p, "rb");
    if (fp == NULL) {
        return false;
    }
    fclose(fp);
    return true;
}

/* Builds "dir/name" into an owned string. */
static char *join_path(const struct h5rd_file *f, const char *dir, size_t dir_n, const char *name,
                       struct h5rd_error *ec)
{
    size_t name_n = strlen(name);
    char *p = h5rd__malloc(f, (uint64_t)dir_n + name_n + 2, ec);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, dir, dir_n);
    p[dir_n] = '/';
    memcpy(p + dir_n + 1, name, name_n + 1);
    return p;
}

/* Tries candidate 'p' (owned): returns it when the file exists, else frees it. */
static char *try_candidate(const struct h5rd_file *f, char *p)
{
    if (p != NULL && file_exists(p)) {
        return p;
    }
    h5rd__free(f, p);
    return NULL;
}

/* libhdf5's search order for a file named by an external link or a virtual dataset mapping
 * (H5F_prefix_open_file): an absolute name as is; then, with only its last component if the
 * absolute name was not found, each entry of the prefix variable; then the directory of the
 * parent file (libhdf5's "extpath"); then the name as given (relative to the current
 * directory). *tried_ret gets the directory-relative candidate when nothing is found. */
static char *find_ext_file(const struct h5rd_file *f, const char *name, const char *env_var,
                           bool origin, char **tried_ret, struct h5rd_error *ec)
{
    const char *base = name;
    if (name[0] == '/') {
        char *p = try_candidate(f, h5rd__strndup(f, name, strlen(name), ec));
        if (p != NULL || ec->code != H5RD_OK) {
            return p;
        }
        base = strrchr(name, '/') + 1;
        if (*base == '\0') {
            return NULL;
        }
    }
    const char *env = getenv(env_var);
    if (env != NULL) {
        const char *s = env;
        while (*s != '\0') {
            const char *colon = strchr(s, ':');
            size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);
            if (n > 0) {
                char *p = NULL;
                static const char ORIGIN[] = "${ORIGIN}";
                size_t on = sizeof ORIGIN - 1;
                if (origin && n >= on && memcmp(s, ORIGIN, on) == 0) {
                    /* ${ORIGIN}: the directory of the file holding the virtual dataset */
                    const char *dir = f->dir != NULL ? f->dir : ".";
                    size_t dn = strlen(dir);
                    char *pre = h5rd__malloc(f, (uint64_t)dn + (n - on) + 1, ec);
                    if (pre == NULL) {
                        return NULL;
                    }
                    memcpy(pre, dir, dn);
                    memcpy(pre + dn, s + on, n - on);
                    pre[dn + n - on] = '\0';
                    p = join_path(f, pre, strlen(pre), base, ec);
                    h5rd__free(f, pre);
                } else {
                    p = join_path(f, s, n, base, ec);
                }
                if (p == NULL) {
                    return NULL;
                }
                if ((p = try_candidate(f, p)) != NULL) {
                    return p;
                }
            }
            s += n;
            if (*s == ':') {
                s++;
            }
        }
    }
    if (f->dir != NULL) {
        char *p = join_path(f, f->dir, strlen(f->dir), base, ec);
        if (p == NULL) {
            return NULL;
        }
        if (file_exists(p)) {
            return p;
        }
        if (tried_ret != NULL && *tried_ret == NULL) {
            *tried_ret = p;
        } else {
            h5rd__free(f, p);
        }
    }
    char *p = try_candidate(f, h5rd__strndup(f, base, strlen(base), ec));
    if (p == NULL && tried_ret != NULL && *tried_ret == NULL && ec->code == H5RD_OK) {
        *tried_ret = h5rd__strndup(f, base, strlen(base), ec);
    }
    return p;
}

h5rd_err h5rd__extfile_open(struct h5rd_file *f, const char *name, struct h5rd_file **ext_ret,
                            struct h5rd_error *ec)
{
    return h5rd__extfile_open_env(f, name, "HDF5_EXT_PREFIX", false, ext_ret, NULL, ec);
}

h5rd_err h5rd__extfile_open_env(struct h5rd_file *f, const char *name, const char *env_var,
                                bool origin, struct h5rd_file **ext_ret, char **tried_ret,
                                struct h5rd_error *ec)
{
    for (struct h5rd__extfile *e = atomic_load(&f->extfiles); e != NULL; e = e->next) {
        if (strcmp(e->name, name) == 0 && strcmp(e->env_var, env_var) == 0) {
            if (tried_ret != NULL) {
                *tried_ret = h5rd__strndup(f, e->path, strlen(e->path), ec);
                if (*tried_ret == NULL) {
                    return ec->code;
                }
            }
            *ext_ret = e->file;
            return H5RD_OK;
        }
    }
    char *tried = NULL;
    char *path = find_ext_file(f, name, env_var, origin, &tried, ec);
    if (path == NULL) {
        if (ec->code != H5RD_OK) {
            h5rd__free(f, tried);
            return ec->code;
        }
        if (tried_ret != NULL) {
            *tried_ret = tried;
        } else {
            h5rd__free(f, tried);
        }
        return H5RD_FAIL(ec, H5RD_E_NOT_FOUND, H5RD_ADDR_UNDEF,
                         origin ? "virtual dataset: source file not found"
                                : "external link: file not found");
    }
    h5rd__free(f, tried);
    struct h5rd_open_opts o;
    memset(&o, 0, sizeof o); /* as h5rd_open_opts_init, every field set below */
    o.struct_nbytes = sizeof o;
    o.alloc = &f->alloc;
    o.limits = &f->limits;
    o.flags = f->flags;
    o.filters = f->plugins;
    o.chunk_cache_nbytes = f->chunk_cache_nbytes;
    o.n_filters = f->n_plugins;
    struct h5rd_file *ext = NULL;
    h5rd__err_clear(ec); /* as the public open does */
    h5rd_err e = h5rd__file_open_path(path, &o, &ext, ec);
    if (e != H5RD_OK) {
        if (tried_ret != NULL) {
            *tried_ret = path;
        } else {
            h5rd__free(f, path);
        }
        return e;
    }
    struct h5rd__extfile *node = h5rd__malloc(f, sizeof *node, ec);
    char *nm = node != NULL ? h5rd__strndup(f, name, strlen(name), ec) : NULL;
    char *tr = nm != NULL && tried_ret != NULL ? h5rd__strndup(f, path, strlen(path), ec) : NULL;
    if (nm == NULL || (tried_ret != NULL && tr == NULL)) {
        h5rd__free(f, nm);
        h5rd__free(f, node);
        h5rd__free(f, path);
        h5rd__file_unref(ext);
        return ec->code;
    }
    node->name = nm;
    node->env_var = env_var;
    node->path = path;
    node->file = ext;
    /* Publish lock-free; a racing opener may add a duplicate entry, which is harmless. */
    struct h5rd__extfile *head = atomic_load(&f->extfiles);
    do {
        node->next = head;
    } while (!atomic_compare_exchange_weak(&f->extfiles, &head, node));
    if (tried_ret != NULL) {
        *tried_ret = tr;
    }
    *ext_ret = ext;
    return H5RD_OK;
}
