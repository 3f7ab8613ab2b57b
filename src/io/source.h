/*
 * source.h - the file source: a read-only mapping of a file, a caller's
 * memory image, or (H5RD_OPEN_NO_MMAP) pread() into owned buffers. Every
 * access to file bytes is a "view" obtained here and parsed with a cursor.
 *
 * Addresses passed here are relative to the superblock's base address, as
 * stored in the file; h5rd__io_abs converts to absolute offsets.
 */
#ifndef H5RD_IO_SOURCE_H
#define H5RD_IO_SOURCE_H

#include "internal.h"
#include "io/cursor.h"

struct h5rd_view {
    const uint8_t *p;
    size_t nbytes;
    uint64_t addr;  /* relative address of p[0] */
    void *owned;    /* non-NULL when p was copied into a buffer that release frees */
};

h5rd_err h5rd__src_open_path(struct h5rd_file *f, const char *path, struct h5rd_error *ec);
h5rd_err h5rd__src_open_memory(struct h5rd_file *f, const void *buf, size_t nbytes,
                               struct h5rd_error *ec);
void h5rd__src_close(struct h5rd_file *f);

/* A live file (H5RD_OPEN_LIVE): re-reads the file's size and raises f->nbytes to it. A no-op
 * for other files. */
void h5rd__src_live_grow(const struct h5rd_file *f);

/* Live files (H5RD_OPEN_LIVE): libhdf5's SWMR reader reads metadata again when it fails its
 * checksum (H5C__load_entry, H5F_SWMR_METADATA_READ_ATTEMPTS = 100 tries, backing off up to
 * 10 ms). Call after a failed attempt 'attempt' (0, 1, ...): true (after sleeping) when the
 * failure 'e' may come from a writer rewriting the bytes and tries are left. */
#define H5RD__LIVE_READ_ATTEMPTS 100
bool h5rd__live_retry(const struct h5rd_file *f, h5rd_err e, uint32_t attempt);

/* Frees f->mdci (the metadata cache image table) and resets it to NULL. */
void h5rd__mdci_free(struct h5rd_file *f);

/* Absolute file offset of relative address 'addr' (checked: fails on overflow). */
h5rd_err h5rd__io_abs(const struct h5rd_file *f, uint64_t addr, uint64_t *abs_ret,
                      struct h5rd_error *ec);

/* Reads 'nbytes' at absolute offset 'abs' into dst (no base address applied). */
h5rd_err h5rd__io_read_abs(const struct h5rd_file *f, uint64_t abs, uint64_t nbytes, void *dst,
                           struct h5rd_error *ec);

/* A view of 'nbytes' at relative address 'addr'. Fails with TRUNCATED when the range is not
 * entirely inside the file, CORRUPT when addr is undefined. Release with h5rd__io_release. */
h5rd_err h5rd__io_view(const struct h5rd_file *f, uint64_t addr, uint64_t nbytes,
                       struct h5rd_view *view_ret, struct h5rd_error *ec);

/* Hints the CPU to fetch [addr, addr + nbytes) of a mapped file into its caches: for a walk,
 * the next object's header while the current one is decoded. Does nothing otherwise. */
void h5rd__io_prefetch(const struct h5rd_file *f, uint64_t addr, uint64_t nbytes);

/* Hints the CPU to fetch the cache lines of [p, p + nbytes) (mapped or buffered memory). A
 * prefetch never faults and reads nothing: it needs no bounds or truncation check. */
static inline void h5rd__prefetch_lines(const uint8_t *p, size_t nbytes)
{
#if defined(__GNUC__)
    for (size_t off = 0; off < nbytes; off += 64) {
        __builtin_prefetch(p + off, 0, 3);
    }
#else
    (void)p;
    (void)nbytes;
#endif
}

/* Asks for the cache lines of v's first 'nbytes' at once, ahead of a parse that reads them in
 * order: their memory fetches then overlap instead of each waiting on the one before (an
 * object header, in a walk, is read once and was never in any cache, issue 13). */
static inline void h5rd__view_prefetch(const struct h5rd_view *v, size_t nbytes)
{
    h5rd__prefetch_lines(v->p, nbytes < v->nbytes ? nbytes : v->nbytes);
}

/* h5rd__io_view_upto, lengthened by up to 'ahead_nbytes' where the file and its allocated space
 * (the superblock's end-of-file address) hold them, and failing where it fails (and, while
 * another process truncates a mapped file, perhaps where the shorter view would not). For a
 * structure whose start gives its full size (an object header's prefix): one view, not two,
 * when the structure is short. */
h5rd_err h5rd__io_view_ahead(const struct h5rd_file *f, uint64_t addr, uint64_t min_nbytes,
                             uint64_t max_nbytes, uint64_t ahead_nbytes,
                             struct h5rd_view *view_ret, struct h5rd_error *ec);

/* Like h5rd__io_view but shortens the range to what the file holds (at least min_nbytes),
 * for structures whose size is only known after parsing their start. */
h5rd_err h5rd__io_view_upto(const struct h5rd_file *f, uint64_t addr, uint64_t min_nbytes,
                            uint64_t max_nbytes, struct h5rd_view *view_ret,
                            struct h5rd_error *ec);

/* Ends a view (frees the copy of an unmapped file's bytes). Inline: a mapped file's views own
 * nothing, and an open takes and releases a dozen (issue 13). */
static inline void h5rd__io_release(const struct h5rd_file *f, struct h5rd_view *view)
{
    h5rd__free(f, view->owned); /* NULL for a mapped file's views: h5rd__free's own test */
    view->owned = NULL;
    view->p = NULL;
    view->nbytes = 0;
}

/* A cursor over a view, carrying the file's sizes of offsets and lengths. */
static inline struct h5rd_cur h5rd__view_cur(const struct h5rd_file *f, const struct h5rd_view *v,
                                             struct h5rd_error *ec)
{
    return h5rd__cur_make(v->p, v->nbytes, v->addr, f->sb.size_of_offsets, f->sb.size_of_lengths, ec);
}

/* Copies 'nbytes' at relative address 'addr' into dst. */
h5rd_err h5rd__io_read(const struct h5rd_file *f, uint64_t addr, uint64_t nbytes, void *dst,
                       struct h5rd_error *ec);

#endif
