/* Compiled (not run) by header_check.sh as C99 and C11 with -Wall -Wextra -pedantic -Werror:
 * include/h5rd.h must be usable from any ISO C program, not only the C11 that h5rd is built
 * with. Including it twice checks the include guard. */
#include <h5rd.h>
#include <h5rd.h>

#if !defined(H5RD_VERSION_MAJOR) || !defined(H5RD_VERSION_MINOR) || \
    !defined(H5RD_VERSION_PATCH) || !defined(H5RD_VERSION_STRING)
#error "h5rd.h: version macros missing"
#endif
/* Usable in #if (plain integer literals). */
#if H5RD_VERSION_MAJOR < 0 || H5RD_VERSION_MINOR < 0 || H5RD_VERSION_PATCH < 0
#error "h5rd.h: bad version macros"
#endif

int header_check_c(const char *path);

int header_check_c(const char *path)
{
    struct h5rd_open_opts opts;
    struct h5rd_error err;
    struct h5rd_space space;
    h5rd_file *file;
    h5rd_obj *obj;
    int rc = 0;

    h5rd_open_opts_init(&opts);
    if (h5rd_file_open(path, &opts, &file, &err) != H5RD_OK)
        return (int)err.code;
    if (h5rd_obj_open(file, "/", &obj, &err) == H5RD_OK) {
        rc = h5rd_obj_get_kind(obj) == H5RD_OBJ_GROUP ? 0 : 1;
        if (h5rd_dataset_get_space(obj, &space, NULL) == H5RD_OK)
            rc += (int)space.rank;
        h5rd_obj_close(obj);
    }
    h5rd_file_close(file);
    return rc;
}
