/*
 * pathmap.c - the file's address -> path map, for references: a reference names an address, and
 * its path is found as libhdf5's H5Iget_name does for a dereferenced object: the first path
 * reached by a depth-first walk from the root in link order. Built once per file on first use
 * and published with compare-and-swap (the loser of a race frees its copy).
 */
#include "file/file.h"

#include <stdlib.h>
#include <string.h>

/* ---- address -> path map -------------------------------------------------------------- */

struct pm_entry {
    uint64_t addr;
    char *path;
};

struct h5rd__pathmap {
    uint64_t n, cap;
    struct pm_entry *v;     /* sorted by addr once built */
};

void h5rd__pathmap_free(const struct h5rd_file *f, struct h5rd__pathmap *pm)
{
    if (pm == NULL) {
        return;
    }
    for (uint64_t i = 0; i < pm->n; i++) {
        h5rd__free(f, pm->v[i].path);
    }
    h5rd__free(f, pm->v);
    h5rd__free(f, pm);
}

static int cmp_entry(const void *a, const void *b)
{
    uint64_t x = ((const struct pm_entry *)a)->addr;
    uint64_t y = ((const struct pm_entry *)b)->addr;
    return x < y ? -1 : x > y;
}

static const struct pm_entry *pm_find(const struct h5rd__pathmap *pm, uint64_t addr, bool sorted)
{
    if (sorted) {
        struct pm_entry key = {addr, NULL};
        return bsearch(&key, pm->v, (size_t)pm->n, sizeof key, cmp_entry);
    }
    for (uint64_t i = 0; i < pm->n; i++) {
        if (pm->v[i].addr == addr) {
            return &pm->v[i];
        }
    }
    return NULL;
}

struct frame {
    h5rd_obj *g;
    uint64_t next;
};

/* Depth-first walk from the root in link order, recording the first path of each object.
 * Groups are descended once (hard links can form cycles). Objects that fail to open are
 * skipped: a damaged subtree must not hide the paths of the rest. */
static h5rd_err build_pathmap(struct h5rd_file *f, struct h5rd__pathmap *pm, struct h5rd_error *ec)
{
    struct frame *stack = NULL;
    uint64_t depth = 0, cap = 0;
    h5rd_err e = H5RD_OK;
    struct h5rd_error scratch;
    h5rd_obj *root = NULL;

    h5rd__err_clear(&scratch);
    if (h5rd__obj_open_addr(f, f->sb.root_addr, "/", &root, &scratch) != H5RD_OK) {
        return H5RD_OK; /* nothing reachable */
    }
    e = h5rd__grow(f, (void **)&pm->v, &pm->cap, 1, sizeof *pm->v, ec);
    if (e != H5RD_OK) {
        h5rd__obj_unref(root);
        return e;
    }
    pm->v[pm->n].addr = root->addr;
    pm->v[pm->n].path = h5rd__strndup(f, "/", 1, ec);
    if (pm->v[pm->n].path == NULL) {
        h5rd__obj_unref(root);
        return ec->code;
    }
    pm->n++;
    e = h5rd__grow(f, (void **)&stack, &cap, 1, sizeof *stack, ec);
    if (e != H5RD_OK) {
        h5rd__obj_unref(root);
        return e;
    }
    stack[depth++] = (struct frame){root, 0};
    while (depth > 0) {
        struct frame *top = &stack[depth - 1];
        const struct h5rd__links *links = NULL;
        h5rd__err_clear(&scratch);
        if (top->g->kind != H5RD_OBJ_GROUP || h5rd__group_links(top->g, &links, &scratch) != H5RD_OK ||
            top->next >= links->n) {
            h5rd__obj_unref(top->g);
            depth--;
            continue;
        }
        const struct h5rd__link *l = &links->v[top->next++];
        if (l->type != H5RD_LINK_HARD || pm_find(pm, l->addr, false) != NULL) {
            continue;
        }
        h5rd_obj *child = NULL;
        char *path = h5rd__path_join(f, top->g->path, l->name, strlen(l->name), ec);
        if (path == NULL) {
            e = ec->code;
            break;
        }
        e = h5rd__grow(f, (void **)&pm->v, &pm->cap, pm->n + 1, sizeof *pm->v, ec);
        if (e != H5RD_OK) {
            h5rd__free(f, path);
            break;
        }
        pm->v[pm->n].addr = l->addr;
        pm->v[pm->n].path = path;
        pm->n++;
        h5rd__err_clear(&scratch);
        if (h5rd__obj_open_addr(f, l->addr, path, &child, &scratch) != H5RD_OK) {
            continue;
        }
        if (child->kind != H5RD_OBJ_GROUP) {
            h5rd__obj_unref(child);
            continue;
        }
        e = h5rd__grow(f, (void **)&stack, &cap, depth + 1, sizeof *stack, ec);
        if (e != H5RD_OK) {
            h5rd__obj_unref(child);
            break;
        }
        stack[depth++] = (struct frame){child, 0};
    }
    while (depth > 0) {
        h5rd__obj_unref(stack[--depth].g);
    }
    h5rd__free(f, stack);
    if (e == H5RD_OK && pm->n > 1) {
        qsort(pm->v, (size_t)pm->n, sizeof *pm->v, cmp_entry);
    }
    return e;
}

static h5rd_err get_pathmap(struct h5rd_file *f, const struct h5rd__pathmap **pm_ret,
                            struct h5rd_error *ec)
{
    struct h5rd__pathmap *pm = atomic_load_explicit(&f->pathmap, memory_order_acquire);
    if (pm != NULL) {
        *pm_ret = pm;
        return H5RD_OK;
    }
    pm = h5rd__calloc(f, 1, sizeof *pm, ec);
    if (pm == NULL) {
        return ec->code;
    }
    h5rd_err e = build_pathmap(f, pm, ec);
    if (e != H5RD_OK) {
        h5rd__pathmap_free(f, pm);
        return e;
    }
    struct h5rd__pathmap *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&f->pathmap, &expected, pm, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        h5rd__pathmap_free(f, pm);
        pm = expected;
    }
    *pm_ret = pm;
    return H5RD_OK;
}

const char *h5rd__file_addr_path(struct h5rd_file *f, uint64_t addr, struct h5rd_error *ec)
{
    const struct h5rd__pathmap *pm = NULL;
    if (get_pathmap(f, &pm, ec) != H5RD_OK) {
        return NULL;
    }
    const struct pm_entry *hit = pm_find(pm, addr, true);
    return hit != NULL ? hit->path : NULL;
}
