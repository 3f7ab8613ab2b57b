/*
 * threads_walk.c - many threads walk one open file at once: every object, link and
 * attribute (values, vlen data, references). Every thread must see exactly what a single
 * thread sees. Run under ThreadSanitizer in CI (build-tsan) to prove the read path has no
 * data race: lazily built tables (attributes, the reference path map) are published with
 * compare-and-swap, and nothing else in a handle is written after open.
 *
 * A plain program rather than a criterion test: criterion cannot start under
 * ThreadSanitizer ("Could not initialize inheritable arena"). Exit 0 on success;
 * the last line is "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L

#include "h5rd.h"

#include <stdarg.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 8

static int g_failed;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    g_failed++;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    while (s != NULL && *s) {
        h = mix(h, (unsigned char)*s++);
    }
    return h;
}

static uint64_t walk_attrs(h5rd_obj *o)
{
    uint64_t h = 0, n = 0;
    if (h5rd_obj_get_nattrs(o, &n, NULL) != H5RD_OK) {
        return 1;
    }
    for (uint64_t i = 0; i < n; i++) {
        h5rd_attr *a = NULL;
        if (h5rd_attr_open_idx(o, i, &a, NULL) != H5RD_OK) {
            h = mix(h, 2);
            continue;
        }
        h = mix_str(h, h5rd_attr_get_name(a));
        uint64_t nb = 0;
        if (h5rd_attr_get_nbytes(a, &nb, NULL) == H5RD_OK && nb > 0 && nb < (1u << 24)) {
            unsigned char *buf = malloc((size_t)nb);
            if (buf != NULL && h5rd_attr_read(a, buf, (size_t)nb, NULL) == H5RD_OK) {
                for (uint64_t k = 0; k < nb; k++) {
                    h = mix(h, buf[k]);
                }
                struct h5rd_type_info ti;
                const h5rd_type *t = h5rd_attr_get_type(a);
                if (h5rd_type_get_info(t, &ti, NULL) == H5RD_OK && ti.size > 0) {
                    for (uint64_t k = 0; k + ti.size <= nb; k += ti.size) {
                        if (ti.cls == H5RD_CLASS_REFERENCE) {
                            char path[256];
                            size_t len = 0;
                            if (h5rd_ref_get_path(h5rd_obj_get_file(o), t, buf + k, path, sizeof path,
                                                  &len, NULL) == H5RD_OK) {
                                h = mix_str(h, path);
                            }
                        } else if (ti.cls == H5RD_CLASS_VLEN) {
                            uint64_t cnt = 0;
                            if (h5rd_vlen_read(h5rd_obj_get_file(o), t, buf + k, NULL, 0, &cnt, NULL) == H5RD_OK) {
                                h = mix(h, cnt);
                            }
                        }
                    }
                }
            }
            free(buf);
        }
        h5rd_attr_close(a);
    }
    return h;
}

static uint64_t walk(h5rd_obj *g, int depth)
{
    uint64_t h = walk_attrs(g);
    if (h5rd_obj_get_kind(g) != H5RD_OBJ_GROUP || depth > 16) {
        return h;
    }
    uint64_t n = 0;
    if (h5rd_group_get_nlinks(g, &n, NULL) != H5RD_OK) {
        return mix(h, 3);
    }
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_link l;
        if (h5rd_group_get_link(g, i, &l, NULL) != H5RD_OK) {
            continue;
        }
        h = mix_str(h, l.name);
        h = mix(h, (uint64_t)l.type);
        if (l.type != H5RD_LINK_HARD) {
            continue;
        }
        h5rd_obj *c = NULL;
        if (h5rd_group_open_link(g, i, &c, NULL) != H5RD_OK) {
            h = mix(h, 4);
            continue;
        }
        h = mix(h, walk(c, depth + 1));
        h5rd_obj_close(c);
    }
    return h;
}

struct job {
    h5rd_file *f;
    uint64_t result;
};

static void *thread_main(void *arg)
{
    struct job *j = arg;
    for (int rep = 0; rep < 3; rep++) {
        h5rd_obj *root = NULL;
        if (h5rd_obj_open(j->f, "/", &root, NULL) != H5RD_OK) {
            j->result = 0;
            return NULL;
        }
        uint64_t h = walk(root, 0);
        h5rd_obj_close(root);
        if (rep > 0 && h != j->result) {
            j->result = 0;
            return NULL;
        }
        j->result = h;
    }
    return NULL;
}

/* Returns 1 when the file passed. */
static int check_file(const char *path)
{
    h5rd_file *f = NULL;
    struct h5rd_error err;
    if (h5rd_file_open(path, NULL, &f, &err) != H5RD_OK) {
        fail("open %s: %s", path, err.what);
        return 0;
    }
    struct job single = {f, 0};
    thread_main(&single);
    h5rd_file_close(f);
    if (single.result == 0) {
        fail("%s: single-threaded walk failed", path);
        return 0;
    }
    /* A fresh handle, so the lazily built tables are raced for by every thread. */
    if (h5rd_file_open(path, NULL, &f, &err) != H5RD_OK) {
        fail("reopen %s: %s", path, err.what);
        return 0;
    }
    pthread_t th[NTHREADS];
    struct job jobs[NTHREADS];
    int started = 0;
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i].f = f;
        jobs[i].result = 0;
        if (pthread_create(&th[i], NULL, thread_main, &jobs[i]) != 0) {
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    int ok = started == NTHREADS;
    for (int i = 0; i < started; i++) {
        if (jobs[i].result != single.result) {
            fail("%s: thread %d saw a different file", path, i);
            ok = 0;
        }
    }
    h5rd_file_close(f);
    return ok;
}

int main(int argc, char **argv)
{
    const char *dir_arg = argc > 1 ? argv[1] : H5RD_SOURCE_DIR "/fixtures/h5";
    DIR *d = opendir(dir_arg);
    if (d == NULL) {
        fprintf(stderr, "threads_walk: no fixtures directory %s\n", dir_arg);
        return 1;
    }
    int passed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 3 || strcmp(de->d_name + n - 3, ".h5") != 0) {
            continue;
        }
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir_arg, de->d_name);
        passed += check_file(path);
    }
    closedir(d);
    printf("%d passed, %d failed\n", passed, g_failed);
    return g_failed == 0 && passed > 0 ? 0 : 1;
}
