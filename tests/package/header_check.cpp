// Compiled (not run) by header_check.sh with g++ -std=c++11 -Wall -Wextra -pedantic -Werror:
// include/h5rd.h declares C linkage (extern "C") and nothing C++ rejects.
#include <h5rd.h>

#include <string>

int header_check_cxx(const std::string &path);

int header_check_cxx(const std::string &path)
{
    h5rd_open_opts opts;
    h5rd_open_opts_init(&opts);
    h5rd_error err;
    h5rd_file *file = nullptr;
    if (h5rd_file_open(path.c_str(), &opts, &file, &err) != H5RD_OK)
        return static_cast<int>(err.code);
    h5rd_obj *obj = nullptr;
    h5rd_err e = h5rd_obj_open(file, "/", &obj, &err);
    int rc = e == H5RD_OK && h5rd_obj_get_kind(obj) == H5RD_OBJ_GROUP ? 0 : 1;
    h5rd_obj_close(obj);
    h5rd_file_close(file);
    return rc + static_cast<int>(std::string(H5RD_VERSION_STRING).size() == 0);
}
