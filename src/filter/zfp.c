/*
 * zfp.c - filter 32013, H5Z-ZFP (LLNL/H5Z-ZFP src/H5Zzfp.c; the format is defined by that
 * plugin and by libzfp, not by the specification).
 *
 * Layout: cd_values[0] is a version word (libzfp version << 16 | zfp codec << 12 | plugin
 * version); cd_values[1..] hold a zfp "full" header (ZFP_HEADER_FULL: 32-bit magic "zfp" +
 * codec byte, 52 bits of field metadata - scalar type and the chunk's non-unity dimensions,
 * fastest first - and the 12- or 64-bit compression mode) written by zfp_write_header through
 * an 8-bit-word bitstream over the cd_values array. The chunk itself is the bare zfp stream
 * (no header). A file written on a big-endian host stores those header words byte-swapped
 * (the plugin treated its native uint32 array as bytes); the plugin then byte-swaps the
 * decoded elements back to the writer's order, and so does this decoder.
 *
 * Invariants: the header's field (element size times dims) must be exactly the chunk's size
 * (out_cap) before anything is decoded. libzfp's bit reader has no bounds: it reads whole
 * words until the decoder's per-block bit budget is spent. So both the header and the stream
 * are copied into zero-padded, aligned buffers at least as long as the most the decoder can
 * read (ZFP_HEADER_MAX_BITS for the header, zfp_stream_maximum_size() for the data), and a
 * stream that needed more bytes than were stored is CORRUPT afterwards. libzfp's bitstream
 * object is the only allocation not made through the file's allocator (stream_open has no
 * allocator hook; it is a few dozen bytes, freed before returning). No global state of
 * libzfp is touched; decoding runs the serial policy.
 */
#include "filter/filter.h"

#ifdef H5RD_HAVE_ZFP
#include <string.h>
#include <zfp.h>

/* The libzfp functions and constants used, through pointers: linked directly, or loaded on
 * first use in a shared build (filter/lazylib.c explains why). */
struct zfp_api {
    bitstream *(*stream_open)(void *buffer, size_t bytes);
    void (*stream_close)(bitstream *stream);
    size_t (*read_header)(zfp_stream *zfp, zfp_field *field, uint mask);
    uint (*field_dimensionality)(const zfp_field *field);
    size_t (*stream_maximum_size)(const zfp_stream *zfp, const zfp_field *field);
    size_t (*decompress)(zfp_stream *zfp, zfp_field *field);
    const uint *codec_version;
    const size_t *word_bits;
};

#ifdef H5RD_DLOPEN_ZFP
static const char *const zfp_symbols[] = {"stream_open", "stream_close", "zfp_read_header",
                                          "zfp_field_dimensionality", "zfp_stream_maximum_size",
                                          "zfp_decompress", "zfp_codec_version",
                                          "stream_word_bits", NULL};
static struct h5rd__lazylib zfp_lib = {H5RD_DLOPEN_ZFP, zfp_symbols,
                                       "filter: zfp (32013): libzfp could not be loaded", NULL};
#endif

static h5rd_err zfp_api_get(struct zfp_api *api, struct h5rd_error *ec)
{
#ifdef H5RD_DLOPEN_ZFP
    /* The prototypes above are checked against zfp.h without referencing the symbols. */
    (void)sizeof(api->stream_open = stream_open);
    (void)sizeof(api->stream_close = stream_close);
    (void)sizeof(api->read_header = zfp_read_header);
    (void)sizeof(api->field_dimensionality = zfp_field_dimensionality);
    (void)sizeof(api->stream_maximum_size = zfp_stream_maximum_size);
    (void)sizeof(api->decompress = zfp_decompress);
    (void)sizeof(api->codec_version = &zfp_codec_version);
    (void)sizeof(api->word_bits = &stream_word_bits);
    void *const *s = NULL;
    H5RD_TRY(h5rd__lazylib_get(&zfp_lib, &s, ec));
    /* POSIX: dlsym's object pointer holds the function's address. */
    memcpy(&api->stream_open, &s[0], sizeof api->stream_open);
    memcpy(&api->stream_close, &s[1], sizeof api->stream_close);
    memcpy(&api->read_header, &s[2], sizeof api->read_header);
    memcpy(&api->field_dimensionality, &s[3], sizeof api->field_dimensionality);
    memcpy(&api->stream_maximum_size, &s[4], sizeof api->stream_maximum_size);
    memcpy(&api->decompress, &s[5], sizeof api->decompress);
    api->codec_version = s[6];
    api->word_bits = s[7];
#else
    (void)ec;
    api->stream_open = stream_open;
    api->stream_close = stream_close;
    api->read_header = zfp_read_header;
    api->field_dimensionality = zfp_field_dimensionality;
    api->stream_maximum_size = zfp_stream_maximum_size;
    api->decompress = zfp_decompress;
    api->codec_version = &zfp_codec_version;
    api->word_bits = &stream_word_bits;
#endif
    return H5RD_OK;
}

#define HDR_WORDS 16 /* cd_values words taken for the header: 512 bits >> ZFP_HEADER_MAX_BITS */
#define PAD_BYTES 64 /* slack after the stream beyond libzfp's own worst case */

/* True when the host stores integers little-endian (libzfp's bit order in a word is
 * least-significant first, so multi-byte stream words read bytes in order only there). */
static bool host_is_le(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void swap_elements(uint8_t *p, size_t n, size_t esize)
{
    for (size_t i = 0; i + esize <= n; i += esize) {
        for (size_t j = 0; j < esize / 2; j++) {
            uint8_t t = p[i + j];
            p[i + j] = p[i + esize - 1 - j];
            p[i + esize - 1 - j] = t;
        }
    }
}

/* Rebuilds the header bytes from cd_values[1..] into 'hdr' (zero-padded): each value as the
 * four bytes the writer had in memory, little-endian, or big-endian when *swapped. Returns
 * false when the magic "zfp" is in neither order. */
static bool header_bytes(const struct h5rd__filter *flt, uint8_t *hdr, size_t cap, bool *swapped)
{
    size_t nw = flt->n_values - 1u;
    if (nw > cap / 4) {
        nw = cap / 4;
    }
    for (int order = 0; order < 2; order++) {
        memset(hdr, 0, cap);
        for (size_t i = 0; i < nw; i++) {
            uint32_t v = flt->values[i + 1];
            for (size_t k = 0; k < 4; k++) {
                size_t sh = order == 0 ? 8 * k : 8 * (3 - k);
                hdr[4 * i + k] = (uint8_t)(v >> sh);
            }
        }
        if (hdr[0] == 'z' && hdr[1] == 'f' && hdr[2] == 'p') {
            *swapped = order == 1;
            return true;
        }
    }
    return false;
}

h5rd_err h5rd__filter_zfp_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                 const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                 uint8_t *out, size_t out_cap, size_t *out_n,
                                 struct h5rd_error *ec)
{
    (void)type;
    h5rd_err err = H5RD_OK;
    bitstream *bs = NULL;
    uint8_t *sbuf = NULL, *tmp = NULL;
    uint64_t hdr_words[HDR_WORDS / 2]; /* uint64 for the alignment of any stream word size */
    uint8_t *hdr = (uint8_t *)hdr_words;
    struct zfp_api api;
    H5RD_TRY(zfp_api_get(&api, ec));

    if (*api.word_bits != 8 && !host_is_le()) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                         "zfp: libzfp's stream word size needs a little-endian host");
    }
    if (flt->n_values < 2 || flt->values == NULL) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                         "zfp: no zfp header in the filter's client data");
    }
    bool swapped = false;
    if (!header_bytes(flt, hdr, sizeof(hdr_words), &swapped)) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                         "zfp: no zfp header in the filter's client data");
    }
    if (hdr[3] != (uint8_t)*api.codec_version) {
        return H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF,
                         "zfp: stream written by a zfp codec version this libzfp cannot read");
    }

    /* The header, read through libzfp itself (it owns the bit layout of the metadata and
     * mode fields and validates them). */
    zfp_field fld;
    zfp_stream zs;
    memset(&fld, 0, sizeof(fld));
    memset(&zs, 0, sizeof(zs));
    zs.exec.policy = zfp_exec_serial;
    bs = api.stream_open(hdr, sizeof(hdr_words));
    if (bs == NULL) {
        return H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "zfp: cannot open a bit stream");
    }
    zs.stream = bs;
    size_t hbits = api.read_header(&zs, &fld, ZFP_HEADER_FULL);
    api.stream_close(bs);
    bs = NULL;
    zs.stream = NULL;
    if (hbits == 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: invalid zfp header in cd_values");
    }
    if (zs.maxprec < 1 || zs.maxprec > 64 || zs.minbits > zs.maxbits) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: invalid compression mode");
    }

    size_t esize;
    switch (fld.type) {
    case zfp_type_int32:
    case zfp_type_float:
        esize = 4;
        break;
    case zfp_type_int64:
    case zfp_type_double:
        esize = 8;
        break;
    default:
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: invalid scalar type in header");
    }
    /* The field must be exactly the chunk: element size times the header's dimensions
     * (H5Z-ZFP records only the non-unity ones, whose product is the chunk's element count). */
    uint64_t nbytes = esize, d[4] = {fld.nx, fld.ny, fld.nz, fld.nw};
    unsigned dims = api.field_dimensionality(&fld);
    if (dims < 1 || dims > 4) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: invalid dimensionality in header");
    }
    for (unsigned i = 0; i < dims; i++) {
        if (d[i] == 0 || !h5rd__mul_u64(nbytes, d[i], &nbytes)) {
            return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: invalid dimensions in header");
        }
    }
    if (nbytes != out_cap) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF,
                            "zfp: header's field size differs from the chunk size");
    }

    /* Every block takes at least minbits bits, so a large minbits needs a long stream: check
     * it against the bytes present before sizing buffers from it. */
    uint64_t blocks = 1, minbits_total;
    for (unsigned i = 0; i < dims; i++) {
        blocks *= (d[i] + 3) / 4; /* no overflow: the product of d[] fits (checked above) */
    }
    if (!h5rd__mul_u64(blocks, zs.minbits, &minbits_total) || minbits_total / 8 > in_n) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: stream shorter than the mode requires");
    }

    /* The most bytes the decoder may read for this field and mode; the stream is copied into
     * a zeroed buffer at least that long (rounded up to whole 64-bit words). */
    size_t maxsize = api.stream_maximum_size(&zs, &fld);
    if (maxsize == 0) {
        return H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: invalid compression mode");
    }
    uint64_t scap = maxsize > in_n ? maxsize : in_n;
    if (!h5rd__add_u64(scap, PAD_BYTES, &scap)) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "zfp: stream buffer too large");
    }
    scap = scap / 8 * 8;
    sbuf = h5rd__calloc_data(f, scap, 1, ec);
    if (sbuf == NULL) {
        err = ec->code;
        goto out;
    }
    if (in_n > 0) {
        memcpy(sbuf, in, in_n);
    }

    /* libzfp stores whole elements through typed pointers: decode into an aligned buffer when
     * the caller's is not. */
    uint8_t *dst = out;
    if ((uintptr_t)out % esize != 0) {
        tmp = h5rd__malloc_data(f, out_cap, ec);
        if (tmp == NULL) {
            err = ec->code;
            goto out;
        }
        dst = tmp;
    }
    fld.data = dst;
    fld.sx = fld.sy = fld.sz = fld.sw = 0; /* contiguous, x fastest (C order of the chunk) */

    bs = api.stream_open(sbuf, (size_t)scap);
    if (bs == NULL) {
        err = H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "zfp: cannot open a bit stream");
        goto out;
    }
    zs.stream = bs;
    size_t used = api.decompress(&zs, &fld);
    if (used == 0) {
        err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: decompression failed");
        goto out;
    }
    /* 'used' is rounded up to whole stream words. */
    uint64_t in_words = in_n;
    size_t wbytes = *api.word_bits / 8;
    if (wbytes > 1 && !h5rd__add_u64(in_n, (wbytes - in_n % wbytes) % wbytes, &in_words)) {
        in_words = UINT64_MAX;
    }
    if (used > in_words) {
        err = H5RD_CORRUPT(ec, H5RD_ADDR_UNDEF, "zfp: stream is truncated");
        goto out;
    }
    if (dst != out) {
        memcpy(out, dst, out_cap);
    }
    /* Decoded values are in host order; the chunk holds them in the writer's order. */
    if (swapped == host_is_le()) {
        swap_elements(out, out_cap, esize);
    }
    *out_n = out_cap;

out:
    if (bs != NULL) {
        api.stream_close(bs);
    }
    h5rd__free(f, tmp);
    h5rd__free(f, sbuf);
    return err;
}
#endif
