/*
 * msg_misc.c - the small header messages of Spec v3.0 IV.A.2: Object Comment (IV.A.2.n),
 * Object Header Continuation (IV.A.2.p), Symbol Table (IV.A.2.q), Object Modification Time
 * old (IV.A.2.o) and new (IV.A.2.r), B-tree 'K' Values (IV.A.2.s), Object Reference Count
 * (IV.A.2.v), Shared Message Table (IV.A.2.l), External Data Files (IV.A.2.h), and the
 * superblock extension's File Space Info (IV.A.2.w), Driver Info (IV.A.2.t) and metadata cache
 * image (libhdf5 message 0x18) messages.
 *
 * Invariants: each decoder reads only from its cursor (exactly the message body) and writes its
 * outputs only on success.
 */
#include "heap/heap.h"
#include "object/msg.h"

#include <string.h>

h5rd_err h5rd__msg_comment_decode(const struct h5rd_file *f, struct h5rd_cur *c, char **out)
{
    /* A NUL-terminated string; a missing terminator is tolerated (the body bounds it). */
    size_t n = h5rd__cur_left(c);
    const uint8_t *p = h5rd__cur_bytes(c, n);
    H5RD_TRY(h5rd__cur_finish(c));
    const uint8_t *nul = n > 0 ? memchr(p, 0, n) : NULL;
    size_t len = nul != NULL ? (size_t)(nul - p) : n;
    char *s = h5rd__strndup(f, (const char *)p, len, c->ec);
    if (s == NULL) {
        return c->ec->code;
    }
    *out = s;
    return H5RD_OK;
}

h5rd_err h5rd__msg_cont_decode(struct h5rd_cur *c, uint64_t *addr, uint64_t *nbytes)
{
    uint64_t a = h5rd__cur_offset(c);
    uint64_t n = h5rd__cur_length(c);
    H5RD_TRY(h5rd__cur_finish(c));
    *addr = a;
    *nbytes = n;
    return H5RD_OK;
}

h5rd_err h5rd__msg_stab_decode(struct h5rd_cur *c, struct h5rd__stab *out)
{
    struct h5rd__stab s;
    s.btree_addr = h5rd__cur_offset(c);
    s.heap_addr = h5rd__cur_offset(c);
    H5RD_TRY(h5rd__cur_finish(c));
    *out = s;
    return H5RD_OK;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (no libc time zone or
 * global state involved). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool read_digits(struct h5rd_cur *c, unsigned n, unsigned *v)
{
    const uint8_t *p = h5rd__cur_bytes(c, n);
    if (p == NULL) {
        return false;
    }
    unsigned r = 0;
    for (unsigned i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        r = r * 10 + (unsigned)(p[i] - '0');
    }
    *v = r;
    return true;
}

h5rd_err h5rd__msg_mtime_decode(struct h5rd_cur *c, bool is_old, int64_t *out)
{
    uint64_t at = h5rd__cur_addr_here(c);
    if (!is_old) {
        /* Version 1, three reserved bytes, 32-bit seconds since the epoch. */
        H5RD_TRY(h5rd__cur_need(c, 8));
        uint8_t version = h5rd__cur_u8(c);
        H5RD_TRY(h5rd__cur_skip(c, 3));
        uint32_t secs = h5rd__cur_u32(c);
        H5RD_TRY(h5rd__cur_finish(c));
        if (version != 1) {
            return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "modification time: unknown version");
        }
        *out = secs;
        return H5RD_OK;
    }
    /* ASCII "YYYYMMDDhhmmss" (then two reserved bytes), taken as UTC. */
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    H5RD_TRY(h5rd__cur_need(c, 14));
    bool ok = read_digits(c, 4, &y) && read_digits(c, 2, &mo) && read_digits(c, 2, &d) &&
              read_digits(c, 2, &h) && read_digits(c, 2, &mi) && read_digits(c, 2, &s);
    H5RD_TRY(h5rd__cur_finish(c));
    if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 61) {
        return H5RD_CORRUPT(c->ec, at, "modification time (old): not a valid date");
    }
    *out = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
    return H5RD_OK;
}

h5rd_err h5rd__msg_btreek_decode(struct h5rd_cur *c, uint32_t *istore_k, uint32_t *sym_internal_k,
                                 uint32_t *sym_leaf_k)
{
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 7));
    uint8_t version = h5rd__cur_u8(c);
    uint16_t ik = h5rd__cur_u16(c);
    uint16_t gk = h5rd__cur_u16(c);
    uint16_t lk = h5rd__cur_u16(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 0) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "B-tree K message: unknown version");
    }
    if (ik == 0 || gk == 0 || lk == 0) {
        return H5RD_CORRUPT(c->ec, at, "B-tree K message: K value of zero");
    }
    *istore_k = ik;
    *sym_internal_k = gk;
    *sym_leaf_k = lk;
    return H5RD_OK;
}

h5rd_err h5rd__msg_refcount_decode(struct h5rd_cur *c, uint32_t *out)
{
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 5));
    uint8_t version = h5rd__cur_u8(c);
    uint32_t rc = h5rd__cur_u32(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 0) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "reference count: unknown version");
    }
    *out = rc;
    return H5RD_OK;
}

h5rd_err h5rd__msg_sohm_table_decode(struct h5rd_cur *c, uint64_t *table_addr, uint32_t *n_indexes)
{
    uint64_t at = h5rd__cur_addr_here(c);
    uint8_t version = h5rd__cur_u8(c);
    uint64_t a = h5rd__cur_offset(c);
    uint8_t n = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 0) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "shared message table message: unknown version");
    }
    *table_addr = a;
    *n_indexes = n;
    return H5RD_OK;
}

/* Version 0 strategies (libhdf5 1.8's H5F_file_space_type_t) and the version 1 numbering they
 * map to (H5F_fspace_strategy_t). */
#define FS0_ALL_PERSIST 1
#define FS0_ALL 2
#define FS0_AGGR_VFD 3
#define FS0_VFD 4
#define FS1_FSM_AGGR 0
#define FS1_AGGR 2
#define FS1_NONE 3
/* Free-space manager addresses stored when persisting: one per H5FD_mem_t type (version 0,
 * super..ohdr) or per H5F_mem_page_t type (version 1, small and large pages). */
#define FS0_N_ADDRS 6
#define FS1_N_ADDRS 12

h5rd_err h5rd__msg_fsinfo_decode(struct h5rd_cur *c, struct h5rd__fsinfo *out)
{
    uint64_t at = h5rd__cur_addr_here(c);
    struct h5rd__fsinfo fs;
    memset(&fs, 0, sizeof(fs));
    fs.eoa_pre_fsm_fsalloc = H5RD_ADDR_UNDEF;
    fs.version = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (fs.version == 0) {
        H5RD_TRY(h5rd__cur_need(c, 1u + c->sl));
        uint8_t strategy = h5rd__cur_u8(c);
        uint64_t threshold = h5rd__cur_length(c);
        H5RD_TRY(h5rd__cur_finish(c));
        switch (strategy) {
        case FS0_ALL_PERSIST:
            fs.strategy = FS1_FSM_AGGR;
            fs.persist = true;
            fs.threshold = threshold;
            /* libhdf5 checks that the manager addresses are present (CVE-2020-10810). */
            H5RD_TRY(h5rd__cur_skip(c, (uint64_t)FS0_N_ADDRS * c->so));
            break;
        case FS0_ALL:
            fs.strategy = FS1_FSM_AGGR;
            fs.threshold = threshold;
            break;
        case FS0_AGGR_VFD:
            fs.strategy = FS1_AGGR;
            break;
        case FS0_VFD:
            fs.strategy = FS1_NONE;
            break;
        default:
            return H5RD_CORRUPT(c->ec, at, "file space info message: invalid strategy");
        }
        *out = fs;
        return H5RD_OK;
    }
    /* Version 1 layout (also used to decode later versions, which the caller refuses). */
    H5RD_TRY(h5rd__cur_need(c, 2u + 2u * c->sl + 2u + c->so));
    fs.strategy = h5rd__cur_u8(c);
    fs.persist = h5rd__cur_u8(c) != 0;
    fs.threshold = h5rd__cur_length(c);
    fs.page_size = h5rd__cur_length(c);
    (void)h5rd__cur_u16(c); /* page end metadata threshold */
    fs.eoa_pre_fsm_fsalloc = h5rd__cur_offset(c);
    if (fs.persist) {
        H5RD_TRY(h5rd__cur_skip(c, (uint64_t)FS1_N_ADDRS * c->so));
    }
    H5RD_TRY(h5rd__cur_finish(c));
    *out = fs;
    return H5RD_OK;
}

h5rd_err h5rd__msg_drvinfo_decode(struct h5rd_cur *c, uint8_t name[8])
{
    uint64_t at = h5rd__cur_addr_here(c);
    uint8_t version = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 0) {
        return H5RD_CORRUPT(c->ec, at, "driver info message: bad version");
    }
    const uint8_t *id = h5rd__cur_bytes(c, 8);
    uint16_t len = h5rd__cur_u16(c);
    H5RD_TRY(h5rd__cur_finish(c));
    H5RD_TRY(h5rd__cur_skip(c, len));
    memcpy(name, id, 8);
    return H5RD_OK;
}

h5rd_err h5rd__msg_mdci_decode(struct h5rd_cur *c, uint64_t *addr, uint64_t *nbytes)
{
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 1u + c->so + c->sl));
    uint8_t version = h5rd__cur_u8(c);
    uint64_t a = h5rd__cur_offset(c);
    uint64_t n = h5rd__cur_length(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 0) {
        return H5RD_CORRUPT(c->ec, at, "metadata cache image message: bad version");
    }
    *addr = a;
    *nbytes = n;
    return H5RD_OK;
}

void h5rd__efl_free(const struct h5rd_file *f, struct h5rd__efl *efl)
{
    if (efl == NULL) {
        return;
    }
    if (efl->v != NULL) {
        for (uint32_t i = 0; i < efl->n; i++) {
            h5rd__free(f, efl->v[i].name);
        }
    }
    h5rd__free(f, efl->v);
    efl->v = NULL;
    efl->n = 0;
}

h5rd_err h5rd__msg_efl_decode(const struct h5rd_file *f, struct h5rd_cur *c, struct h5rd__efl *out)
{
    uint64_t at = h5rd__cur_addr_here(c);
    H5RD_TRY(h5rd__cur_need(c, 8));
    uint8_t version = h5rd__cur_u8(c);
    H5RD_TRY(h5rd__cur_skip(c, 3));
    uint16_t n_alloc = h5rd__cur_u16(c);
    uint16_t n_used = h5rd__cur_u16(c);
    uint64_t heap_addr = h5rd__cur_offset(c);
    H5RD_TRY(h5rd__cur_finish(c));
    if (version != 1) {
        return H5RD_FAIL(c->ec, H5RD_E_UNSUPPORTED, at, "external files: unknown version");
    }
    if (n_used > n_alloc) {
        return H5RD_CORRUPT(c->ec, at, "external files: more slots used than allocated");
    }
    /* Each entry is three lengths: check the bytes exist before allocating for them. */
    H5RD_TRY(h5rd__cur_need(c, (uint64_t)n_used * 3u * c->sl));

    struct h5rd__efl efl = {0, NULL};
    struct h5rd__lheap heap;
    bool have_heap = false;
    h5rd_err e = H5RD_OK;
    if (n_used > 0) {
        efl.v = h5rd__calloc(f, n_used, sizeof(*efl.v), c->ec);
        if (efl.v == NULL) {
            return c->ec->code;
        }
        e = h5rd__lheap_load(f, heap_addr, &heap, c->ec);
        if (e != H5RD_OK) {
            goto out;
        }
        have_heap = true;
    }
    uint64_t all_ones = c->sl >= 8 ? UINT64_MAX : (((uint64_t)1 << (8 * c->sl)) - 1);
    for (uint32_t i = 0; i < n_used; i++) {
        uint64_t name_off = h5rd__cur_length(c);
        uint64_t file_off = h5rd__cur_length(c);
        uint64_t size = h5rd__cur_length(c);
        e = h5rd__cur_finish(c);
        if (e != H5RD_OK) {
            goto out;
        }
        const char *s = NULL;
        size_t len = 0;
        e = h5rd__lheap_string(&heap, name_off, &s, &len, c->ec);
        if (e != H5RD_OK) {
            goto out;
        }
        efl.v[i].name = h5rd__strndup(f, s, len, c->ec);
        if (efl.v[i].name == NULL) {
            e = c->ec->code;
            goto out;
        }
        efl.v[i].file_offset = file_off;
        efl.v[i].nbytes = size == all_ones ? H5RD_UNLIMITED : size;
        efl.n = i + 1;
    }
    efl.n = n_used;
out:
    if (have_heap) {
        h5rd__lheap_free(f, &heap);
    }
    if (e != H5RD_OK) {
        h5rd__efl_free(f, &efl);
        return e;
    }
    *out = efl;
    return H5RD_OK;
}
