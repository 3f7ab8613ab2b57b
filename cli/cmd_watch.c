/*
 * cmd_watch.c - `h5rd watch [--json] [--interval SECONDS] [--max-wait SECONDS] FILE PATH`: tail a
 * dataset that a libhdf5 SWMR writer appends to, as h5watch (hl/tools/h5watch) does.
 *
 * The file is opened live (H5RD_OPEN_LIVE) and the dataset refreshed every --interval
 * (h5rd_dataset_refresh, h5watch's H5Drefresh). The rows already there are printed first, as
 * if the dataset had grown from 0 rows; then, whenever the extent grows, what is new: as
 * h5watch's slicendump, for each dimension d that grew, the new part [prev_d, cur_d) of every
 * old index of the dimensions before it (one line per index of dimension 0), then the new
 * rows of dimension 0 whole. A dimension that shrinks only moves the baseline.
 *
 * --json: one JSON value per line: a new row along dimension 0 is that row's values as numpy
 * gives ds[i] (a bare value for a 1-D dataset, nested arrays otherwise); a new hyperslab of an
 * old row (a 2-D or higher dataset growing in a later dimension) is an object
 * {"start": [...], "count": [...], "data": the box without its first dimension}.
 * Text: h5watch's layout: "Monitoring dataset PATH...", and for each growth the
 * "dimension d: a->b (increases)" lines, "    Data:", then one line per row or row piece,
 * "        (i,j,...) v, v, ..." with the index of its first element and values as JSON.
 *
 * Exits 0 after --max-wait seconds without growth, or on SIGINT / SIGTERM; 1 when the file or
 * the dataset cannot be read (a refresh fails after the library's retries).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"

/* Bytes read at once: rows are read in batches of at most this much (at least one row). */
#define WATCH_BATCH_NBYTES ((uint64_t)8 << 20)
/* A row (or row piece) larger than this is refused rather than held in memory. */
#define WATCH_MAX_ROW_NBYTES ((uint64_t)1 << 30)

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

struct watch {
    const char *filename, *path;
    h5rd_file *file;
    h5rd_obj *dset;
    h5rd_file *file_of_dset;
    const h5rd_type *type;
    struct h5rd_memtype mt; /* FLOAT 8 for a float h5py widens, else FILE */
    uint64_t esize;
    int wide;
    int json;
    uint32_t rank;
    struct jbuf out;
};

static h5rd_err put_elem(struct watch *w, const unsigned char *p, struct h5rd_error *err)
{
    if (w->wide) {
        double v;
        memcpy(&v, p, sizeof v);
        json_double(&w->out, v);
        return H5RD_OK;
    }
    return json_elem(&w->out, w->file_of_dset, w->type, p, err);
}

/* Writes the elements of a C-order box of dims[0..rank) at *p: nested JSON arrays, or in text
 * one flat ", "-separated list. */
static h5rd_err put_box(struct watch *w, const unsigned char **p, const uint64_t *dims,
                        uint32_t rank, struct h5rd_error *err)
{
    if (rank == 0) {
        h5rd_err rc = put_elem(w, *p, err);
        *p += w->esize;
        return rc;
    }
    if (w->json) {
        jb_putc(&w->out, '[');
    }
    for (uint64_t i = 0; i < dims[0]; i++) {
        if (i > 0) {
            jb_puts(&w->out, ", ");
        }
        h5rd_err rc = put_box(w, p, dims + 1, rank - 1, err);
        if (rc != H5RD_OK) {
            return rc;
        }
    }
    if (w->json) {
        jb_putc(&w->out, ']');
    }
    return H5RD_OK;
}

static int flush_out(struct watch *w)
{
    if (w->out.oom || jb_flush_to(&w->out, stdout) != 0) {
        fprintf(stderr, "h5rd: %s: out of memory\n", w->path);
        return -1;
    }
    jb_reset(&w->out);
    return fflush(stdout) == 0 ? 0 : -1;
}

static void report(struct watch *w, struct h5rd_error *err, h5rd_err rc)
{
    if (err->code == H5RD_OK) {
        err->code = rc;
        err->file_offset = H5RD_ADDR_UNDEF;
    }
    cli_report(w->filename, w->path, err);
}

/* Prints the box [start, start + count): one line per index of dimension 0. 'whole_rows':
 * the box is whole rows (printed as bare row values in JSON). Returns an exit status. */
static int print_box(struct watch *w, const uint64_t *start, const uint64_t *count, int whole_rows)
{
    uint32_t r = w->rank;
    uint64_t row_elems = 1;
    for (uint32_t d = 1; d < r; d++) {
        if (count[d] == 0) {
            return CLI_EXIT_OK; /* nothing in it */
        }
        if (row_elems > WATCH_MAX_ROW_NBYTES / count[d]) {
            row_elems = WATCH_MAX_ROW_NBYTES; /* refused just below */
            break;
        }
        row_elems *= count[d];
    }
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    if (row_elems > WATCH_MAX_ROW_NBYTES / w->esize) {
        report(w, &err, cli_set_error(&err, H5RD_E_LIMIT, "watch: a row is larger than 1 GiB"));
        return CLI_EXIT_FAIL;
    }
    uint64_t row_nbytes = row_elems * w->esize;
    uint64_t batch = WATCH_BATCH_NBYTES / row_nbytes;
    if (batch == 0) {
        batch = 1;
    }
    if (batch > count[0]) {
        batch = count[0];
    }
    unsigned char *buf = malloc((size_t)(batch * row_nbytes));
    if (buf == NULL) {
        report(w, &err, cli_set_error(&err, H5RD_E_NOMEM, "watch: out of memory"));
        return CLI_EXIT_FAIL;
    }
    uint64_t st[H5RD_MAX_RANK], ct[H5RD_MAX_RANK];
    memcpy(st, start, r * sizeof st[0]);
    memcpy(ct, count, r * sizeof ct[0]);
    int status = CLI_EXIT_OK;
    for (uint64_t done = 0; done < count[0] && status == CLI_EXIT_OK;) {
        uint64_t n = count[0] - done < batch ? count[0] - done : batch;
        st[0] = start[0] + done;
        ct[0] = n;
        struct h5rd_selection sel;
        memset(&sel, 0, sizeof sel);
        sel.kind = H5RD_SEL_HYPERSLAB;
        sel.rank = r;
        sel.start = st;
        sel.count = ct;
        h5rd_err rc = h5rd_dataset_read(w->dset, &sel, &w->mt, buf, (size_t)(n * row_nbytes),
                                        NULL, &err);
        const unsigned char *p = buf;
        for (uint64_t i = 0; i < n && rc == H5RD_OK; i++) {
            uint64_t row = st[0] + i;
            if (w->json && !whole_rows) {
                jb_puts(&w->out, "{\"start\": [");
                for (uint32_t d = 0; d < r; d++) {
                    jb_printf(&w->out, "%s%" PRIu64, d ? ", " : "", d == 0 ? row : st[d]);
                }
                jb_puts(&w->out, "], \"count\": [1");
                for (uint32_t d = 1; d < r; d++) {
                    jb_printf(&w->out, ", %" PRIu64, ct[d]);
                }
                jb_puts(&w->out, "], \"data\": ");
            } else if (!w->json) {
                jb_printf(&w->out, "        (%" PRIu64, row);
                for (uint32_t d = 1; d < r; d++) {
                    jb_printf(&w->out, ",%" PRIu64, st[d]);
                }
                jb_puts(&w->out, ") ");
            }
            rc = put_box(w, &p, ct + 1, r - 1, &err);
            if (w->json && !whole_rows) {
                jb_putc(&w->out, '}');
            }
            jb_putc(&w->out, '\n');
        }
        if (rc != H5RD_OK) {
            jb_reset(&w->out); /* never half a line */
            report(w, &err, rc);
            status = CLI_EXIT_FAIL;
        } else if (flush_out(w) != 0) {
            status = CLI_EXIT_FAIL;
        }
        done += n;
    }
    free(buf);
    return status;
}

/* h5watch's slicendump: for dimension 'ind', the old indexes of it recurse into the next
 * dimension first, then the new part [prev, cur) of 'ind' is printed (every later dimension
 * whole, every earlier one at the index fixed by the recursion). */
static int slicendump(struct watch *w, const uint64_t *prev, const uint64_t *cur, uint64_t *start,
                      uint64_t *count, uint32_t ind)
{
    uint32_t r = w->rank;
    if (ind + 1 < r) {
        uint64_t old = prev[ind] < cur[ind] ? prev[ind] : cur[ind];
        for (uint64_t i = 0; i < old && !g_stop; i++) {
            start[ind] = i;
            count[ind] = 1;
            int st = slicendump(w, prev, cur, start, count, ind + 1);
            if (st != CLI_EXIT_OK) {
                return st;
            }
        }
    }
    if (cur[ind] <= prev[ind]) {
        return CLI_EXIT_OK;
    }
    start[ind] = prev[ind];
    count[ind] = cur[ind] - prev[ind];
    for (uint32_t d = ind + 1; d < r; d++) {
        start[d] = 0;
        count[d] = cur[d];
    }
    return print_box(w, start, count, ind == 0);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    /* EINTR (SIGINT) ends the sleep early: the loop then sees g_stop. */
    nanosleep(&ts, NULL);
}

/* "SECONDS": a finite number >= 0 (fractions allowed). */
static int parse_seconds(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !(v >= 0) || v > 1e9) {
        return -1;
    }
    *out = v;
    return 0;
}

static int watch_run(struct watch *w, double interval, double max_wait)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    struct h5rd_space space;
    h5rd_err rc = h5rd_dataset_get_space(w->dset, &space, &err);
    if (rc != H5RD_OK) {
        report(w, &err, rc);
        return CLI_EXIT_FAIL;
    }
    if (space.kind != H5RD_SPACE_SIMPLE || space.rank == 0 || space.rank > H5RD_MAX_RANK) {
        report(w, &err, cli_set_error(&err, H5RD_E_TYPE,
                                      "watch: the dataset has no dimension to grow along"));
        return CLI_EXIT_FAIL;
    }
    w->rank = space.rank;
    uint64_t prev[H5RD_MAX_RANK], start[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
    memcpy(prev, space.dims, sizeof prev);
    prev[0] = 0; /* the rows already there are printed as new */
    if (!w->json) {
        jb_printf(&w->out, "Monitoring dataset %s...\n", w->path);
    }
    double last_growth = now_s();
    for (;;) {
        int changed = memcmp(prev, space.dims, w->rank * sizeof prev[0]) != 0;
        int grew = 0;
        for (uint32_t d = 0; d < w->rank; d++) {
            grew |= space.dims[d] > prev[d];
        }
        if (changed && !w->json) {
            for (uint32_t d = 0; d < w->rank; d++) {
                jb_printf(&w->out, "dimension %" PRIu32 ": %" PRIu64 "->%" PRIu64 " (%s)\n", d,
                          prev[d], space.dims[d],
                          space.dims[d] > prev[d]   ? "increases"
                          : space.dims[d] < prev[d] ? "decreases"
                                                    : "unchanged");
            }
            if (grew) {
                jb_puts(&w->out, "    Data:\n");
            }
        }
        if (grew) {
            int st = slicendump(w, prev, space.dims, start, count, 0);
            if (st != CLI_EXIT_OK) {
                return st;
            }
            last_growth = now_s();
        }
        if (flush_out(w) != 0) {
            return CLI_EXIT_FAIL;
        }
        memcpy(prev, space.dims, w->rank * sizeof prev[0]);
        if (g_stop) {
            return CLI_EXIT_OK;
        }
        if (max_wait >= 0 && now_s() - last_growth >= max_wait) {
            return CLI_EXIT_OK;
        }
        sleep_s(interval);
        if (g_stop) {
            return CLI_EXIT_OK;
        }
        rc = h5rd_dataset_refresh(w->dset, &err);
        if (rc == H5RD_OK) {
            rc = h5rd_dataset_get_space(w->dset, &space, &err);
        }
        if (rc == H5RD_OK && space.rank != w->rank) {
            rc = cli_set_error(&err, H5RD_E_CORRUPT, "watch: the dataset's rank changed");
        }
        if (rc != H5RD_OK) {
            report(w, &err, rc);
            return CLI_EXIT_FAIL;
        }
    }
}

int cmd_watch(int argc, char **argv)
{
    struct watch w;
    memset(&w, 0, sizeof w);
    double interval = 1.0, max_wait = -1.0;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            w.json = 1;
        } else if (!opts_done && (strcmp(a, "--interval") == 0 || strcmp(a, "--max-wait") == 0)) {
            if (i + 1 >= argc) {
                return cli_usage_error("watch", "missing SECONDS after", a);
            }
            double v = 0;
            if (parse_seconds(argv[i + 1], &v) != 0) {
                return cli_usage_error("watch", "SECONDS must be a number >= 0:", argv[i + 1]);
            }
            if (strcmp(a, "--interval") == 0) {
                interval = v;
            } else {
                max_wait = v;
            }
            i++;
        } else if (!opts_done && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("watch", "unknown option", a);
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("watch", "too many arguments:", a);
        }
    }
    if (npos < 2) {
        return cli_usage_error("watch", npos == 0 ? "missing FILE and PATH" : "missing PATH",
                               NULL);
    }
    w.filename = pos[0];
    w.path = pos[1];

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: a sleep ends at once */
    sigaction(SIGTERM, &sa, NULL);

    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    struct h5rd_open_opts opts;
    h5rd_open_opts_init(&opts);
    opts.flags = H5RD_OPEN_LIVE;
    h5rd_err rc = h5rd_file_open(w.filename, &opts, &w.file, &err);
    if (rc != H5RD_OK) {
        w.path = NULL;
        report(&w, &err, rc);
        return CLI_EXIT_FAIL;
    }
    int status = CLI_EXIT_FAIL;
    jb_init(&w.out);
    w.out.normalized = 1; /* the values come from h5rd_dataset_read, memtype NULL */
    rc = h5rd_obj_open(w.file, w.path, &w.dset, &err);
    if (rc == H5RD_OK && h5rd_obj_get_kind(w.dset) != H5RD_OBJ_DATASET) {
        rc = cli_set_error(&err, H5RD_E_TYPE, "watch: not a dataset");
    }
    if (rc == H5RD_OK) {
        rc = h5rd_obj_get_type(w.dset, &w.type, &err);
    }
    if (rc == H5RD_OK) {
        rc = h5rd_dataset_get_elem_nbytes(w.dset, NULL, &w.esize, &err);
    }
    struct h5rd_type_info ti;
    if (rc == H5RD_OK) {
        rc = h5rd_type_get_info(w.type, &ti, &err);
    }
    if (rc == H5RD_OK && (w.esize == 0 || w.esize > WATCH_MAX_ROW_NBYTES)) {
        rc = cli_set_error(&err, H5RD_E_LIMIT, "watch: element size zero or too large");
    }
    if (rc != H5RD_OK) {
        report(&w, &err, rc);
        goto out;
    }
    w.file_of_dset = h5rd_obj_get_file(w.dset);
    w.mt.cls = H5RD_MEMTYPE_FILE;
    if (ti.cls == H5RD_CLASS_FLOAT && w.esize != ti.size) {
        /* A float h5py widens (bfloat16, x87 long double): printed as the double nearest it,
         * as `h5rd cat --json` does. */
        w.wide = 1;
        w.mt.cls = H5RD_MEMTYPE_FLOAT;
        w.mt.size = 8;
        w.mt.order = H5RD_ORDER_LE;
        w.esize = 8;
        const uint16_t one = 1;
        unsigned char lo;
        memcpy(&lo, &one, 1);
        w.mt.order = lo == 1 ? H5RD_ORDER_LE : H5RD_ORDER_BE;
    }
    status = watch_run(&w, interval, max_wait);
out:
    jb_free(&w.out);
    h5rd_obj_close(w.dset);
    h5rd_file_close(w.file);
    return status;
}
