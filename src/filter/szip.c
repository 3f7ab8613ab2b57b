/*
 * szip.c - filter 4, SZIP (libhdf5 src/H5Zszip.c, decoded with libaec's SZIP compatibility
 * API). cd_values: [0] options mask, [1] pixels per block, [2] bits per pixel, [3] pixels per
 * scanline (libhdf5 fills in [2] and [3] from the datatype and chunk). The chunk starts with
 * the uncompressed size as a 4-byte little-endian integer, then the SZIP data.
 */
#include "filter/filter.h"

#ifdef H5RD_HAVE_SZIP
#include <limits.h>
#include <string.h>
#include <szlib.h>

/* The one libsz (libaec) function used, through a pointer: linked directly, or loaded on first
 * use in a shared build (filter/lazylib.c explains why). */
struct szip_api {
    int (*buff_to_buff_decompress)(void *dest, size_t *destLen, const void *source,
                                   size_t sourceLen, SZ_com_t *param);
};

#ifdef H5RD_DLOPEN_SZIP
static const char *const szip_symbols[] = {"SZ_BufftoBuffDecompress", NULL};
/* h5rd__lazylib_api fills the struct from the names in order: one name per pointer. */
_Static_assert(sizeof(struct szip_api) / sizeof(void (*)(void)) ==
                   sizeof szip_symbols / sizeof szip_symbols[0] - 1,
               "szip_api: a symbol name per function pointer");

static struct h5rd__lazylib szip_lib = {H5RD_DLOPEN_SZIP, szip_symbols,
                                        "filter: szip (4): libsz could not be loaded", NULL};
#endif

static h5rd_err szip_api_get(struct szip_api *api, struct h5rd_error *ec)
{
#ifdef H5RD_DLOPEN_SZIP
    /* The prototype above is checked against szlib.h without referencing the symbol. */
    (void)sizeof(api->buff_to_buff_decompress = SZ_BufftoBuffDecompress);
    return h5rd__lazylib_api(&szip_lib, api, sizeof *api, ec);
#else
    (void)ec;
    api->buff_to_buff_decompress = SZ_BufftoBuffDecompress;
    return H5RD_OK;
#endif
}

h5rd_err h5rd__filter_szip_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                  const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                  uint8_t *out, size_t out_cap, size_t *out_n,
                                  struct h5rd_error *ec)
{
    (void)f;
    (void)type;
    if (flt->n_values < 4) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "szip: fewer than 4 parameters");
    }
    for (unsigned i = 0; i < 4; i++) {
        if (flt->values[i] > INT_MAX) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "szip: parameter out of range");
        }
    }
    /* libaec divides by these without checking them (a fuzzer found pixels per block 0 ->
     * SIGFPE: fixtures/hostile/fuzz/filter_szip/). The ranges are SZIP's own (H5Zszip.c,
     * szlib.h): an even block of 2..32 pixels, 1..32 or 64 bits per pixel, and a scanline of
     * at least one block and at most SZ_MAX_PIXELS_PER_SCANLINE pixels. */
    uint32_t ppb = flt->values[1];
    uint32_t bpp = flt->values[2];
    uint32_t pps = flt->values[3];
    if (ppb < 2 || ppb > 32 || ppb % 2 != 0 || bpp == 0 || (bpp > 32 && bpp != 64) ||
        pps < ppb || pps > 4096) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "szip: parameters out of range");
    }
    if (in_n < 4) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "szip: chunk shorter than its header");
    }
    size_t size = (size_t)in[0] | (size_t)in[1] << 8 | (size_t)in[2] << 16 | (size_t)in[3] << 24;
    if (size > out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "szip: uncompressed size exceeds the chunk size");
    }
    struct szip_api api;
    H5RD_TRY(szip_api_get(&api, ec));
    SZ_com_t p;
    p.options_mask = (int)flt->values[0];
    p.pixels_per_block = (int)flt->values[1];
    p.bits_per_pixel = (int)flt->values[2];
    p.pixels_per_scanline = (int)flt->values[3];
    size_t got = size;
    int rc = api.buff_to_buff_decompress(out, &got, in + 4, in_n - 4, &p);
    if (rc != SZ_OK || got != size) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "szip: invalid compressed data");
    }
    *out_n = size;
    return H5RD_OK;
}
#endif
