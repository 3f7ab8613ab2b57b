/*
 * heap.h - the three heaps of the format:
 *   local heap   (Spec v3.0 III.D "Disk Format: Level 1D - Local Heaps")
 *   global heap  (III.E "Global Heap": collections "GCOL" of vlen data, region references)
 *   fractal heap (III.G "Fractal Heap": "FRHP" header, "FHDB" direct and "FHIB" indirect
 *                 blocks, managed / tiny / huge heap IDs, filtered direct blocks)
 * Every lookup is bounded by the bytes present and by the heap's own geometry.
 */
#ifndef H5RD_HEAP_HEAP_H
#define H5RD_HEAP_HEAP_H

#include "internal.h"
#include "io/source.h"

/* ---- local heap ("HEAP") ---- */
struct h5rd__lheap {
    uint64_t data_addr;
    struct h5rd_view data;     /* the data segment */
};
h5rd_err h5rd__lheap_load(const struct h5rd_file *f, uint64_t addr, struct h5rd__lheap *h,
                          struct h5rd_error *ec);
void h5rd__lheap_free(const struct h5rd_file *f, struct h5rd__lheap *h);
/* The NUL-terminated string at offset 'off' of the data segment (CORRUPT if it has no NUL
 * inside the segment). *len_ret excludes the NUL. The pointer lives as long as the heap. */
h5rd_err h5rd__lheap_string(const struct h5rd__lheap *h, uint64_t off, const char **s_ret,
                            size_t *len_ret, struct h5rd_error *ec);

/* ---- global heap ("GCOL") ---- */
/* A view of the data of object 'index' of the collection at 'coll_addr'. Index 0 (free space)
 * and missing indexes are NOT_FOUND. Release with h5rd__io_release. */
h5rd_err h5rd__gheap_get(const struct h5rd_file *f, uint64_t coll_addr, uint32_t index,
                         struct h5rd_view *obj_ret, struct h5rd_error *ec);

/* ---- fractal heap ("FRHP") ---- */
/* Decoded header, immutable, opaque; it also remembers which direct blocks passed their
 * checksum, so one thread at a time uses a handle (each table build opens its own). */
struct h5rd__fheap;
h5rd_err h5rd__fheap_open(const struct h5rd_file *f, uint64_t addr, struct h5rd__fheap **fh_ret,
                          struct h5rd_error *ec);
void h5rd__fheap_close(const struct h5rd_file *f, struct h5rd__fheap *fh);
/* Length in bytes of this heap's IDs. */
uint32_t h5rd__fheap_id_nbytes(const struct h5rd__fheap *fh);
/* The object named by heap ID 'id' (managed, tiny or huge; filtered blocks are decompressed
 * into an owned buffer). Release with h5rd__io_release. */
h5rd_err h5rd__fheap_get(const struct h5rd_file *f, const struct h5rd__fheap *fh,
                         const uint8_t *id, size_t id_nbytes, struct h5rd_view *obj_ret,
                         struct h5rd_error *ec);

#endif
