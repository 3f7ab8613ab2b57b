/*
 * cmd_attrs.c - `h5rd attrs [--json] FILE PATH`: the attributes of one object.
 *
 * JSON form (the corpus oracle's "attrs"): {"name": {"dtype": D, "shape": [...], "value": V}}
 * in the library's attribute order; a scalar attribute has shape [] and a bare value, a null
 * dataspace has shape and value null. An attribute that cannot be read becomes
 * {"error": "REASON"} (the others are still printed) and the exit status is 1; when the
 * attribute list itself cannot be read, the key "__error__" holds the reason (as the oracle).
 * Text form: one line per attribute, `name  {dims} TYPE = VALUE` with the value in JSON.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

/* Largest attribute value we read into memory. */
#define ATTR_MAX_NBYTES ((uint64_t)1 << 30)

struct attr_val {
    h5rd_attr *attr;
    const char *name;
    const h5rd_type *type;
    struct h5rd_space space;
    void *buf;
    size_t nbytes;
};

static void attr_val_free(struct attr_val *v)
{
    free(v->buf);
    h5rd_attr_close(v->attr);
    memset(v, 0, sizeof *v);
}

/* Opens attribute 'idx' of 'obj' and reads its value. */
static h5rd_err attr_load(h5rd_obj *obj, uint64_t idx, struct attr_val *v,
                          struct h5rd_error *err)
{
    memset(v, 0, sizeof *v);
    h5rd_err rc = h5rd_attr_open_idx(obj, idx, &v->attr, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    v->name = h5rd_attr_get_name(v->attr);
    v->type = h5rd_attr_get_type(v->attr);
    if (!v->name || !v->type) {
        return cli_set_error(err, H5RD_E_INTERNAL, "attribute: no name or type");
    }
    rc = h5rd_attr_get_space(v->attr, &v->space, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    uint64_t nbytes = 0;
    rc = h5rd_attr_get_nbytes(v->attr, &nbytes, err);
    if (rc != H5RD_OK) {
        return rc;
    }
    if (nbytes > ATTR_MAX_NBYTES) {
        return cli_set_error(err, H5RD_E_LIMIT, "attribute: value too large to print");
    }
    v->nbytes = (size_t)nbytes;
    v->buf = malloc(v->nbytes ? v->nbytes : 1);
    if (!v->buf) {
        return cli_set_error(err, H5RD_E_NOMEM, "attribute: out of memory");
    }
    if (v->space.kind == H5RD_SPACE_NULL) {
        return H5RD_OK;
    }
    return h5rd_attr_read(v->attr, v->buf, v->nbytes, err);
}

static void attr_path(char *buf, size_t cap, const char *path, const char *name)
{
    snprintf(buf, cap, "%s (attribute %s)", path, name ? name : "?");
}

static void put_error(struct jbuf *b, const struct h5rd_error *err)
{
    char reason[1024];
    cli_format_reason(err, reason, sizeof reason);
    json_cstr(b, reason);
}

int cli_attrs_json(struct jbuf *b, h5rd_obj *obj, const char *file, const char *path)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    uint64_t n = 0;
    h5rd_err rc = h5rd_obj_get_nattrs(obj, &n, &err);
    if (rc != H5RD_OK) {
        cli_report(file, path, &err);
        jb_puts(b, "{\"__error__\": ");
        put_error(b, &err);
        jb_putc(b, '}');
        return 1;
    }
    int failures = 0;
    struct jbuf one;
    jb_init(&one);
    jb_putc(b, '{');
    for (uint64_t i = 0; i < n; i++) {
        struct attr_val v;
        memset(&err, 0, sizeof err);
        jb_reset(&one);
        rc = attr_load(obj, i, &v, &err);
        if (rc == H5RD_OK) {
            jb_puts(&one, "{\"dtype\": ");
            struct jbuf dt;
            jb_init(&dt);
            rc = dtype_str(&dt, v.type, &err);
            json_string(&one, dt.p ? dt.p : "", dt.len);
            jb_free(&dt);
            jb_puts(&one, ", \"shape\": ");
            json_shape(&one, &v.space, 0);
            jb_puts(&one, ", \"value\": ");
            if (rc == H5RD_OK) {
                rc = json_data(&one, h5rd_obj_get_file(obj), v.type, &v.space, v.buf, v.nbytes,
                               &err);
            }
            jb_putc(&one, '}');
        }
        if (i) {
            jb_puts(b, ", ");
        }
        if (rc != H5RD_OK && !v.name) {
            /* Without a name the list cannot go on: say why, as the oracle does. */
            char where[H5RD_ERROR_PATH_MAX + 64];
            attr_path(where, sizeof where, path, NULL);
            cli_report(file, where, &err);
            jb_puts(b, "\"__error__\": ");
            put_error(b, &err);
            attr_val_free(&v);
            failures++;
            break;
        }
        json_cstr(b, v.name);
        jb_puts(b, ": ");
        if (rc != H5RD_OK) {
            char where[H5RD_ERROR_PATH_MAX + 64];
            attr_path(where, sizeof where, path, v.name);
            cli_report(file, where, &err);
            jb_puts(b, "{\"error\": ");
            put_error(b, &err);
            jb_putc(b, '}');
            failures++;
        } else {
            jb_write(b, one.p, one.len);
            if (one.oom) {
                b->oom = 1;
            }
        }
        attr_val_free(&v);
    }
    jb_putc(b, '}');
    jb_free(&one);
    return failures;
}

int cli_attrs_text(struct jbuf *b, h5rd_obj *obj, const char *file, const char *path,
                   const char *prefix)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    uint64_t n = 0;
    if (h5rd_obj_get_nattrs(obj, &n, &err) != H5RD_OK) {
        cli_report(file, path, &err);
        return 1;
    }
    int failures = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct attr_val v;
        memset(&err, 0, sizeof err);
        size_t mark = b->len;
        h5rd_err rc = attr_load(obj, i, &v, &err);
        if (rc == H5RD_OK) {
            jb_printf(b, "%s%-24s ", prefix, v.name);
            if (v.space.kind == H5RD_SPACE_NULL) {
                jb_puts(b, "{NULL}");
            } else if (v.space.kind == H5RD_SPACE_SCALAR) {
                jb_puts(b, "{SCALAR}");
            } else {
                for (uint32_t d = 0; d < v.space.rank && d < H5RD_MAX_RANK; d++) {
                    jb_printf(b, "%s%" PRIu64, d ? ", " : "{", v.space.dims[d]);
                }
                jb_putc(b, '}');
            }
            jb_putc(b, ' ');
            rc = type_text(b, v.type, &err);
            if (rc == H5RD_OK) {
                jb_puts(b, " = ");
                rc = json_data(b, h5rd_obj_get_file(obj), v.type, &v.space, v.buf, v.nbytes,
                               &err);
            }
            jb_putc(b, '\n');
        }
        if (rc != H5RD_OK) {
            b->len = mark;
            char where[H5RD_ERROR_PATH_MAX + 64];
            attr_path(where, sizeof where, path, v.name);
            cli_report(file, where, &err);
            failures++;
        }
        attr_val_free(&v);
    }
    return failures;
}

int cmd_attrs(int argc, char **argv)
{
    int json = 0;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            json = 1;
        } else if (!opts_done && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("attrs", "unknown option", a);
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("attrs", "too many arguments:", a);
        }
    }
    if (npos < 1) {
        return cli_usage_error("attrs", "missing FILE", NULL);
    }
    const char *file = pos[0];
    const char *path = pos[1] ? pos[1] : "/";

    h5rd_file *f = NULL;
    if (cli_open(file, &f) != CLI_EXIT_OK) {
        return CLI_EXIT_FAIL;
    }
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj *obj = NULL;
    h5rd_err rc = h5rd_obj_open(f, path, &obj, &err);
    if (rc != H5RD_OK) {
        cli_report(file, path, &err);
        h5rd_file_close(f);
        return CLI_EXIT_FAIL;
    }
    struct jbuf b;
    jb_init(&b);
    int failures;
    if (json) {
        failures = cli_attrs_json(&b, obj, file, path);
        jb_putc(&b, '\n');
    } else {
        failures = cli_attrs_text(&b, obj, file, path, "");
    }
    int status = failures ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    if (jb_flush_to(&b, stdout) != 0) {
        fprintf(stderr, "h5rd: %s: out of memory\n", path);
        status = CLI_EXIT_FAIL;
    }
    jb_free(&b);
    h5rd_obj_close(obj);
    h5rd_file_close(f);
    return status;
}
