// Consumer of an installed h5rd from C++ (find_package): reads /gzip_2d of
// fixtures/h5/filters_latest.h5 (uint16 (23, 17), chunks (5, 4), gzip) whole and as the
// hyperslab [2:4, 5:8], against h5py:
//   g = h5py.File('fixtures/h5/filters_latest.h5')['gzip_2d']; g[...].sum(); g[2:4, 5:8]
// Usage: consumer_cxx SOURCE_DIR/fixtures/h5/filters_latest.h5
#include <h5rd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

struct FileCloser {
    void operator()(h5rd_file *f) const { h5rd_file_close(f); }
};
struct ObjCloser {
    void operator()(h5rd_obj *o) const { h5rd_obj_close(o); }
};

int fail(const char *call, const h5rd_error &err)
{
    std::fprintf(stderr, "consumer_cxx: %s: %s (%s) path '%s'\n", call, h5rd_strerror(err.code),
                 err.what ? err.what : "", err.path);
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: consumer_cxx filters_latest.h5\n");
        return 2;
    }
    h5rd_error err;
    h5rd_file *fraw = nullptr;
    if (h5rd_file_open(argv[1], nullptr, &fraw, &err) != H5RD_OK)
        return fail("h5rd_file_open", err);
    std::unique_ptr<h5rd_file, FileCloser> file(fraw);
    h5rd_obj *oraw = nullptr;
    if (h5rd_obj_open(file.get(), "/gzip_2d", &oraw, &err) != H5RD_OK)
        return fail("h5rd_obj_open", err);
    std::unique_ptr<h5rd_obj, ObjCloser> dset(oraw);

    uint64_t npoints = 0, elem = 0;
    if (h5rd_selection_get_npoints(dset.get(), nullptr, &npoints, &err) != H5RD_OK)
        return fail("h5rd_selection_get_npoints", err);
    if (h5rd_dataset_get_elem_nbytes(dset.get(), nullptr, &elem, &err) != H5RD_OK)
        return fail("h5rd_dataset_get_elem_nbytes", err);
    if (npoints != 23 * 17 || elem != 2) {
        std::fprintf(stderr, "consumer_cxx: %llu elements of %llu bytes, want 391 of 2\n",
                     static_cast<unsigned long long>(npoints), static_cast<unsigned long long>(elem));
        return 1;
    }
    std::vector<uint16_t> all(npoints);
    if (h5rd_dataset_read(dset.get(), nullptr, nullptr, all.data(), all.size() * sizeof(uint16_t),
                          nullptr, &err) != H5RD_OK)
        return fail("h5rd_dataset_read", err);
    uint64_t sum = 0;
    for (uint16_t v : all)
        sum += v;

    const uint64_t start[2] = {2, 5}, count[2] = {2, 3};
    h5rd_selection sel = {};
    sel.kind = H5RD_SEL_HYPERSLAB;
    sel.rank = 2;
    sel.start = start;
    sel.count = count;
    uint16_t slab[6] = {};
    if (h5rd_dataset_read(dset.get(), &sel, nullptr, slab, sizeof slab, nullptr, &err) != H5RD_OK)
        return fail("h5rd_dataset_read (hyperslab)", err);

    static const uint16_t want_slab[6] = {39, 40, 41, 56, 57, 58}; // h5py g[2:4, 5:8]
    int bad = sum != 76245;                                         // h5py g[...].sum()
    for (int i = 0; i < 6; i++)
        bad |= slab[i] != want_slab[i];
    std::printf("consumer_cxx: /gzip_2d sum %llu, [2:4, 5:8] = %u %u %u / %u %u %u%s\n",
                static_cast<unsigned long long>(sum), slab[0], slab[1], slab[2], slab[3], slab[4],
                slab[5], bad ? " MISMATCH (h5py: sum 76245, 39 40 41 / 56 57 58)" : " as h5py");
    return bad;
}
