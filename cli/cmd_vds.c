/*
 * cmd_vds.c - `h5rd vds [--json] [--missing] FILE PATH`: the mappings of a virtual dataset.
 *
 * JSON form (the corpus oracle's "vds"): one entry per mapping,
 *   {"file": F, "dataset": D, "vspace": SEL, "srcspace": SEL}
 * with names as stored (%b unexpanded) and SEL one of {"type": "all"}, {"type": "none"},
 * {"type": "points", "points": [[...], ...]}, {"type": "hyperslab", "start": [...],
 * "stride": [...], "count": [...], "block": [...]} (null for an unlimited count or block), or
 * {"type": "hyperslab", "blocks": [[[start...], [end...]], ...]} for an irregular hyperslab.
 * Text form: one line per mapping, `VSPACE <- FILE:DATASET SRCSPACE`.
 *
 * --missing lists the sources that could not be opened instead, with the path tried:
 * JSON [{"mapping": i, "block": b, "file": F, "dataset": D, "path": P, "reason": R}, ...];
 * text `mapping i: FILE DATASET: missing (tried PATH): REASON`. Missing sources are not an
 * error (libhdf5 reads fill values there): the exit status is 0.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

static void put_u64_list(struct jbuf *b, const uint64_t *v, uint32_t n, int unlim_null)
{
    jb_putc(b, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            jb_puts(b, ", ");
        }
        if (unlim_null && v[i] == H5RD_UNLIMITED) {
            jb_puts(b, "null");
        } else {
            json_u64(b, v[i]);
        }
    }
    jb_putc(b, ']');
}

static void sel_json(struct jbuf *b, const struct h5rd_vds_sel *s)
{
    switch (s->kind) {
    case H5RD_VDS_SEL_NONE:
        jb_puts(b, "{\"type\": \"none\"}");
        return;
    case H5RD_VDS_SEL_ALL:
        jb_puts(b, "{\"type\": \"all\"}");
        return;
    case H5RD_VDS_SEL_POINTS:
        jb_puts(b, "{\"type\": \"points\", \"points\": [");
        for (uint64_t k = 0; k < s->n; k++) {
            if (k > 0) {
                jb_puts(b, ", ");
            }
            put_u64_list(b, s->coords + k * s->rank, s->rank, 0);
        }
        jb_puts(b, "]}");
        return;
    case H5RD_VDS_SEL_HYPERSLAB:
        jb_puts(b, "{\"type\": \"hyperslab\", \"start\": ");
        put_u64_list(b, s->start, s->rank, 0);
        jb_puts(b, ", \"stride\": ");
        put_u64_list(b, s->stride, s->rank, 0);
        jb_puts(b, ", \"count\": ");
        put_u64_list(b, s->count, s->rank, 1);
        jb_puts(b, ", \"block\": ");
        put_u64_list(b, s->block, s->rank, 1);
        jb_putc(b, '}');
        return;
    case H5RD_VDS_SEL_BLOCKS:
    default:
        jb_puts(b, "{\"type\": \"hyperslab\", \"blocks\": [");
        for (uint64_t k = 0; k < s->n; k++) {
            const uint64_t *c = s->coords + k * 2 * (uint64_t)s->rank;
            jb_puts(b, k > 0 ? ", [" : "[");
            put_u64_list(b, c, s->rank, 0);
            jb_puts(b, ", ");
            put_u64_list(b, c + s->rank, s->rank, 0);
            jb_putc(b, ']');
        }
        jb_puts(b, "]}");
        return;
    }
}

/* Compact text form of a selection: "all", "none", "points[n]", "(start;stride;count;block)"
 * per dimension, or "blocks[n]". */
static void sel_text(struct jbuf *b, const struct h5rd_vds_sel *s)
{
    switch (s->kind) {
    case H5RD_VDS_SEL_NONE:
        jb_puts(b, "none");
        return;
    case H5RD_VDS_SEL_ALL:
        jb_puts(b, "all");
        return;
    case H5RD_VDS_SEL_POINTS:
        jb_printf(b, "points[%" PRIu64 "]", s->n);
        return;
    case H5RD_VDS_SEL_HYPERSLAB:
        jb_putc(b, '[');
        for (uint32_t i = 0; i < s->rank; i++) {
            jb_puts(b, i > 0 ? ", " : "");
            jb_printf(b, "%" PRIu64 ":%" PRIu64 ":", s->start[i], s->stride[i]);
            if (s->count[i] == H5RD_UNLIMITED) {
                jb_puts(b, "U");
            } else {
                jb_printf(b, "%" PRIu64, s->count[i]);
            }
            jb_putc(b, ':');
            if (s->block[i] == H5RD_UNLIMITED) {
                jb_puts(b, "U");
            } else {
                jb_printf(b, "%" PRIu64, s->block[i]);
            }
        }
        jb_putc(b, ']');
        return;
    default:
        jb_printf(b, "blocks[%" PRIu64 "]", s->n);
        return;
    }
}

static int list_mappings(struct jbuf *b, h5rd_obj *obj, int json, struct h5rd_error *err)
{
    uint64_t n = 0;
    if (h5rd_vds_get_nmappings(obj, &n, err) != H5RD_OK) {
        return -1;
    }
    if (json) {
        jb_putc(b, '[');
    }
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_vds_mapping m;
        if (h5rd_vds_get_mapping(obj, i, &m, err) != H5RD_OK) {
            return -1;
        }
        if (json) {
            jb_puts(b, i > 0 ? ", {\"file\": " : "{\"file\": ");
            json_cstr(b, m.file);
            jb_puts(b, ", \"dataset\": ");
            json_cstr(b, m.dataset);
            jb_puts(b, ", \"vspace\": ");
            sel_json(b, &m.vspace);
            jb_puts(b, ", \"srcspace\": ");
            sel_json(b, &m.srcspace);
            jb_putc(b, '}');
        } else {
            sel_text(b, &m.vspace);
            jb_printf(b, " <- %s:%s ", m.file, m.dataset);
            sel_text(b, &m.srcspace);
            uint64_t found = 0;
            for (uint64_t k = 0; k < m.nsources; k++) {
                struct h5rd_vds_source s;
                if (h5rd_vds_get_source(obj, i, k, &s, err) != H5RD_OK) {
                    return -1;
                }
                found += !s.missing;
            }
            if (m.is_printf) {
                jb_printf(b, "  (%" PRIu64 " source%s found)", found, found == 1 ? "" : "s");
            } else if (found == 0) {
                jb_puts(b, "  (missing)");
            }
            jb_putc(b, '\n');
        }
    }
    if (json) {
        jb_puts(b, "]\n");
    }
    return 0;
}

static int list_missing(struct jbuf *b, h5rd_obj *obj, int json, struct h5rd_error *err)
{
    uint64_t n = 0;
    if (h5rd_vds_get_nmappings(obj, &n, err) != H5RD_OK) {
        return -1;
    }
    int first = 1;
    if (json) {
        jb_putc(b, '[');
    }
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_vds_mapping m;
        if (h5rd_vds_get_mapping(obj, i, &m, err) != H5RD_OK) {
            return -1;
        }
        for (uint64_t k = 0; k < m.nsources; k++) {
            struct h5rd_vds_source s;
            if (h5rd_vds_get_source(obj, i, k, &s, err) != H5RD_OK) {
                return -1;
            }
            if (!s.missing) {
                continue;
            }
            char reason[512];
            struct h5rd_error r;
            memset(&r, 0, sizeof r);
            r.code = s.reason;
            r.what = s.reason_what;
            r.file_offset = H5RD_ADDR_UNDEF;
            cli_format_reason(&r, reason, sizeof reason);
            if (json) {
                jb_puts(b, first ? "{\"mapping\": " : ", {\"mapping\": ");
                json_u64(b, i);
                jb_puts(b, ", \"block\": ");
                json_u64(b, s.block);
                jb_puts(b, ", \"file\": ");
                json_cstr(b, s.file);
                jb_puts(b, ", \"dataset\": ");
                json_cstr(b, s.dataset);
                jb_puts(b, ", \"path\": ");
                json_cstr(b, s.path);
                jb_puts(b, ", \"reason\": ");
                json_cstr(b, reason);
                jb_putc(b, '}');
            } else {
                jb_printf(b, "mapping %" PRIu64 ": %s %s: missing (tried %s): %s\n", i, s.file,
                          s.dataset, s.path, reason);
            }
            first = 0;
        }
    }
    if (json) {
        jb_puts(b, "]\n");
    }
    return 0;
}

int cmd_vds(int argc, char **argv)
{
    int json = 0, missing = 0;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            json = 1;
        } else if (!opts_done && strcmp(a, "--missing") == 0) {
            missing = 1;
        } else if (!opts_done && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("vds", "unknown option", a);
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("vds", "too many arguments:", a);
        }
    }
    if (npos < 2) {
        return cli_usage_error("vds", npos == 0 ? "missing FILE" : "missing PATH", NULL);
    }
    const char *file = pos[0];
    const char *path = pos[1];
    h5rd_file *f = NULL;
    if (cli_open(file, &f) != CLI_EXIT_OK) {
        return CLI_EXIT_FAIL;
    }
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj *obj = NULL;
    if (h5rd_obj_open(f, path, &obj, &err) != H5RD_OK) {
        cli_report(file, path, &err);
        h5rd_file_close(f);
        return CLI_EXIT_FAIL;
    }
    struct jbuf b;
    jb_init(&b);
    int status = CLI_EXIT_OK;
    int rc = missing ? list_missing(&b, obj, json, &err) : list_mappings(&b, obj, json, &err);
    if (rc != 0) {
        cli_report(file, path, &err);
        status = CLI_EXIT_FAIL;
    } else if (jb_flush_to(&b, stdout) != 0) {
        fprintf(stderr, "h5rd: %s: out of memory\n", path);
        status = CLI_EXIT_FAIL;
    }
    jb_free(&b);
    h5rd_obj_close(obj);
    h5rd_file_close(f);
    return status;
}
