/*
 * threads.c - many threads reading one dataset through ONE shared file handle.
 *
 *   usage: threads FILE DATASET [NTHREADS]      (NTHREADS default 4)
 *
 * A detector or imaging pipeline stores frames along the first dimension of a dataset and
 * wants them processed in parallel. With h5rd the threads share everything: one h5rd_file,
 * one h5rd_obj for the dataset. That is safe because every read call is a pure function of
 * immutable state - there is no global lock to serialise on (libhdf5 has one), no error
 * stack in the handle (each thread passes its own struct h5rd_error), and the file is mapped
 * or read with pread(), never through a shared file position. Opening the file once per
 * thread would work too, but would parse the metadata and build the chunk table N times.
 *
 * Each thread takes its own contiguous range of frames (frame f = all elements with index f
 * along dimension 0), reads them one frame at a time with a hyperslab, and stores a checksum
 * (FNV-1a of the frame's bytes) in its own slot of a shared array: threads never write the
 * same memory, so no locking is needed here either. The main thread then reads the whole
 * dataset in one call and checks every frame's checksum, and prints OK or the frames that
 * differ (exit status 1).
 *
 * A frame that starts or ends inside a chunk shares that chunk with its neighbour: when two
 * threads need it, both decode it (a handle's decoded-chunk cache is per reader, see
 * h5rd_open_opts.chunk_cache_nbytes). Giving each thread whole chunks of frames, as
 * mpi_cat.c does for ranks, avoids that.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <h5rd.h>

#define MAX_THREADS 256
#define MAX_LISTED 32 /* frame checksums printed (all are checked) */

static const char *prog = "threads";

struct shared {
    const h5rd_obj *dset;   /* the one dataset handle, used by every thread */
    uint32_t rank;
    uint64_t dims[H5RD_MAX_RANK];
    uint64_t frame_nbytes;  /* bytes of one frame in the file type's layout */
    uint64_t *sums;         /* per frame, written by the thread owning the frame */
};

struct worker {
    const struct shared *sh;
    uint64_t first, end;    /* frames [first, end) */
    h5rd_err rc;            /* H5RD_OK, or the first failure... */
    struct h5rd_error err;  /* ...and its detail: each thread has its own */
    pthread_t tid;
};

static uint64_t fnv1a(const void *p, uint64_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325u;
    for (uint64_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3u;
    }
    return h;
}

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

static void *work(void *arg)
{
    struct worker *w = arg;
    const struct shared *sh = w->sh;
    unsigned char *frame = malloc(sh->frame_nbytes ? (size_t)sh->frame_nbytes : 1);
    if (!frame) {
        w->rc = H5RD_E_NOMEM;
        return NULL;
    }
    uint64_t start[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
    for (uint32_t d = 0; d < sh->rank; d++) {
        start[d] = 0;
        count[d] = sh->dims[d];
    }
    count[0] = 1;
    struct h5rd_selection sel;
    memset(&sel, 0, sizeof sel);
    sel.kind = H5RD_SEL_HYPERSLAB;
    sel.rank = sh->rank;
    sel.start = start;
    sel.count = count;
    for (uint64_t f = w->first; f < w->end; f++) {
        start[0] = f;
        /* opts NULL: decode on this thread only (the parallelism is ours already). */
        w->rc = h5rd_dataset_read(sh->dset, &sel, NULL, frame, (size_t)sh->frame_nbytes, NULL,
                                  &w->err);
        if (w->rc != H5RD_OK) {
            break;
        }
        sh->sums[f] = fnv1a(frame, sh->frame_nbytes);
    }
    free(frame);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s FILE DATASET [NTHREADS]\n", prog);
        return 2;
    }
    long nthreads = argc > 3 ? strtol(argv[3], NULL, 10) : 4;
    if (nthreads < 1 || nthreads > MAX_THREADS) {
        fprintf(stderr, "%s: NTHREADS must be 1 to %d\n", prog, MAX_THREADS);
        return 2;
    }
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_file *file = NULL;
    h5rd_obj *dset = NULL;
    struct worker *workers = NULL;
    struct shared sh;
    memset(&sh, 0, sizeof sh);
    unsigned char *all = NULL;
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
    uint64_t esize;
    if ((rc = h5rd_dataset_get_space(dset, &sp, &err)) != H5RD_OK ||
        (rc = h5rd_dataset_get_elem_nbytes(dset, NULL, &esize, &err)) != H5RD_OK) {
        report("describing the dataset", rc, &err);
        goto out;
    }
    if (sp.kind != H5RD_SPACE_SIMPLE || sp.rank == 0) {
        fprintf(stderr, "%s: %s has no dimensions to split into frames\n", prog, argv[2]);
        goto out;
    }
    sh.dset = dset;
    sh.rank = sp.rank;
    memcpy(sh.dims, sp.dims, sizeof sh.dims);
    uint64_t nframes = sp.dims[0];
    sh.frame_nbytes = esize;
    for (uint32_t d = 1; d < sp.rank; d++) {
        if (sp.dims[d] != 0 && sh.frame_nbytes > (1u << 30) / sp.dims[d]) {
            fprintf(stderr, "%s: frames larger than 1 GiB are not handled here\n", prog);
            goto out;
        }
        sh.frame_nbytes *= sp.dims[d];
    }
    if (nframes > ((uint64_t)1 << 30) / (sh.frame_nbytes ? sh.frame_nbytes : 1)) {
        fprintf(stderr, "%s: datasets larger than 1 GiB are not handled here\n", prog);
        goto out;
    }
    sh.sums = calloc(nframes ? (size_t)nframes : 1, sizeof *sh.sums);
    workers = calloc((size_t)nthreads, sizeof *workers);
    uint64_t all_nbytes = nframes * sh.frame_nbytes;
    all = malloc(all_nbytes ? (size_t)all_nbytes : 1);
    if (!sh.sums || !workers || !all) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }

    /* Thread t gets frames [t*F/N, (t+1)*F/N): contiguous, sizes differing by at most one. */
    long started = 0;
    for (long t = 0; t < nthreads; t++) {
        workers[t].sh = &sh;
        workers[t].first = nframes * (uint64_t)t / (uint64_t)nthreads;
        workers[t].end = nframes * (uint64_t)(t + 1) / (uint64_t)nthreads;
        if (pthread_create(&workers[t].tid, NULL, work, &workers[t]) != 0) {
            fprintf(stderr, "%s: cannot start thread %ld\n", prog, t);
            break;
        }
        started++;
    }
    int failed = started < nthreads;
    for (long t = 0; t < started; t++) {
        pthread_join(workers[t].tid, NULL);
        if (workers[t].rc != H5RD_OK) {
            fprintf(stderr, "%s: thread %ld (frames %" PRIu64 "-%" PRIu64 "): ", prog, t,
                    workers[t].first, workers[t].end);
            report("h5rd_dataset_read", workers[t].rc, &workers[t].err);
            failed = 1;
        }
    }
    if (failed) {
        goto out;
    }

    /* The reference: the whole dataset in one call on this thread. */
    if (all_nbytes > 0 &&
        (rc = h5rd_dataset_read(dset, NULL, NULL, all, (size_t)all_nbytes, NULL, &err)) !=
            H5RD_OK) {
        report("h5rd_dataset_read", rc, &err);
        goto out;
    }
    uint64_t total = 0, total_ref = 0, bad = 0;
    printf("%s: %" PRIu64 " frames of %" PRIu64 " bytes, %ld threads sharing one file handle\n",
           argv[2], nframes, sh.frame_nbytes, nthreads);
    for (uint64_t f = 0; f < nframes; f++) {
        uint64_t ref = fnv1a(all + f * sh.frame_nbytes, sh.frame_nbytes);
        if (f < MAX_LISTED || sh.sums[f] != ref) {
            printf("  frame %" PRIu64 ": fnv1a %016" PRIx64 "%s\n", f, sh.sums[f],
                   sh.sums[f] == ref ? "" : "  MISMATCH with the single-threaded read");
        } else if (f == MAX_LISTED) {
            printf("  ... (%" PRIu64 " more frames)\n", nframes - MAX_LISTED);
        }
        bad += sh.sums[f] != ref;
        total += sh.sums[f];
        total_ref += ref;
    }
    printf("sum of frame checksums: %016" PRIx64 " (threads), %016" PRIx64 " (one read): %s\n",
           total, total_ref, bad == 0 && total == total_ref ? "OK" : "MISMATCH");
    status = bad == 0 && total == total_ref ? 0 : 1;
out:
    free(all);
    free(workers);
    free(sh.sums);
    h5rd_obj_close(dset);
    h5rd_file_close(file);
    return status;
}
