/*
 * source.c - file sources (see source.h and docs/io.md).
 *
 * A mapped file that another process truncates while it is mapped raises
 * SIGBUS on access to the vanished pages. A library must not install signal
 * handlers, so h5rd narrows the window instead: a view of a mapped file is
 * checked against the file's current size (fstat()) and a range that the file no
 * longer holds is refused (H5RD_E_IO). The size is re-read once per public call
 * and at least every clock tick (a few ms) within one, not per view: an fstat()
 * per view was half of the CPU time of reading 50,000 tiny chunks (issue 13,
 * docs/performance.md). The snapshot is per thread, so nothing shared is written.
 * The remaining race (truncation between that check and the copy) is closed
 * entirely by H5RD_OPEN_NO_MMAP, which reads with pread() into owned buffers.
 *
 * Metadata cache image: when the file carries one (f->mdci, loaded by
 * format/superblock.c), a requested range lying entirely inside one image entry
 * is served from the image, as libhdf5 serves such entries from its cache
 * (H5Cimage.c prefetched entries) without reading their file addresses. Any
 * other range, including one straddling an entry's end, is read from the file.
 *
 * Live files (H5RD_OPEN_LIVE, a libhdf5 SWMR writer appending): always read with pread(),
 * never mapped. A mapping would have to be extended (mremap moves it under readers on other
 * threads) and, worse, object header views are kept for the life of a handle: in a mapping a
 * writer's in-place rewrite would change a header under a handle after its checksum was
 * verified, while pread() copies are the bytes that were verified. The size seen so far
 * (f->nbytes) only grows: a range past it re-reads the size before it is refused.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *dirname_of(struct h5rd_file *f, const char *path, struct h5rd_error *ec)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        return h5rd__strndup(f, ".", 1, ec);
    }
    if (slash == path) {
        return h5rd__strndup(f, "/", 1, ec);
    }
    return h5rd__strndup(f, path, (size_t)(slash - path), ec);
}

h5rd_err h5rd__src_open_path(struct h5rd_file *f, const char *path, struct h5rd_error *ec)
{
    f->fd = -1;
    f->path = h5rd__strndup(f, path, strlen(path), ec);
    f->dir = f->path != NULL ? dirname_of(f, path, ec) : NULL;
    if (f->path == NULL || f->dir == NULL) {
        return ec->code;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        h5rd_err code = (e == ENOENT || e == ENOTDIR) ? H5RD_E_NOT_FOUND : H5RD_E_IO;
        H5RD_FAIL(ec, code, H5RD_ADDR_UNDEF, "open: cannot open file");
        ec->sys_errno = e;
        return code;
    }
    f->fd = fd;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        H5RD_FAIL(ec, H5RD_E_IO, H5RD_ADDR_UNDEF, "open: cannot stat file");
        ec->sys_errno = errno;
        return H5RD_E_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        return H5RD_FAIL(ec, H5RD_E_IO, H5RD_ADDR_UNDEF, "open: not a regular file");
    }
    f->nbytes = (uint64_t)st.st_size;
    if ((f->flags & H5RD_OPEN_LIVE) != 0) {
        f->flags |= H5RD_OPEN_NO_MMAP; /* see the top of this file */
    }
    if ((f->flags & H5RD_OPEN_NO_MMAP) != 0 || f->nbytes == 0) {
        return H5RD_OK;
    }
    size_t len;
    if (!h5rd__u64_to_size(f->nbytes, &len)) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, H5RD_ADDR_UNDEF, "open: file larger than address space");
    }
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        /* Some file systems cannot map: fall back to pread. */
        f->flags |= H5RD_OPEN_NO_MMAP;
        return H5RD_OK;
    }
    f->map = m;
    f->is_mapped = true;
    return H5RD_OK;
}

h5rd_err h5rd__src_open_memory(struct h5rd_file *f, const void *buf, size_t nbytes,
                               struct h5rd_error *ec)
{
    f->fd = -1;
    f->map = buf;
    f->nbytes = nbytes;
    f->flags &= ~(H5RD_OPEN_NO_MMAP | H5RD_OPEN_LIVE); /* an image does not grow */
    f->dir = h5rd__strndup(f, ".", 1, ec);
    return f->dir == NULL ? ec->code : H5RD_OK;
}

void h5rd__mdci_free(struct h5rd_file *f)
{
    struct h5rd__mdci *m = f->mdci;
    if (m == NULL) {
        return;
    }
    h5rd__free(f, m->e);
    h5rd__free(f, m->block_owned);
    h5rd__free(f, m);
    f->mdci = NULL;
}

/* The cache image entry holding all of [addr, addr + nbytes), or NULL. Entries are sorted by
 * address with no duplicates; when hostile entries overlap, only the last one starting at or
 * before addr is considered (the range is then read from the file, never out of bounds). */
static const struct h5rd__mdci_entry *mdci_find(const struct h5rd_file *f, uint64_t addr,
                                                uint64_t nbytes)
{
    const struct h5rd__mdci *m = f->mdci;
    if (m == NULL || m->n == 0 || addr == H5RD_ADDR_UNDEF) {
        return NULL;
    }
    uint32_t lo = 0, hi = m->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->e[mid].addr <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    const struct h5rd__mdci_entry *e = &m->e[lo - 1];
    uint64_t off = addr - e->addr;
    if (off >= e->nbytes || nbytes > e->nbytes - off) {
        return NULL;
    }
    return e;
}

void h5rd__src_close(struct h5rd_file *f)
{
    h5rd__mdci_free(f);
    if (f->is_mapped && f->map != NULL) {
        munmap((void *)(uintptr_t)f->map, (size_t)f->nbytes);
    }
    f->map = NULL;
    if (f->fd >= 0) {
        close(f->fd);
    }
    f->fd = -1;
    h5rd__free(f, f->path);
    h5rd__free(f, f->dir);
    f->path = NULL;
    f->dir = NULL;
}

h5rd_err h5rd__io_abs(const struct h5rd_file *f, uint64_t addr, uint64_t *abs_ret,
                      struct h5rd_error *ec)
{
    if (addr == H5RD_ADDR_UNDEF) {
        return H5RD_CORRUPT(ec, addr, "address: undefined address where one is required");
    }
    if (!h5rd__add_u64(addr, f->sb.base_addr, abs_ret)) {
        return H5RD_CORRUPT(ec, addr, "address: overflows with the base address");
    }
    return H5RD_OK;
}

void h5rd__src_live_grow(const struct h5rd_file *f)
{
    if ((f->flags & H5RD_OPEN_LIVE) == 0 || f->fd < 0) {
        return;
    }
    struct stat st;
    if (fstat(f->fd, &st) != 0 || st.st_size < 0) {
        return;
    }
    /* Only the atomic size is written (the handle is otherwise read-only after open). */
    _Atomic uint64_t *n = &((struct h5rd_file *)(uintptr_t)f)->nbytes;
    uint64_t cur = atomic_load(n);
    while ((uint64_t)st.st_size > cur && !atomic_compare_exchange_weak(n, &cur, (uint64_t)st.st_size)) {
    }
}

/* The calling thread's last fstat() of a mapped file: file f held 'nbytes' bytes in I/O epoch
 * 'epoch' (one public call, see h5rd__err_begin_call) at clock tick 'tick'. Thread-local, so no
 * handle is written (handles are shared lock-free by threads) and no cache line is contended;
 * read workers are created per read, so a snapshot never outlives the call that took it. One
 * entry: a call reads one file at a time, or alternates and re-checks. */
static _Thread_local struct {
    const struct h5rd_file *f;
    uint32_t epoch;
    uint32_t views;     /* views served since the clock was last read */
    uint64_t tick;
    uint64_t nbytes;
} size_snap;

/* The clock is read every this many views, not every view: a walk of 20,000 objects takes
 * 80,000 views, and the clock read was 1% of it (issue 13). Views take well under a
 * microsecond, so this stretches a snapshot's life past its tick by a few microseconds at
 * most. */
#define SNAP_CLOCK_EVERY 16u

/* A coarse clock (1-4 ms ticks, read from the vDSO without a system call): bounds how long a
 * snapshot serves within one long call, such as a read of 50,000 chunks. */
static uint64_t clock_tick(void)
{
    struct timespec ts;
#ifdef CLOCK_MONOTONIC_COARSE
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#else
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
#endif
}

static bool size_snap_holds(const struct h5rd_file *f, uint64_t end)
{
    if (size_snap.f != f || size_snap.epoch != h5rd__io_epoch || end > size_snap.nbytes) {
        return false;
    }
    if (++size_snap.views < SNAP_CLOCK_EVERY) {
        return true;
    }
    size_snap.views = 0;
    return size_snap.tick == clock_tick();
}

/* Checks that [abs, abs+nbytes) lies inside the file, re-checking the size of a mapped file
 * (and of a live file, which may have grown). */
static h5rd_err check_range(const struct h5rd_file *f, uint64_t abs, uint64_t nbytes,
                            uint64_t addr, struct h5rd_error *ec)
{
    uint64_t size = f->nbytes;
    if ((abs > size || nbytes > size - abs) && (f->flags & H5RD_OPEN_LIVE) != 0) {
        h5rd__src_live_grow(f);
        size = f->nbytes;
    }
    if (abs > size || nbytes > size - abs) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, addr, "address: range extends past the end of the file");
    }
    /* libhdf5 refuses reads past the end of allocated space (the superblock's end-of-file
     * address) even when the file is longer (H5F__accum_read: "addr overflow"). */
    if (f->eoa_abs != 0 && (abs > f->eoa_abs || nbytes > f->eoa_abs - abs)) {
        return H5RD_FAIL(ec, H5RD_E_CORRUPT, addr, "address: range extends past the end-of-file address in the superblock");
    }
    if (f->is_mapped && !size_snap_holds(f, abs + nbytes)) {
        struct stat st;
        if (fstat(f->fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size < abs + nbytes) {
            size_snap.f = NULL;
            return H5RD_FAIL(ec, H5RD_E_IO, addr, "file shrank while open (truncated by another process?)");
        }
        size_snap.f = f;
        size_snap.epoch = h5rd__io_epoch;
        size_snap.tick = clock_tick();
        size_snap.views = 0;
        size_snap.nbytes = (uint64_t)st.st_size;
    }
    return H5RD_OK;
}

h5rd_err h5rd__io_read_abs(const struct h5rd_file *f, uint64_t abs, uint64_t nbytes, void *dst,
                           struct h5rd_error *ec)
{
    H5RD_TRY(check_range(f, abs, nbytes, abs, ec));
    if (f->map != NULL) {
        if (nbytes > 0) {
            memcpy(dst, f->map + abs, (size_t)nbytes);
        }
        return H5RD_OK;
    }
    uint8_t *d = dst;
    uint64_t done = 0;
    while (done < nbytes) {
        uint64_t want = nbytes - done;
        if (want > ((uint64_t)1 << 30)) {
            want = (uint64_t)1 << 30;
        }
        ssize_t r = pread(f->fd, d + done, (size_t)want, (off_t)(abs + done));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            H5RD_FAIL(ec, r == 0 ? H5RD_E_TRUNCATED : H5RD_E_IO, abs + done, "read: pread failed");
            ec->sys_errno = r < 0 ? errno : 0;
            return ec->code;
        }
        done += (uint64_t)r;
    }
    return H5RD_OK;
}

h5rd_err h5rd__io_view(const struct h5rd_file *f, uint64_t addr, uint64_t nbytes,
                       struct h5rd_view *view_ret, struct h5rd_error *ec)
{
    const struct h5rd__mdci_entry *ie = mdci_find(f, addr, nbytes);
    if (ie != NULL) {
        /* nbytes <= ie->nbytes <= the image block's size, a size_t. */
        struct h5rd_view iv = {ie->p + (addr - ie->addr), (size_t)nbytes, addr, NULL};
        *view_ret = iv;
        return H5RD_OK;
    }
    uint64_t abs = 0;
    H5RD_TRY(h5rd__io_abs(f, addr, &abs, ec));
    H5RD_TRY(check_range(f, abs, nbytes, addr, ec));
    struct h5rd_view v = {NULL, 0, addr, NULL};
    if (!h5rd__u64_to_size(nbytes, &v.nbytes)) {
        return H5RD_FAIL(ec, H5RD_E_LIMIT, addr, "view: size exceeds address space");
    }
    if (f->map != NULL) {
        v.p = f->map + abs;
    } else {
        v.owned = h5rd__malloc(f, nbytes, ec);
        if (v.owned == NULL) {
            return ec->code;
        }
        h5rd_err e = h5rd__io_read_abs(f, abs, nbytes, v.owned, ec);
        if (e != H5RD_OK) {
            h5rd__free(f, v.owned);
            return e;
        }
        v.p = v.owned;
    }
    *view_ret = v;
    return H5RD_OK;
}

/* h5rd__io_abs without an error record, for hints that fall back quietly. */
static bool abs_quiet(const struct h5rd_file *f, uint64_t addr, uint64_t *abs)
{
    return addr != H5RD_ADDR_UNDEF && h5rd__add_u64(addr, f->sb.base_addr, abs);
}

void h5rd__io_prefetch(const struct h5rd_file *f, uint64_t addr, uint64_t nbytes)
{
    uint64_t abs = 0;
    if (f->map == NULL || !abs_quiet(f, addr, &abs)) {
        return;
    }
    uint64_t size = f->nbytes;
    if (abs >= size) {
        return;
    }
    if (nbytes > size - abs) {
        nbytes = size - abs;
    }
    /* A page not mapped yet, or one a truncation took, is skipped by the CPU; the bytes are
     * read later through a view. */
    h5rd__prefetch_lines(f->map + abs, (size_t)nbytes);
}

h5rd_err h5rd__io_view_ahead(const struct h5rd_file *f, uint64_t addr, uint64_t min_nbytes,
                             uint64_t max_nbytes, uint64_t ahead_nbytes,
                             struct h5rd_view *view_ret, struct h5rd_error *ec)
{
    uint64_t abs = 0;
    if (abs_quiet(f, addr, &abs) && mdci_find(f, addr, min_nbytes) == NULL) {
        /* The extra bytes only where the file holds them and its allocated space covers them
         * (check_range refuses reads past the superblock's end-of-file address), so the view
         * fails exactly where h5rd__io_view_upto would. */
        uint64_t limit = f->nbytes;
        if (f->eoa_abs != 0 && f->eoa_abs < limit) {
            limit = f->eoa_abs;
        }
        if (abs < limit && limit - abs > max_nbytes) {
            uint64_t room = limit - abs - max_nbytes;
            return h5rd__io_view(f, addr, max_nbytes + (ahead_nbytes < room ? ahead_nbytes : room),
                                 view_ret, ec);
        }
    }
    return h5rd__io_view_upto(f, addr, min_nbytes, max_nbytes, view_ret, ec);
}

h5rd_err h5rd__io_view_upto(const struct h5rd_file *f, uint64_t addr, uint64_t min_nbytes,
                            uint64_t max_nbytes, struct h5rd_view *view_ret,
                            struct h5rd_error *ec)
{
    const struct h5rd__mdci_entry *ie = mdci_find(f, addr, min_nbytes);
    if (ie != NULL) {
        uint64_t left = ie->nbytes - (addr - ie->addr);
        return h5rd__io_view(f, addr, max_nbytes < left ? max_nbytes : left, view_ret, ec);
    }
    uint64_t abs = 0;
    H5RD_TRY(h5rd__io_abs(f, addr, &abs, ec));
    uint64_t size = f->nbytes;
    if ((f->flags & H5RD_OPEN_LIVE) != 0 && (abs > size || max_nbytes > size - abs)) {
        h5rd__src_live_grow(f);
        size = f->nbytes;
    }
    uint64_t avail = abs < size ? size - abs : 0;
    uint64_t n = max_nbytes < avail ? max_nbytes : avail;
    if (n < min_nbytes) {
        return H5RD_FAIL(ec, H5RD_E_TRUNCATED, addr, "address: structure extends past the end of the file");
    }
    return h5rd__io_view(f, addr, n, view_ret, ec);
}

h5rd_err h5rd__io_read(const struct h5rd_file *f, uint64_t addr, uint64_t nbytes, void *dst,
                       struct h5rd_error *ec)
{
    const struct h5rd__mdci_entry *ie = mdci_find(f, addr, nbytes);
    if (ie != NULL) {
        if (nbytes > 0) {
            memcpy(dst, ie->p + (addr - ie->addr), (size_t)nbytes);
        }
        return H5RD_OK;
    }
    uint64_t abs = 0;
    H5RD_TRY(h5rd__io_abs(f, addr, &abs, ec));
    return h5rd__io_read_abs(f, abs, nbytes, dst, ec);
}

bool h5rd__live_retry(const struct h5rd_file *f, h5rd_err e, uint32_t attempt)
{
    if ((f->flags & H5RD_OPEN_LIVE) == 0 || attempt + 1 >= H5RD__LIVE_READ_ATTEMPTS) {
        return false;
    }
    /* A checksum mismatch is the usual sign of a block read while being rewritten; a torn
     * length or signature read before its checksum could be verified parses as damaged. */
    if (e != H5RD_E_CHECKSUM && e != H5RD_E_CORRUPT && e != H5RD_E_TRUNCATED) {
        return false;
    }
    /* 1 us doubling to at most 10 ms (about 0.9 s over 100 tries), as libhdf5's H5_retry. */
    uint64_t ns = 1000;
    for (uint32_t k = 0; k < attempt && ns < 10000000; k++) {
        ns *= 2;
    }
    if (ns > 10000000) {
        ns = 10000000;
    }
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    nanosleep(&ts, NULL);
    h5rd__src_live_grow(f);
    return true;
}
