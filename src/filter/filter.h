/*
 * filter.h - the filter pipeline on the read side (Spec v3.0 IV.A.2.k "Filter Pipeline
 * Message"; the byte formats of the filters themselves are defined by libhdf5's src/H5Z*.c
 * and by the plugins' sources, not by the specification).
 *
 * A chunk is decoded by undoing the pipeline's filters in reverse order, skipping those whose
 * bit is set in the chunk's filter mask. Every decoder writes into a caller-provided buffer of
 * known capacity: a stream that would produce more than that is CORRUPT, so a "zip bomb" never
 * allocates or writes more than the chunk's known size. Decoders never read outside their
 * input and never trust a size field from the stream without checking it.
 *
 * Thread-safety: the registry is a static const table; decoders keep their state on the stack
 * or in allocations of their own (compression libraries are used through their context APIs
 * only, never through global state).
 */
#ifndef H5RD_FILTER_FILTER_H
#define H5RD_FILTER_FILTER_H

#include "internal.h"
#include "object/msg.h"

#include <stddef.h>
#include <stdint.h>

struct h5rd_type; /* dtype/dtype.h */

/* Decodes one filter: 'in' (in_n bytes, the data as that filter produced it on write) into
 * 'out', which has room for 'out_cap' bytes; *out_n receives the number of bytes produced.
 * Producing more than out_cap is CORRUPT (never a partial success). 'type' is the dataset's
 * datatype and may be NULL (decoders rely on the client data libhdf5 stored; the type is only a
 * fallback). Returns H5RD_OK, or an error recorded in 'ec' (CORRUPT for malformed streams,
 * CHECKSUM for Fletcher-32 mismatches, UNSUPPORTED for valid but unhandled variants, LIMIT/NOMEM
 * for allocation failures). */
typedef h5rd_err (*h5rd__filter_decode_fn)(const struct h5rd_file *f,
                                           const struct h5rd__filter *flt,
                                           const struct h5rd_type *type, const uint8_t *in,
                                           size_t in_n, uint8_t *out, size_t out_cap,
                                           size_t *out_n, struct h5rd_error *ec);

/* One entry of a filter registry. A later public API may let callers add entries per open
 * file (consulted before the built-in table); there is no global registration. */
struct h5rd__filter_class {
    uint32_t id;
    const char *name;                /* short name, e.g. "deflate" */
    h5rd__filter_decode_fn decode;   /* NULL: known filter, not available in this build */
    const char *unavailable;         /* static error text when decode is NULL */
};

/* The built-in filter with this id, or NULL when h5rd does not know it. The entry may have a
 * NULL decode (the codec library was not found at configure time). */
const struct h5rd__filter_class *h5rd__filter_find(uint32_t id);

/* True when 'id' has a usable decoder in this build. */
bool h5rd__filter_available(uint32_t id);

/* Undoes the pipeline for one chunk: filters pline->v[n-1] .. pline->v[0], skipping filter i
 * when bit i of 'filter_mask' is set. 'in' holds the chunk as stored (in_nbytes); 'out'
 * receives EXACTLY out_nbytes bytes (the chunk's logical size: product of the chunk dims times
 * the element size); a final size that differs is CORRUPT. out_nbytes must not exceed
 * f->limits.max_chunk_nbytes (LIMIT). Intermediate buffers are bounded by the worst-case size
 * of the data at that stage (out_nbytes plus what the filters below it can add), never by a
 * size read from the stream. Filters the caller supplied for this file (f->plugins) are used
 * before the built-in ones, so every caller gets them. An unknown or unavailable filter is
 * UNSUPPORTED with a static message, and ec->detail names its id and stored name; the caller
 * adds the dataset path. The output is in file layout (the bytes libhdf5's pipeline hands to
 * type conversion). */
h5rd_err h5rd__pipeline_decode(const struct h5rd_file *f, const struct h5rd__pline *pline,
                               uint32_t filter_mask, const struct h5rd_type *type,
                               const uint8_t *in, size_t in_nbytes, uint8_t *out,
                               size_t out_nbytes, struct h5rd_error *ec);

/* Records in ec->detail which filter failed and why, e.g. `filter 32017 "SZ" (unknown
 * to h5rd)`: the id, the name stored in the file (else 'fallback_name'; non-printable
 * characters replaced) and 'why'. Does nothing when a detail is already set. */
void h5rd__filter_err_detail(struct h5rd_error *ec, const struct h5rd__filter *flt,
                             const char *fallback_name, const char *why);

/* ---- codec libraries loaded on first use (lazylib.c; shared builds) --------------------- */
/* H5RD_LAZY_CODECS is defined when at least one codec is loaded this way (H5RD_DLOPEN_<X>
 * holds its SONAME). */
#if defined(H5RD_DLOPEN_BLOSC) || defined(H5RD_DLOPEN_ZFP) || defined(H5RD_DLOPEN_ZSTD) || \
    defined(H5RD_DLOPEN_BZIP2) || defined(H5RD_DLOPEN_SZIP) || defined(H5RD_DLOPEN_LIBDEFLATE)
#define H5RD_LAZY_CODECS 1
struct h5rd__lazylib {
    const char *soname;              /* as found at configure time, e.g. "libblosc.so.1" */
    const char *const *symbols;      /* the names to resolve, NULL-terminated */
    const char *unloadable;          /* static error text when it cannot be loaded */
    _Atomic(void **) table;          /* the resolved addresses, published once */
};
/* The addresses of lib->symbols, in order, loading the library the first time (UNSUPPORTED,
 * with dlerror()'s reason in ec->detail, when it cannot be). */
h5rd_err h5rd__lazylib_get(struct h5rd__lazylib *lib, void *const **syms_ret,
                           struct h5rd_error *ec);
/* Fills 'api', a struct of function pointers only (api_nbytes bytes), with the addresses of
 * lib->symbols in the same order (POSIX: a dlsym object pointer holds a function's address). */
h5rd_err h5rd__lazylib_api(struct h5rd__lazylib *lib, void *api, size_t api_nbytes,
                           struct h5rd_error *ec);
#endif

#ifdef H5RD_HAVE_ZSTD
/* One zstd frame into dst (zstd.c; bitshuffle.c's zstd blocks): *got is the decoded size, or
 * SIZE_MAX when the frame does not decode. Fails only when libzstd cannot be loaded. */
h5rd_err h5rd__zstd_frame_decode(const void *src, size_t src_n, void *dst, size_t dst_cap,
                                 size_t *got, struct h5rd_error *ec);
#endif

/* ---- the built-in decoders (one .c file each) ------------------------------------------- */
h5rd_err h5rd__filter_deflate_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                     const struct h5rd_type *type, const uint8_t *in,
                                     size_t in_n, uint8_t *out, size_t out_cap, size_t *out_n,
                                     struct h5rd_error *ec);
/* The zlib decoder (used by the one above when libdeflate is absent; tests compare the two). */
h5rd_err h5rd__filter_deflate_decode_zlib(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                     const struct h5rd_type *type, const uint8_t *in,
                                     size_t in_n, uint8_t *out, size_t out_cap, size_t *out_n,
                                     struct h5rd_error *ec);
h5rd_err h5rd__filter_shuffle_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                     const struct h5rd_type *type, const uint8_t *in,
                                     size_t in_n, uint8_t *out, size_t out_cap, size_t *out_n,
                                     struct h5rd_error *ec);
h5rd_err h5rd__filter_fletcher32_decode(const struct h5rd_file *f,
                                        const struct h5rd__filter *flt,
                                        const struct h5rd_type *type, const uint8_t *in,
                                        size_t in_n, uint8_t *out, size_t out_cap,
                                        size_t *out_n, struct h5rd_error *ec);
h5rd_err h5rd__filter_szip_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                  const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                  uint8_t *out, size_t out_cap, size_t *out_n,
                                  struct h5rd_error *ec);
h5rd_err h5rd__filter_nbit_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                  const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                  uint8_t *out, size_t out_cap, size_t *out_n,
                                  struct h5rd_error *ec);
h5rd_err h5rd__filter_scaleoffset_decode(const struct h5rd_file *f,
                                         const struct h5rd__filter *flt,
                                         const struct h5rd_type *type, const uint8_t *in,
                                         size_t in_n, uint8_t *out, size_t out_cap,
                                         size_t *out_n, struct h5rd_error *ec);
h5rd_err h5rd__filter_bzip2_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                   const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                   uint8_t *out, size_t out_cap, size_t *out_n,
                                   struct h5rd_error *ec);
h5rd_err h5rd__filter_lzf_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                 const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                 uint8_t *out, size_t out_cap, size_t *out_n,
                                 struct h5rd_error *ec);
h5rd_err h5rd__filter_blosc_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                   const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                   uint8_t *out, size_t out_cap, size_t *out_n,
                                   struct h5rd_error *ec);
h5rd_err h5rd__filter_lz4_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                 const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                 uint8_t *out, size_t out_cap, size_t *out_n,
                                 struct h5rd_error *ec);
h5rd_err h5rd__filter_bitshuffle_decode(const struct h5rd_file *f,
                                        const struct h5rd__filter *flt,
                                        const struct h5rd_type *type, const uint8_t *in,
                                        size_t in_n, uint8_t *out, size_t out_cap,
                                        size_t *out_n, struct h5rd_error *ec);
h5rd_err h5rd__filter_zstd_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                  const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                  uint8_t *out, size_t out_cap, size_t *out_n,
                                  struct h5rd_error *ec);
/* H5Z-ZFP (LLNL); not among h5rd.h's H5RD_FILTER_* constants. */
#define H5RD__FILTER_ZFP 32013
h5rd_err h5rd__filter_zfp_decode(const struct h5rd_file *f, const struct h5rd__filter *flt,
                                 const struct h5rd_type *type, const uint8_t *in, size_t in_n,
                                 uint8_t *out, size_t out_cap, size_t *out_n,
                                 struct h5rd_error *ec);

/* ---- helpers shared by the decoders ------------------------------------------------------ */
/* Undoes bitshuffle's bit transposition of one block of 'nelem' elements (a multiple of 8) of
 * 'esize' bytes: 'in' and 'out' are nelem * esize bytes and must not overlap. */
void h5rd__bitunshuffle_block(const uint8_t *in, uint8_t *out, size_t nelem, size_t esize);

/* Decompresses one raw LZ4 block (no frame) of exactly 'out_n' decoded bytes. */
h5rd_err h5rd__lz4_block_decode(const uint8_t *in, size_t in_n, uint8_t *out, size_t out_n,
                                const char *what, struct h5rd_error *ec);

#endif
