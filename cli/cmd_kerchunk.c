/*
 * cmd_kerchunk.c - `h5rd kerchunk [--inline BYTES] [--url URL] [--split BYTES] [--fletcher32]
 * [--strict] FILE [PATH]`: kerchunk version-1 references (fsspec ReferenceFileSystem + Zarr v2)
 * for the groups and datasets under PATH (default /), on stdout. A thin layer over
 * h5rd_kerchunk_write (src/kerchunk/kerchunk.c, docs/kerchunk.md).
 *
 * What cannot be expressed is listed on stderr, one line per dataset,
 * `h5rd kerchunk: FILE: PATH: REASON`; the references are still written for everything else
 * (exit 0), or with --strict the run exits 1 after writing them.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct report_ctx {
    const char *file;
};

static void report_line(void *user, const char *path, const char *reason)
{
    const struct report_ctx *c = user;
    fprintf(stderr, "h5rd kerchunk: %s: %s: %s\n", c->file, path, reason);
}

static int write_stdout(void *user, const void *buf, size_t n)
{
    (void)user;
    return fwrite(buf, 1, n, stdout) == n ? 0 : -1;
}

static int parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s || *s == '-') {
        return -1;
    }
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end != '\0') {
        return -1;
    }
    *v = x;
    return 0;
}

int cmd_kerchunk(int argc, char **argv)
{
    struct h5rd_kerchunk_opts o;
    h5rd_kerchunk_opts_init(&o);
    const char *url = NULL;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (!opts_done && strcmp(a, "--strict") == 0) {
            o.flags |= H5RD_KERCHUNK_STRICT;
        } else if (!opts_done && strcmp(a, "--fletcher32") == 0) {
            o.flags |= H5RD_KERCHUNK_FLETCHER32;
        } else if (!opts_done && (strcmp(a, "--inline") == 0 || strncmp(a, "--inline=", 9) == 0)) {
            val = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (parse_u64(val, &o.inline_threshold) != 0) {
                return cli_usage_error("kerchunk", "--inline needs a number of bytes:", val);
            }
        } else if (!opts_done && (strcmp(a, "--split") == 0 || strncmp(a, "--split=", 8) == 0)) {
            val = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (parse_u64(val, &o.max_contiguous_chunk_nbytes) != 0) {
                return cli_usage_error("kerchunk", "--split needs a number of bytes:", val);
            }
        } else if (!opts_done && (strcmp(a, "--url") == 0 || strncmp(a, "--url=", 6) == 0)) {
            val = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val) {
                return cli_usage_error("kerchunk", "--url needs a value", NULL);
            }
            url = val;
        } else if (!opts_done && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("kerchunk", "unknown option", a);
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("kerchunk", "too many arguments:", a);
        }
    }
    if (npos < 1) {
        return cli_usage_error("kerchunk", "missing FILE", NULL);
    }
    const char *file = pos[0], *path = pos[1] ? pos[1] : "/";
    o.url = url ? url : file;
    struct report_ctx rc_ctx = {file};
    o.report = report_line;
    o.user = &rc_ctx;
    h5rd_file *f = NULL;
    if (cli_open(file, &f) != CLI_EXIT_OK) {
        return CLI_EXIT_FAIL;
    }
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    uint64_t nrep = 0;
    h5rd_err rc = h5rd_kerchunk_write(f, path, &o, write_stdout, NULL, &nrep, &err);
    int status = CLI_EXIT_OK;
    if (rc == H5RD_E_UNSUPPORTED && (o.flags & H5RD_KERCHUNK_STRICT)) {
        fprintf(stderr, "h5rd kerchunk: %s: %llu object(s) cannot be expressed (--strict)\n", file,
                (unsigned long long)nrep);
        status = CLI_EXIT_FAIL;
    } else if (rc != H5RD_OK) {
        if (err.code == H5RD_OK) {
            err.code = rc;
            err.file_offset = H5RD_ADDR_UNDEF;
        }
        cli_report(file, path, &err);
        status = CLI_EXIT_FAIL;
    }
    h5rd_file_close(f);
    return status;
}
