/*
 * test_visit.c - h5rd_obj_visit: order, repeats, links not followed, errors, SKIP and STOP,
 * public calls from the callback. Expected records are h5py's (links listed with
 * Group.get(name, getlink=True) recursively, each object's first path as visititems gives it).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "h5rd.h"

#define FIX(name) H5RD_SOURCE_DIR "/fixtures/" name

struct rec {
    char path[128];
    char rel[128];
    char what[160];
    uint32_t depth;
};

struct log {
    struct rec r[64];
    int n;
    int stop_after;      /* >0: STOP once this many records were seen */
    int skip_depth;      /* >0: SKIP groups at this depth */
    int reads_ok;        /* datasets read from inside the callback */
    double sum;          /* the sum of their values */
};

static h5rd_visit_ret log_cb(const struct h5rd_visit_info *vi, void *udata)
{
    struct log *lg = udata;
    cr_assert_lt(lg->n, 64);
    struct rec *r = &lg->r[lg->n++];
    snprintf(r->path, sizeof r->path, "%s", vi->path);
    snprintf(r->rel, sizeof r->rel, "%s", vi->rel_path);
    r->depth = vi->depth;
    if (vi->err != NULL) {
        snprintf(r->what, sizeof r->what, "error %s", h5rd_strerror(vi->err->code));
    } else if (vi->link->type == H5RD_LINK_SOFT) {
        snprintf(r->what, sizeof r->what, "soft %s", vi->link->soft_target);
    } else if (vi->link->type == H5RD_LINK_EXTERNAL) {
        snprintf(r->what, sizeof r->what, "external %s:%s", vi->link->ext_file,
                 vi->link->ext_path);
    } else if (vi->same_as != NULL) {
        cr_assert_null(vi->obj);
        snprintf(r->what, sizeof r->what, "same %s", vi->same_as);
    } else {
        cr_assert_not_null(vi->obj);
        cr_assert_eq(h5rd_obj_get_addr(vi->obj), vi->link->addr);
        cr_assert_str_eq(h5rd_obj_get_path(vi->obj), vi->path);
        cr_assert_eq(h5rd_obj_get_kind(vi->obj), vi->kind);
        snprintf(r->what, sizeof r->what, "%s",
                 vi->kind == H5RD_OBJ_GROUP ? "group" : vi->kind == H5RD_OBJ_DATASET ? "dataset"
                                                                                    : "datatype");
        if (vi->kind == H5RD_OBJ_DATASET) {
            /* Public calls from the callback work (they are part of the visit's call). */
            struct h5rd_space sp;
            struct h5rd_error e;
            cr_assert_eq(h5rd_dataset_get_space(vi->obj, &sp, &e), H5RD_OK, "%s", e.what);
            uint64_t n = 1;
            for (uint32_t i = 0; i < sp.rank; i++) {
                n *= sp.dims[i];
            }
            double buf[16];
            struct h5rd_memtype mt = {H5RD_MEMTYPE_FLOAT, 8, 0, H5RD_ORDER_LE};
            if (n <= 16 && h5rd_dataset_read(vi->obj, NULL, &mt, buf, sizeof buf, NULL, &e) ==
                               H5RD_OK) {
                lg->reads_ok++;
                for (uint64_t i = 0; i < n; i++) {
                    lg->sum += buf[i];
                }
            }
        }
    }
    if (lg->stop_after > 0 && lg->n >= lg->stop_after) {
        return H5RD_VISIT_STOP;
    }
    if (lg->skip_depth > 0 && vi->depth == (uint32_t)lg->skip_depth) {
        return H5RD_VISIT_SKIP;
    }
    return H5RD_VISIT_CONTINUE;
}

static void visit_file(const char *path, const char *start, struct log *lg)
{
    h5rd_file *f = NULL;
    h5rd_obj *g = NULL;
    struct h5rd_error e;
    cr_assert_eq(h5rd_file_open(path, NULL, &f, &e), H5RD_OK, "%s", e.what);
    cr_assert_eq(h5rd_obj_open(f, start, &g, &e), H5RD_OK, "%s", e.what);
    cr_assert_eq(h5rd_obj_visit(g, log_cb, lg, &e), H5RD_OK, "%s", e.what);
    h5rd_obj_close(g);
    h5rd_file_close(f);
}

static void expect(const struct log *lg, const char *const (*want)[2], int n)
{
    cr_assert_eq(lg->n, n, "records: %d, expected %d", lg->n, n);
    for (int i = 0; i < n; i++) {
        cr_expect_str_eq(lg->r[i].rel, want[i][0], "record %d", i);
        cr_expect_str_eq(lg->r[i].what, want[i][1], "record %d (%s)", i, want[i][0]);
    }
}

/* h5py: a, a/b, a/b/leaf, alias are the objects visititems reaches; every other link is a
 * repeat (data = alias, a/b/self = a/b, a/b/up = a) or a soft/external link. */
static const char *const links_latest[][2] = {
    {"a", "group"},
    {"a/b", "group"},
    {"a/b/leaf", "dataset"},
    {"a/b/self", "same /a/b"},
    {"a/b/up", "same /a"},
    {"a/relsoft", "soft b/leaf"},
    {"alias", "dataset"},
    {"chain1", "soft /chain2"},
    {"chain2", "soft /chain3"},
    {"chain3", "soft /data"},
    {"dangling", "soft /does/not/exist"},
    {"data", "same /alias"},
    {"ext", "external links_target.h5:/tgt/data"},
    {"ext_group", "external links_target.h5:/tgt"},
    {"ext_missing", "external no_such_file.h5:/x"},
    {"soft", "soft /data"},
};

Test(visit, links_in_h5py_order)
{
    struct log lg = {0};
    visit_file(FIX("h5/links_latest.h5"), "/", &lg);
    expect(&lg, links_latest, (int)(sizeof links_latest / sizeof links_latest[0]));
    cr_expect_str_eq(lg.r[2].path, "/a/b/leaf");
    cr_expect_eq(lg.r[2].depth, 3);
    /* h5py: a/b/leaf is int16 3, alias float32 0..9 */
    cr_expect_eq(lg.reads_ok, 2, "datasets read from the callback: %d", lg.reads_ok);
    cr_expect_eq(lg.sum, 48.0, "sum %g", lg.sum);
}

Test(visit, from_a_subgroup)
{
    struct log lg = {0};
    visit_file(FIX("h5/links_latest.h5"), "/a", &lg);
    static const char *const want[][2] = {
        {"b", "group"},
        {"b/leaf", "dataset"},
        {"b/self", "same /a/b"},
        {"b/up", "same /a"},
        {"relsoft", "soft b/leaf"},
    };
    expect(&lg, want, 5);
    cr_expect_str_eq(lg.r[1].path, "/a/b/leaf");
    cr_expect_eq(lg.r[1].depth, 2);
}

/* Hard links that form cycles (g/self -> g, g/up -> /, g/h/back -> g): finite, each repeat
 * reported once with the first path (h5ls -r lists the same). */
Test(visit, hard_link_cycles_end)
{
    struct log lg = {0};
    visit_file(FIX("hostile/hardlink_cycle.h5"), "/", &lg);
    static const char *const want[][2] = {
        {"g", "group"},
        {"g/h", "group"},
        {"g/h/back", "same /g"},
        {"g/self", "same /g"},
        {"g/up", "same /"},
    };
    expect(&lg, want, 5);
}

/* An object whose header lies past the end of the file: an error record, and the visit goes
 * on with the next links (h5ls -r and h5rd ls -r list the rest). */
Test(visit, damaged_object_is_a_record)
{
    struct log lg = {0};
    visit_file(FIX("hostile/addr_ohdr_past_eof.h5"), "/", &lg);
    int errors = 0, found_gx = 0;
    for (int i = 0; i < lg.n; i++) {
        if (strcmp(lg.r[i].rel, "c") == 0) {
            cr_expect_str_eq(lg.r[i].what, "error truncated: structure runs past the end of the file or block");
            errors++;
        }
        found_gx += strcmp(lg.r[i].rel, "g/x") == 0 && strcmp(lg.r[i].what, "dataset") == 0;
    }
    cr_expect_eq(errors, 1);
    cr_expect_eq(found_gx, 1);
}

/* A group whose link storage is damaged: one record with no link and the error. */
Test(visit, damaged_group_links_are_a_record)
{
    h5rd_file *f = NULL;
    h5rd_obj *g = NULL;
    struct h5rd_error e;
    cr_assert_eq(h5rd_file_open(FIX("hostile/btree1_group_self_child.h5"), NULL, &f, &e), H5RD_OK);
    cr_assert_eq(h5rd_obj_open(f, "/", &g, &e), H5RD_OK, "%s", e.what);
    struct log lg = {0};
    cr_assert_eq(h5rd_obj_visit(g, log_cb, &lg, &e), H5RD_OK, "%s", e.what);
    cr_assert_eq(lg.n, 1);
    cr_expect_str_eq(lg.r[0].path, "/");
    cr_expect_str_eq(lg.r[0].what, "error corrupt file: inconsistent metadata");
    h5rd_obj_close(g);
    h5rd_file_close(f);
}

Test(visit, skip_and_stop)
{
    struct log lg = {0};
    lg.skip_depth = 1; /* the root's links only */
    visit_file(FIX("h5/links_latest.h5"), "/", &lg);
    cr_expect_eq(lg.n, 11); /* the root's 11 links (h5py: f.keys()) */
    for (int i = 0; i < lg.n; i++) {
        cr_expect_eq(lg.r[i].depth, 1, "%s", lg.r[i].rel);
    }
    struct log st = {0};
    st.stop_after = 3;
    visit_file(FIX("h5/links_latest.h5"), "/", &st);
    cr_expect_eq(st.n, 3);
    cr_expect_str_eq(st.r[2].rel, "a/b/leaf");
}

Test(visit, arguments)
{
    h5rd_file *f = NULL;
    h5rd_obj *d = NULL, *g = NULL;
    struct h5rd_error e;
    cr_assert_eq(h5rd_file_open(FIX("h5/links_latest.h5"), NULL, &f, &e), H5RD_OK);
    cr_assert_eq(h5rd_obj_open(f, "/alias", &d, &e), H5RD_OK);
    cr_assert_eq(h5rd_obj_open(f, "/", &g, &e), H5RD_OK);
    struct log lg = {0};
    cr_expect_eq(h5rd_obj_visit(d, log_cb, &lg, &e), H5RD_E_TYPE);
    cr_expect_eq(h5rd_obj_visit(g, NULL, &lg, &e), H5RD_E_INVAL);
    cr_expect_eq(h5rd_obj_visit(NULL, log_cb, &lg, &e), H5RD_E_INVAL);
    cr_expect_eq(lg.n, 0);
    h5rd_obj_close(d);
    h5rd_obj_close(g);
    h5rd_file_close(f);
}
