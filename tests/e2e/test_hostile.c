/*
 * test_hostile.c - replays the hand-made hostile files of fixtures/hostile/ through the public
 * API and asserts the exact error code fixtures/hostile/MANIFEST expects for each, then runs
 * `h5rd check` on each file (exit status as the MANIFEST says; never a signal or a timeout).
 *
 * MANIFEST lines: FILE OP PATH EXPECTED ('#' starts a comment; PATH '-' for none). OP is
 *   open    h5rd_file_open
 *   obj     h5rd_obj_open(PATH)
 *   read    the whole dataset PATH (h5rd_dataset_read, file layout)
 *   chunks  every allocated chunk of PATH, decoded (h5rd_dataset_read_chunk)
 *   attrs   every attribute of PATH read
 *   vlen    the dataset PATH read, then every element through h5rd_vlen_read
 *   links   every link of group PATH listed and opened
 *   walk    every object reachable from "/" (each address once): attributes, datasets read
 *   check   `h5rd check FILE`; EXPECTED is the exit status
 * EXPECTED is OK or an h5rd_err name without the H5RD_E_ prefix (CORRUPT, LIMIT, ...): the
 * first failure of the operation must have exactly that code.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "h5rd.h"

#define HOSTILE_DIR H5RD_SOURCE_DIR "/fixtures/hostile/"
#define MAX_BUF ((uint64_t)256 << 20)
#define MAX_WALK 4096

static const char *const CODE_NAMES[] = {"OK", "INVAL", "NOMEM", "IO", "TRUNCATED", "CORRUPT",
                                         "CHECKSUM", "UNSUPPORTED", "LIMIT", "NOT_FOUND", "TYPE",
                                         "RANGE", "BUFSIZE", "NOT_HDF5", "INTERNAL"};
#define N_CODES (sizeof CODE_NAMES / sizeof CODE_NAMES[0])

static int code_of(const char *name)
{
    for (size_t i = 0; i < N_CODES; i++) {
        if (strcmp(CODE_NAMES[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static const char *name_of(h5rd_err e)
{
    return (unsigned)e < N_CODES ? CODE_NAMES[e] : "?";
}

/* Test-side refusal (a buffer the test will not allocate): never an expected code. */
#define TOO_BIG ((h5rd_err)1000)

#define TRY(x)                                                                                     \
    do {                                                                                           \
        h5rd_err e_ = (x);                                                                         \
        if (e_ != H5RD_OK) {                                                                       \
            return e_;                                                                             \
        }                                                                                          \
    } while (0)

static h5rd_err read_all(const h5rd_obj *d, uint8_t **buf_ret, uint64_t *n_ret)
{
    uint64_t np, esz, nb;
    TRY(h5rd_selection_get_npoints(d, NULL, &np, NULL));
    TRY(h5rd_dataset_get_elem_nbytes(d, NULL, &esz, NULL));
    if (__builtin_mul_overflow(np, esz, &nb) || nb > MAX_BUF) {
        return TOO_BIG;
    }
    uint8_t *buf = malloc(nb ? (size_t)nb : 1);
    if (buf == NULL) {
        return TOO_BIG;
    }
    h5rd_err e = h5rd_dataset_read(d, NULL, NULL, buf, (size_t)nb, NULL, NULL);
    if (e != H5RD_OK || buf_ret == NULL) {
        free(buf);
    } else {
        *buf_ret = buf;
        *n_ret = np;
    }
    return e;
}

static h5rd_err read_vlens(h5rd_file *f, const h5rd_type *t, const uint8_t *buf, uint64_t n)
{
    struct h5rd_type_info ti;
    TRY(h5rd_type_get_info(t, &ti, NULL));
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *elem = buf + i * ti.size;
        if (ti.cls == H5RD_CLASS_VLEN) {
            uint64_t count, esz = 1, nb;
            TRY(h5rd_vlen_read(f, t, elem, NULL, 0, &count, NULL));
            const h5rd_type *base;
            struct h5rd_type_info bi;
            if (!ti.vlen_is_string) {
                TRY(h5rd_type_get_super(t, &base, NULL));
                TRY(h5rd_type_get_info(base, &bi, NULL));
                esz = bi.size;
            }
            if (__builtin_mul_overflow(count, esz, &nb) || nb > MAX_BUF) {
                return TOO_BIG;
            }
            uint8_t *data = malloc(nb ? (size_t)nb : 1);
            if (data == NULL) {
                return TOO_BIG;
            }
            h5rd_err e = h5rd_vlen_read(f, t, elem, data, (size_t)nb, &count, NULL);
            free(data);
            TRY(e);
        } else if (ti.cls == H5RD_CLASS_REFERENCE) {
            char path[1024];
            size_t len;
            h5rd_err e = h5rd_ref_get_path(f, t, elem, path, sizeof path, &len, NULL);
            if (e != H5RD_OK && e != H5RD_E_NOT_FOUND) {
                return e;
            }
        }
    }
    return H5RD_OK;
}

static h5rd_err do_attrs(h5rd_file *f, const h5rd_obj *o)
{
    uint64_t na;
    TRY(h5rd_obj_get_nattrs(o, &na, NULL));
    for (uint64_t i = 0; i < na; i++) {
        h5rd_attr *a;
        TRY(h5rd_attr_open_idx(o, i, &a, NULL));
        uint64_t nb;
        h5rd_err e = h5rd_attr_get_nbytes(a, &nb, NULL);
        if (e == H5RD_OK && nb > MAX_BUF) {
            e = TOO_BIG;
        }
        if (e == H5RD_OK) {
            uint8_t *buf = malloc(nb ? (size_t)nb : 1);
            e = buf == NULL ? TOO_BIG : h5rd_attr_read(a, buf, (size_t)nb, NULL);
            struct h5rd_type_info ti;
            if (e == H5RD_OK && h5rd_type_get_info(h5rd_attr_get_type(a), &ti, NULL) == H5RD_OK &&
                ti.size > 0) {
                e = read_vlens(f, h5rd_attr_get_type(a), buf, nb / ti.size);
            }
            free(buf);
        }
        h5rd_attr_close(a);
        TRY(e);
    }
    return H5RD_OK;
}

static h5rd_err do_read(h5rd_file *f, const h5rd_obj *d, bool vlen)
{
    uint8_t *buf = NULL;
    uint64_t n = 0;
    TRY(read_all(d, vlen ? &buf : NULL, &n));
    h5rd_err e = H5RD_OK;
    if (vlen) {
        const h5rd_type *t;
        e = h5rd_obj_get_type(d, &t, NULL);
        if (e == H5RD_OK) {
            e = read_vlens(f, t, buf, n);
        }
        free(buf);
    }
    return e;
}

static h5rd_err do_chunks(const h5rd_obj *d)
{
    struct h5rd_layout lay;
    uint64_t esz, nch;
    TRY(h5rd_dataset_get_layout(d, &lay, NULL));
    TRY(h5rd_dataset_get_elem_nbytes(d, NULL, &esz, NULL));
    uint64_t cnb = esz;
    for (uint32_t i = 0; i < lay.rank; i++) {
        if (__builtin_mul_overflow(cnb, lay.chunk_dims[i], &cnb)) {
            return TOO_BIG;
        }
    }
    if (cnb > MAX_BUF) {
        return TOO_BIG;
    }
    TRY(h5rd_dataset_get_nchunks(d, &nch, NULL));
    uint8_t *buf = malloc(cnb ? (size_t)cnb : 1);
    if (buf == NULL) {
        return TOO_BIG;
    }
    h5rd_err e = H5RD_OK;
    for (uint64_t i = 0; i < nch && e == H5RD_OK; i++) {
        struct h5rd_chunk_info ci;
        e = h5rd_dataset_get_chunk(d, i, &ci, NULL);
        if (e == H5RD_OK) {
            e = h5rd_dataset_read_chunk(d, ci.offset, buf, (size_t)cnb, NULL);
        }
    }
    free(buf);
    return e;
}

static h5rd_err do_links(const h5rd_obj *g)
{
    uint64_t nl;
    TRY(h5rd_group_get_nlinks(g, &nl, NULL));
    for (uint64_t i = 0; i < nl; i++) {
        struct h5rd_link l;
        TRY(h5rd_group_get_link(g, i, &l, NULL));
        h5rd_obj *c;
        TRY(h5rd_group_open_link(g, i, &c, NULL));
        h5rd_obj_close(c);
    }
    return H5RD_OK;
}

struct walk {
    h5rd_file *f;
    uint64_t seen[MAX_WALK];
    size_t n;
};

static h5rd_err walk(struct walk *w, h5rd_obj *o)
{
    uint64_t addr = h5rd_obj_get_addr(o);
    for (size_t i = 0; i < w->n; i++) {
        if (w->seen[i] == addr) {
            return H5RD_OK;
        }
    }
    if (w->n == MAX_WALK) {
        return TOO_BIG;
    }
    w->seen[w->n++] = addr;
    TRY(do_attrs(w->f, o));
    if (h5rd_obj_get_kind(o) == H5RD_OBJ_DATASET) {
        return do_read(w->f, o, true);
    }
    if (h5rd_obj_get_kind(o) != H5RD_OBJ_GROUP) {
        return H5RD_OK;
    }
    uint64_t nl;
    TRY(h5rd_group_get_nlinks(o, &nl, NULL));
    for (uint64_t i = 0; i < nl; i++) {
        struct h5rd_link l;
        TRY(h5rd_group_get_link(o, i, &l, NULL));
        if (l.type != H5RD_LINK_HARD && l.type != H5RD_LINK_SOFT) {
            continue;
        }
        h5rd_obj *c;
        TRY(h5rd_group_open_link(o, i, &c, NULL));
        h5rd_err e = walk(w, c);
        h5rd_obj_close(c);
        TRY(e);
    }
    return H5RD_OK;
}

static h5rd_err run_op(const char *file, const char *op, const char *path)
{
    h5rd_file *f = NULL;
    TRY(h5rd_file_open(file, NULL, &f, NULL));
    h5rd_err e = H5RD_OK;
    h5rd_obj *o = NULL;
    if (strcmp(op, "open") == 0) {
        goto out;
    }
    e = h5rd_obj_open(f, strcmp(path, "-") == 0 ? "/" : path, &o, NULL);
    if (e != H5RD_OK || strcmp(op, "obj") == 0) {
        goto out;
    }
    if (strcmp(op, "read") == 0) {
        e = do_read(f, o, false);
    } else if (strcmp(op, "vlen") == 0) {
        e = do_read(f, o, true);
    } else if (strcmp(op, "chunks") == 0) {
        e = do_chunks(o);
    } else if (strcmp(op, "attrs") == 0) {
        e = do_attrs(f, o);
    } else if (strcmp(op, "links") == 0) {
        e = do_links(o);
    } else if (strcmp(op, "walk") == 0) {
        struct walk *w = calloc(1, sizeof *w);
        cr_assert_not_null(w);
        w->f = f;
        e = walk(w, o);
        free(w);
    } else {
        e = TOO_BIG;
    }
out:
    h5rd_obj_close(o);
    h5rd_file_close(f);
    return e;
}

static int run_check(const char *file)
{
    const char *cli = H5RD_CLI_PATH;
    if (cli[0] == '\0') {
        return -1;
    }
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "timeout 60 '%s' check '%s' >/dev/null 2>&1", cli, file);
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st)) {
        return -2;
    }
    return WEXITSTATUS(st);
}

Test(hostile, manifest, .timeout = 900)
{
    FILE *fp = fopen(HOSTILE_DIR "MANIFEST", "r");
    cr_assert_not_null(fp, "cannot open %sMANIFEST", HOSTILE_DIR);
    char line[1024];
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        char *hash = strchr(line, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        char file[256], op[32], path[512], expect[32];
        if (sscanf(line, "%255s %31s %511s %31s", file, op, path, expect) != 4) {
            continue;
        }
        char full[1024];
        snprintf(full, sizeof full, "%s%s", HOSTILE_DIR, file);
        n++;
        if (strcmp(op, "check") == 0) {
            int want = atoi(expect), got = run_check(full);
            if (got != want) {
                cr_log_error("%s: h5rd check exit %d, expected %s", file, got, expect);
                bad++;
            }
            continue;
        }
        int want = code_of(expect);
        if (want < 0) {
            cr_log_error("%s: unknown expected code '%s'", file, expect);
            bad++;
            continue;
        }
        h5rd_err got = run_op(full, op, path);
        if ((int)got != want) {
            cr_log_error("%s %s %s: got %s, expected %s", file, op, path,
                         got == TOO_BIG ? "(test refused: too big)" : name_of(got), expect);
            bad++;
        }
    }
    fclose(fp);
    cr_log_info("hostile: %d checks, %d failed", n, bad);
    cr_assert(n > 0, "MANIFEST lists nothing");
    cr_assert_eq(bad, 0, "%d of %d hostile-file checks failed", bad, n);
}
