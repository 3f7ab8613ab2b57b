/*
 * lazylib.c - codec libraries loaded on first use (shared builds; filter.h).
 *
 * Why: libblosc and libzfp bring libstdc++, libsnappy and libgomp with them, and loading and
 * initialising those five objects cost every process that links libh5rd ~1.2 ms at start-up -
 * more than a third of `h5rd ls` on a small file, and 15% of reading 50,000 tiny chunks (issue
 * 13, docs/performance.md) - whether or not it ever meets a blosc or zfp chunk; libzstd,
 * libbz2, libsz (with libaec) and libdeflate cost another ~0.3 ms. A shared build therefore
 * opens them (by the SONAME found at configure time) the first time such a chunk is decoded.
 * Static builds link them as before.
 *
 * Thread-safety: no lock. Each thread that finds no table resolves its own and publishes it
 * with compare-and-swap; a loser frees its copy (the library stays loaded: dlopen counts
 * references). The published table is never changed or freed: it lives as long as the process,
 * like the library it points into. A library that cannot be loaded is tried again at the next
 * decode (the failure is reported each time, with dlerror()'s reason).
 */
#define _POSIX_C_SOURCE 200809L
#include "filter/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef H5RD_LAZY_CODECS
#include <dlfcn.h>

h5rd_err h5rd__lazylib_get(struct h5rd__lazylib *lib, void *const **syms_ret,
                           struct h5rd_error *ec)
{
    void **t = atomic_load_explicit(&lib->table, memory_order_acquire);
    if (t != NULL) {
        *syms_ret = t;
        return H5RD_OK;
    }
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF, lib->unloadable);
        h5rd__err_set_detail(ec, "%s", why != NULL ? why : lib->soname);
        return H5RD_E_UNSUPPORTED;
    }
    size_t n = 0;
    while (lib->symbols[n] != NULL) {
        n++;
    }
    /* Process-lifetime memory, not a file's: the table outlives every file. */
    t = calloc(n > 0 ? n : 1, sizeof *t);
    if (t == NULL) {
        dlclose(h);
        return H5RD_FAIL(ec, H5RD_E_NOMEM, H5RD_ADDR_UNDEF, "filter: out of memory loading a codec library");
    }
    for (size_t i = 0; i < n; i++) {
        t[i] = dlsym(h, lib->symbols[i]);
        if (t[i] == NULL) {
            free(t);
            dlclose(h);
            H5RD_FAIL(ec, H5RD_E_UNSUPPORTED, H5RD_ADDR_UNDEF, lib->unloadable);
            h5rd__err_set_detail(ec, "%s has no symbol %s", lib->soname, lib->symbols[i]);
            return H5RD_E_UNSUPPORTED;
        }
    }
    void **expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&lib->table, &expected, t, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        free(t);
        dlclose(h); /* another thread's handle keeps the library loaded */
        t = expected;
    }
    *syms_ret = t;
    return H5RD_OK;
}

h5rd_err h5rd__lazylib_api(struct h5rd__lazylib *lib, void *api, size_t api_nbytes,
                           struct h5rd_error *ec)
{
    void *const *s = NULL;
    H5RD_TRY(h5rd__lazylib_get(lib, &s, ec));
    typedef void (*fn_ptr)(void);
    for (size_t i = 0; i < api_nbytes / sizeof(fn_ptr); i++) {
        memcpy((char *)api + i * sizeof(fn_ptr), &s[i], sizeof(fn_ptr));
    }
    return H5RD_OK;
}
#endif
