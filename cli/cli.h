/*
 * cli.h - shared declarations of the h5rd command-line tool: exit statuses, error reporting,
 * option parsing helpers and the subcommands. The tool is a client of include/h5rd.h only.
 */
#ifndef H5RD_CLI_H
#define H5RD_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "h5rd.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* a file or object could not be read */
#define CLI_EXIT_USAGE 2 /* bad command line */

/* Fills 'err' (when non-NULL) for a failure detected by the CLI itself; returns 'code'. */
h5rd_err cli_set_error(struct h5rd_error *err, h5rd_err code, const char *what);

/* "REASON (at file offset 0x..)" for an error: code text, what, errno text, offset. */
void cli_format_reason(const struct h5rd_error *err, char *buf, size_t cap);

/* Prints "h5rd: PATH: REASON (at file offset 0x.., in FILE)" to stderr. 'path' is used when
 * the error names no object path itself; 'file' may be NULL. */
void cli_report(const char *file, const char *path, const struct h5rd_error *err);

/* Reports a usage error for subcommand 'cmd' on stderr; returns CLI_EXIT_USAGE. */
/* DIR/NAME in a new string (free() it), one slash between; NULL when out of memory. */
char *cli_join_path(const char *dir, const char *name);
int cli_usage_error(const char *cmd, const char *msg, const char *arg);

/* Opens 'path' read-only with default options, reporting failure on stderr. */
int cli_open(const char *path, h5rd_file **file_ret);

/* Subcommands: argv[0] is the subcommand name. They return an exit status. */
int cmd_ls(int argc, char **argv);
int cmd_attrs(int argc, char **argv);
int cmd_vds(int argc, char **argv);
int cmd_cat(int argc, char **argv);    /* cmd_cat.c */
int cmd_chunks(int argc, char **argv); /* cmd_chunks.c */
int cmd_check(int argc, char **argv);  /* cmd_check.c */
int cmd_dump(int argc, char **argv);   /* cmd_dump.c */
int cmd_kerchunk(int argc, char **argv); /* cmd_kerchunk.c */
int cmd_watch(int argc, char **argv);    /* cmd_watch.c */

/* A float that the library reads widened (h5rd_dataset_read with memtype NULL gives 'esize'
 * bytes, more than the file type's size): 4 or 8 bytes are host floats, 16 an x87 extended
 * value; rounded to double (cmd_cat.c). */
double cli_wide_float(const unsigned char *p, uint64_t esize);

/* Elements `h5rd dump` prints per dataset or attribute without --all. */
#define DUMP_HEAD_ELEMS 1000
#define DUMP_HEAD_TEXT "1000"

/* Shared by ls and attrs: the attributes of 'obj' as the JSON object
 * {"name": {"dtype", "shape", "value"}, ...} appended to 'b' (json.h). Errors on single
 * attributes are written in place ({"error": "..."}) and reported on stderr; returns the
 * number of failures. */
struct jbuf;
int cli_attrs_json(struct jbuf *b, h5rd_obj *obj, const char *file, const char *path);
/* Text form, one line per attribute: `PREFIXname  {dims} TYPE = VALUE` (value in JSON). */
int cli_attrs_text(struct jbuf *b, h5rd_obj *obj, const char *file, const char *path,
                   const char *prefix);

#endif /* H5RD_CLI_H */
