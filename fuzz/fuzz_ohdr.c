/*
 * fuzz_ohdr.c - libFuzzer harness: object headers (Spec v3.0 IV.A.1, versions 1 and 2) and
 * every header message decoder (IV.A.2). Input: an HDF5 file image (or a bare image whose
 * header sits at address 0). Loads the root group's header and every "OHDR" found, resolves
 * each message's body (shared messages included) and decodes it with its decoder; also loads
 * the links and attributes of each header (group/attr layers on top of the messages).
 */
#include "fuzz_common.h"

#include "attr/attr.h"
#include "dtype/dtype.h"
#include "group/group.h"
#include "object/msg.h"
#include "object/ohdr.h"

#define MAX_HEADERS 24

static void decode_msg(const struct h5rd_file *f, const struct h5rd__msg *m)
{
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    struct h5rd_view body = {0};
    if (h5rd__msg_body(f, m, &body, &ec) != H5RD_OK) {
        return;
    }
    struct h5rd_cur c = h5rd__view_cur(f, &body, &ec);
    switch (m->type) {
    case H5RD__MSG_DATASPACE: {
        struct h5rd_space s;
        (void)h5rd__msg_dataspace_decode(f, &c, &s);
        break;
    }
    case H5RD__MSG_LINK_INFO: {
        struct h5rd__linfo li;
        (void)h5rd__msg_linfo_decode(f, &c, &li);
        break;
    }
    case H5RD__MSG_DATATYPE: {
        struct h5rd_type *t = NULL;
        if (h5rd__dtype_decode(f, &c, &t, &ec) == H5RD_OK) {
            h5rd__dtype_free(f, t);
        }
        break;
    }
    case H5RD__MSG_FILL_OLD:
    case H5RD__MSG_FILL: {
        struct h5rd__fill fl;
        memset(&fl, 0, sizeof fl);
        if (h5rd__msg_fill_decode(f, &c, m->type == H5RD__MSG_FILL_OLD, &fl) == H5RD_OK) {
            h5rd__fill_free(f, &fl);
        }
        break;
    }
    case H5RD__MSG_LINK: {
        struct h5rd__link l;
        memset(&l, 0, sizeof l);
        if (h5rd__msg_link_decode(f, &c, NULL, &l) == H5RD_OK) {
            h5rd__link_free(f, &l);
        }
        break;
    }
    case H5RD__MSG_EXTERNAL_FILES: {
        struct h5rd__efl efl;
        memset(&efl, 0, sizeof efl);
        if (h5rd__msg_efl_decode(f, &c, &efl) == H5RD_OK) {
            h5rd__efl_free(f, &efl);
        }
        break;
    }
    case H5RD__MSG_LAYOUT: {
        struct h5rd__layout l;
        memset(&l, 0, sizeof l);
        if (h5rd__msg_layout_decode(f, &c, &l) == H5RD_OK) {
            h5rd__layout_free(f, &l);
        }
        break;
    }
    case H5RD__MSG_GROUP_INFO: {
        struct h5rd__ginfo gi;
        (void)h5rd__msg_ginfo_decode(f, &c, &gi);
        break;
    }
    case H5RD__MSG_FILTER_PIPELINE: {
        struct h5rd__pline p;
        memset(&p, 0, sizeof p);
        if (h5rd__msg_pline_decode(f, &c, &p) == H5RD_OK) {
            h5rd__pline_free(f, &p);
        }
        break;
    }
    case H5RD__MSG_ATTRIBUTE: {
        struct h5rd__attr a;
        memset(&a, 0, sizeof a);
        if (h5rd__msg_attr_decode(f, &c, &a) == H5RD_OK) {
            h5rd__attr_free(f, &a);
        }
        break;
    }
    case H5RD__MSG_COMMENT: {
        char *s = NULL;
        if (h5rd__msg_comment_decode(f, &c, &s) == H5RD_OK) {
            h5rd__free(f, s);
        }
        break;
    }
    case H5RD__MSG_MTIME_OLD:
    case H5RD__MSG_MTIME: {
        int64_t t;
        (void)h5rd__msg_mtime_decode(&c, m->type == H5RD__MSG_MTIME_OLD, &t);
        break;
    }
    case H5RD__MSG_SHARED_TABLE: {
        uint64_t a;
        uint32_t n;
        (void)h5rd__msg_sohm_table_decode(&c, &a, &n);
        break;
    }
    case H5RD__MSG_SYMBOL_TABLE: {
        struct h5rd__stab st;
        (void)h5rd__msg_stab_decode(&c, &st);
        break;
    }
    case H5RD__MSG_BTREE_K: {
        uint32_t a, b, d;
        (void)h5rd__msg_btreek_decode(&c, &a, &b, &d);
        break;
    }
    case H5RD__MSG_DRIVER_INFO: {
        uint8_t name[8];
        (void)h5rd__msg_drvinfo_decode(&c, name);
        break;
    }
    case H5RD__MSG_ATTRIBUTE_INFO: {
        struct h5rd__ainfo ai;
        (void)h5rd__msg_ainfo_decode(f, &c, &ai);
        break;
    }
    case H5RD__MSG_REFCOUNT: {
        uint32_t r;
        (void)h5rd__msg_refcount_decode(&c, &r);
        break;
    }
    case H5RD__MSG_FSINFO: {
        struct h5rd__fsinfo fs;
        (void)h5rd__msg_fsinfo_decode(&c, &fs);
        break;
    }
    case 0x18: {
        uint64_t a, n;
        (void)h5rd__msg_mdci_decode(&c, &a, &n);
        break;
    }
    default:
        break;
    }
    h5rd__io_release(f, &body);
}

static void load_one(const struct h5rd_file *f, uint64_t addr)
{
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    struct h5rd__ohdr oh;
    memset(&oh, 0, sizeof oh);
    if (h5rd__ohdr_load(f, addr, &oh, &ec) != H5RD_OK) {
        return;
    }
    for (uint32_t i = 0; i < oh.n_msgs; i++) {
        decode_msg(f, &oh.msgs[i]);
    }
    struct h5rd__links links;
    memset(&links, 0, sizeof links);
    h5rd__err_clear(&ec);
    if (h5rd__group_load_links(f, &oh, &links, &ec) == H5RD_OK) {
        h5rd__links_free(f, &links);
    }
    struct h5rd__attrs attrs;
    memset(&attrs, 0, sizeof attrs);
    h5rd__err_clear(&ec);
    if (h5rd__attrs_load(f, &oh, &attrs, &ec) == H5RD_OK) {
        h5rd__attrs_free(f, &attrs);
    }
    h5rd__ohdr_free(f, &oh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_image im;
    if (!fz_image_open(&im, data, size)) {
        return 0;
    }
    load_one(im.f, im.f->sb.root_addr);
    uint64_t at[MAX_HEADERS];
    size_t n = fz_find_sig(&im, data, size, "OHDR", at, MAX_HEADERS);
    for (size_t i = 0; i < n; i++) {
        if (at[i] != im.f->sb.root_addr) {
            load_one(im.f, at[i]);
        }
    }
    fz_image_close(&im);
    return 0;
}
