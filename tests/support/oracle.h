/*
 * oracle.h - run the h5rd CLI on HDF5 files and compare what it prints with
 * what libhdf5 read (the corpus oracles in /work/shared/corpus/oracle and the
 * project fixtures' fixtures/expected/NAME.json share one format, described in
 * the corpus README.md).
 *
 * Two layers:
 *  - process running (orc_run, orc_run_many): the CLI is spawned with stdin
 *    from /dev/null, stdout and stderr captured, and a wall-clock timeout after
 *    which it is killed, so a hung or crashing CLI fails a test instead of
 *    hanging or killing it. orc_run_many keeps up to N processes in flight.
 *  - judging (orc_verdict, orc_compare_listing): turns an oracle plus a CLI run
 *    into NULL (pass) or a readable, malloc'd explanation.
 */
#ifndef H5RD_TEST_ORACLE_H
#define H5RD_TEST_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

enum orc_how {
    ORC_EXITED,      /* code = exit status */
    ORC_SIGNALED,    /* code = signal number */
    ORC_TIMEOUT,     /* killed after the timeout */
    ORC_SPAWN_FAILED /* code = errno */
};

struct orc_run {
    enum orc_how how;
    int code;
    char *out; /* stdout, NUL-terminated (never NULL after a run) */
    size_t out_len;
    bool out_truncated; /* stdout went past ORC_MAX_STDOUT and was cut */
    char *err;          /* first ORC_MAX_STDERR bytes of stderr, NUL-terminated */
    size_t err_len;
    double seconds;
};

#define ORC_MAX_STDOUT ((size_t)256 << 20)
#define ORC_MAX_STDERR ((size_t)16 << 10)
#define ORC_MAX_ARGS 15

struct orc_job {
    const char *argv[ORC_MAX_ARGS + 1]; /* NULL-terminated; argv[0] is the program path */
    void *user;                         /* for the caller */
    struct orc_run run;                 /* filled before the callback */
};

/* Called once per job as it finishes; the job's run is freed after it returns. */
typedef void (*orc_done_fn)(struct orc_job *job, void *ctx);

/* The CLI to test: $H5RD_CLI when set, else H5RD_CLI_PATH; NULL when neither names an
 * executable file. */
const char *orc_cli_path(void);

/* Runs one process to completion (or timeout). Returns 0, or -1 when it could not be
 * started (r->how == ORC_SPAWN_FAILED). Free r with orc_run_free(). */
int orc_run(const char *const argv[], unsigned timeout_s, struct orc_run *r);
void orc_run_free(struct orc_run *r);

/* Runs all jobs, 'parallel' at a time, calling done() as each ends (in completion order). */
void orc_run_many(struct orc_job *jobs, size_t n, unsigned parallel, unsigned timeout_s,
                  orc_done_fn done, void *ctx);

/* One line describing how a run ended ("exit 0", "killed by signal 11 (SIGSEGV)", ...). */
void orc_describe_end(const struct orc_run *r, char *buf, size_t cap);

/* Options for the comparisons. */
enum {
    /* Also compare dataset data hashes (sha256 / json_sha256) when both sides have them.
     * Off until the CLI prints them. */
    ORC_CHECK_DATA = 1u << 0,
};

/*
 * Compares an oracle document ({"opened", "objects", ...}) with a parsed
 * `h5rd ls -r --json` listing (a JSON array). Returns NULL when they agree, else
 * a malloc'd text of at most max_diffs lines (one difference each).
 */
char *orc_compare_listing(const tj_value *oracle, const tj_value *listing, unsigned flags,
                          unsigned max_diffs);

/*
 * The whole verdict on one file: how the CLI ended (crash, timeout, exit code
 * against the oracle's `opened`), whether its stdout parses, and the listing
 * comparison. Returns NULL on pass, else a malloc'd explanation.
 */
char *orc_verdict(const tj_value *oracle, const struct orc_run *run, unsigned flags,
                  unsigned max_diffs);

/*
 * Every regular file below root whose name ends in suffix, as paths relative to
 * root, sorted bytewise. Returns NULL with *count 0 when root cannot be read.
 * Free with orc_free_list().
 */
char **orc_find_files(const char *root, const char *suffix, size_t *count);
void orc_free_list(char **list, size_t count);

/* One file to check against its oracle (see orc_check_cases). */
struct orc_case {
    char *name;        /* for messages (owned by the caller) */
    char *data_path;   /* the HDF5 file (owned by the caller) */
    char *oracle_path; /* its oracle / expected JSON (owned by the caller) */
    /* results */
    bool done;
    char *verdict; /* NULL: pass; else malloc'd explanation (freed by orc_free_case_results) */
    enum orc_how how;
    int code;
    double seconds;
};

/*
 * Runs `cli ls -r --json data_path` for every case, 'parallel' at a time with a
 * per-file timeout, and stores each verdict (orc_verdict with max_diffs lines).
 */
void orc_check_cases(struct orc_case *cases, size_t n, const char *cli, unsigned parallel,
                     unsigned timeout_s, unsigned flags, unsigned max_diffs);
void orc_free_case_results(struct orc_case *cases, size_t n);

/* CLI processes to run at once: $H5RD_TEST_JOBS, else the CPU count clamped to 2..4. */
unsigned orc_default_parallel(void);

/* True when the oracle records any failure of libhdf5/h5py on this file (walk_error,
 * an object of kind error, meta_error, an attribute error). */
bool orc_oracle_has_errors(const tj_value *oracle);

#endif
