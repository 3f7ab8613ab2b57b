/*
 * chunks.c - the direct chunk API, and the "read the chunks yourself" pattern done right.
 *
 *   usage: chunks FILE DATASET
 *
 * HPC codes often bypass the dataset read and handle chunks themselves: to decompress them on
 * a GPU, to hand whole chunks to worker processes, or to copy them to another file without
 * recompressing. h5rd gives the pieces: the chunk table (h5rd_dataset_get_nchunks /
 * get_chunk: logical offset, file address, stored size, filter mask), the stored bytes of one
 * chunk (h5rd_dataset_read_chunk_raw) and one decoded chunk (h5rd_dataset_read_chunk).
 *
 * Assembling a dataset from chunks has traps this program avoids, and then proves it by
 * comparing the result with h5rd_dataset_read of the whole dataset (prints OK or the first
 * mismatch; exit status 1 on a mismatch):
 *  - Edge chunks. HDF5 always stores whole chunks, also where the dataset's extent ends inside
 *    one: a decoded edge chunk has the full chunk shape, and only the part inside the dataset
 *    may be copied out (row by row: a chunk's rows are shorter than the dataset's).
 *  - Unallocated chunks. Chunks never written are absent from the table and read as the fill
 *    value. So walk the chunk *grid*, not the table: h5rd_dataset_read_chunk returns the fill
 *    value for a missing chunk, where a table walk would leave holes of garbage.
 *  - Table order. The table is in the chunk index's order (B-tree, extensible array...), which
 *    need not be row-major: place a chunk by its offset, never by its position in the table.
 *  - The filter mask. Bit i set means filter i of the pipeline was *not* applied to this chunk
 *    (libhdf5 skips an optional filter that fails, e.g. a compressor that would grow the
 *    data); a decoder of raw chunks must honour it per chunk.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <h5rd.h>

#define MAX_LISTED 10                   /* chunk table entries printed */
#define MAX_ASSEMBLE ((uint64_t)1 << 30) /* bytes of the whole-array check */

static const char *prog = "chunks";

static void report(const char *doing, h5rd_err rc, const struct h5rd_error *err)
{
    h5rd_err code = err->code != H5RD_OK ? err->code : rc;
    fprintf(stderr, "%s: %s failed: %s (error %d)", prog, doing, h5rd_strerror(code), (int)code);
    if (err->code != H5RD_OK && err->what) {
        fprintf(stderr, ": %s", err->what);
    }
    if (err->code != H5RD_OK && err->path[0]) {
        fprintf(stderr, " [object %s]", err->path);
    }
    if (err->code != H5RD_OK && err->file_offset != H5RD_ADDR_UNDEF) {
        fprintf(stderr, " [file offset %" PRIu64 "]", err->file_offset);
    }
    fprintf(stderr, "\n");
}

/* FNV-1a, 64 bits: a short fingerprint of a byte block to print. */
static uint64_t fnv1a(const void *p, uint64_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325u;
    for (uint64_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3u;
    }
    return h;
}

/* *acc *= v unless that overflows (then 0 is returned). */
static int mul_ok(uint64_t *acc, uint64_t v)
{
    if (v != 0 && *acc > UINT64_MAX / v) {
        return 0;
    }
    *acc *= v;
    return 1;
}

static void print_coords(const uint64_t *c, uint32_t rank)
{
    printf("(");
    for (uint32_t d = 0; d < rank; d++) {
        printf("%s%" PRIu64, d ? "," : "", c[d]);
    }
    printf(")");
}

/* Copies the part of a decoded chunk (shape cdims, first element at 'origin') that lies inside
 * the dataset (shape dims) into the whole-array buffer 'dst'. Rows along the last dimension are
 * contiguous in both buffers, but of different lengths: one memcpy per row. */
static void place_chunk(unsigned char *dst, const unsigned char *chunk, const uint64_t *dims,
                        const uint64_t *cdims, const uint64_t *origin, uint32_t rank,
                        uint64_t esize)
{
    uint64_t ext[H5RD_MAX_RANK]; /* extent of the chunk inside the dataset */
    for (uint32_t d = 0; d < rank; d++) {
        uint64_t left = dims[d] - origin[d];
        ext[d] = left < cdims[d] ? left : cdims[d];
        if (ext[d] == 0) {
            return;
        }
    }
    uint64_t row_nbytes = ext[rank - 1] * esize;
    uint64_t idx[H5RD_MAX_RANK]; /* position within the chunk, over dimensions 0..rank-2 */
    memset(idx, 0, sizeof idx);
    for (;;) {
        uint64_t src = 0, dst_off = 0;
        for (uint32_t d = 0; d < rank; d++) {
            uint64_t i = d + 1 < rank ? idx[d] : 0;
            src = src * cdims[d] + i;
            dst_off = dst_off * dims[d] + origin[d] + i;
        }
        memcpy(dst + dst_off * esize, chunk + src * esize, (size_t)row_nbytes);
        uint32_t d = rank - 1;
        while (d-- > 0) {
            if (++idx[d] < ext[d]) {
                break;
            }
            idx[d] = 0;
        }
        if (d == UINT32_MAX) {
            return;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE DATASET\n", prog);
        return 2;
    }
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_file *file = NULL;
    h5rd_obj *dset = NULL;
    unsigned char *raw = NULL, *chunk = NULL, *whole = NULL, *ref = NULL;
    int status = 1;
    h5rd_err rc = h5rd_file_open(argv[1], NULL, &file, &err);
    if (rc != H5RD_OK) {
        report("h5rd_file_open", rc, &err);
        return 1;
    }
    if ((rc = h5rd_obj_open(file, argv[2], &dset, &err)) != H5RD_OK) {
        report("h5rd_obj_open", rc, &err);
        goto out;
    }
    struct h5rd_space sp;
    struct h5rd_layout lay;
    uint64_t esize, nchunks;
    uint32_t nfilters;
    if ((rc = h5rd_dataset_get_space(dset, &sp, &err)) != H5RD_OK ||
        (rc = h5rd_dataset_get_layout(dset, &lay, &err)) != H5RD_OK ||
        (rc = h5rd_dataset_get_elem_nbytes(dset, NULL, &esize, &err)) != H5RD_OK) {
        report("describing the dataset", rc, &err);
        goto out;
    }
    if (lay.cls != H5RD_LAYOUT_CHUNKED || sp.kind != H5RD_SPACE_SIMPLE) {
        fprintf(stderr, "%s: %s is not a chunked dataset\n", prog, argv[2]);
        goto out;
    }
    const uint32_t rank = sp.rank;
    uint64_t chunk_elems = 1, npoints = 1, ngrid = 1;
    uint64_t grid[H5RD_MAX_RANK]; /* chunks along each dimension, edge chunks included */
    int too_big = lay.rank != rank; /* (only a hostile file has what this catches) */
    for (uint32_t d = 0; d < rank && !too_big; d++) {
        if (lay.chunk_dims[d] == 0) {
            too_big = 1;
            break;
        }
        grid[d] = sp.dims[d] / lay.chunk_dims[d] + (sp.dims[d] % lay.chunk_dims[d] != 0);
        too_big |= !mul_ok(&chunk_elems, lay.chunk_dims[d]) || !mul_ok(&npoints, sp.dims[d]) ||
                   !mul_ok(&ngrid, grid[d]);
    }
    uint64_t chunk_nbytes = chunk_elems;
    if (too_big || !mul_ok(&chunk_nbytes, esize) || chunk_nbytes > SIZE_MAX) {
        fprintf(stderr, "%s: %s: chunk shape inconsistent or too large\n", prog, argv[2]);
        goto out;
    }
    if ((rc = h5rd_dataset_get_nfilters(dset, &nfilters, &err)) != H5RD_OK ||
        (rc = h5rd_dataset_get_nchunks(dset, &nchunks, &err)) != H5RD_OK) {
        report("reading the chunk table", rc, &err);
        goto out;
    }

    printf("%s: shape ", argv[2]);
    print_coords(sp.dims, rank);
    printf(", chunk shape ");
    print_coords(lay.chunk_dims, rank);
    printf(", %" PRIu64 "-byte elements\n", esize);
    for (uint32_t i = 0; i < nfilters; i++) {
        struct h5rd_filter f;
        if ((rc = h5rd_dataset_get_filter(dset, i, &f, &err)) != H5RD_OK) {
            report("h5rd_dataset_get_filter", rc, &err);
            goto out;
        }
        printf("filter %" PRIu32 ": id %" PRIu32 "%s\n", i, f.id, f.flags & 1 ? " (optional)" : "");
    }
    printf("%" PRIu64 " of %" PRIu64 " chunks allocated\n", nchunks, ngrid);

    /* 1. The chunk table. */
    struct h5rd_chunk_info first;
    memset(&first, 0, sizeof first);
    for (uint64_t i = 0; i < nchunks; i++) {
        struct h5rd_chunk_info ci;
        if ((rc = h5rd_dataset_get_chunk(dset, i, &ci, &err)) != H5RD_OK) {
            report("h5rd_dataset_get_chunk", rc, &err);
            goto out;
        }
        if (i == 0) {
            first = ci;
        }
        if (i < MAX_LISTED) {
            printf("  chunk %" PRIu64 ": offset ", i);
            print_coords(ci.offset, rank);
            printf(" address %" PRIu64 " size %" PRIu64 " filter mask 0x%" PRIx32 "\n", ci.addr,
                   ci.nbytes, ci.filter_mask);
        } else if (i == MAX_LISTED) {
            printf("  ... (%" PRIu64 " more)\n", nchunks - MAX_LISTED);
        }
    }

    /* 2. One chunk's stored bytes, as a program decoding them itself would get them. */
    if (nchunks > 0) {
        raw = malloc(first.nbytes ? (size_t)first.nbytes : 1);
        size_t raw_nbytes;
        uint32_t mask;
        if (!raw) {
            fprintf(stderr, "%s: out of memory\n", prog);
            goto out;
        }
        rc = h5rd_dataset_read_chunk_raw(dset, first.offset, raw, (size_t)first.nbytes,
                                         &raw_nbytes, &mask, &err);
        if (rc != H5RD_OK) {
            report("h5rd_dataset_read_chunk_raw", rc, &err);
            goto out;
        }
        printf("raw chunk at ");
        print_coords(first.offset, rank);
        printf(": %zu stored bytes, filter mask 0x%" PRIx32 ", fnv1a %016" PRIx64 "\n", raw_nbytes,
               mask, fnv1a(raw, raw_nbytes));
    }

    /* 3. One chunk decoded: the whole chunk shape, in the file type's layout (memtype NULL). */
    chunk = malloc((size_t)chunk_nbytes);
    if (!chunk) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }
    if (nchunks > 0) {
        if ((rc = h5rd_dataset_read_chunk(dset, first.offset, chunk, (size_t)chunk_nbytes,
                                          &err)) != H5RD_OK) {
            report("h5rd_dataset_read_chunk", rc, &err);
            goto out;
        }
        printf("decoded chunk at ");
        print_coords(first.offset, rank);
        printf(": %" PRIu64 " bytes, fnv1a %016" PRIx64 "\n", chunk_nbytes,
               fnv1a(chunk, chunk_nbytes));
    }

    /* 4. The whole dataset from its chunks, then checked against a plain read. */
    uint64_t whole_nbytes = npoints;
    if (!mul_ok(&whole_nbytes, esize) || whole_nbytes > MAX_ASSEMBLE) {
        printf("dataset larger than %" PRIu64 " bytes: assembly check skipped\n", MAX_ASSEMBLE);
        status = 0;
        goto out;
    }
    whole = malloc(whole_nbytes ? (size_t)whole_nbytes : 1);
    ref = malloc(whole_nbytes ? (size_t)whole_nbytes : 1);
    if (!whole || !ref) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }
    uint64_t g[H5RD_MAX_RANK], origin[H5RD_MAX_RANK];
    memset(g, 0, sizeof g);
    for (uint64_t n = 0; n < ngrid; n++) {
        for (uint32_t d = 0; d < rank; d++) {
            origin[d] = g[d] * lay.chunk_dims[d];
        }
        if ((rc = h5rd_dataset_read_chunk(dset, origin, chunk, (size_t)chunk_nbytes, &err)) !=
            H5RD_OK) {
            report("h5rd_dataset_read_chunk", rc, &err);
            goto out;
        }
        place_chunk(whole, chunk, sp.dims, lay.chunk_dims, origin, rank, esize);
        for (uint32_t d = rank; d-- > 0;) { /* next grid position, row-major */
            if (++g[d] < grid[d]) {
                break;
            }
            g[d] = 0;
        }
    }
    if (npoints > 0 &&
        (rc = h5rd_dataset_read(dset, NULL, NULL, ref, (size_t)whole_nbytes, NULL, &err)) !=
            H5RD_OK) {
        report("h5rd_dataset_read", rc, &err);
        goto out;
    }
    printf("assembled %" PRIu64 " chunks into %" PRIu64 " bytes (fnv1a %016" PRIx64 "): ", ngrid,
           whole_nbytes, fnv1a(whole, whole_nbytes));
    if (whole_nbytes == 0 || memcmp(whole, ref, (size_t)whole_nbytes) == 0) {
        printf("OK, identical to h5rd_dataset_read\n");
        status = 0;
    } else {
        uint64_t i = 0;
        while (whole[i] == ref[i]) {
            i++;
        }
        printf("MISMATCH with h5rd_dataset_read at element %" PRIu64 "\n", i / esize);
    }
out:
    free(raw);
    free(chunk);
    free(whole);
    free(ref);
    h5rd_obj_close(dset);
    h5rd_file_close(file);
    return status;
}
