/*
 * main.c - entry point of the h5rd command-line tool: subcommand dispatch, --help,
 * --version, and the error reporting shared by the subcommands.
 *
 * Exit status: 0 success, 1 a file or object could not be read (the reason on stderr, naming
 * the object path and file offset), 2 a bad command line (usage on stderr).
 * To add a subcommand: write cmd_<name>(argc, argv) in cli/cmd_<name>.c, declare it in cli.h
 * and add a row to 'commands' below.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis;
    const char *summary;
};

static const struct command commands[] = {
    {"ls", cmd_ls, "ls [-r] [-v] [--json] FILE [PATH]",
     "list the links of a group (h5ls style), recursively with -r; -v adds types, layout,\n"
     "              filters and attributes; --json (with -r) prints one JSON array of all objects"},
    {"attrs", cmd_attrs, "attrs --json FILE PATH",
     "print the attributes of an object as JSON {name: {dtype, shape, value}}"},
    {"vds", cmd_vds, "vds [--json] [--missing] FILE PATH",
     "list the mappings of a virtual dataset; --missing lists the sources that cannot be\n"
     "              opened, with the path tried"},
    {"cat", cmd_cat, "cat [--json] [--slice SPEC] [--threads N] FILE PATH",
     "write a dataset's elements to stdout in C order: raw bytes in the file type's layout\n"
     "              with numbers little-endian, or --json values (needed for variable-length\n"
     "              and reference data); --slice takes numpy slices per dimension\n"
     "              (e.g. 0:10,::2,5); --threads sets the decoding threads (default: all CPUs)"},
    {"chunks", cmd_chunks, "chunks [--json] FILE PATH",
     "list a dataset's allocated chunks: offset, file address, stored size, filter mask\n"
     "              (--json: [{\"offset\", \"addr\", \"size\", \"filter_mask\"}, ...])"},
    {"check", cmd_check, "check FILE",
     "verify a whole file: every object, attribute and dataset read in bounded memory; each\n"
     "              problem as PATH: REASON (at file offset 0x...); exit 1 when problems were found"},
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: h5rd COMMAND [OPTIONS] FILE [PATH]\n"
                "       h5rd --help | --version\n\n"
                "Reads HDF5 files without libhdf5.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(fp, "  h5rd %s\n              %s\n", commands[i].synopsis, commands[i].summary);
    }
    fprintf(fp, "\nexit status: 0 success, 1 a file or object could not be read, 2 usage error\n");
}

h5rd_err cli_set_error(struct h5rd_error *err, h5rd_err code, const char *what)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = code;
        err->file_offset = H5RD_ADDR_UNDEF;
        err->what = what;
    }
    return code;
}

void cli_format_reason(const struct h5rd_error *err, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s", h5rd_strerror(err->code));
    size_t len = n < 0 ? 0 : (size_t)n;
    if (err->what && err->what[0] && len < cap) {
        n = snprintf(buf + len, cap - len, ": %s", err->what);
        len += n < 0 ? 0 : (size_t)n;
    }
    if (err->detail[0] && len < cap) {
        n = snprintf(buf + len, cap - len, " (%s)", err->detail);
        len += n < 0 ? 0 : (size_t)n;
    }
    if (err->code == H5RD_E_IO && err->sys_errno && len < cap) {
        n = snprintf(buf + len, cap - len, ": %s", strerror(err->sys_errno));
        len += n < 0 ? 0 : (size_t)n;
    }
    if (err->file_offset != H5RD_ADDR_UNDEF && len < cap) {
        snprintf(buf + len, cap - len, " (at file offset 0x%" PRIx64 ")", err->file_offset);
    }
}

void cli_report(const char *file, const char *path, const struct h5rd_error *err)
{
    char reason[1024];
    cli_format_reason(err, reason, sizeof reason);
    const char *where = err->path[0] ? err->path : (path && path[0] ? path : NULL);
    fprintf(stderr, "h5rd: ");
    if (file) {
        fprintf(stderr, "%s: ", file);
    }
    if (where) {
        fprintf(stderr, "%s: ", where);
    }
    fprintf(stderr, "%s\n", reason);
}

int cli_usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "h5rd %s: %s%s%s\n", cmd, msg, arg ? " " : "", arg ? arg : "");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, cmd) == 0) {
            fprintf(stderr, "usage: h5rd %s\n", commands[i].synopsis);
        }
    }
    return CLI_EXIT_USAGE;
}

int cli_open(const char *path, h5rd_file **file_ret)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_err rc = h5rd_file_open(path, NULL, file_ret, &err);
    if (rc != H5RD_OK) {
        if (err.code == H5RD_OK) {
            err.code = rc;
            err.file_offset = H5RD_ADDR_UNDEF;
        }
        cli_report(path, NULL, &err);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOFBF, (size_t)1 << 16);

    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("h5rd %s\n", h5rd_version());
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, cmd) == 0) {
            int rc = commands[i].run(argc - 1, argv + 1);
            if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "h5rd: error writing output: %s\n", strerror(errno));
                if (rc == CLI_EXIT_OK) {
                    rc = CLI_EXIT_FAIL;
                }
            }
            return rc;
        }
    }
    fprintf(stderr, "h5rd: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
