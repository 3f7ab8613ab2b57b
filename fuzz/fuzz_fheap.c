/*
 * fuzz_fheap.c - libFuzzer harness: fractal heaps (Spec v3.0 III.G, "FRHP", "FHDB", "FHIB";
 * managed, tiny and huge objects, filtered blocks). Input: an HDF5 file image. Opens every
 * heap header found and looks up heap IDs taken from the records of every v2 B-tree in the
 * image (link and attribute name/creation-order indexes hold them at offsets 0, 4 and 8), plus
 * IDs made from the last bytes of the input.
 */
#include "fuzz_common.h"

#include "btree/btree.h"
#include "heap/heap.h"

#define MAX_HEAPS 8
#define MAX_TREES 8
#define MAX_LOOKUPS 512

struct lookup {
    const struct h5rd_file *f;
    const struct h5rd__fheap *fh;
    uint32_t id_n;
    uint32_t done;
};

static void get_one(struct lookup *lk, const uint8_t *id, size_t n)
{
    struct h5rd_error ec;
    h5rd__err_clear(&ec);
    struct h5rd_view v = {0};
    if (h5rd__fheap_get(lk->f, lk->fh, id, n, &v, &ec) == H5RD_OK) {
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < v.nbytes; i++) {
            sink ^= v.p[i];
        }
        (void)sink;
        h5rd__io_release(lk->f, &v);
    }
}

static h5rd_err rec_cb(const uint8_t *rec, size_t rec_nbytes, void *ud, struct h5rd_error *ec)
{
    struct lookup *lk = ud;
    static const size_t offs[] = {0, 4, 8};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        if (offs[i] + lk->id_n <= rec_nbytes) {
            get_one(lk, rec + offs[i], lk->id_n);
        }
    }
    if (++lk->done > MAX_LOOKUPS) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "fuzz: lookup budget");
    }
    return H5RD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_image im;
    if (!fz_image_open(&im, data, size)) {
        return 0;
    }
    uint64_t heaps[MAX_HEAPS], trees[MAX_TREES];
    size_t nh = fz_find_sig(&im, data, size, "FRHP", heaps, MAX_HEAPS);
    size_t nt = fz_find_sig(&im, data, size, "BTHD", trees, MAX_TREES);
    for (size_t i = 0; i < nh; i++) {
        struct h5rd_error ec;
        h5rd__err_clear(&ec);
        struct h5rd__fheap *fh = NULL;
        if (h5rd__fheap_open(im.f, heaps[i], &fh, &ec) != H5RD_OK) {
            continue;
        }
        struct lookup lk = {im.f, fh, h5rd__fheap_id_nbytes(fh), 0};
        for (size_t t = 0; t < nt; t++) {
            h5rd__err_clear(&ec);
            (void)h5rd__bt2_iterate(im.f, trees[t], 0, rec_cb, &lk, &ec);
        }
        /* IDs from the input's tail, of the heap's ID length and of a few wrong lengths. */
        for (uint32_t len = 1; len <= 24 && len <= size; len++) {
            get_one(&lk, data + size - len, len);
        }
        h5rd__fheap_close(im.f, fh);
    }
    fz_image_close(&im);
    return 0;
}
