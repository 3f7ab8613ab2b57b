/*
 * mpi_cat.c - many processes converting one HDF5 dataset into one raw file, without a
 * parallel HDF5 build: the pattern a job uses to ingest or convert a large file from many
 * nodes.
 *
 *   mpirun -np R h5rd_mpi_cat FILE PATH OUT
 *
 * OUT receives exactly the bytes `h5rd cat FILE PATH > OUT` writes (cli/cmd_cat.c): the
 * dataset's elements in C order, each in the file type's own layout with every number
 * little-endian - what h5rd_dataset_read gives with memtype NULL on a little-endian host
 * (numbers are swapped here on a big-endian one), and a fixed string in a scalar dataspace
 * without its trailing NULs, as h5py returns it. This holds for any R, also R larger than the
 * number of rows: a rank with no rows still takes part in every collective call.
 *
 * Why it is written this way:
 *  - Each rank opens the file itself. An h5rd handle is process-local (a mapping of the file
 *    and the metadata parsed from it) and cannot be sent to another process, and there is
 *    nothing to coordinate: the file is only read, every rank sees the same bytes, so every
 *    rank computes the same shape, type and partition on its own. Opening reads little (the
 *    superblock and the object headers on PATH); no collective open, no broadcast of metadata.
 *  - Ranks get contiguous shares of the first dimension, so each share is one contiguous
 *    range of OUT (rows of dimension 0 are contiguous in C order): one offset per rank,
 *    row0 x (bytes of one row).
 *  - Shares are balanced in whole chunk rows (chunk_dims[0] rows of dimension 0) when the
 *    dataset is chunked, not in elements. The chunk is the unit of I/O and decompression: a
 *    chunk split between two ranks is read and decoded by both. Of the N chunk rows (the last
 *    may be partial), each rank gets N/R consecutive ones and the first N mod R ranks one
 *    more. A rank reads a slab of whole chunk rows at a time (when one chunk row fits in a
 *    slab), so it does not decode a chunk twice either.
 *  - MPI_File_write_at_all, the collective write, lets MPI-IO gather the ranks' pieces into
 *    large aligned writes (two-phase I/O) on parallel file systems. Its count is an int, so a
 *    share is written in pieces of at most 1 GiB, and since every rank must make the same
 *    number of collective calls, ranks write in rounds until none has anything left
 *    (MPI_Allreduce); a rank that is done writes 0 bytes.
 *  - Memory stays bounded: a rank holds one slab (64 MiB of whole rows, or one row when a row
 *    is larger) at a time.
 *  - Errors print h5rd's detail and MPI_Abort the whole job with exit status 1: the other ranks
 *    may be waiting in a collective call that would never complete.
 *
 * The environment variables H5RD_MPI_CAT_SLAB_NBYTES and H5RD_MPI_CAT_PIECE_NBYTES override the
 * slab and piece sizes (the tests use them to make ranks write different numbers of rounds);
 * with H5RD_MPI_CAT_VERBOSE set each rank prints the rows it was given.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include <h5rd.h>

#define SLAB_NBYTES ((uint64_t)64 << 20)  /* bytes read per h5rd_dataset_read */
#define PIECE_NBYTES ((uint64_t)1 << 30)  /* bytes per MPI_File_write_at_all (an int count) */
#define MAX_ELEM_NBYTES ((uint64_t)1 << 30)
#define MAX_TYPE_DEPTH 64

static int my_rank;

static void die(const char *file, const char *path, const char *doing, h5rd_err rc,
                const struct h5rd_error *err)
{
    h5rd_err code = err && err->code != H5RD_OK ? err->code : rc;
    fprintf(stderr, "h5rd_mpi_cat: rank %d: %s: %s: %s failed: %s (error %d)\n", my_rank, file,
            path, doing, h5rd_strerror(code), (int)code);
    if (err && err->code != H5RD_OK) {
        if (err->what) {
            fprintf(stderr, "  what:        %s\n", err->what);
        }
        if (err->path[0]) {
            fprintf(stderr, "  object:      %s\n", err->path);
        }
        if (err->detail[0]) {
            fprintf(stderr, "  detail:      %s\n", err->detail);
        }
        if (err->sys_errno) {
            fprintf(stderr, "  errno:       %d (%s)\n", err->sys_errno, strerror(err->sys_errno));
        }
        if (err->file_offset != H5RD_ADDR_UNDEF) {
            fprintf(stderr, "  file offset: %" PRIu64 " (0x%" PRIx64 ")\n", err->file_offset,
                    err->file_offset);
        }
    }
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    exit(1); /* not reached */
}

static void die_msg(const char *what, const char *arg)
{
    fprintf(stderr, "h5rd_mpi_cat: rank %d: %s%s%s\n", my_rank, what, arg ? " " : "",
            arg ? arg : "");
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    exit(1);
}

static void check_mpi(int rc, const char *doing, const char *out)
{
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, msg, &len);
        fprintf(stderr, "h5rd_mpi_cat: rank %d: %s: %s failed: %s\n", my_rank, out, doing, msg);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
        exit(1);
    }
}

static uint64_t env_size(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    if (v && *v) {
        char *end;
        unsigned long long x = strtoull(v, &end, 10);
        if (*end == '\0' && x > 0) {
            return x;
        }
    }
    return dflt;
}

/* ---- the byte form of `h5rd cat` ------------------------------------------------------------ */

/* 1 when 'type' holds a variable-length or reference element anywhere: no byte form (h5rd cat
 * refuses them without --json). */
static int type_has_no_bytes(const h5rd_type *type, int depth)
{
    struct h5rd_type_info ti;
    if (depth > MAX_TYPE_DEPTH || h5rd_type_get_info(type, &ti, NULL) != H5RD_OK) {
        return 0;
    }
    if (ti.cls == H5RD_CLASS_VLEN || ti.cls == H5RD_CLASS_REFERENCE) {
        return 1;
    }
    if (ti.cls == H5RD_CLASS_COMPOUND) {
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            if (h5rd_type_get_member(type, k, &name, &off, &mt, NULL) == H5RD_OK &&
                type_has_no_bytes(mt, depth + 1)) {
                return 1;
            }
        }
    } else if (ti.cls == H5RD_CLASS_ARRAY || ti.cls == H5RD_CLASS_ENUM) {
        const h5rd_type *base;
        return h5rd_type_get_super(type, &base, NULL) == H5RD_OK &&
               type_has_no_bytes(base, depth + 1);
    }
    return 0;
}

static int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

static void reverse_bytes(unsigned char *p, uint64_t n)
{
    for (uint64_t i = 0; i < n / 2; i++) {
        unsigned char t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

/* Big-endian hosts only, as cmd_cat.c: the native-order numbers of one element made
 * little-endian (compound members and array elements walked; strings, opaque as they are). */
static void swap_to_le(const h5rd_type *type, unsigned char *p, int depth)
{
    struct h5rd_type_info ti;
    if (depth > MAX_TYPE_DEPTH || h5rd_type_get_info(type, &ti, NULL) != H5RD_OK) {
        return;
    }
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_FLOAT:
    case H5RD_CLASS_TIME:
    case H5RD_CLASS_BITFIELD:
    case H5RD_CLASS_ENUM:
        reverse_bytes(p, ti.size);
        return;
    case H5RD_CLASS_COMPOUND:
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            struct h5rd_type_info mi;
            if (h5rd_type_get_member(type, k, &name, &off, &mt, NULL) == H5RD_OK &&
                h5rd_type_get_info(mt, &mi, NULL) == H5RD_OK && off <= ti.size &&
                mi.size <= ti.size - off) {
                swap_to_le(mt, p + off, depth + 1);
            }
        }
        return;
    case H5RD_CLASS_ARRAY: {
        const h5rd_type *base;
        struct h5rd_type_info bi;
        if (h5rd_type_get_super(type, &base, NULL) != H5RD_OK ||
            h5rd_type_get_info(base, &bi, NULL) != H5RD_OK || bi.size == 0) {
            return;
        }
        for (uint64_t off = 0; bi.size <= ti.size - off; off += bi.size) {
            swap_to_le(base, p + off, depth + 1);
        }
        return;
    }
    default:
        return;
    }
}

struct dset {
    const char *file, *path;
    const h5rd_obj *obj;
    const h5rd_type *type;
    uint32_t rank;       /* 0: scalar */
    uint64_t esize;      /* bytes of one element, memtype NULL */
    int wide;            /* a float h5py widens (bfloat16 -> 4 bytes ...): one host float */
};

/* Reads rows [row, row + nrows) of dimension 0 (everything for a scalar) into buf, in cat's
 * byte form. */
static void read_rows(const struct dset *ds, const struct h5rd_space *sp, uint64_t row,
                      uint64_t nrows, unsigned char *buf, uint64_t nbytes)
{
    uint64_t start[H5RD_MAX_RANK], count[H5RD_MAX_RANK];
    for (uint32_t d = 0; d < ds->rank; d++) {
        start[d] = 0;
        count[d] = sp->dims[d];
    }
    start[0] = row;
    count[0] = nrows;
    struct h5rd_selection sel;
    memset(&sel, 0, sizeof sel);
    sel.kind = H5RD_SEL_HYPERSLAB;
    sel.rank = ds->rank;
    sel.start = start;
    sel.count = count;
    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    ro.nthreads = 1; /* one rank per core: the parallelism is the ranks' */
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_err rc = h5rd_dataset_read(ds->obj, ds->rank ? &sel : NULL, NULL, buf, (size_t)nbytes,
                                    &ro, &err);
    if (rc != H5RD_OK) {
        die(ds->file, ds->path, "h5rd_dataset_read", rc, &err);
    }
    if (!host_is_le()) {
        for (uint64_t i = 0; i < nbytes / ds->esize; i++) {
            if (ds->wide) {
                reverse_bytes(buf + i * ds->esize, ds->esize);
            } else {
                swap_to_le(ds->type, buf + i * ds->esize, 0);
            }
        }
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int nranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (argc != 4) {
        if (my_rank == 0) {
            fprintf(stderr, "usage: mpirun -np R %s FILE PATH OUT\n", argv[0]);
        }
        MPI_Finalize();
        return 2;
    }
    struct dset ds;
    memset(&ds, 0, sizeof ds);
    ds.file = argv[1];
    ds.path = argv[2];
    const char *out = argv[3];

    /* Every rank opens the file and the dataset for itself (see above). */
    struct h5rd_error err;
    memset(&err, 0, sizeof err);
    h5rd_file *file = NULL;
    h5rd_obj *obj = NULL;
    h5rd_err rc = h5rd_file_open(ds.file, NULL, &file, &err);
    if (rc != H5RD_OK) {
        die(ds.file, ds.path, "h5rd_file_open", rc, &err);
    }
    if ((rc = h5rd_obj_open(file, ds.path, &obj, &err)) != H5RD_OK) {
        die(ds.file, ds.path, "h5rd_obj_open", rc, &err);
    }
    if (h5rd_obj_get_kind(obj) != H5RD_OBJ_DATASET) {
        die_msg("not a dataset:", ds.path);
    }
    ds.obj = obj;
    struct h5rd_space sp;
    struct h5rd_layout lay;
    struct h5rd_type_info ti;
    if ((rc = h5rd_dataset_get_space(obj, &sp, &err)) != H5RD_OK ||
        (rc = h5rd_dataset_get_layout(obj, &lay, &err)) != H5RD_OK ||
        (rc = h5rd_obj_get_type(obj, &ds.type, &err)) != H5RD_OK ||
        (rc = h5rd_type_get_info(ds.type, &ti, &err)) != H5RD_OK ||
        (rc = h5rd_dataset_get_elem_nbytes(obj, NULL, &ds.esize, &err)) != H5RD_OK) {
        die(ds.file, ds.path, "describing the dataset", rc, &err);
    }
    if (type_has_no_bytes(ds.type, 0)) {
        die_msg("variable-length and reference data have no byte form (use h5rd cat --json):",
                ds.path);
    }
    if (ds.esize == 0 || ds.esize > MAX_ELEM_NBYTES || sp.rank > H5RD_MAX_RANK) {
        die_msg("element size zero or too large:", ds.path);
    }
    ds.wide = ti.cls == H5RD_CLASS_FLOAT && ds.esize != ti.size &&
              (ds.esize == 4 || ds.esize == 8 || ds.esize == 16);
    ds.rank = sp.kind == H5RD_SPACE_SIMPLE ? sp.rank : 0;

    /* Rows of dimension 0 and their size; a scalar is one row of one element. */
    uint64_t nrows = 1, row_nbytes = ds.esize;
    if (sp.kind == H5RD_SPACE_NULL) {
        nrows = 0; /* h5rd cat writes nothing */
    } else if (ds.rank > 0) {
        nrows = sp.dims[0];
        for (uint32_t d = 1; d < ds.rank; d++) {
            if (sp.dims[d] != 0 && row_nbytes > UINT64_MAX / sp.dims[d]) {
                die_msg("dataset too large:", ds.path);
            }
            row_nbytes *= sp.dims[d];
        }
    }
    if (row_nbytes != 0 && nrows > (uint64_t)INT64_MAX / row_nbytes) {
        die_msg("dataset too large:", ds.path);
    }
    uint64_t total = nrows * row_nbytes;

    /* This rank's share: whole units of 'unit' rows (chunk rows when chunked), balanced. */
    uint64_t unit = lay.cls == H5RD_LAYOUT_CHUNKED && ds.rank > 0 && lay.chunk_dims[0] > 0
                        ? lay.chunk_dims[0]
                        : 1;
    uint64_t nunits = nrows / unit + (nrows % unit != 0);
    uint64_t r = (uint64_t)my_rank, R = (uint64_t)nranks;
    uint64_t u0 = nunits / R * r + (r < nunits % R ? r : nunits % R);
    uint64_t u1 = u0 + nunits / R + (r < nunits % R);
    uint64_t row0 = u0 * unit < nrows ? u0 * unit : nrows;
    uint64_t row1 = u1 * unit < nrows ? u1 * unit : nrows;
    if (row_nbytes == 0) {
        row0 = row1 = 0; /* a zero-sized dimension: no bytes anywhere */
    }
    if (getenv("H5RD_MPI_CAT_VERBOSE")) {
        printf("rank %d: rows [%" PRIu64 ", %" PRIu64 ") of %" PRIu64 ", units of %" PRIu64
               " rows [%" PRIu64 ", %" PRIu64 ") of %" PRIu64 ", at offset %" PRIu64 "\n",
               my_rank, row0, row1, nrows, unit, u0 < nunits ? u0 : nunits,
               u1 < nunits ? u1 : nunits, nunits, row0 * row_nbytes);
        fflush(stdout);
    }

    /* Rows read at a time: whole units when a unit fits the slab size. */
    uint64_t slab = env_size("H5RD_MPI_CAT_SLAB_NBYTES", SLAB_NBYTES);
    uint64_t piece = env_size("H5RD_MPI_CAT_PIECE_NBYTES", PIECE_NBYTES);
    if (piece > (uint64_t)INT32_MAX) {
        piece = PIECE_NBYTES;
    }
    uint64_t slab_rows = row_nbytes ? slab / row_nbytes : 1;
    if (slab_rows >= unit) {
        slab_rows -= slab_rows % unit;
    } else if (slab_rows == 0) {
        slab_rows = 1;
    }
    if (slab_rows > row1 - row0) {
        slab_rows = row1 - row0;
    }
    uint64_t buf_nbytes = slab_rows * row_nbytes;
    unsigned char *buf = malloc(buf_nbytes ? (size_t)buf_nbytes : 1);
    if (!buf) {
        die_msg("out of memory for a slab of", ds.path);
    }

    if (sp.kind == H5RD_SPACE_SCALAR) {
        /* Rank 0 reads the one element; h5rd cat writes a scalar fixed string without its
         * trailing NULs (h5py's bytes object), so the length is only known after the read. */
        if (row0 < row1) {
            read_rows(&ds, &sp, 0, 1, buf, ds.esize);
            if (ti.cls == H5RD_CLASS_STRING) {
                while (total > 1 && buf[total - 1] == 0) {
                    total--;
                }
            }
        }
        MPI_Bcast(&total, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    }

    MPI_File fh;
    check_mpi(MPI_File_open(MPI_COMM_WORLD, out, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL,
                            &fh),
              "MPI_File_open", out);
    /* Collective; also cuts a longer file left from an earlier run to the right size. */
    check_mpi(MPI_File_set_size(fh, (MPI_Offset)total), "MPI_File_set_size", out);

    uint64_t next = row0;                 /* next row to read */
    uint64_t have = 0, pos = 0;           /* bytes of buf not written yet, and where they are */
    MPI_Offset off = (MPI_Offset)(row0 * row_nbytes);
    if (sp.kind == H5RD_SPACE_SCALAR) {
        next = row1;                      /* read above */
        have = row0 < row1 ? total : 0;
    }
    for (;;) {
        if (have == 0 && next < row1) {
            uint64_t k = row1 - next < slab_rows ? row1 - next : slab_rows;
            read_rows(&ds, &sp, next, k, buf, k * row_nbytes);
            next += k;
            have = k * row_nbytes;
            pos = 0;
        }
        uint64_t n = have < piece ? have : piece;
        MPI_Status st;
        check_mpi(MPI_File_write_at_all(fh, off, buf + pos, (int)n, MPI_BYTE, &st),
                  "MPI_File_write_at_all", out);
        int written = 0;
        MPI_Get_count(&st, MPI_BYTE, &written);
        if ((uint64_t)written != n) {
            die_msg("short write to", out);
        }
        off += (MPI_Offset)n;
        pos += n;
        have -= n;
        int more = have > 0 || next < row1, any_more = 0;
        MPI_Allreduce(&more, &any_more, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
        if (!any_more) {
            break;
        }
    }
    check_mpi(MPI_File_close(&fh), "MPI_File_close", out);
    free(buf);
    h5rd_obj_close(obj);
    h5rd_file_close(file);
    MPI_Finalize();
    return 0;
}
