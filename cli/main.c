/*
 * main.c - entry point of the h5rd command-line tool: subcommand dispatch, --help,
 * --version, and the error reporting shared by the subcommands.
 *
 * Exit status: 0 success, 1 a file or object could not be read (the reason on stderr, naming
 * the object path and file offset), 2 a bad command line (usage on stderr): an unknown option
 * (anything starting with '-' but a lone "-" that the command does not know) is named.
 * `h5rd COMMAND --help` (or -h) prints every option of that command on stdout, exit 0.
 * To add a subcommand: write cmd_<name>(argc, argv) in cli/cmd_<name>.c, declare it in cli.h
 * and add a row (synopsis, summary, every option) to 'commands' below.
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
    const char *options; /* `h5rd COMMAND --help`: every option, one "  -x, --long  text" each */
};

static const struct command commands[] = {
    {"ls", cmd_ls, "ls [-r] [-v] [--json] FILE [PATH]",
     "list the links of a group as h5ls does, recursively with -r; -v adds types, layout,\n"
     "              filters and attributes; --json (with -r) prints one JSON array of all objects",
     "  -r, --recursive  list everything below PATH (default /), by full path, PATH first\n"
     "  -v, --verbose    add each dataset's type, layout, chunk shape, filters and storage,\n"
     "                   and each object's attributes\n"
     "      --json       one JSON array of records {path, kind, ...} (kinds group, dataset,\n"
     "                   datatype, soft_link, external_link, error), as the corpus oracle\n"
     "  -h, --help       show this help\n"
     "Single-letter options combine (-rv). Text lines follow h5ls -r: `Dataset {10/Inf, 20}`\n"
     "(a maximum only where it differs), {SCALAR}, {NULL}, `Soft Link {target}`,\n"
     "`External Link {file//path}`, `Group`, `Type`.\n"},
    {"dump", cmd_dump, "dump [--all] [-A] FILE [PATH]",
     "print objects, attributes and values the way h5dump does (DATASET/DATATYPE/\n"
     "              DATASPACE/DATA/ATTRIBUTE blocks); PATH is a group (recursively), a dataset\n"
     "              or an attribute (OBJECT/NAME); large datasets print their first elements",
     "  -a, --all        print every element (default: the first " DUMP_HEAD_TEXT " elements of each\n"
     "                   dataset or attribute, fewer when they hold more than 64 KiB, then\n"
     "                   a line `... N more elements`)\n"
     "  -A, --header     print the header only, without DATA blocks (as h5dump -H; -H too)\n"
     "  -h, --help       show this help\n"
     "Output follows h5dump 1.10. Deliberate difference: a float is printed as h5dump's %g\n"
     "(6 digits) only when that reads back as the same value, else with the fewest more digits\n"
     "that do, so every number equals libhdf5's value. Committed types are printed in full,\n"
     "region references by dataset path only. See cli/cmd_dump.c.\n"},
    {"attrs", cmd_attrs, "attrs [--json] FILE PATH",
     "print the attributes of an object (--json: {name: {dtype, shape, value}})",
     "      --json       one JSON object {name: {\"dtype\", \"shape\", \"value\"}}; without it one\n"
     "                   line per attribute, `name  {dims} TYPE = VALUE` (value in JSON)\n"
     "  -h, --help       show this help\n"},
    {"vds", cmd_vds, "vds [--json] [--missing] FILE PATH",
     "list the mappings of a virtual dataset; --missing lists the sources that cannot be\n"
     "              opened, with the path tried",
     "      --json       JSON instead of one line per mapping\n"
     "      --missing    list the sources that cannot be opened (with the path tried and the\n"
     "                   reason) instead of the mappings; exit 0 all the same\n"
     "  -h, --help       show this help\n"},
    {"cat", cmd_cat, "cat [--json] [--slice SPEC] [--threads N] [-f] FILE PATH",
     "write a dataset's elements to stdout in C order: raw bytes in the file type's layout\n"
     "              with numbers little-endian, or --json values (needed for variable-length\n"
     "              and reference data); --slice takes numpy slices per dimension\n"
     "              (e.g. 0:10,::2,5); --threads sets the decoding threads (default: all CPUs)",
     "      --json       the values as JSON (nested lists by dimension) instead of raw bytes\n"
     "      --slice SPEC numpy basic slices, one per dimension, comma-separated\n"
     "                   (start:stop:step, negative indexes from the end, a bare index)\n"
     "      --threads N  decoding threads, 1 to 4096 (default: the online CPUs)\n"
     "  -f, --force      write raw bytes even when stdout is a terminal (refused otherwise,\n"
     "                   exit 2: use --json, `h5rd dump`, or redirect to a file or pipe)\n"
     "  -h, --help       show this help\n"},
    {"chunks", cmd_chunks, "chunks [--json] FILE PATH",
     "list a dataset's allocated chunks: offset, file address, stored size, filter mask\n"
     "              (--json: [{\"offset\", \"addr\", \"size\", \"filter_mask\"}, ...])",
     "      --json       one JSON array [{\"offset\", \"addr\", \"size\", \"filter_mask\"}, ...]\n"
     "  -h, --help       show this help\n"},
    {"watch", cmd_watch, "watch [--json] [--interval SECONDS] [--max-wait SECONDS] FILE PATH",
     "tail a dataset a writer appends to (libhdf5 SWMR), as h5watch: the rows already there,\n"
     "              then each new one, one line per row; new hyperslabs when it grows in\n"
     "              more than one dimension",
     "      --json              one JSON value per line: a new row as numpy's ds[i] (a bare value\n"
     "                          for 1-D data, nested lists otherwise); when a later dimension\n"
     "                          grows, the new part of each old row as {\"start\": [...],\n"
     "                          \"count\": [...], \"data\": [...]} (printed before the new rows,\n"
     "                          in h5watch's order)\n"
     "      --interval SECONDS  how often to refresh the dataset (default 1; fractions allowed)\n"
     "      --max-wait SECONDS  exit 0 after this long without growth (default: until SIGINT or\n"
     "                          SIGTERM, which exit 0)\n"
     "  -h, --help              show this help\n"
     "Text output follows h5watch: \"Monitoring dataset PATH...\", then per change its\n"
     "\"dimension d: a->b (increases)\" lines, \"    Data:\" and \"        (i,j,...) v, v, ...\"\n"
     "lines (the index of the first element, values as JSON). The rows there at the start are\n"
     "printed as growth from 0 rows. The file is opened with H5RD_OPEN_LIVE (docs/io.md).\n"},
    {"kerchunk", cmd_kerchunk,
     "kerchunk [--inline BYTES] [--url URL] [--split BYTES] [--fletcher32] [--strict] FILE [PATH]",
     "print kerchunk version-1 references (fsspec + Zarr v2) for the groups and datasets\n"
     "              under PATH (default /); what cannot be expressed is listed on stderr",
     "      --inline BYTES  inline chunks (stored sizes) smaller than BYTES (default 100; 0: none);\n"
     "                      compact datasets are always inlined (base64: when not ASCII)\n"
     "      --url URL       the file's URL in the references (default: FILE as given)\n"
     "      --split BYTES   split contiguous datasets along the first dimension into chunks of\n"
     "                      at most BYTES (whole rows; default: one chunk)\n"
     "      --fletcher32    emit numcodecs' \"fletcher32\" codec (numcodecs >= 0.12); without it\n"
     "                      a trailing fletcher32 checksum is left out of each reference\n"
     "      --strict        exit 1 when anything could not be expressed (after writing the rest)\n"
     "  -h, --help          show this help\n"
     "Inexpressible (listed as `h5rd kerchunk: FILE: PATH: REASON`, left out): filters without a\n"
     "numcodecs codec of the same bytes (lz4, bitshuffle, lzf, szip, nbit, scaleoffset),\n"
     "chunks that skip a filter, vlen/reference/time data, padded compounds, virtual and\n"
     "external storage. See docs/kerchunk.md.\n"},
    {"check", cmd_check, "check FILE",
     "verify a whole file: every object, attribute and dataset read in bounded memory; each\n"
     "              problem as PATH: REASON (at file offset 0x...); exit 1 when problems were found",
     "  -h, --help       show this help\n"},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

static void usage(FILE *fp)
{
    fprintf(fp, "usage: h5rd COMMAND [OPTIONS] FILE [PATH]\n"
                "       h5rd COMMAND --help\n"
                "       h5rd --help | --version\n\n"
                "Reads HDF5 files without libhdf5.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(fp, "  h5rd %s\n              %s\n", commands[i].synopsis, commands[i].summary);
    }
    fprintf(fp, "\noptions:\n"
                "  -h, --help       show this help (`h5rd COMMAND --help`: that command's)\n"
                "  -V, --version    print the version\n"
                "\nexit status: 0 success, 1 a file or object could not be read, 2 usage error\n");
}

static void command_help(const struct command *c)
{
    printf("usage: h5rd %s\n\n%s\n\noptions:\n%s", c->synopsis, c->summary, c->options);
    printf("\nexit status: 0 success, 1 a file or object could not be read, 2 usage error\n");
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

/* DIR/NAME as a new string (free() it); one slash between them. NULL when out of memory. */
char *cli_join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = !(dl > 0 && dir[dl - 1] == '/');
    if (nl > SIZE_MAX - dl - 2) {
        return NULL;
    }
    char *p = malloc(dl + (size_t)slash + nl + 1);
    if (!p) {
        return NULL;
    }
    memcpy(p, dir, dl);
    if (slash) {
        p[dl] = '/';
    }
    memcpy(p + dl + (size_t)slash, name, nl + 1);
    return p;
}

int cli_usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "h5rd %s: %s%s%s\n", cmd, msg, arg ? " " : "", arg ? arg : "");
    const struct command *c = find_command(cmd);
    if (c) {
        fprintf(stderr, "usage: h5rd %s  (h5rd %s --help for the options)\n", c->synopsis,
                c->name);
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
    const struct command *c = find_command(cmd);
    if (c) {
        /* --help / -h anywhere before "--" shows the command's help, whatever else is there. */
        for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                command_help(c);
                return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
            }
        }
        int rc = c->run(argc - 1, argv + 1);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "h5rd: error writing output: %s\n", strerror(errno));
            if (rc == CLI_EXIT_OK) {
                rc = CLI_EXIT_FAIL;
            }
        }
        return rc;
    }
    fprintf(stderr, "h5rd: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
