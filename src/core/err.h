/*
 * err.h - recording failures with their detail (what, where, which object).
 *
 * Every internal function that can fail takes a `struct h5rd_error *ec` that is
 * never NULL (the API layer supplies a local one when the caller passed NULL).
 * The first failure of a call is recorded; later ones only propagate, so the
 * detail names the root cause. h5rd__fail() is the one place to break on
 * "why did this file fail?".
 */
#ifndef H5RD_CORE_ERR_H
#define H5RD_CORE_ERR_H

#include "h5rd.h"

#include <stdbool.h>

/* Clears 'ec' to "no error". */
void h5rd__err_clear(struct h5rd_error *ec);

/* The start of a public call (H5RD_API_BEGIN): clears 'ec' and starts a new I/O epoch of the
 * calling thread, io/source.c re-checking a mapped file's size at least once per epoch (the
 * truncation guard, docs/io.md), not once per view. Internal clears of scratch error records
 * do not start epochs (they did once, and a read that missed its chunk cache re-read the file
 * size for every chunk after that). */
void h5rd__err_begin_call(struct h5rd_error *ec);

/* The calling thread's I/O epoch (see h5rd__err_begin_call). */
extern _Thread_local uint32_t h5rd__io_epoch;
/* Non-zero while the thread is inside a call whose callbacks may make public calls
 * (h5rd_obj_visit): those are part of the outer call's epoch and do not start their own. */
extern _Thread_local uint32_t h5rd__io_epoch_hold;

/* Records 'code' at file address 'addr' with the static text 'what' unless an
 * earlier failure is already recorded. Returns 'code'. */
h5rd_err h5rd__fail(struct h5rd_error *ec, h5rd_err code, uint64_t addr, const char *what,
                    const char *src_file, int src_line);

/* Sets the object path of the recorded error if none is set yet. */
void h5rd__err_set_path(struct h5rd_error *ec, const char *path);

/* Sets ec->detail (printf-style, truncated to the fixed buffer, no allocation) if no detail is
 * set yet: values that a static 'what' cannot hold, e.g. the id and stored name of a filter. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
void h5rd__err_set_detail(struct h5rd_error *ec, const char *fmt, ...);

#define H5RD_FAIL(ec, code, addr, what) h5rd__fail((ec), (code), (addr), (what), __FILE__, __LINE__)
#define H5RD_CORRUPT(ec, addr, what) H5RD_FAIL((ec), H5RD_E_CORRUPT, (addr), (what))

#define H5RD_TRY(expr)                                                                             \
    do {                                                                                           \
        h5rd_err try_err_ = (expr);                                                                \
        if (try_err_ != H5RD_OK) {                                                                 \
            return try_err_;                                                                       \
        }                                                                                          \
    } while (0)

#define H5RD_REQUIRE(ec, cond, code, addr, what)                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            return H5RD_FAIL((ec), (code), (addr), (what));                                        \
        }                                                                                          \
    } while (0)

#endif
