/*
 * fuzz_filter.c - libFuzzer harness for one filter decoder (src/filter/filter.h), compiled
 * once per filter with FUZZ_FILTER_FN set to the decoder and FUZZ_FILTER_ID to its id.
 *
 * Input layout (all little-endian):
 *   u8   n_values (taken modulo 21): the filter's client data values that follow
 *   u32  x n_values
 *   u32  output capacity (taken modulo 4 MiB + 1): the chunk's logical size
 *   ...  the stored (encoded) stream
 * The decoder must never write past the capacity nor read past the stream; its output is
 * read back so ASan checks the bytes it claims to have produced.
 */
#include "fuzz_common.h"

#include "filter/filter.h"

#include <stdlib.h>

#ifndef FUZZ_FILTER_FN
#error "define FUZZ_FILTER_FN (the decoder) and FUZZ_FILTER_ID"
#endif

#define MAX_VALUES 20
#define MAX_OUT ((uint32_t)4 << 20)

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint32_t nv = data[0] % (MAX_VALUES + 1);
    size_t pos = 1;
    if (size - pos < 4 * (size_t)nv + 4) {
        return 0;
    }
    uint32_t values[MAX_VALUES + 1];
    for (uint32_t i = 0; i < nv; i++) {
        values[i] = rd32(data + pos);
        pos += 4;
    }
    uint32_t cap = rd32(data + pos) % (MAX_OUT + 1);
    pos += 4;

    struct fz_image im;
    if (!fz_image_bare(&im, NULL, 0)) {
        return 0;
    }
    char name[] = "";
    struct h5rd__filter flt = {FUZZ_FILTER_ID, 0, name, nv, values};
    uint8_t *in = malloc(size - pos ? size - pos : 1);
    uint8_t *out = malloc(cap ? cap : 1);
    if (in != NULL && out != NULL) {
        memcpy(in, data + pos, size - pos);
        struct h5rd_error ec;
        h5rd__err_clear(&ec);
        size_t out_n = 0;
        if (FUZZ_FILTER_FN(im.f, &flt, NULL, in, size - pos, out, cap, &out_n, &ec) ==
            H5RD_OK) {
            if (out_n > cap) {
                __builtin_trap(); /* a decoder reported more than the capacity */
            }
            volatile uint8_t sink = 0;
            for (size_t i = 0; i < out_n; i++) {
                sink ^= out[i];
            }
            (void)sink;
        }
    }
    free(in);
    free(out);
    fz_image_close(&im);
    return 0;
}
