/*
 * cmd_chunks.c - `h5rd chunks [--json] FILE PATH`: the allocated chunks of a dataset, in the
 * library's chunk-index order (h5rd_dataset_get_chunk).
 *
 * --json: one JSON array, an object per allocated chunk,
 *     {"offset": [coordinates of the chunk's first element], "addr": absolute byte offset in
 *      the file (user block included), "size": stored bytes, "filter_mask": n}
 * A dataset that is not chunked (compact, contiguous, virtual) has no chunks: `[]`. The corpus
 * oracle's chunks_sha256 is over the same entries as sorted lists, so a test can rebuild it.
 *
 * Text (in the spirit of `h5ls -v`): the chunk shape and its size in bytes, the storage
 * summary (logical bytes, allocated bytes, utilization), then one line per chunk with its
 * offset, file address, stored size and filter mask.
 *
 * Output is flushed every CHUNKS_FLUSH_NBYTES, so memory stays bounded for millions of
 * chunks; an error part way ends with exit status 1 (the reason on stderr).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

#define CHUNKS_FLUSH_NBYTES ((size_t)1 << 20)

static const char *index_name(h5rd_chunk_index i)
{
    switch (i) {
    case H5RD_CHUNK_INDEX_BTREE1:
        return "v1 B-tree";
    case H5RD_CHUNK_INDEX_SINGLE:
        return "single chunk";
    case H5RD_CHUNK_INDEX_IMPLICIT:
        return "implicit";
    case H5RD_CHUNK_INDEX_FARRAY:
        return "fixed array";
    case H5RD_CHUNK_INDEX_EARRAY:
        return "extensible array";
    case H5RD_CHUNK_INDEX_BTREE2:
        return "v2 B-tree";
    case H5RD_CHUNK_INDEX_NONE:
        break;
    }
    return "none";
}

static const char *layout_name(h5rd_layout_class c)
{
    switch (c) {
    case H5RD_LAYOUT_COMPACT:
        return "compact";
    case H5RD_LAYOUT_CONTIGUOUS:
        return "contiguous";
    case H5RD_LAYOUT_CHUNKED:
        return "chunked";
    case H5RD_LAYOUT_VIRTUAL:
        return "virtual";
    }
    return "unknown";
}

static void put_dims(struct jbuf *b, const uint64_t *v, uint32_t rank, const char *open,
                     const char *close)
{
    jb_puts(b, open);
    for (uint32_t d = 0; d < rank; d++) {
        jb_printf(b, "%s%" PRIu64, d ? ", " : "", v[d]);
    }
    jb_puts(b, close);
}

static void report(const char *file, const char *path, struct h5rd_error *err, h5rd_err rc)
{
    if (err->code == H5RD_OK) {
        err->code = rc;
        err->file_offset = H5RD_ADDR_UNDEF;
    }
    cli_report(file, path, err);
}

static int flush(struct jbuf *b, const char *path)
{
    if (jb_flush_to(b, stdout) != 0) {
        fprintf(stderr, "h5rd: %s: out of memory\n", path);
        return -1;
    }
    jb_reset(b);
    return 0;
}

/* Writes the table; returns an exit status. */
static int list_chunks(h5rd_obj *dset, const char *file, const char *path, int json)
{
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    struct h5rd_layout lay;
    struct h5rd_space space;
    uint64_t esize = 0;
    h5rd_err rc = h5rd_dataset_get_layout(dset, &lay, &err);
    if (rc == H5RD_OK) {
        rc = h5rd_dataset_get_space(dset, &space, &err);
    }
    if (rc == H5RD_OK) {
        rc = h5rd_dataset_get_elem_nbytes(dset, NULL, &esize, &err);
    }
    if (rc == H5RD_OK && lay.cls == H5RD_LAYOUT_CHUNKED &&
        (lay.rank > H5RD_MAX_RANK || (space.kind == H5RD_SPACE_SIMPLE && lay.rank != space.rank))) {
        rc = cli_set_error(&err, H5RD_E_CORRUPT, "layout: chunk rank differs from the dataspace");
    }
    if (rc != H5RD_OK) {
        report(file, path, &err, rc);
        return CLI_EXIT_FAIL;
    }
    struct jbuf b;
    jb_init(&b);
    int status = CLI_EXIT_OK;
    if (lay.cls != H5RD_LAYOUT_CHUNKED) {
        if (json) {
            jb_puts(&b, "[]\n");
        } else {
            jb_printf(&b, "%s: not chunked (%s layout), no chunks\n", path,
                      layout_name(lay.cls));
        }
        status = flush(&b, path) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
        jb_free(&b);
        return status;
    }
    uint64_t n = 0;
    rc = h5rd_dataset_get_nchunks(dset, &n, &err);
    if (rc != H5RD_OK) {
        report(file, path, &err, rc);
        jb_free(&b);
        return CLI_EXIT_FAIL;
    }
    uint32_t rank = lay.rank;
    if (!json) {
        /* Chunk bytes and logical bytes, saturating: only a summary. */
        uint64_t chunk_nbytes = esize, logical = space.kind == H5RD_SPACE_NULL ? 0 : esize;
        for (uint32_t d = 0; d < rank; d++) {
            uint64_t cd = lay.chunk_dims[d];
            chunk_nbytes = cd && chunk_nbytes > UINT64_MAX / cd ? UINT64_MAX : chunk_nbytes * cd;
        }
        for (uint32_t d = 0; d < space.rank && d < H5RD_MAX_RANK; d++) {
            uint64_t sd = space.dims[d];
            logical = sd && logical > UINT64_MAX / sd ? UINT64_MAX : logical * sd;
        }
        jb_printf(&b, "%s\n    Chunks:    ", path);
        put_dims(&b, lay.chunk_dims, rank, "{", "}");
        jb_printf(&b, " %" PRIu64 " bytes, %s index, %" PRIu64 " allocated\n", chunk_nbytes,
                  index_name(lay.chunk_index), n);
        /* the storage line needs the sum of stored sizes: a first pass */
        uint64_t allocated = 0;
        for (uint64_t i = 0; i < n; i++) {
            struct h5rd_chunk_info ci;
            rc = h5rd_dataset_get_chunk(dset, i, &ci, &err);
            if (rc != H5RD_OK) {
                break;
            }
            allocated = ci.nbytes > UINT64_MAX - allocated ? UINT64_MAX : allocated + ci.nbytes;
        }
        if (rc == H5RD_OK) {
            jb_printf(&b, "    Storage:   %" PRIu64 " logical bytes, %" PRIu64 " allocated bytes",
                      logical, allocated);
            if (allocated > 0) {
                jb_printf(&b, ", %.2f%% utilization", 100.0 * (double)logical / (double)allocated);
            }
            jb_printf(&b, "\n    %-24s %20s %14s %12s\n", "Offset", "Address", "Size",
                      "Filter mask");
        }
    } else {
        jb_putc(&b, '[');
    }
    for (uint64_t i = 0; rc == H5RD_OK && i < n; i++) {
        struct h5rd_chunk_info ci;
        rc = h5rd_dataset_get_chunk(dset, i, &ci, &err);
        if (rc != H5RD_OK) {
            break;
        }
        if (json) {
            jb_puts(&b, i ? ", {\"offset\": " : "{\"offset\": ");
            put_dims(&b, ci.offset, rank, "[", "]");
            jb_printf(&b,
                      ", \"addr\": %" PRIu64 ", \"size\": %" PRIu64 ", \"filter_mask\": %" PRIu32
                      "}",
                      ci.addr, ci.nbytes, ci.filter_mask);
        } else {
            size_t mark = b.len;
            jb_puts(&b, "    ");
            put_dims(&b, ci.offset, rank, "[", "]");
            size_t w = b.len - mark - 4;
            for (; w < 24; w++) {
                jb_putc(&b, ' ');
            }
            jb_printf(&b, " %20" PRIu64 " %14" PRIu64 "   0x%08" PRIx32 "\n", ci.addr, ci.nbytes,
                      ci.filter_mask);
        }
        if (b.len >= CHUNKS_FLUSH_NBYTES && flush(&b, path) != 0) {
            status = CLI_EXIT_FAIL;
            break;
        }
    }
    if (rc != H5RD_OK) {
        /* What was listed so far goes out; the reason goes to stderr. */
        if (json) {
            jb_puts(&b, "]\n");
        }
        flush(&b, path);
        report(file, path, &err, rc);
        jb_free(&b);
        return CLI_EXIT_FAIL;
    }
    if (json) {
        jb_puts(&b, "]\n");
    }
    if (flush(&b, path) != 0) {
        status = CLI_EXIT_FAIL;
    }
    jb_free(&b);
    return status;
}

int cmd_chunks(int argc, char **argv)
{
    int json = 0;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            json = 1;
        } else if (!opts_done && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("chunks", "unknown option", a);
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            return cli_usage_error("chunks", "too many arguments:", a);
        }
    }
    if (npos < 2) {
        return cli_usage_error("chunks", npos == 0 ? "missing FILE and PATH" : "missing PATH",
                               NULL);
    }
    const char *file = pos[0], *path = pos[1];
    h5rd_file *f = NULL;
    if (cli_open(file, &f) != CLI_EXIT_OK) {
        return CLI_EXIT_FAIL;
    }
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_obj *dset = NULL;
    h5rd_err rc = h5rd_obj_open(f, path, &dset, &err);
    if (rc == H5RD_OK && h5rd_obj_get_kind(dset) != H5RD_OBJ_DATASET) {
        rc = cli_set_error(&err, H5RD_E_TYPE, "chunks: not a dataset");
    }
    int status;
    if (rc != H5RD_OK) {
        report(file, path, &err, rc);
        status = CLI_EXIT_FAIL;
    } else {
        status = list_chunks(dset, file, path, json);
    }
    h5rd_obj_close(dset);
    h5rd_file_close(f);
    return status;
}
