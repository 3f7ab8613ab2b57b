/*
 * oracle.c - run the CLI under a timeout and judge its output against a
 * libhdf5 oracle (oracle.h; the oracle format is the corpus README.md's).
 *
 * Processes: posix_spawn with stdout/stderr on pipes (close-on-exec in the
 * parent so concurrent children never hold each other's pipes), a poll() loop
 * that drains every running child, and SIGKILL at the deadline. Only children
 * this code spawned are ever signalled.
 *
 * Judging rules (what "agrees with libhdf5" means, per object, in order):
 *  - paths and kinds match one for one; the oracle's kind hard_link_seen is a
 *    CLI element carrying "same_as" (any kind);
 *  - where the oracle records a libhdf5/h5py failure (kind error, meta_error,
 *    an attribute error, attrs "__error__", walk_error) the CLI may either
 *    succeed or report an error there: libhdf5's failures are not ground truth;
 *  - datasets: shape, maxshape, dtype, layout, chunks, filters (each compared
 *    when the oracle has the key; a null oracle value also matches an absent
 *    CLI key); dtype strings that hold a JSON numpy descr compare as JSON;
 *  - soft links: target; external links: file and target;
 *  - attrs: the same names; per attribute dtype, shape and value (NaN strings
 *    equal the bare tokens, numbers compare by value).
 */
#define _GNU_SOURCE
#include "oracle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#ifndef H5RD_CLI_PATH
#define H5RD_CLI_PATH ""
#endif

/* ---- processes ---------------------------------------------------------------------------- */

const char *orc_cli_path(void)
{
    const char *env = getenv("H5RD_CLI");
    const char *p = env != NULL && env[0] != '\0' ? env : H5RD_CLI_PATH;
    if (p[0] == '\0' || access(p, X_OK) != 0) {
        return NULL;
    }
    return p;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct cbuf {
    char *p;
    size_t n;
    size_t cap;
    size_t limit;
    bool cut;
};

/* Appends up to the limit; the rest is dropped (and noted) so pipes keep draining. */
static void cb_put(struct cbuf *b, const char *src, size_t n)
{
    if (n > b->limit - b->n) {
        n = b->limit - b->n;
        b->cut = true;
    }
    if (n == 0) {
        return;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->n + n + 1 > cap) {
            cap *= 2;
        }
        char *np = realloc(b->p, cap);
        if (np == NULL) {
            b->cut = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static char *cb_take(struct cbuf *b, size_t *len)
{
    if (b->p == NULL) {
        b->p = calloc(1, 1);
    }
    *len = b->n;
    char *p = b->p;
    b->p = NULL;
    return p;
}

struct slot {
    bool busy;
    struct orc_job *job;
    pid_t pid;
    int fd[2]; /* stdout, stderr; -1 once closed */
    struct cbuf buf[2];
    double start;
    double deadline;
    bool killed;
    bool reaped;
    int wstatus;
};

static void set_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0) {
        fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
    }
}

static int start_slot(struct slot *s, struct orc_job *job, unsigned timeout_s)
{
    int po[2] = {-1, -1};
    int pe[2] = {-1, -1};
    memset(s, 0, sizeof *s);
    s->job = job;
    s->fd[0] = s->fd[1] = -1;
    s->buf[0].limit = ORC_MAX_STDOUT;
    s->buf[1].limit = ORC_MAX_STDERR;
    memset(&job->run, 0, sizeof job->run);

    if (pipe(po) != 0 || pipe(pe) != 0) {
        goto fail;
    }
    set_cloexec(po[0]);
    set_cloexec(po[1]);
    set_cloexec(pe[0]);
    set_cloexec(pe[1]);

    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        goto fail;
    }
    /* dup2 clears close-on-exec on the target descriptors. */
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    int rc = posix_spawn(&s->pid, job->argv[0], &fa, NULL, (char *const *)job->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        goto fail;
    }
    close(po[1]);
    close(pe[1]);
    s->fd[0] = po[0];
    s->fd[1] = pe[0];
    fcntl(s->fd[0], F_SETFL, fcntl(s->fd[0], F_GETFL) | O_NONBLOCK);
    fcntl(s->fd[1], F_SETFL, fcntl(s->fd[1], F_GETFL) | O_NONBLOCK);
    s->start = now_s();
    s->deadline = s->start + (double)timeout_s;
    s->busy = true;
    return 0;

fail:;
    int e = errno;
    for (int i = 0; i < 2; i++) {
        if (po[i] >= 0) {
            close(po[i]);
        }
        if (pe[i] >= 0) {
            close(pe[i]);
        }
    }
    job->run.how = ORC_SPAWN_FAILED;
    job->run.code = e;
    job->run.out = calloc(1, 1);
    job->run.err = strdup(strerror(e));
    job->run.err_len = job->run.err != NULL ? strlen(job->run.err) : 0;
    return -1;
}

static void drain(struct slot *s, int i)
{
    char tmp[65536];
    while (s->fd[i] >= 0) {
        ssize_t k = read(s->fd[i], tmp, sizeof tmp);
        if (k > 0) {
            cb_put(&s->buf[i], tmp, (size_t)k);
            continue;
        }
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        close(s->fd[i]); /* EOF or a hard error */
        s->fd[i] = -1;
    }
}

static void finish_slot(struct slot *s)
{
    struct orc_run *r = &s->job->run;
    for (int i = 0; i < 2; i++) {
        if (s->fd[i] >= 0) {
            close(s->fd[i]);
            s->fd[i] = -1;
        }
    }
    r->seconds = now_s() - s->start;
    if (s->killed) {
        r->how = ORC_TIMEOUT;
        r->code = 0;
    } else if (WIFSIGNALED(s->wstatus)) {
        r->how = ORC_SIGNALED;
        r->code = WTERMSIG(s->wstatus);
    } else {
        r->how = ORC_EXITED;
        r->code = WEXITSTATUS(s->wstatus);
    }
    r->out_truncated = s->buf[0].cut;
    r->out = cb_take(&s->buf[0], &r->out_len);
    r->err = cb_take(&s->buf[1], &r->err_len);
    s->busy = false;
}

void orc_run_free(struct orc_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

void orc_run_many(struct orc_job *jobs, size_t n, unsigned parallel, unsigned timeout_s,
                  orc_done_fn done, void *ctx)
{
    if (parallel == 0) {
        parallel = 1;
    }
    if (parallel > 64) {
        parallel = 64;
    }
    struct slot slots[64];
    memset(slots, 0, sizeof slots);
    size_t next = 0;
    size_t active = 0;

    while (next < n || active > 0) {
        /* Fill free slots. A job that cannot start is reported at once. */
        for (unsigned k = 0; k < parallel && next < n; k++) {
            if (slots[k].busy) {
                continue;
            }
            struct orc_job *job = &jobs[next++];
            if (start_slot(&slots[k], job, timeout_s) != 0) {
                if (done != NULL) {
                    done(job, ctx);
                }
                orc_run_free(&job->run);
                continue;
            }
            active++;
        }
        if (active == 0) {
            continue;
        }

        struct pollfd pfd[128];
        struct slot *owner[128];
        int which[128];
        nfds_t np = 0;
        double t = now_s();
        double wait = 1.0;
        for (unsigned k = 0; k < parallel; k++) {
            struct slot *s = &slots[k];
            if (!s->busy) {
                continue;
            }
            for (int i = 0; i < 2; i++) {
                if (s->fd[i] >= 0) {
                    pfd[np].fd = s->fd[i];
                    pfd[np].events = POLLIN;
                    pfd[np].revents = 0;
                    owner[np] = s;
                    which[np] = i;
                    np++;
                }
            }
            if (!s->killed && s->deadline - t < wait) {
                wait = s->deadline - t;
            }
            if (s->fd[0] < 0 && s->fd[1] < 0 && wait > 0.01) {
                wait = 0.01; /* pipes closed: poll the exit status soon */
            }
        }
        int ms = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
        int pr = poll(np > 0 ? pfd : NULL, np, ms);
        if (pr > 0) {
            for (nfds_t q = 0; q < np; q++) {
                if (pfd[q].revents != 0) {
                    drain(owner[q], which[q]);
                }
            }
        }

        t = now_s();
        for (unsigned k = 0; k < parallel; k++) {
            struct slot *s = &slots[k];
            if (!s->busy) {
                continue;
            }
            if (!s->reaped) {
                pid_t w = waitpid(s->pid, &s->wstatus, WNOHANG);
                if (w == s->pid) {
                    s->reaped = true;
                }
            }
            if (!s->reaped && !s->killed && t >= s->deadline) {
                kill(s->pid, SIGKILL); /* our own child, by its pid */
                s->killed = true;
                waitpid(s->pid, &s->wstatus, 0);
                s->reaped = true;
            }
            if (s->reaped) {
                /* Collect what is left in the pipes (a killed child's pipes are closed). */
                drain(s, 0);
                drain(s, 1);
                if ((s->fd[0] >= 0 || s->fd[1] >= 0) && !s->killed && t < s->deadline) {
                    continue; /* a grandchild may still hold them; wait for EOF */
                }
                finish_slot(s);
                active--;
                if (done != NULL) {
                    done(s->job, ctx);
                }
                orc_run_free(&s->job->run);
            }
        }
    }
}

struct one_ctx {
    struct orc_run *dst;
};

static void keep_run(struct orc_job *job, void *ctx)
{
    struct one_ctx *c = ctx;
    *c->dst = job->run;
    memset(&job->run, 0, sizeof job->run); /* ownership moves to the caller */
}

int orc_run(const char *const argv[], unsigned timeout_s, struct orc_run *r)
{
    struct orc_job job;
    memset(&job, 0, sizeof job);
    for (size_t i = 0; i < ORC_MAX_ARGS && argv[i] != NULL; i++) {
        job.argv[i] = argv[i];
    }
    struct one_ctx c = {r};
    memset(r, 0, sizeof *r);
    orc_run_many(&job, 1, 1, timeout_s, keep_run, &c);
    return r->how == ORC_SPAWN_FAILED ? -1 : 0;
}

void orc_describe_end(const struct orc_run *r, char *buf, size_t cap)
{
    switch (r->how) {
    case ORC_EXITED:
        snprintf(buf, cap, "exit %d", r->code);
        return;
    case ORC_SIGNALED: {
        const char *name = r->code == SIGSEGV   ? "SIGSEGV"
                           : r->code == SIGABRT ? "SIGABRT"
                           : r->code == SIGBUS  ? "SIGBUS"
                           : r->code == SIGFPE  ? "SIGFPE"
                           : r->code == SIGILL  ? "SIGILL"
                           : r->code == SIGKILL ? "SIGKILL"
                                                : "signal";
        snprintf(buf, cap, "killed by signal %d (%s)", r->code, name);
        return;
    }
    case ORC_TIMEOUT:
        snprintf(buf, cap, "timed out after %.1f s (killed)", r->seconds);
        return;
    case ORC_SPAWN_FAILED:
        snprintf(buf, cap, "could not start the CLI: %s", strerror(r->code));
        return;
    }
    snprintf(buf, cap, "?");
}

/* ---- messages ----------------------------------------------------------------------------- */

struct msg {
    char *p;
    size_t n;
    size_t cap;
    unsigned lines;
    unsigned max_lines;
    bool stop; /* a structural mismatch: later comparisons would only be noise */
};

static bool msg_full(const struct msg *m)
{
    return m->lines >= m->max_lines;
}

__attribute__((format(printf, 2, 3))) static void msg_add(struct msg *m, const char *fmt, ...)
{
    if (msg_full(m)) {
        return;
    }
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (k < 0) {
        return;
    }
    size_t len = strlen(line);
    if (m->n + len + 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        while (m->n + len + 2 > cap) {
            cap *= 2;
        }
        char *np = realloc(m->p, cap);
        if (np == NULL) {
            return;
        }
        m->p = np;
        m->cap = cap;
    }
    memcpy(m->p + m->n, line, len);
    m->n += len;
    m->p[m->n++] = '\n';
    m->p[m->n] = '\0';
    m->lines++;
}

static char *msg_take(struct msg *m)
{
    if (m->lines == 0) {
        free(m->p);
        return NULL;
    }
    if (m->n > 0 && m->p[m->n - 1] == '\n') {
        m->p[--m->n] = '\0';
    }
    return m->p;
}

/* First line of the CLI's stderr, for messages. */
static void first_line(const char *s, char *buf, size_t cap)
{
    size_t n = 0;
    while (s != NULL && s[n] != '\0' && s[n] != '\n' && n + 1 < cap) {
        n++;
    }
    if (n > 0) {
        memcpy(buf, s, n);
    }
    buf[n] = '\0';
}

/* ---- comparison --------------------------------------------------------------------------- */

static bool is_null_or_absent(const tj_value *v)
{
    return v == NULL || v->kind == TJ_NULL;
}

/*
 * dtype: the oracle writes numpy type strings; compound/array types are a JSON
 * numpy descr inside a string. Equal strings match; otherwise, when either side
 * is (or holds) JSON, the parsed trees are compared so whitespace and key order
 * of the CLI's rendering do not matter.
 */
static bool dtype_equal(const tj_value *want, const tj_value *got, const char *base, char *diff,
                        size_t cap)
{
    if (tj_equal(want, got, 0, base, diff, cap)) {
        return true;
    }
    tj_value *w = NULL;
    tj_value *g = NULL;
    const tj_value *wv = want;
    const tj_value *gv = got;
    if (want->kind == TJ_STR && want->len > 0 && (want->str[0] == '[' || want->str[0] == '{')) {
        w = tj_parse(want->str, want->len, NULL, 0);
        wv = w != NULL ? w : want;
    }
    if (got->kind == TJ_STR && got->len > 0 && (got->str[0] == '[' || got->str[0] == '{')) {
        g = tj_parse(got->str, got->len, NULL, 0);
        gv = g != NULL ? g : got;
    }
    bool eq = false;
    if (w != NULL || g != NULL) {
        eq = tj_equal(wv, gv, 0, base, diff, cap);
        if (!eq) {
            /* Report the raw values: the parsed path alone is confusing. */
            tj_equal(want, got, 0, base, diff, cap);
        }
    }
    tj_free(w);
    tj_free(g);
    return eq;
}

static void cmp_key(struct msg *m, const char *path, const char *key, const tj_value *want_obj,
                    const tj_value *got_obj, bool is_dtype)
{
    const tj_value *w = tj_get(want_obj, key);
    const tj_value *g = tj_get(got_obj, key);
    if (w == NULL) {
        return; /* the oracle does not know (e.g. meta_error): nothing to check */
    }
    if (g == NULL) {
        if (w->kind != TJ_NULL) {
            char wr[200];
            msg_add(m, "%s: %s: missing in CLI output (want %s)", path, key,
                    tj_render(w, wr, sizeof wr));
        }
        return;
    }
    char base[600];
    char diff[1024];
    snprintf(base, sizeof base, "%s: %s", path, key);
    bool eq = is_dtype ? dtype_equal(w, g, base, diff, sizeof diff)
                       : tj_equal(w, g, TJ_CMP_DEFAULT, base, diff, sizeof diff);
    if (!eq) {
        msg_add(m, "%s", diff);
    }
}

static bool attrs_have_errors(const tj_value *attrs);

static void cmp_attrs(struct msg *m, const char *path, const tj_value *want_obj,
                      const tj_value *got_obj)
{
    const tj_value *wa = tj_get(want_obj, "attrs");
    const tj_value *ga = tj_get(got_obj, "attrs");
    if (wa != NULL && wa->kind == TJ_OBJ && tj_get(wa, "__error__") != NULL) {
        return; /* libhdf5 failed to iterate the attributes: nothing to hold the CLI to */
    }
    if (ga != NULL && ga->kind == TJ_OBJ && tj_get(ga, "__error__") != NULL &&
        attrs_have_errors(wa)) {
        return; /* libhdf5 failed on one of them too; h5rd reports the object's table as bad */
    }
    bool wa_empty = is_null_or_absent(wa) || (wa->kind == TJ_OBJ && wa->n == 0);
    bool ga_empty = is_null_or_absent(ga) || (ga->kind == TJ_OBJ && ga->n == 0);
    if (wa_empty && ga_empty) {
        return;
    }
    if (ga != NULL && ga->kind != TJ_OBJ && ga->kind != TJ_NULL) {
        char gr[200];
        msg_add(m, "%s: attrs: not an object in CLI output: %s", path,
                tj_render(ga, gr, sizeof gr));
        return;
    }
    if (wa != NULL && wa->kind != TJ_OBJ && wa->kind != TJ_NULL) {
        return; /* an oracle shape we do not understand: do not guess */
    }
    /* Names on one side only. */
    if (wa != NULL && wa->kind == TJ_OBJ) {
        for (size_t i = 0; i < wa->n; i++) {
            if (tj_get(ga, wa->keys[i]) == NULL) {
                msg_add(m, "%s: attribute \"%s\" missing in CLI output", path, wa->keys[i]);
            }
        }
    }
    if (ga != NULL && ga->kind == TJ_OBJ) {
        for (size_t i = 0; i < ga->n; i++) {
            if (tj_get(wa, ga->keys[i]) == NULL) {
                msg_add(m, "%s: attribute \"%s\" not in the oracle", path, ga->keys[i]);
            }
        }
    }
    if (wa == NULL || wa->kind != TJ_OBJ) {
        return;
    }
    for (size_t i = 0; i < wa->n && !msg_full(m); i++) {
        const tj_value *w = &wa->items[i];
        const tj_value *g = tj_get(ga, wa->keys[i]);
        if (g == NULL || tj_get(w, "error") != NULL) {
            continue; /* missing: reported above; oracle error: libhdf5 could not read it */
        }
        char where[700];
        snprintf(where, sizeof where, "%s: attribute \"%s\"", path, wa->keys[i]);
        if (tj_get(g, "error") != NULL) {
            char gr[300];
            msg_add(m, "%s: CLI reports an error, libhdf5 read it: %s", where,
                    tj_render(tj_get(g, "error"), gr, sizeof gr));
            continue;
        }
        cmp_key(m, where, "dtype", w, g, true);
        cmp_key(m, where, "shape", w, g, false);
        cmp_key(m, where, "value", w, g, false);
    }
}

/* Dataset keys compared (each only when the oracle has it). */
static const char *const DATASET_KEYS[] = {"shape", "maxshape", "dtype", "layout", "chunks",
                                           "filters"};
/* Data checks, enabled by ORC_CHECK_DATA, compared when both sides have them and the
 * oracle could read the data. */
static const char *const DATASET_DATA_KEYS[] = {"sha256", "json_sha256"};

static void cmp_dataset(struct msg *m, const char *path, const tj_value *w, const tj_value *g,
                        unsigned flags)
{
    for (size_t i = 0; i < sizeof DATASET_KEYS / sizeof DATASET_KEYS[0]; i++) {
        cmp_key(m, path, DATASET_KEYS[i], w, g, strcmp(DATASET_KEYS[i], "dtype") == 0);
    }
    if ((flags & ORC_CHECK_DATA) != 0) {
        const tj_value *readable = tj_get(w, "readable");
        if (readable != NULL && readable->kind == TJ_BOOL && readable->b) {
            for (size_t i = 0; i < sizeof DATASET_DATA_KEYS / sizeof DATASET_DATA_KEYS[0]; i++) {
                if (tj_get(g, DATASET_DATA_KEYS[i]) != NULL) {
                    cmp_key(m, path, DATASET_DATA_KEYS[i], w, g, false);
                }
            }
        }
    }
}

static bool is_descendant(const char *path, const char *ancestor)
{
    size_t n = strlen(ancestor);
    if (strcmp(ancestor, "/") == 0) {
        return strcmp(path, "/") != 0;
    }
    return strncmp(path, ancestor, n) == 0 && path[n] == '/';
}

/* Compares one oracle object with one CLI element whose path matched. */
static void cmp_object(struct msg *m, const tj_value *w, const tj_value *g, unsigned flags,
                       const char *path)
{
    const char *wk = tj_get_str(w, "kind");
    const char *gk = tj_get_str(g, "kind");
    bool g_same = tj_get(g, "same_as") != NULL;
    if (wk == NULL) {
        msg_add(m, "%s: oracle object has no kind", path);
        return;
    }
    if (gk == NULL) {
        msg_add(m, "%s: CLI element has no kind", path);
        return;
    }
    if (strcmp(wk, "error") == 0) {
        return; /* libhdf5 failed here: any CLI answer is acceptable */
    }
    if (strcmp(wk, "hard_link_seen") == 0) {
        if (!g_same && strcmp(gk, "hard_link_seen") != 0) {
            msg_add(m, "%s: want a second hard link to an object already listed (same_as), "
                       "got kind %s without same_as", path, gk);
        }
        return;
    }
    if (g_same) {
        char sr[300];
        msg_add(m, "%s: want kind %s, got a repeated hard link (same_as %s)", path, wk,
                tj_render(tj_get(g, "same_as"), sr, sizeof sr));
        return;
    }
    if (strcmp(gk, "error") == 0) {
        char er[300];
        const tj_value *e = tj_get(g, "error");
        if (strcmp(wk, "dataset") == 0 && tj_get(w, "meta_error") != NULL) {
            return; /* libhdf5 opened it but could not describe its type either */
        }
        msg_add(m, "%s: want kind %s, CLI reports an error: %s", path, wk,
                e != NULL ? tj_render(e, er, sizeof er) : "(no message)");
        return;
    }
    if (strcmp(wk, gk) != 0) {
        msg_add(m, "%s: want kind %s, got %s", path, wk, gk);
        return;
    }
    if (strcmp(wk, "dataset") == 0) {
        cmp_dataset(m, path, w, g, flags);
    } else if (strcmp(wk, "soft_link") == 0) {
        cmp_key(m, path, "target", w, g, false);
    } else if (strcmp(wk, "external_link") == 0) {
        cmp_key(m, path, "file", w, g, false);
        cmp_key(m, path, "target", w, g, false);
    }
    cmp_attrs(m, path, w, g);
}

static void compare_into(struct msg *m, const tj_value *oracle, const tj_value *listing,
                         unsigned flags)
{
    const tj_value *objs = tj_get(oracle, "objects");
    bool walk_error = tj_get(oracle, "walk_error") != NULL;
    if (objs == NULL || objs->kind != TJ_ARR) {
        msg_add(m, "oracle: no objects array");
        return;
    }
    if (listing == NULL || listing->kind != TJ_ARR) {
        msg_add(m, "CLI output is not a JSON array");
        return;
    }
    size_t j = 0;
    for (size_t i = 0; i < objs->n && !msg_full(m); i++) {
        const tj_value *w = &objs->items[i];
        const char *wp = tj_get_str(w, "path");
        if (wp == NULL) {
            msg_add(m, "oracle object %zu has no path", i);
            return;
        }
        if (j >= listing->n) {
            msg_add(m, "%s: missing in CLI output (it lists %zu elements, the oracle %zu)", wp,
                    listing->n, objs->n);
            return;
        }
        const tj_value *g = &listing->items[j];
        const char *gp = tj_get_str(g, "path");
        if (gp == NULL) {
            msg_add(m, "CLI element %zu has no path", j);
            return;
        }
        if (strcmp(wp, gp) != 0) {
            msg_add(m, "element %zu: want path %s, got %s (listing order or membership differs)",
                    j, wp, gp);
            return;
        }
        cmp_object(m, w, g, flags, wp);
        j++;
        const char *wk = tj_get_str(w, "kind");
        if (wk != NULL && strcmp(wk, "error") == 0) {
            /* libhdf5 could not open this object, so it listed nothing below it; the CLI may. */
            while (j < listing->n) {
                const char *cp = tj_get_str(&listing->items[j], "path");
                if (cp == NULL || !is_descendant(cp, wp)) {
                    break;
                }
                j++;
            }
        }
    }
    if (msg_full(m)) {
        return;
    }
    if (j < listing->n && !walk_error) {
        const char *cp = tj_get_str(&listing->items[j], "path");
        msg_add(m, "%s: extra element in CLI output (%zu more than the oracle's %zu)",
                cp != NULL ? cp : "(no path)", listing->n - j, objs->n);
    }
}

char *orc_compare_listing(const tj_value *oracle, const tj_value *listing, unsigned flags,
                          unsigned max_diffs)
{
    struct msg m = {0};
    m.max_lines = max_diffs > 0 ? max_diffs : 1;
    compare_into(&m, oracle, listing, flags);
    return msg_take(&m);
}

static bool attrs_have_errors(const tj_value *attrs)
{
    if (attrs == NULL || attrs->kind != TJ_OBJ) {
        return false;
    }
    if (tj_get(attrs, "__error__") != NULL) {
        return true;
    }
    for (size_t i = 0; i < attrs->n; i++) {
        if (tj_get(&attrs->items[i], "error") != NULL) {
            return true;
        }
    }
    return false;
}

bool orc_oracle_has_errors(const tj_value *oracle)
{
    if (tj_get(oracle, "walk_error") != NULL) {
        return true;
    }
    const tj_value *objs = tj_get(oracle, "objects");
    if (objs == NULL || objs->kind != TJ_ARR) {
        return false;
    }
    for (size_t i = 0; i < objs->n; i++) {
        const tj_value *o = &objs->items[i];
        const char *k = tj_get_str(o, "kind");
        if ((k != NULL && strcmp(k, "error") == 0) || tj_get(o, "meta_error") != NULL ||
            attrs_have_errors(tj_get(o, "attrs"))) {
            return true;
        }
    }
    return false;
}

/*
 * Oracle refusals that say nothing about the file: libhdf5 (or h5py) crashed
 * while opening it. h5rd may read such a file or refuse it; either way it must
 * end cleanly.
 */
static bool oracle_not_authoritative(const char *why)
{
    static const char *const patterns[] = {
        "oracle process died",
    };
    if (why == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        if (strstr(why, patterns[i]) != NULL) {
            return true;
        }
    }
    return false;
}

char *orc_verdict(const tj_value *oracle, const struct orc_run *run, unsigned flags,
                  unsigned max_diffs)
{
    struct msg m = {0};
    m.max_lines = max_diffs > 0 ? max_diffs : 1;
    char end[160];
    char err1[300];
    orc_describe_end(run, end, sizeof end);
    first_line(run->err, err1, sizeof err1);

    if (run->how != ORC_EXITED || run->code >= 128) {
        msg_add(&m, "CLI %s%s%s", end, err1[0] ? ": " : "", err1);
        return msg_take(&m);
    }
    const tj_value *opened = tj_get(oracle, "opened");
    if (opened == NULL || opened->kind != TJ_BOOL) {
        msg_add(&m, "oracle: no \"opened\"");
        return msg_take(&m);
    }
    if (!opened->b) {
        /* libhdf5 refused the file: h5rd must refuse it cleanly (exit 1) - unless libhdf5's
         * refusal says nothing about the file's validity, see oracle_not_authoritative(). */
        const char *why = tj_get_str(oracle, "error");
        if (run->code == 1) {
            return NULL;
        }
        if (run->code == 0 && oracle_not_authoritative(why)) {
            char perr[200];
            tj_value *listing = tj_parse(run->out, run->out_len, perr, sizeof perr);
            if (listing == NULL || listing->kind != TJ_ARR) {
                msg_add(&m, "CLI exit 0, output is not a JSON array: %s", perr);
            }
            tj_free(listing);
            return msg_take(&m);
        }
        char whyl[240];
        first_line(why != NULL ? why : "?", whyl, sizeof whyl);
        msg_add(&m, "libhdf5 could not open it (%s); want exit 1, got %s", whyl, end);
        return msg_take(&m);
    }
    bool oracle_errors = orc_oracle_has_errors(oracle);
    if (run->code == 1 && tj_get(oracle, "walk_error") != NULL) {
        return NULL; /* libhdf5 failed walking the file too; a clean refusal is fine */
    }
    if (run->code != 0 && !oracle_errors) {
        msg_add(&m, "libhdf5 read it; CLI %s%s%s", end, err1[0] ? ": " : "", err1);
        return msg_take(&m);
    }
    if (run->out_truncated) {
        msg_add(&m, "CLI output exceeds %zu bytes", ORC_MAX_STDOUT);
        return msg_take(&m);
    }
    char perr[200];
    tj_value *listing = tj_parse(run->out, run->out_len, perr, sizeof perr);
    if (listing == NULL) {
        msg_add(&m, "CLI %s, output does not parse: %s%s%s", end, perr, err1[0] ? "; stderr: " : "",
                err1);
        return msg_take(&m);
    }
    compare_into(&m, oracle, listing, flags);
    tj_free(listing);
    return msg_take(&m);
}

/* ---- file lists --------------------------------------------------------------------------- */

struct flist {
    char **p;
    size_t n;
    size_t cap;
    bool oom;
};

static void fl_add(struct flist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char **np = realloc(l->p, cap * sizeof *np);
        if (np == NULL) {
            l->oom = true;
            return;
        }
        l->p = np;
        l->cap = cap;
    }
    char *d = strdup(s);
    if (d == NULL) {
        l->oom = true;
        return;
    }
    l->p[l->n++] = d;
}

/* Depth-limited walk; symlinks are not followed (lstat), so link loops cannot recurse. */
static void walk(struct flist *l, const char *root, const char *rel, const char *suffix,
                 unsigned depth)
{
    if (depth > 64) {
        return;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    size_t slen = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char sub[4096];
        char full[8192];
        int k = snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        if (k < 0 || (size_t)k >= sizeof sub) {
            continue;
        }
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (lstat(full, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            walk(l, root, sub, suffix, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            size_t nl = strlen(e->d_name);
            if (nl >= slen && strcmp(e->d_name + nl - slen, suffix) == 0) {
                fl_add(l, sub);
            }
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **orc_find_files(const char *root, const char *suffix, size_t *count)
{
    struct flist l = {0};
    *count = 0;
    walk(&l, root, "", suffix, 0);
    if (l.oom) {
        orc_free_list(l.p, l.n);
        return NULL;
    }
    if (l.n > 1) {
        qsort(l.p, l.n, sizeof *l.p, cmp_str);
    }
    *count = l.n;
    return l.p;
}

void orc_free_list(char **list, size_t count)
{
    for (size_t i = 0; i < count && list != NULL; i++) {
        free(list[i]);
    }
    free(list);
}

/* ---- checking many files ------------------------------------------------------------------ */

unsigned orc_default_parallel(void)
{
    const char *env = getenv("H5RD_TEST_JOBS");
    if (env != NULL && env[0] != '\0') {
        long v = strtol(env, NULL, 10);
        if (v >= 1 && v <= 64) {
            return (unsigned)v;
        }
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 2) {
        return 2;
    }
    return n > 4 ? 4 : (unsigned)n;
}

struct check_ctx {
    unsigned flags;
    unsigned max_diffs;
};

static void check_done(struct orc_job *job, void *ctx)
{
    struct check_ctx *c = ctx;
    struct orc_case *k = job->user;
    k->done = true;
    k->how = job->run.how;
    k->code = job->run.code;
    k->seconds = job->run.seconds;
    char err[300];
    tj_value *oracle = tj_parse_file(k->oracle_path, err, sizeof err);
    if (oracle == NULL) {
        size_t cap = strlen(err) + 32;
        k->verdict = malloc(cap);
        if (k->verdict != NULL) {
            snprintf(k->verdict, cap, "oracle unreadable: %s", err);
        }
        return;
    }
    k->verdict = orc_verdict(oracle, &job->run, c->flags, c->max_diffs);
    tj_free(oracle);
}

void orc_check_cases(struct orc_case *cases, size_t n, const char *cli, unsigned parallel,
                     unsigned timeout_s, unsigned flags, unsigned max_diffs)
{
    struct orc_job *jobs = calloc(n > 0 ? n : 1, sizeof *jobs);
    if (jobs == NULL) {
        for (size_t i = 0; i < n; i++) {
            cases[i].verdict = strdup("out of memory");
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        jobs[i].argv[0] = cli;
        jobs[i].argv[1] = "ls";
        jobs[i].argv[2] = "-r";
        jobs[i].argv[3] = "--json";
        jobs[i].argv[4] = cases[i].data_path;
        jobs[i].argv[5] = NULL;
        jobs[i].user = &cases[i];
    }
    struct check_ctx c = {flags, max_diffs};
    orc_run_many(jobs, n, parallel, timeout_s, check_done, &c);
    free(jobs);
}

void orc_free_case_results(struct orc_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cases[i].verdict);
        cases[i].verdict = NULL;
    }
}
