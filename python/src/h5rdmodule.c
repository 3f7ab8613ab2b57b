/*
 * h5rdmodule.c - h5rd._h5rd, the C layer of the h5rd Python package.
 *
 * A thin layer over include/h5rd.h (and nothing else of the library): file and object handles,
 * type descriptions as Python dicts (h5rd/_dtype.py turns them into the numpy dtypes h5py
 * gives), and reads that convert the library's "file layout, native byte order" elements into
 * the numpy layout of that dtype (byte order as the file stores it, as h5py keeps it; vlen and
 * references as Python objects).
 *
 * The GIL is released around every library call that can do I/O or decoding (open, lookups,
 * reads, chunk access). The library is lock-free and its handles may be used by any number of
 * threads, so the only shared state here is the open/closed state of a FileH, which is read
 * and written with the GIL held (see file_use_begin/file_use_end). Object handles (ObjH) are
 * closed only when their Python object is freed, i.e. when no thread can be using them.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h5rd.h"

/* Set by h5rd/_errors.py at import: callable(code, what, path, file_offset, detail, sys_errno)
 * returning the exception instance to raise (an OSError subclass). */
static PyObject *g_error_factory = NULL;

static PyObject *raise_h5rd(h5rd_err rc, const struct h5rd_error *e)
{
    if (!g_error_factory) {
        PyErr_Format(PyExc_OSError, "h5rd error %d: %s", (int)rc, h5rd_strerror(rc));
        return NULL;
    }
    PyObject *off = (e->file_offset == H5RD_ADDR_UNDEF) ? (Py_INCREF(Py_None), Py_None)
                                                        : PyLong_FromUnsignedLongLong(e->file_offset);
    if (!off) {
        return NULL;
    }
    PyObject *path = PyUnicode_DecodeUTF8(e->path, (Py_ssize_t)strnlen(e->path, sizeof e->path),
                                          "surrogateescape");
    PyObject *detail = PyUnicode_DecodeUTF8(e->detail,
                                            (Py_ssize_t)strnlen(e->detail, sizeof e->detail),
                                            "surrogateescape");
    if (!path || !detail) {
        Py_XDECREF(path);
        Py_XDECREF(detail);
        Py_DECREF(off);
        return NULL;
    }
    PyObject *exc = PyObject_CallFunction(g_error_factory, "isNNNi", (int)rc,
                                          e->what ? e->what : "", path, off, detail,
                                          e->sys_errno);
    if (!exc) {
        return NULL;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

/* An error detected here (not by the library), raised the same way. */
static PyObject *raise_local(h5rd_err rc, const char *what)
{
    struct h5rd_error e;
    memset(&e, 0, sizeof e);
    e.code = rc;
    e.file_offset = H5RD_ADDR_UNDEF;
    e.what = what;
    return raise_h5rd(rc, &e);
}

/* ---------------------------------------------------------------------------------------- */
/* File handles                                                                              */
/* ---------------------------------------------------------------------------------------- */
typedef struct {
    PyObject_HEAD
    h5rd_file *f;
    int closed;        /* close() was called */
    Py_ssize_t busy;   /* calls using 'f' with the GIL released */
    int has_view;
    Py_buffer view;    /* in-memory image: kept until the handle is freed */
} FileH;

static PyTypeObject FileH_Type;

/* With the GIL held: mark the file in use by one more call, or fail if closed. */
static int file_use_begin(FileH *fh)
{
    if (fh->closed || !fh->f) {
        PyErr_SetString(PyExc_ValueError, "h5rd: the file is closed");
        return -1;
    }
    fh->busy++;
    return 0;
}

/* With the GIL held: the call is done; the last one out performs a pending close. */
static void file_use_end(FileH *fh)
{
    fh->busy--;
    if (fh->closed && fh->busy == 0 && fh->f) {
        h5rd_file *f = fh->f;
        fh->f = NULL;
        h5rd_file_close(f);
    }
}

static void FileH_dealloc(FileH *self)
{
    if (self->f) {
        h5rd_file_close(self->f);
        self->f = NULL;
    }
    if (self->has_view) {
        PyBuffer_Release(&self->view);
        self->has_view = 0;
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *FileH_close(FileH *self, PyObject *Py_UNUSED(ignored))
{
    if (!self->closed) {
        self->closed = 1;
        if (self->busy == 0 && self->f) {
            h5rd_file *f = self->f;
            self->f = NULL;
            Py_BEGIN_ALLOW_THREADS
            h5rd_file_close(f);
            Py_END_ALLOW_THREADS
        }
    }
    Py_RETURN_NONE;
}

static PyObject *FileH_get_closed(FileH *self, void *Py_UNUSED(c))
{
    return PyBool_FromLong(self->closed);
}

static PyObject *FileH_info(FileH *self, PyObject *Py_UNUSED(ignored))
{
    if (file_use_begin(self) < 0) {
        return NULL;
    }
    struct h5rd_file_info fi;
    struct h5rd_error e;
    h5rd_err rc = h5rd_file_get_info(self->f, &fi, &e);
    file_use_end(self);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return Py_BuildValue("{s:I,s:I,s:I,s:K,s:K,s:K,s:K,s:K}", "superblock_version",
                         fi.superblock_version, "size_of_offsets", fi.size_of_offsets,
                         "size_of_lengths", fi.size_of_lengths, "base_address",
                         (unsigned long long)fi.base_address, "superblock_addr",
                         (unsigned long long)fi.superblock_addr, "eof_addr",
                         (unsigned long long)fi.eof_addr, "file_nbytes",
                         (unsigned long long)fi.file_nbytes, "root_addr",
                         (unsigned long long)fi.root_addr);
}

static PyObject *ObjH_new_from(FileH *fh, h5rd_obj *o);

/* open(path) -> ObjH */
static PyObject *FileH_open(FileH *self, PyObject *args)
{
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) {
        return NULL;
    }
    if (file_use_begin(self) < 0) {
        return NULL;
    }
    h5rd_obj *o = NULL;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_obj_open(self->f, path, &o, &e);
    Py_END_ALLOW_THREADS
    file_use_end(self);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return ObjH_new_from(self, o);
}

/* open_addr(addr, path) -> ObjH */
static PyObject *FileH_open_addr(FileH *self, PyObject *args)
{
    unsigned long long addr;
    const char *path;
    if (!PyArg_ParseTuple(args, "Ks", &addr, &path)) {
        return NULL;
    }
    if (file_use_begin(self) < 0) {
        return NULL;
    }
    h5rd_obj *o = NULL;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_obj_open_addr(self->f, addr, path, &o, &e);
    Py_END_ALLOW_THREADS
    file_use_end(self);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return ObjH_new_from(self, o);
}

static PyMethodDef FileH_methods[] = {
    {"close", (PyCFunction)FileH_close, METH_NOARGS, "Close the file (pending reads finish)."},
    {"info", (PyCFunction)FileH_info, METH_NOARGS, "Superblock facts as a dict."},
    {"open", (PyCFunction)FileH_open, METH_VARARGS, "Open the object at an absolute path."},
    {"open_addr", (PyCFunction)FileH_open_addr, METH_VARARGS, "Open the object at an address."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef FileH_getset[] = {
    {"closed", (getter)FileH_get_closed, NULL, "True after close()", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject FileH_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "h5rd._h5rd.FileH",
    .tp_basicsize = sizeof(FileH),
    .tp_dealloc = (destructor)FileH_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An open h5rd file (low level).",
    .tp_methods = FileH_methods,
    .tp_getset = FileH_getset,
};

static void open_opts_set(struct h5rd_open_opts *o, unsigned flags, long long cache)
{
    h5rd_open_opts_init(o);
    o->flags = flags;
    if (cache >= 0) {
        o->chunk_cache_nbytes = (uint64_t)cache;
    }
}

/* open_file(path, flags=0, chunk_cache_nbytes=-1) -> FileH */
static PyObject *mod_open_file(PyObject *Py_UNUSED(m), PyObject *args)
{
    PyObject *pathobj;
    unsigned flags = 0;
    long long cache = -1;
    if (!PyArg_ParseTuple(args, "O&|IL", PyUnicode_FSConverter, &pathobj, &flags, &cache)) {
        return NULL;
    }
    struct h5rd_open_opts opts;
    open_opts_set(&opts, flags, cache);
    h5rd_file *f = NULL;
    struct h5rd_error e;
    h5rd_err rc;
    const char *path = PyBytes_AS_STRING(pathobj);
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_file_open(path, &opts, &f, &e);
    Py_END_ALLOW_THREADS
    Py_DECREF(pathobj);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    FileH *fh = PyObject_New(FileH, &FileH_Type);
    if (!fh) {
        h5rd_file_close(f);
        return NULL;
    }
    fh->f = f;
    fh->closed = 0;
    fh->busy = 0;
    fh->has_view = 0;
    return (PyObject *)fh;
}

/* open_memory(buffer, flags=0, chunk_cache_nbytes=-1) -> FileH; the buffer is held (read-only
 * view) until the handle is freed, as h5rd_file_open_memory borrows it. */
static PyObject *mod_open_memory(PyObject *Py_UNUSED(m), PyObject *args)
{
    PyObject *bufobj;
    unsigned flags = 0;
    long long cache = -1;
    if (!PyArg_ParseTuple(args, "O|IL", &bufobj, &flags, &cache)) {
        return NULL;
    }
    FileH *fh = PyObject_New(FileH, &FileH_Type);
    if (!fh) {
        return NULL;
    }
    fh->f = NULL;
    fh->closed = 0;
    fh->busy = 0;
    fh->has_view = 0;
    if (PyObject_GetBuffer(bufobj, &fh->view, PyBUF_SIMPLE) < 0) {
        Py_DECREF(fh);
        return NULL;
    }
    fh->has_view = 1;
    struct h5rd_open_opts opts;
    open_opts_set(&opts, flags, cache);
    struct h5rd_error e;
    h5rd_err rc;
    h5rd_file *f = NULL;
    const void *p = fh->view.buf;
    size_t n = (size_t)fh->view.len;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_file_open_memory(p, n, &opts, &f, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        Py_DECREF(fh);
        return raise_h5rd(rc, &e);
    }
    fh->f = f;
    return (PyObject *)fh;
}

/* ---------------------------------------------------------------------------------------- */
/* Object handles                                                                            */
/* ---------------------------------------------------------------------------------------- */
typedef struct {
    PyObject_HEAD
    h5rd_obj *o;
    FileH *fh; /* strong: keeps an in-memory image alive as long as the object */
} ObjH;

static PyTypeObject ObjH_Type;

static PyObject *ObjH_new_from(FileH *fh, h5rd_obj *o)
{
    ObjH *self = PyObject_New(ObjH, &ObjH_Type);
    if (!self) {
        h5rd_obj_close(o);
        return NULL;
    }
    self->o = o;
    Py_INCREF(fh);
    self->fh = fh;
    return (PyObject *)self;
}

static void ObjH_dealloc(ObjH *self)
{
    /* Nothing else can be using the handle: every call holds a reference to self. */
    h5rd_obj_close(self->o);
    self->o = NULL;
    Py_XDECREF(self->fh);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *ObjH_kind(ObjH *self, void *Py_UNUSED(c))
{
    return PyLong_FromLong((long)h5rd_obj_get_kind(self->o));
}

static PyObject *ObjH_addr(ObjH *self, void *Py_UNUSED(c))
{
    return PyLong_FromUnsignedLongLong(h5rd_obj_get_addr(self->o));
}

static PyObject *ObjH_path(ObjH *self, void *Py_UNUSED(c))
{
    const char *p = h5rd_obj_get_path(self->o);
    return PyUnicode_DecodeUTF8(p ? p : "", (Py_ssize_t)strlen(p ? p : ""), "surrogateescape");
}

/* A file distinct from the one opened: the object was reached through an external link. */
static PyObject *ObjH_external(ObjH *self, void *Py_UNUSED(c))
{
    return PyBool_FromLong(h5rd_obj_get_file(self->o) != self->fh->f);
}

static PyObject *str_or_none(const char *s)
{
    if (!s) {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "surrogateescape");
}

static PyObject *link_tuple(const struct h5rd_link *l)
{
    return Py_BuildValue("(NiKNNNL)", str_or_none(l->name), (int)l->type,
                         (unsigned long long)l->addr, str_or_none(l->soft_target),
                         str_or_none(l->ext_file), str_or_none(l->ext_path),
                         (long long)l->corder);
}

/* links() -> [(name, type, addr, soft_target, ext_file, ext_path, corder)] in h5py's order. */
static PyObject *ObjH_links(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    uint64_t n = 0;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_group_get_nlinks(self->o, &n, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    PyObject *list = PyList_New(0);
    if (!list) {
        return NULL;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_link l;
        rc = h5rd_group_get_link(self->o, i, &l, &e);
        if (rc != H5RD_OK) {
            Py_DECREF(list);
            return raise_h5rd(rc, &e);
        }
        PyObject *t = link_tuple(&l);
        if (!t || PyList_Append(list, t) < 0) {
            Py_XDECREF(t);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(t);
    }
    return list;
}

/* find_link(name) -> tuple as links(); NOT_FOUND raises like any error. */
static PyObject *ObjH_find_link(ObjH *self, PyObject *args)
{
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) {
        return NULL;
    }
    struct h5rd_link l;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_group_find_link(self->o, name, &l, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return link_tuple(&l);
}

/* ---- type descriptions ---- */
static int64_t load_int(const void *p, uint64_t size, int is_signed)
{
    switch (size) {
    case 1: {
        uint8_t v;
        memcpy(&v, p, 1);
        return is_signed ? (int64_t)(int8_t)v : (int64_t)v;
    }
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return is_signed ? (int64_t)(int16_t)v : (int64_t)v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return is_signed ? (int64_t)(int32_t)v : (int64_t)v;
    }
    default: {
        uint64_t v = 0;
        memcpy(&v, p, size < 8 ? size : 8);
        return (int64_t)v;
    }
    }
}

static PyObject *type_desc(const h5rd_type *t, int depth);

static int dict_set_steal(PyObject *d, const char *k, PyObject *v)
{
    if (!v) {
        return -1;
    }
    int r = PyDict_SetItemString(d, k, v);
    Py_DECREF(v);
    return r;
}

static PyObject *type_desc(const h5rd_type *t, int depth)
{
    struct h5rd_type_info ti;
    struct h5rd_error e;
    h5rd_err rc = h5rd_type_get_info(t, &ti, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    if (depth > 64) {
        return raise_local(H5RD_E_LIMIT, "datatype: nested too deeply");
    }
    PyObject *d = PyDict_New();
    if (!d) {
        return NULL;
    }
    if (dict_set_steal(d, "cls", PyLong_FromLong(ti.cls)) < 0 ||
        dict_set_steal(d, "size", PyLong_FromUnsignedLongLong(ti.size)) < 0 ||
        dict_set_steal(d, "order", PyLong_FromLong(ti.order)) < 0 ||
        dict_set_steal(d, "signed", PyLong_FromLong(ti.is_signed)) < 0 ||
        dict_set_steal(d, "precision", PyLong_FromLong(ti.precision)) < 0 ||
        dict_set_steal(d, "bit_offset", PyLong_FromLong(ti.bit_offset)) < 0 ||
        dict_set_steal(d, "exp_nbits", PyLong_FromLong(ti.exp_nbits)) < 0 ||
        dict_set_steal(d, "exp_bias", PyLong_FromUnsignedLongLong(ti.exp_bias)) < 0 ||
        dict_set_steal(d, "mant_nbits", PyLong_FromLong(ti.mant_nbits)) < 0 ||
        dict_set_steal(d, "str_pad", PyLong_FromLong(ti.str_pad)) < 0 ||
        dict_set_steal(d, "cset", PyLong_FromLong(ti.cset)) < 0 ||
        dict_set_steal(d, "vlen_str", PyLong_FromLong(ti.vlen_is_string)) < 0 ||
        dict_set_steal(d, "ref_kind", PyLong_FromLong(ti.ref_kind)) < 0 ||
        dict_set_steal(d, "tag", str_or_none(ti.tag ? ti.tag : "")) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    if (ti.cls == H5RD_CLASS_ARRAY) {
        PyObject *dims = PyTuple_New(ti.rank);
        if (!dims) {
            Py_DECREF(d);
            return NULL;
        }
        for (uint32_t i = 0; i < ti.rank && i < H5RD_MAX_RANK; i++) {
            PyTuple_SET_ITEM(dims, i, PyLong_FromUnsignedLongLong(ti.dims[i]));
        }
        if (dict_set_steal(d, "dims", dims) < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    if (ti.cls == H5RD_CLASS_COMPOUND) {
        PyObject *mem = PyList_New(0);
        if (!mem || dict_set_steal(d, "members", mem) < 0) {
            Py_DECREF(d);
            return NULL;
        }
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            rc = h5rd_type_get_member(t, k, &name, &off, &mt, &e);
            if (rc != H5RD_OK) {
                Py_DECREF(d);
                return raise_h5rd(rc, &e);
            }
            PyObject *sub = type_desc(mt, depth + 1);
            if (!sub) {
                Py_DECREF(d);
                return NULL;
            }
            PyObject *item = Py_BuildValue("(NKN)", str_or_none(name), (unsigned long long)off,
                                           sub);
            if (!item || PyList_Append(mem, item) < 0) {
                Py_XDECREF(item);
                Py_DECREF(d);
                return NULL;
            }
            Py_DECREF(item);
        }
    }
    if (ti.cls == H5RD_CLASS_ENUM || ti.cls == H5RD_CLASS_VLEN || ti.cls == H5RD_CLASS_ARRAY ||
        ti.cls == H5RD_CLASS_COMPLEX) {
        const h5rd_type *base;
        rc = h5rd_type_get_super(t, &base, &e);
        if (rc != H5RD_OK) {
            Py_DECREF(d);
            return raise_h5rd(rc, &e);
        }
        if (dict_set_steal(d, "base", type_desc(base, depth + 1)) < 0) {
            Py_DECREF(d);
            return NULL;
        }
        if (ti.cls == H5RD_CLASS_ENUM) {
            struct h5rd_type_info bi;
            rc = h5rd_type_get_info(base, &bi, &e);
            if (rc != H5RD_OK) {
                Py_DECREF(d);
                return raise_h5rd(rc, &e);
            }
            PyObject *mem = PyList_New(0);
            if (!mem || dict_set_steal(d, "enum", mem) < 0) {
                Py_DECREF(d);
                return NULL;
            }
            for (uint32_t k = 0; k < ti.nmembers; k++) {
                const char *name;
                const void *val;
                rc = h5rd_type_get_enum_member(t, k, &name, &val, &e);
                if (rc != H5RD_OK) {
                    Py_DECREF(d);
                    return raise_h5rd(rc, &e);
                }
                PyObject *v;
                if (bi.size <= 8) {
                    int64_t iv = load_int(val, bi.size, (int)bi.is_signed);
                    v = (bi.is_signed || bi.size < 8)
                            ? PyLong_FromLongLong(iv)
                            : PyLong_FromUnsignedLongLong((uint64_t)iv);
                } else {
                    v = PyBytes_FromStringAndSize(val, (Py_ssize_t)bi.size);
                }
                PyObject *item = Py_BuildValue("(NN)", str_or_none(name), v);
                if (!item || PyList_Append(mem, item) < 0) {
                    Py_XDECREF(item);
                    Py_DECREF(d);
                    return NULL;
                }
                Py_DECREF(item);
            }
        }
    }
    return d;
}

static PyObject *ObjH_type(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    const h5rd_type *t;
    struct h5rd_error e;
    h5rd_err rc = h5rd_obj_get_type(self->o, &t, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return type_desc(t, 0);
}

static PyObject *space_tuple(const struct h5rd_space *s)
{
    PyObject *dims = PyTuple_New(s->rank), *maxd = PyTuple_New(s->rank);
    if (!dims || !maxd) {
        Py_XDECREF(dims);
        Py_XDECREF(maxd);
        return NULL;
    }
    for (uint32_t i = 0; i < s->rank; i++) {
        PyTuple_SET_ITEM(dims, i, PyLong_FromUnsignedLongLong(s->dims[i]));
        if (s->maxdims[i] == H5RD_UNLIMITED) {
            Py_INCREF(Py_None);
            PyTuple_SET_ITEM(maxd, i, Py_None);
        } else {
            PyTuple_SET_ITEM(maxd, i, PyLong_FromUnsignedLongLong(s->maxdims[i]));
        }
    }
    return Py_BuildValue("(iNN)", (int)s->kind, dims, maxd);
}

static PyObject *ObjH_space(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    struct h5rd_space s;
    struct h5rd_error e;
    h5rd_err rc = h5rd_dataset_get_space(self->o, &s, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return space_tuple(&s);
}

static PyObject *ObjH_layout(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    struct h5rd_layout l;
    struct h5rd_error e;
    h5rd_err rc = h5rd_dataset_get_layout(self->o, &l, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    PyObject *cd = PyTuple_New(l.cls == H5RD_LAYOUT_CHUNKED ? l.rank : 0);
    if (!cd) {
        return NULL;
    }
    for (uint32_t i = 0; l.cls == H5RD_LAYOUT_CHUNKED && i < l.rank; i++) {
        PyTuple_SET_ITEM(cd, i, PyLong_FromUnsignedLongLong(l.chunk_dims[i]));
    }
    return Py_BuildValue("{s:i,s:I,s:N,s:i,s:I,s:K,s:K,s:I}", "cls", (int)l.cls, "version",
                         l.version, "chunk_dims", cd, "chunk_index", (int)l.chunk_index,
                         "chunk_flags", l.chunk_flags, "data_addr",
                         (unsigned long long)l.data_addr, "data_nbytes",
                         (unsigned long long)l.data_nbytes, "n_external_files",
                         l.n_external_files);
}

static PyObject *ObjH_filters(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    uint32_t n = 0;
    struct h5rd_error e;
    h5rd_err rc = h5rd_dataset_get_nfilters(self->o, &n, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    PyObject *list = PyList_New(n);
    if (!list) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct h5rd_filter f;
        rc = h5rd_dataset_get_filter(self->o, i, &f, &e);
        if (rc != H5RD_OK) {
            Py_DECREF(list);
            return raise_h5rd(rc, &e);
        }
        PyObject *vals = PyTuple_New(f.n_values);
        if (!vals) {
            Py_DECREF(list);
            return NULL;
        }
        for (uint32_t k = 0; k < f.n_values; k++) {
            PyTuple_SET_ITEM(vals, k, PyLong_FromUnsignedLong(f.values[k]));
        }
        PyList_SET_ITEM(list, i, Py_BuildValue("(IINN)", f.id, f.flags, str_or_none(f.name), vals));
    }
    return list;
}

static PyObject *ObjH_fill(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    struct h5rd_fill f;
    struct h5rd_error e;
    h5rd_err rc = h5rd_dataset_get_fill(self->o, &f, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    PyObject *v;
    if (f.value && f.nbytes) {
        v = PyBytes_FromStringAndSize(f.value, (Py_ssize_t)f.nbytes);
    } else {
        Py_INCREF(Py_None);
        v = Py_None;
    }
    return Py_BuildValue("(IIIN)", f.alloc_time, f.fill_time, f.is_defined, v);
}

static PyObject *ObjH_info(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    struct h5rd_obj_info i;
    struct h5rd_error e;
    h5rd_err rc = h5rd_obj_get_info(self->o, &i, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return Py_BuildValue("{s:I,s:I,s:I,s:I,s:L}", "ohdr_version", i.ohdr_version, "n_messages",
                         i.n_messages, "n_chunks", i.n_chunks, "refcount", i.refcount, "mtime",
                         (long long)i.mtime);
}

/* ---------------------------------------------------------------------------------------- */
/* Conversion plans: library element (file layout, native order) -> numpy element           */
/* ---------------------------------------------------------------------------------------- */
enum plan_kind {
    P_COPY,      /* copy n bytes (strings normalised to null padding, see below) */
    P_NUM,       /* a number of n bytes: copy, byte-swap when numpy's dtype is not native */
    P_BOOL,      /* enum FALSE/TRUE of n bytes -> numpy bool */
    P_STRUCT,    /* compound members (and complex: members r, i) */
    P_ARRAY,     /* count elements of child */
    P_VLEN_STR,  /* vlen string -> bytes */
    P_VLEN_SEQ,  /* vlen sequence -> ndarray of base */
    P_REF,       /* reference -> ref_factory(path or None, raw bytes, kind) */
    P_FLOAT      /* a float layout numpy has no type of that size for (bfloat16 in an
                    attribute, ...) -> the wider IEEE type h5py picks, as libhdf5 converts */
};

struct plan;
struct plan_member {
    size_t src_off, dst_off;
    struct plan *p;
};
struct plan {
    enum plan_kind kind;
    size_t src_size, dst_size;
    int swap;
    int str_pad;               /* P_COPY of a fixed string: 0 nullterm, 1 nullpad, 2 spacepad */
    int is_string;
    const h5rd_type *h5t;
    uint32_t nmem;
    struct plan_member *mem;
    uint64_t count;            /* P_ARRAY */
    struct plan *child;        /* P_ARRAY, P_VLEN_SEQ */
    PyArray_Descr *base_descr; /* P_VLEN_SEQ (owned) */
    int ref_kind;
    /* P_NUM of an attribute's integer narrower than its size: h5rd_attr_read leaves it as
     * stored, libhdf5 shifts it down and sign- or zero-extends it (datasets come normalised). */
    uint32_t int_prec, int_off;
    int int_signed;
    /* P_FLOAT: the source layout */
    uint32_t f_sign, f_epos, f_enb, f_mpos, f_mnb, f_norm;
    uint64_t f_bias;
};

static void plan_free(struct plan *p)
{
    if (!p) {
        return;
    }
    for (uint32_t i = 0; i < p->nmem; i++) {
        plan_free(p->mem[i].p);
    }
    free(p->mem);
    plan_free(p->child);
    Py_XDECREF(p->base_descr);
    free(p);
}

/* True when the numpy element has the library element's bytes: the read goes straight into
 * the output array. */
static int plan_is_identity(const struct plan *p)
{
    switch (p->kind) {
    case P_COPY:
        return p->src_size == p->dst_size && (!p->is_string || p->str_pad == 1);
    case P_NUM:
        return !p->swap && !p->int_prec && p->src_size == p->dst_size;
    case P_STRUCT:
        if (p->src_size != p->dst_size) {
            return 0;
        }
        for (uint32_t i = 0; i < p->nmem; i++) {
            if (p->mem[i].src_off != p->mem[i].dst_off || !plan_is_identity(p->mem[i].p)) {
                return 0;
            }
        }
        return 1;
    case P_ARRAY:
        return p->src_size == p->dst_size && p->child->src_size == p->child->dst_size &&
               plan_is_identity(p->child);
    default:
        return 0;
    }
}

/* True when executing the plan makes Python objects (so it needs the GIL). */
static int plan_has_objects(const struct plan *p)
{
    switch (p->kind) {
    case P_VLEN_STR:
    case P_VLEN_SEQ:
    case P_REF:
        return 1;
    case P_STRUCT:
        for (uint32_t i = 0; i < p->nmem; i++) {
            if (plan_has_objects(p->mem[i].p)) {
                return 1;
            }
        }
        return 0;
    case P_ARRAY:
        return plan_has_objects(p->child);
    default:
        return 0;
    }
}

static struct plan *plan_new(enum plan_kind k, const h5rd_type *t, size_t src, size_t dst)
{
    struct plan *p = calloc(1, sizeof *p);
    if (!p) {
        PyErr_NoMemory();
        return NULL;
    }
    p->kind = k;
    p->h5t = t;
    p->src_size = src;
    p->dst_size = dst;
    return p;
}

static PyObject *plan_error(const char *what)
{
    return raise_local(H5RD_E_TYPE, what);
}

/* Builds the plan for library elements of 'src_size' bytes of type 't' into numpy elements of
 * 'd'. src_size is the type's size except for a dataset's widened float (h5rd widens it as h5py
 * does). */
static struct plan *plan_build(const h5rd_type *t, PyArray_Descr *d, size_t src_size, int depth,
                               int attr)
{
    struct h5rd_type_info ti;
    struct h5rd_error e;
    h5rd_err rc = h5rd_type_get_info(t, &ti, &e);
    if (rc != H5RD_OK) {
        raise_h5rd(rc, &e);
        return NULL;
    }
    if (depth > 64) {
        plan_error("datatype: nested too deeply");
        return NULL;
    }
    size_t dsize = (size_t)d->elsize;
    struct plan *p = NULL;
    switch (ti.cls) {
    case H5RD_CLASS_INTEGER:
    case H5RD_CLASS_FLOAT:
    case H5RD_CLASS_BITFIELD:
    case H5RD_CLASS_TIME:
        if (ti.cls == H5RD_CLASS_FLOAT && dsize != src_size && PY_LITTLE_ENDIAN &&
            d->kind == 'f' && (dsize == 4 || dsize == 8 || dsize == 16) && src_size <= 16 &&
            ti.exp_nbits <= 32 && ti.mant_nbits <= 64 && ti.mant_nbits > 0 &&
            ti.exp_pos + ti.exp_nbits <= src_size * 8 &&
            ti.mant_pos + ti.mant_nbits <= src_size * 8 && ti.sign_pos < src_size * 8) {
            p = plan_new(P_FLOAT, t, src_size, dsize);
            if (p) {
                p->swap = !PyArray_ISNBO(d->byteorder);
                p->f_sign = ti.sign_pos;
                p->f_epos = ti.exp_pos;
                p->f_enb = ti.exp_nbits;
                p->f_mpos = ti.mant_pos;
                p->f_mnb = ti.mant_nbits;
                p->f_norm = ti.mant_norm;
                p->f_bias = ti.exp_bias;
            }
            return p;
        }
        if (d->subarray || PyDataType_HASFIELDS(d) || d->type_num == NPY_OBJECT ||
            dsize != src_size) {
            plan_error("datatype: numpy type does not match a number");
            return NULL;
        }
        p = plan_new(P_NUM, t, src_size, dsize);
        if (p) {
            p->swap = !PyArray_ISNBO(d->byteorder) && dsize > 1;
            if (attr && PY_LITTLE_ENDIAN && (ti.cls == H5RD_CLASS_INTEGER || ti.cls == H5RD_CLASS_BITFIELD) &&
                ti.size <= 8 && (ti.bit_offset != 0 || ti.precision < ti.size * 8) &&
                ti.precision > 0 && ti.precision + ti.bit_offset <= ti.size * 8) {
                p->int_prec = ti.precision;
                p->int_off = ti.bit_offset;
                p->int_signed = ti.cls == H5RD_CLASS_INTEGER && ti.is_signed;
            }
        }
        return p;
    case H5RD_CLASS_COMPLEX:
        /* The library gives numpy's complex layout (real then imaginary part, native order);
         * _dtype.py asks for native order, so this is a plain copy. */
        if (d->kind != 'c' || dsize != src_size || !PyArray_ISNBO(d->byteorder)) {
            plan_error("datatype: numpy type does not match a complex number");
            return NULL;
        }
        return plan_new(P_NUM, t, src_size, dsize);
    case H5RD_CLASS_ENUM: {
        const h5rd_type *base;
        rc = h5rd_type_get_super(t, &base, &e);
        if (rc != H5RD_OK) {
            raise_h5rd(rc, &e);
            return NULL;
        }
        if (d->type_num == NPY_BOOL) {
            return plan_new(P_BOOL, t, src_size, 1);
        }
        return plan_build(base, d, src_size, depth + 1, attr);
    }
    case H5RD_CLASS_STRING:
    case H5RD_CLASS_OPAQUE:
        if (d->subarray || PyDataType_HASFIELDS(d) || d->type_num == NPY_OBJECT ||
            dsize != src_size) {
            plan_error("datatype: numpy type does not match a string or opaque type");
            return NULL;
        }
        p = plan_new(P_COPY, t, src_size, dsize);
        if (p && ti.cls == H5RD_CLASS_STRING) {
            p->is_string = 1;
            p->str_pad = (int)ti.str_pad;
        } else if (p && d->type_num != NPY_VOID) {
            /* An opaque "NUMPY:<dtype>" (h5py's datetime64): numpy's own bytes. */
            p->kind = P_NUM;
            p->swap = 0;
        }
        return p;
    case H5RD_CLASS_REFERENCE:
        if (d->type_num != NPY_OBJECT) {
            plan_error("datatype: a reference needs an object dtype");
            return NULL;
        }
        p = plan_new(P_REF, t, src_size, dsize);
        if (p) {
            p->ref_kind = (int)ti.ref_kind;
        }
        return p;
    case H5RD_CLASS_VLEN:
        if (d->type_num != NPY_OBJECT) {
            plan_error("datatype: a variable-length type needs an object dtype");
            return NULL;
        }
        if (ti.vlen_is_string) {
            return plan_new(P_VLEN_STR, t, src_size, dsize);
        } else {
            PyObject *vb = d->metadata ? PyDict_GetItemString(d->metadata, "vlen") : NULL;
            if (!vb || !PyArray_DescrCheck(vb)) {
                plan_error("datatype: vlen dtype without its base dtype in metadata");
                return NULL;
            }
            const h5rd_type *base;
            struct h5rd_type_info bi;
            rc = h5rd_type_get_super(t, &base, &e);
            if (rc == H5RD_OK) {
                rc = h5rd_type_get_info(base, &bi, &e);
            }
            if (rc != H5RD_OK) {
                raise_h5rd(rc, &e);
                return NULL;
            }
            p = plan_new(P_VLEN_SEQ, t, src_size, dsize);
            if (!p) {
                return NULL;
            }
            /* Sequence elements come from h5rd_vlen_read as stored (native order only), as an
             * attribute's do. */
            p->child = plan_build(base, (PyArray_Descr *)vb, (size_t)bi.size, depth + 1, 1);
            if (!p->child) {
                plan_free(p);
                return NULL;
            }
            /* h5py's sequences of objects carry no dtype metadata (object references in
             * DIMENSION_LIST are plain 'O'); others keep it (strings: h5py_encoding). */
            if (((PyArray_Descr *)vb)->type_num == NPY_OBJECT) {
                p->base_descr = PyArray_DescrNew((PyArray_Descr *)vb);
                if (!p->base_descr) {
                    plan_free(p);
                    return NULL;
                }
                Py_CLEAR(p->base_descr->metadata);
            } else {
                Py_INCREF(vb);
                p->base_descr = (PyArray_Descr *)vb;
            }
            return p;
        }
    case H5RD_CLASS_ARRAY: {
        /* numpy merges nested subarrays into one shape; walk the array chain likewise. */
        uint64_t n = 1;
        const h5rd_type *leaf = t;
        struct h5rd_type_info li = ti;
        while (li.cls == H5RD_CLASS_ARRAY) {
            for (uint32_t i = 0; i < li.rank && i < H5RD_MAX_RANK; i++) {
                if (li.dims[i] && n > UINT64_MAX / li.dims[i]) {
                    plan_error("datatype: array too large");
                    return NULL;
                }
                n *= li.dims[i];
            }
            rc = h5rd_type_get_super(leaf, &leaf, &e);
            if (rc == H5RD_OK) {
                rc = h5rd_type_get_info(leaf, &li, &e);
            }
            if (rc != H5RD_OK) {
                raise_h5rd(rc, &e);
                return NULL;
            }
            if (++depth > 64) {
                plan_error("datatype: nested too deeply");
                return NULL;
            }
        }
        PyArray_Descr *bd = d;
        while (bd->subarray) {
            bd = bd->subarray->base; /* numpy may keep nested subarrays nested */
        }
        if (n == 0 || li.size == 0 || src_size / n != li.size || src_size % n != 0 ||
            (size_t)bd->elsize * n != dsize) {
            plan_error("datatype: numpy array type does not match");
            return NULL;
        }
        p = plan_new(P_ARRAY, t, src_size, dsize);
        if (!p) {
            return NULL;
        }
        p->count = n;
        p->child = plan_build(leaf, bd, (size_t)li.size, depth + 1, attr);
        if (!p->child) {
            plan_free(p);
            return NULL;
        }
        return p;
    }
    case H5RD_CLASS_COMPOUND: {
        if (d->type_num == NPY_CFLOAT || d->type_num == NPY_CDOUBLE ||
            d->type_num == NPY_CLONGDOUBLE) {
            if (ti.nmembers != 2) {
                plan_error("datatype: complex needs two members");
                return NULL;
            }
            p = plan_new(P_STRUCT, t, src_size, dsize);
            if (!p) {
                return NULL;
            }
            p->mem = calloc(2, sizeof *p->mem);
            if (!p->mem) {
                plan_free(p);
                PyErr_NoMemory();
                return NULL;
            }
            p->nmem = 2;
            for (uint32_t k = 0; k < 2; k++) {
                const char *name;
                uint64_t off;
                const h5rd_type *mt;
                struct h5rd_type_info mi;
                rc = h5rd_type_get_member(t, k, &name, &off, &mt, &e);
                if (rc == H5RD_OK) {
                    rc = h5rd_type_get_info(mt, &mi, &e);
                }
                if (rc != H5RD_OK) {
                    plan_free(p);
                    raise_h5rd(rc, &e);
                    return NULL;
                }
                if (mi.cls != H5RD_CLASS_FLOAT || mi.size * 2 != dsize || off > src_size ||
                    mi.size > src_size - off) {
                    plan_free(p);
                    plan_error("datatype: complex members do not match");
                    return NULL;
                }
                p->mem[k].src_off = (size_t)off;
                p->mem[k].dst_off = k * (size_t)mi.size;
                p->mem[k].p = plan_new(P_NUM, mt, (size_t)mi.size, (size_t)mi.size);
                if (!p->mem[k].p) {
                    plan_free(p);
                    return NULL;
                }
                p->mem[k].p->swap = !PyArray_ISNBO(d->byteorder) && mi.size > 1;
            }
            return p;
        }
        if (!PyDataType_HASFIELDS(d)) {
            plan_error("datatype: a compound needs a structured dtype");
            return NULL;
        }
        p = plan_new(P_STRUCT, t, src_size, dsize);
        if (!p) {
            return NULL;
        }
        p->mem = calloc(ti.nmembers ? ti.nmembers : 1, sizeof *p->mem);
        if (!p->mem) {
            plan_free(p);
            PyErr_NoMemory();
            return NULL;
        }
        for (uint32_t k = 0; k < ti.nmembers; k++) {
            const char *name;
            uint64_t off;
            const h5rd_type *mt;
            struct h5rd_type_info mi;
            rc = h5rd_type_get_member(t, k, &name, &off, &mt, &e);
            if (rc == H5RD_OK) {
                rc = h5rd_type_get_info(mt, &mi, &e);
            }
            if (rc != H5RD_OK) {
                plan_free(p);
                raise_h5rd(rc, &e);
                return NULL;
            }
            PyObject *key = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "surrogateescape");
            if (!key) {
                plan_free(p);
                return NULL;
            }
            PyObject *fld = PyDict_GetItemWithError(d->fields, key);
            Py_DECREF(key);
            if (!fld) {
                /* A member the dtype leaves out (h5py's field subset reads): skipped. */
                if (PyErr_Occurred()) {
                    plan_free(p);
                    return NULL;
                }
                continue;
            }
            PyArray_Descr *fd;
            PyObject *foff;
            if (!PyTuple_Check(fld) || PyTuple_GET_SIZE(fld) < 2 ||
                !PyArray_DescrCheck(PyTuple_GET_ITEM(fld, 0))) {
                plan_free(p);
                plan_error("datatype: bad numpy field");
                return NULL;
            }
            fd = (PyArray_Descr *)PyTuple_GET_ITEM(fld, 0);
            foff = PyTuple_GET_ITEM(fld, 1);
            Py_ssize_t doff = PyLong_AsSsize_t(foff);
            if (doff < 0 || off > src_size || mi.size > src_size - off ||
                (size_t)doff + (size_t)fd->elsize > dsize) {
                plan_free(p);
                if (!PyErr_Occurred()) {
                    plan_error("datatype: compound member outside its compound");
                }
                return NULL;
            }
            struct plan *c = plan_build(mt, fd, (size_t)mi.size, depth + 1, attr);
            if (!c) {
                plan_free(p);
                return NULL;
            }
            p->mem[p->nmem].src_off = (size_t)off;
            p->mem[p->nmem].dst_off = (size_t)doff;
            p->mem[p->nmem].p = c;
            p->nmem++;
        }
        return p;
    }
    default:
        plan_error("datatype: class not supported");
        return NULL;
    }
}

struct exec_ctx {
    h5rd_file *file;       /* the file holding the object (vlen heaps, references) */
    PyObject *ref_factory; /* borrowed */
    int failed;            /* a Python error is set */
};

static void swap_bytes(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        unsigned char t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

static void set_obj(unsigned char *dst, PyObject *o)
{
    PyObject *old;
    memcpy(&old, dst, sizeof old);
    memcpy(dst, &o, sizeof o);
    Py_XDECREF(old);
}

static int plan_exec(const struct plan *p, const unsigned char *src, unsigned char *dst,
                     struct exec_ctx *cx);

static int exec_vlen(const struct plan *p, const unsigned char *src, unsigned char *dst,
                     struct exec_ctx *cx)
{
    uint64_t count = 0;
    struct h5rd_error e;
    h5rd_err rc = h5rd_vlen_read(cx->file, p->h5t, src, NULL, 0, &count, &e);
    if (rc != H5RD_OK) {
        raise_h5rd(rc, &e);
        return -1;
    }
    size_t esz = p->kind == P_VLEN_STR ? 1 : p->child->src_size;
    if (esz && count > ((uint64_t)PY_SSIZE_T_MAX) / esz) {
        raise_local(H5RD_E_LIMIT, "vlen: element too large");
        return -1;
    }
    size_t nbytes = (size_t)count * esz;
    unsigned char *tmp = malloc(nbytes ? nbytes : 1);
    if (!tmp) {
        PyErr_NoMemory();
        return -1;
    }
    rc = h5rd_vlen_read(cx->file, p->h5t, src, tmp, nbytes, &count, &e);
    if (rc != H5RD_OK) {
        free(tmp);
        raise_h5rd(rc, &e);
        return -1;
    }
    PyObject *o;
    if (p->kind == P_VLEN_STR) {
        o = PyBytes_FromStringAndSize((const char *)tmp, (Py_ssize_t)nbytes);
    } else {
        npy_intp dim = (npy_intp)count;
        Py_INCREF(p->base_descr);
        o = PyArray_NewFromDescr(&PyArray_Type, p->base_descr, 1, &dim, NULL, NULL, 0, NULL);
        if (o) {
            unsigned char *out = PyArray_DATA((PyArrayObject *)o);
            size_t osz = p->child->dst_size;
            if (plan_has_objects(p->child)) {
                memset(out, 0, osz * (size_t)count);
            }
            for (uint64_t i = 0; i < count; i++) {
                if (plan_exec(p->child, tmp + i * esz, out + i * osz, cx) < 0) {
                    Py_DECREF(o);
                    o = NULL;
                    break;
                }
            }
        }
    }
    free(tmp);
    if (!o) {
        return -1;
    }
    set_obj(dst, o);
    return 0;
}

static int exec_ref(const struct plan *p, const unsigned char *src, unsigned char *dst,
                    struct exec_ctx *cx)
{
    char buf[1024];
    size_t len = 0;
    struct h5rd_error e;
    PyObject *path;
    h5rd_err rc = h5rd_ref_get_path(cx->file, p->h5t, src, buf, sizeof buf, &len, &e);
    if (rc == H5RD_E_BUFSIZE) {
        char *big = malloc(len + 1);
        if (!big) {
            PyErr_NoMemory();
            return -1;
        }
        rc = h5rd_ref_get_path(cx->file, p->h5t, src, big, len + 1, &len, &e);
        path = rc == H5RD_OK ? PyUnicode_DecodeUTF8(big, (Py_ssize_t)len, "surrogateescape") : NULL;
        free(big);
    } else {
        path = rc == H5RD_OK ? PyUnicode_DecodeUTF8(buf, (Py_ssize_t)len, "surrogateescape") : NULL;
    }
    if (rc == H5RD_E_NOT_FOUND) {
        Py_INCREF(Py_None);
        path = Py_None;
    } else if (rc != H5RD_OK) {
        raise_h5rd(rc, &e);
        return -1;
    }
    if (!path) {
        return -1;
    }
    PyObject *o = PyObject_CallFunction(cx->ref_factory, "Ny#i", path, (const char *)src,
                                        (Py_ssize_t)p->src_size, p->ref_kind);
    if (!o) {
        return -1;
    }
    set_obj(dst, o);
    return 0;
}

static uint64_t get_bits(const unsigned char *p, uint32_t pos, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = pos + i;
        v |= (uint64_t)((p[b / 8] >> (b % 8)) & 1u) << i;
    }
    return v;
}

/* Decodes a float of any layout (native byte order) as libhdf5's soft conversion reads it. */
static void exec_float(const struct plan *p, const unsigned char *src, unsigned char *dst)
{
    int sign = (int)get_bits(src, p->f_sign, 1);
    uint64_t e = get_bits(src, p->f_epos, p->f_enb);
    uint64_t m = get_bits(src, p->f_mpos, p->f_mnb);
    uint64_t emax = p->f_enb >= 64 ? UINT64_MAX : (((uint64_t)1) << p->f_enb) - 1;
    long double v;
    if (e == emax && p->f_norm == 2) {
        v = m ? (long double)NAN : (long double)INFINITY;
    } else {
        long double frac = ldexpl((long double)m, -(int)p->f_mnb);
        long long ex = (long long)e - (long long)p->f_bias;
        if (p->f_norm == 2) { /* implied leading 1; exponent 0: denormal */
            if (e == 0) {
                v = ldexpl(frac, (int)(1 - (long long)p->f_bias));
            } else {
                v = ldexpl(1.0L + frac, (int)ex);
            }
        } else { /* msb stored (or none): the mantissa holds the leading bit */
            v = ldexpl(frac * 2.0L, (int)ex);
        }
    }
    if (sign) {
        v = -v;
    }
    if (p->dst_size == 4) {
        float f = (float)v;
        memcpy(dst, &f, 4);
    } else if (p->dst_size == 8) {
        double f = (double)v;
        memcpy(dst, &f, 8);
    } else {
        memset(dst, 0, p->dst_size);
        memcpy(dst, &v, sizeof v < p->dst_size ? sizeof v : p->dst_size);
        if (sizeof v > 10) {
            memset(dst + 10, 0, p->dst_size - 10); /* x87: 6 padding bytes zeroed */
        }
    }
    if (p->swap) {
        swap_bytes(dst, p->dst_size);
    }
}

static int plan_exec(const struct plan *p, const unsigned char *src, unsigned char *dst,
                     struct exec_ctx *cx)
{
    switch (p->kind) {
    case P_FLOAT:
        exec_float(p, src, dst);
        return 0;
    case P_COPY:
        memcpy(dst, src, p->dst_size);
        if (p->is_string && p->str_pad == 0) {
            /* libhdf5 converts a null-terminated string to null padding on read: cut at the
             * first NUL. */
            unsigned char *z = memchr(dst, 0, p->dst_size);
            if (z) {
                memset(z, 0, p->dst_size - (size_t)(z - dst));
            }
        } else if (p->is_string && p->str_pad == 2) {
            for (size_t i = p->dst_size; i > 0 && (dst[i - 1] == ' ' || dst[i - 1] == 0); i--) {
                dst[i - 1] = 0;
            }
        }
        return 0;
    case P_NUM:
        memcpy(dst, src, p->dst_size);
        if (p->int_prec) {
            uint64_t v = 0;
            memcpy(&v, dst, p->dst_size); /* native little-endian host assumed below */
            v >>= p->int_off;
            if (p->int_prec < 64) {
                v &= (((uint64_t)1) << p->int_prec) - 1;
                if (p->int_signed && (v >> (p->int_prec - 1)) & 1) {
                    v |= ~((((uint64_t)1) << p->int_prec) - 1);
                }
            }
            memcpy(dst, &v, p->dst_size);
        }
        if (p->swap) {
            swap_bytes(dst, p->dst_size);
        }
        return 0;
    case P_BOOL: {
        int nz = 0;
        for (size_t i = 0; i < p->src_size; i++) {
            nz |= src[i] != 0;
        }
        dst[0] = (unsigned char)nz;
        return 0;
    }
    case P_STRUCT:
        for (uint32_t i = 0; i < p->nmem; i++) {
            if (plan_exec(p->mem[i].p, src + p->mem[i].src_off, dst + p->mem[i].dst_off, cx) < 0) {
                return -1;
            }
        }
        return 0;
    case P_ARRAY:
        for (uint64_t i = 0; i < p->count; i++) {
            if (plan_exec(p->child, src + i * p->child->src_size, dst + i * p->child->dst_size,
                          cx) < 0) {
                return -1;
            }
        }
        return 0;
    case P_VLEN_STR:
    case P_VLEN_SEQ:
        return exec_vlen(p, src, dst, cx);
    case P_REF:
        return exec_ref(p, src, dst, cx);
    }
    return 0;
}

/* Converts n elements; without objects, with the GIL released. */
static int plan_exec_n(const struct plan *p, const unsigned char *src, unsigned char *dst,
                       size_t n, struct exec_ctx *cx)
{
    if (plan_has_objects(p)) {
        for (size_t i = 0; i < n; i++) {
            if (plan_exec(p, src + i * p->src_size, dst + i * p->dst_size, cx) < 0) {
                return -1;
            }
        }
        return 0;
    }
    Py_BEGIN_ALLOW_THREADS
    if (p->kind == P_NUM && !p->int_prec) {
        /* The common case (big-endian numbers), as one tight loop. */
        size_t sz = p->dst_size;
        if (src != dst) {
            memcpy(dst, src, sz * n);
        }
        if (p->swap) {
            for (size_t i = 0; i < n; i++) {
                swap_bytes(dst + i * sz, sz);
            }
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            (void)plan_exec(p, src + i * p->src_size, dst + i * p->dst_size, cx);
        }
    }
    Py_END_ALLOW_THREADS
    return 0;
}

/* ---- dataset reads ---- */
/* An output array we can fill byte by byte: C-contiguous and writable (any byte order or
 * alignment: elements are written with memcpy). */
static int out_ok(PyArrayObject *a)
{
    return PyArray_CHKFLAGS(a, NPY_ARRAY_C_CONTIGUOUS) && PyArray_CHKFLAGS(a, NPY_ARRAY_WRITEABLE);
}

static int get_u64_seq(PyObject *seq, uint32_t rank, uint64_t *out, const char *what)
{
    PyObject *fast = PySequence_Fast(seq, what);
    if (!fast) {
        return -1;
    }
    if ((uint32_t)PySequence_Fast_GET_SIZE(fast) != rank) {
        Py_DECREF(fast);
        PyErr_Format(PyExc_ValueError, "h5rd: %s needs %u entries", what, rank);
        return -1;
    }
    for (uint32_t i = 0; i < rank; i++) {
        out[i] = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

/* read(out, dtype, start, stride, count, points, nthreads, ref_factory, memtype)
 *  out: C-contiguous writable ndarray of npoints x dtype.itemsize bytes;
 *  dtype: the numpy dtype of one element (h5py's dtype; may be a subarray dtype);
 *  start/stride/count: sequences (hyperslab) or None; points: uint64 (n, rank) array or None;
 *  memtype: None, or (cls, size, signed) for a native numeric conversion (astype). */
static PyObject *ObjH_read(ObjH *self, PyObject *args)
{
    PyObject *out, *dtobj, *start, *stride, *count, *points, *ref_factory, *memtype;
    unsigned nthreads = 1;
    if (!PyArg_ParseTuple(args, "OOOOOOIOO", &out, &dtobj, &start, &stride, &count, &points,
                          &nthreads, &ref_factory, &memtype)) {
        return NULL;
    }
    if (!PyArray_Check(out) || !out_ok((PyArrayObject *)out) ||
        !PyArray_DescrCheck(dtobj)) {
        PyErr_SetString(PyExc_TypeError, "h5rd: read needs a C-contiguous writable array and a dtype");
        return NULL;
    }
    PyArrayObject *arr = (PyArrayObject *)out;
    PyArray_Descr *d = (PyArray_Descr *)dtobj;
    struct h5rd_space sp;
    struct h5rd_error e;
    h5rd_err rc = h5rd_dataset_get_space(self->o, &sp, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    uint32_t rank = sp.rank;
    uint64_t st[H5RD_MAX_RANK], sd[H5RD_MAX_RANK], ct[H5RD_MAX_RANK];
    struct h5rd_selection sel, *selp = NULL;
    memset(&sel, 0, sizeof sel);
    PyArrayObject *pts = NULL;
    if (start != Py_None) {
        if (get_u64_seq(start, rank, st, "start") < 0 || get_u64_seq(stride, rank, sd, "stride") < 0 ||
            get_u64_seq(count, rank, ct, "count") < 0) {
            return NULL;
        }
        sel.kind = H5RD_SEL_HYPERSLAB;
        sel.rank = rank;
        sel.start = st;
        sel.stride = sd;
        sel.count = ct;
        selp = &sel;
    } else if (points != Py_None) {
        pts = (PyArrayObject *)PyArray_FROMANY(points, NPY_UINT64, 2, 2, NPY_ARRAY_CARRAY);
        if (!pts) {
            return NULL;
        }
        if ((uint32_t)PyArray_DIM(pts, 1) != rank) {
            Py_DECREF(pts);
            PyErr_SetString(PyExc_ValueError, "h5rd: points need rank columns");
            return NULL;
        }
        sel.kind = H5RD_SEL_POINTS;
        sel.rank = rank;
        sel.npoints = (uint64_t)PyArray_DIM(pts, 0);
        sel.points = PyArray_DATA(pts);
        selp = &sel;
    }
    uint64_t npoints = 0;
    rc = h5rd_selection_get_npoints(self->o, selp, &npoints, &e);
    if (rc != H5RD_OK) {
        Py_XDECREF(pts);
        return raise_h5rd(rc, &e);
    }
    size_t dsize = (size_t)d->elsize;
    if ((uint64_t)PyArray_NBYTES(arr) != npoints * dsize) {
        Py_XDECREF(pts);
        PyErr_SetString(PyExc_ValueError, "h5rd: output array size does not match the selection");
        return NULL;
    }
    struct h5rd_read_opts ro;
    h5rd_read_opts_init(&ro);
    ro.nthreads = nthreads;
    unsigned char *dst = PyArray_DATA(arr);

    if (memtype != Py_None) {
        int mcls, msize, msigned;
        if (!PyArg_ParseTuple(memtype, "iii", &mcls, &msize, &msigned)) {
            Py_XDECREF(pts);
            return NULL;
        }
        struct h5rd_memtype mt;
        mt.cls = (h5rd_memtype_class)mcls;
        mt.size = (uint32_t)msize;
        mt.is_signed = (uint32_t)msigned;
        mt.order = H5RD_ORDER_LE;
        {
            const uint16_t one = 1;
            unsigned char b;
            memcpy(&b, &one, 1);
            if (!b) {
                mt.order = H5RD_ORDER_BE;
            }
        }
        if ((size_t)msize != dsize) {
            Py_XDECREF(pts);
            PyErr_SetString(PyExc_ValueError, "h5rd: memtype size does not match dtype");
            return NULL;
        }
        Py_BEGIN_ALLOW_THREADS
        rc = h5rd_dataset_read(self->o, selp, &mt, dst, (size_t)(npoints * dsize), &ro, &e);
        Py_END_ALLOW_THREADS
        Py_XDECREF(pts);
        if (rc != H5RD_OK) {
            return raise_h5rd(rc, &e);
        }
        Py_RETURN_NONE;
    }

    uint64_t src_size = 0;
    rc = h5rd_dataset_get_elem_nbytes(self->o, NULL, &src_size, &e);
    if (rc != H5RD_OK) {
        Py_XDECREF(pts);
        return raise_h5rd(rc, &e);
    }
    const h5rd_type *t;
    rc = h5rd_obj_get_type(self->o, &t, &e);
    if (rc != H5RD_OK) {
        Py_XDECREF(pts);
        return raise_h5rd(rc, &e);
    }
    struct plan *p = plan_build(t, d, (size_t)src_size, 0, 0);
    if (!p) {
        Py_XDECREF(pts);
        return NULL;
    }
    if (npoints == 0) {
        plan_free(p);
        Py_XDECREF(pts);
        Py_RETURN_NONE;
    }
    int identity = plan_is_identity(p);
    unsigned char *buf = dst;
    if (!identity && src_size > 0 && npoints > (uint64_t)SIZE_MAX / src_size) {
        plan_free(p);
        Py_XDECREF(pts);
        return raise_local(H5RD_E_LIMIT, "read: selection too large");
    }
    size_t buf_nbytes = (size_t)(npoints * src_size);
    int inplace = !identity && !plan_has_objects(p) && p->kind == P_NUM;
    if (!identity && !inplace) {
        buf = malloc(buf_nbytes ? buf_nbytes : 1);
        if (!buf) {
            plan_free(p);
            Py_XDECREF(pts);
            return PyErr_NoMemory();
        }
    }
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_dataset_read(self->o, selp, NULL, buf, buf_nbytes, &ro, &e);
    Py_END_ALLOW_THREADS
    Py_XDECREF(pts);
    if (rc != H5RD_OK) {
        if (buf != dst) {
            free(buf);
        }
        plan_free(p);
        return raise_h5rd(rc, &e);
    }
    int r = 0;
    if (!identity) {
        struct exec_ctx cx = {h5rd_obj_get_file(self->o), ref_factory, 0};
        r = plan_exec_n(p, buf, dst, (size_t)npoints, &cx);
    }
    if (buf != dst) {
        free(buf);
    }
    plan_free(p);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *ObjH_elem_nbytes(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    uint64_t n = 0;
    struct h5rd_error e;
    h5rd_err rc = h5rd_dataset_get_elem_nbytes(self->o, NULL, &n, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return PyLong_FromUnsignedLongLong(n);
}

/* ---- attributes ---- */
static PyObject *ObjH_attr_names(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    uint64_t n = 0;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_obj_get_nattrs(self->o, &n, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    PyObject *list = PyList_New(0);
    if (!list) {
        return NULL;
    }
    for (uint64_t i = 0; i < n; i++) {
        h5rd_attr *a = NULL;
        Py_BEGIN_ALLOW_THREADS
        rc = h5rd_attr_open_idx(self->o, i, &a, &e);
        Py_END_ALLOW_THREADS
        if (rc != H5RD_OK) {
            Py_DECREF(list);
            return raise_h5rd(rc, &e);
        }
        PyObject *nm = str_or_none(h5rd_attr_get_name(a));
        h5rd_attr_close(a);
        if (!nm || PyList_Append(list, nm) < 0) {
            Py_XDECREF(nm);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(nm);
    }
    return list;
}

static h5rd_attr *attr_open_arg(ObjH *self, PyObject *key)
{
    h5rd_attr *a = NULL;
    struct h5rd_error e;
    h5rd_err rc;
    if (PyLong_Check(key)) {
        unsigned long long idx = PyLong_AsUnsignedLongLong(key);
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_BEGIN_ALLOW_THREADS
        rc = h5rd_attr_open_idx(self->o, idx, &a, &e);
        Py_END_ALLOW_THREADS
    } else {
        const char *name = PyUnicode_AsUTF8(key);
        if (!name) {
            return NULL;
        }
        Py_BEGIN_ALLOW_THREADS
        rc = h5rd_attr_open(self->o, name, &a, &e);
        Py_END_ALLOW_THREADS
    }
    if (rc != H5RD_OK) {
        raise_h5rd(rc, &e);
        return NULL;
    }
    return a;
}

/* attr_info(name or index) -> (name, type description, space tuple) */
static PyObject *ObjH_attr_info(ObjH *self, PyObject *args)
{
    PyObject *key;
    if (!PyArg_ParseTuple(args, "O", &key)) {
        return NULL;
    }
    h5rd_attr *a = attr_open_arg(self, key);
    if (!a) {
        return NULL;
    }
    struct h5rd_space s;
    struct h5rd_error e;
    h5rd_err rc = h5rd_attr_get_space(a, &s, &e);
    if (rc != H5RD_OK) {
        h5rd_attr_close(a);
        return raise_h5rd(rc, &e);
    }
    const h5rd_type *t = h5rd_attr_get_type(a);
    PyObject *td = t ? type_desc(t, 0) : raise_local(H5RD_E_INTERNAL, "attribute: no type");
    PyObject *r = td ? Py_BuildValue("(NNN)", str_or_none(h5rd_attr_get_name(a)), td, space_tuple(&s))
                     : NULL;
    h5rd_attr_close(a);
    return r;
}

/* attr_read(name or index, out, dtype, ref_factory): reads the whole value into 'out'. */
static PyObject *ObjH_attr_read(ObjH *self, PyObject *args)
{
    PyObject *key, *out, *dtobj, *ref_factory;
    if (!PyArg_ParseTuple(args, "OOOO", &key, &out, &dtobj, &ref_factory)) {
        return NULL;
    }
    if (!PyArray_Check(out) || !out_ok((PyArrayObject *)out) ||
        !PyArray_DescrCheck(dtobj)) {
        PyErr_SetString(PyExc_TypeError, "h5rd: attr_read needs a C-contiguous array and a dtype");
        return NULL;
    }
    h5rd_attr *a = attr_open_arg(self, key);
    if (!a) {
        return NULL;
    }
    struct h5rd_space s;
    struct h5rd_error e;
    uint64_t nbytes = 0;
    h5rd_err rc = h5rd_attr_get_space(a, &s, &e);
    if (rc == H5RD_OK) {
        rc = h5rd_attr_get_nbytes(a, &nbytes, &e);
    }
    if (rc != H5RD_OK) {
        h5rd_attr_close(a);
        return raise_h5rd(rc, &e);
    }
    uint64_t npoints = 1;
    for (uint32_t i = 0; i < s.rank; i++) {
        npoints *= s.dims[i];
    }
    if (s.kind == H5RD_SPACE_NULL) {
        npoints = 0;
    }
    PyArray_Descr *d = (PyArray_Descr *)dtobj;
    if ((uint64_t)PyArray_NBYTES((PyArrayObject *)out) != npoints * (uint64_t)d->elsize) {
        h5rd_attr_close(a);
        PyErr_SetString(PyExc_ValueError, "h5rd: attribute output size does not match");
        return NULL;
    }
    const h5rd_type *t = h5rd_attr_get_type(a);
    struct h5rd_type_info ti;
    rc = t ? h5rd_type_get_info(t, &ti, &e) : H5RD_E_INTERNAL;
    if (rc != H5RD_OK) {
        h5rd_attr_close(a);
        return t ? raise_h5rd(rc, &e) : raise_local(rc, "attribute: no type");
    }
    if (npoints == 0) {
        h5rd_attr_close(a);
        Py_RETURN_NONE;
    }
    if (ti.size == 0 || nbytes / ti.size != npoints || nbytes > (uint64_t)SIZE_MAX) {
        h5rd_attr_close(a);
        return raise_local(H5RD_E_CORRUPT, "attribute: value size does not match its space");
    }
    struct plan *p = plan_build(t, d, (size_t)ti.size, 0, 1);
    if (!p) {
        h5rd_attr_close(a);
        return NULL;
    }
    unsigned char *buf = malloc((size_t)nbytes);
    if (!buf) {
        plan_free(p);
        h5rd_attr_close(a);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_attr_read(a, buf, (size_t)nbytes, &e);
    Py_END_ALLOW_THREADS
    int r = -1;
    if (rc != H5RD_OK) {
        raise_h5rd(rc, &e);
    } else {
        struct exec_ctx cx = {h5rd_obj_get_file(self->o), ref_factory, 0};
        r = plan_exec_n(p, buf, PyArray_DATA((PyArrayObject *)out), (size_t)npoints, &cx);
    }
    free(buf);
    plan_free(p);
    h5rd_attr_close(a);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* ---- direct chunk access ---- */
static PyObject *chunk_tuple(const struct h5rd_chunk_info *ci, uint32_t rank)
{
    PyObject *off = PyTuple_New(rank);
    if (!off) {
        return NULL;
    }
    for (uint32_t i = 0; i < rank; i++) {
        PyTuple_SET_ITEM(off, i, PyLong_FromUnsignedLongLong(ci->offset[i]));
    }
    return Py_BuildValue("(NIKK)", off, ci->filter_mask, (unsigned long long)ci->addr,
                         (unsigned long long)ci->nbytes);
}

static int dset_rank(ObjH *self, uint32_t *rank)
{
    struct h5rd_space s;
    struct h5rd_error e;
    h5rd_err rc = h5rd_dataset_get_space(self->o, &s, &e);
    if (rc != H5RD_OK) {
        raise_h5rd(rc, &e);
        return -1;
    }
    *rank = s.rank;
    return 0;
}

static PyObject *ObjH_nchunks(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    uint64_t n = 0;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_dataset_get_nchunks(self->o, &n, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return PyLong_FromUnsignedLongLong(n);
}

/* chunk(i) -> (offset, filter_mask, addr, size) */
static PyObject *ObjH_chunk(ObjH *self, PyObject *args)
{
    unsigned long long idx;
    if (!PyArg_ParseTuple(args, "K", &idx)) {
        return NULL;
    }
    uint32_t rank;
    if (dset_rank(self, &rank) < 0) {
        return NULL;
    }
    struct h5rd_chunk_info ci;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_dataset_get_chunk(self->o, idx, &ci, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return chunk_tuple(&ci, rank);
}

/* find_chunk(coords) -> (offset, filter_mask, addr, size) */
static PyObject *ObjH_find_chunk(ObjH *self, PyObject *args)
{
    PyObject *coords;
    if (!PyArg_ParseTuple(args, "O", &coords)) {
        return NULL;
    }
    uint32_t rank;
    uint64_t c[H5RD_MAX_RANK];
    if (dset_rank(self, &rank) < 0 || get_u64_seq(coords, rank, c, "chunk offset") < 0) {
        return NULL;
    }
    struct h5rd_chunk_info ci;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_dataset_find_chunk(self->o, c, &ci, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return chunk_tuple(&ci, rank);
}

/* read_chunk_raw(coords) -> (filter_mask, bytes) */
static PyObject *ObjH_read_chunk_raw(ObjH *self, PyObject *args)
{
    PyObject *coords;
    if (!PyArg_ParseTuple(args, "O", &coords)) {
        return NULL;
    }
    uint32_t rank;
    uint64_t c[H5RD_MAX_RANK];
    if (dset_rank(self, &rank) < 0 || get_u64_seq(coords, rank, c, "chunk offset") < 0) {
        return NULL;
    }
    struct h5rd_chunk_info ci;
    struct h5rd_error e;
    h5rd_err rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_dataset_find_chunk(self->o, c, &ci, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    if (ci.nbytes > (uint64_t)PY_SSIZE_T_MAX) {
        return raise_local(H5RD_E_LIMIT, "chunk: too large");
    }
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)ci.nbytes);
    if (!b) {
        return NULL;
    }
    size_t got = 0;
    uint32_t mask = 0;
    char *p = PyBytes_AS_STRING(b);
    Py_BEGIN_ALLOW_THREADS
    rc = h5rd_dataset_read_chunk_raw(self->o, c, p, (size_t)ci.nbytes, &got, &mask, &e);
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        Py_DECREF(b);
        return raise_h5rd(rc, &e);
    }
    if (got != ci.nbytes && _PyBytes_Resize(&b, (Py_ssize_t)got) < 0) {
        return NULL;
    }
    return Py_BuildValue("(IN)", mask, b);
}

/* chunk_table(out): fills a structured array of nchunks records
 * (offset u8[rank], addr u8, size u8, filter_mask u4), packed, native order. */
static PyObject *ObjH_chunk_table(ObjH *self, PyObject *args)
{
    PyObject *out;
    if (!PyArg_ParseTuple(args, "O", &out)) {
        return NULL;
    }
    if (!PyArray_Check(out) || !out_ok((PyArrayObject *)out)) {
        PyErr_SetString(PyExc_TypeError, "h5rd: chunk_table needs a C-contiguous array");
        return NULL;
    }
    uint32_t rank;
    if (dset_rank(self, &rank) < 0) {
        return NULL;
    }
    size_t rec = (size_t)rank * 8 + 20;
    PyArrayObject *arr = (PyArrayObject *)out;
    if ((size_t)PyArray_ITEMSIZE(arr) != rec) {
        PyErr_SetString(PyExc_ValueError, "h5rd: chunk_table record size");
        return NULL;
    }
    size_t n = (size_t)PyArray_SIZE(arr);
    unsigned char *dst = PyArray_DATA(arr);
    struct h5rd_error e;
    h5rd_err rc = H5RD_OK;
    Py_BEGIN_ALLOW_THREADS
    for (size_t i = 0; i < n; i++) {
        struct h5rd_chunk_info ci;
        rc = h5rd_dataset_get_chunk(self->o, i, &ci, &e);
        if (rc != H5RD_OK) {
            break;
        }
        unsigned char *r = dst + i * rec;
        memcpy(r, ci.offset, (size_t)rank * 8);
        memcpy(r + (size_t)rank * 8, &ci.addr, 8);
        memcpy(r + (size_t)rank * 8 + 8, &ci.nbytes, 8);
        memcpy(r + (size_t)rank * 8 + 16, &ci.filter_mask, 4);
    }
    Py_END_ALLOW_THREADS
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    Py_RETURN_NONE;
}

/* ---- virtual datasets ---- */
static PyObject *vds_sel(const struct h5rd_vds_sel *s)
{
    static const char *kinds[] = {"none", "points", "hyperslab", "all", "blocks"};
    const char *k = (unsigned)s->kind < 5 ? kinds[s->kind] : "?";
    if (s->kind == H5RD_VDS_SEL_HYPERSLAB) {
        PyObject *t[4];
        const uint64_t *src[4] = {s->start, s->stride, s->count, s->block};
        for (int j = 0; j < 4; j++) {
            t[j] = PyTuple_New(s->rank);
            if (!t[j]) {
                for (int m = 0; m < j; m++) {
                    Py_DECREF(t[m]);
                }
                return NULL;
            }
            for (uint32_t i = 0; i < s->rank; i++) {
                uint64_t v = src[j][i];
                PyObject *o;
                if (v == H5RD_UNLIMITED) {
                    Py_INCREF(Py_None);
                    o = Py_None;
                } else {
                    o = PyLong_FromUnsignedLongLong(v);
                }
                PyTuple_SET_ITEM(t[j], i, o);
            }
        }
        return Py_BuildValue("{s:s,s:I,s:N,s:N,s:N,s:N}", "kind", k, "rank", s->rank, "start",
                             t[0], "stride", t[1], "count", t[2], "block", t[3]);
    }
    if (s->kind == H5RD_VDS_SEL_POINTS || s->kind == H5RD_VDS_SEL_BLOCKS) {
        uint64_t per = s->kind == H5RD_VDS_SEL_POINTS ? s->rank : 2u * s->rank;
        PyObject *list = PyList_New((Py_ssize_t)s->n);
        if (!list) {
            return NULL;
        }
        for (uint64_t i = 0; i < s->n; i++) {
            PyObject *t = PyTuple_New((Py_ssize_t)per);
            if (!t) {
                Py_DECREF(list);
                return NULL;
            }
            for (uint64_t j = 0; j < per; j++) {
                PyTuple_SET_ITEM(t, (Py_ssize_t)j, PyLong_FromUnsignedLongLong(s->coords[i * per + j]));
            }
            PyList_SET_ITEM(list, (Py_ssize_t)i, t);
        }
        return Py_BuildValue("{s:s,s:I,s:N}", "kind", k, "rank", s->rank, "coords", list);
    }
    return Py_BuildValue("{s:s,s:I}", "kind", k, "rank", s->rank);
}

static PyObject *ObjH_vds_mappings(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    uint64_t n = 0;
    struct h5rd_error e;
    h5rd_err rc = h5rd_vds_get_nmappings(self->o, &n, &e);
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    PyObject *list = PyList_New(0);
    if (!list) {
        return NULL;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct h5rd_vds_mapping m;
        rc = h5rd_vds_get_mapping(self->o, i, &m, &e);
        if (rc != H5RD_OK) {
            Py_DECREF(list);
            return raise_h5rd(rc, &e);
        }
        PyObject *srcs = PyList_New(0);
        if (!srcs) {
            Py_DECREF(list);
            return NULL;
        }
        for (uint64_t k = 0; k < m.nsources; k++) {
            struct h5rd_vds_source s;
            rc = h5rd_vds_get_source(self->o, i, k, &s, &e);
            if (rc != H5RD_OK) {
                Py_DECREF(srcs);
                Py_DECREF(list);
                return raise_h5rd(rc, &e);
            }
            PyObject *sd = Py_BuildValue("{s:N,s:N,s:N,s:K,s:O,s:i,s:N}", "file",
                                         str_or_none(s.file), "dataset", str_or_none(s.dataset),
                                         "path", str_or_none(s.path), "block",
                                         (unsigned long long)s.block, "missing",
                                         s.missing ? Py_True : Py_False, "reason", (int)s.reason,
                                         "reason_what", str_or_none(s.reason_what));
            if (!sd || PyList_Append(srcs, sd) < 0) {
                Py_XDECREF(sd);
                Py_DECREF(srcs);
                Py_DECREF(list);
                return NULL;
            }
            Py_DECREF(sd);
        }
        PyObject *md = Py_BuildValue("{s:N,s:N,s:N,s:N,s:O,s:N}", "file", str_or_none(m.file),
                                     "dataset", str_or_none(m.dataset), "vspace",
                                     vds_sel(&m.vspace), "srcspace", vds_sel(&m.srcspace),
                                     "is_printf", m.is_printf ? Py_True : Py_False, "sources",
                                     srcs);
        if (!md || PyList_Append(list, md) < 0) {
            Py_XDECREF(md);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(md);
    }
    return list;
}

static PyObject *ObjH_comment(ObjH *self, PyObject *Py_UNUSED(ignored))
{
    const char *c = NULL;
    struct h5rd_error e;
    h5rd_err rc = h5rd_obj_get_comment(self->o, &c, &e);
    if (rc == H5RD_E_NOT_FOUND) {
        Py_RETURN_NONE;
    }
    if (rc != H5RD_OK) {
        return raise_h5rd(rc, &e);
    }
    return str_or_none(c);
}

static PyMethodDef ObjH_methods[] = {
    {"links", (PyCFunction)ObjH_links, METH_NOARGS, "Links of a group."},
    {"find_link", (PyCFunction)ObjH_find_link, METH_VARARGS, "One link of a group by name."},
    {"type", (PyCFunction)ObjH_type, METH_NOARGS, "Type description (dict)."},
    {"space", (PyCFunction)ObjH_space, METH_NOARGS, "(kind, dims, maxdims)."},
    {"layout", (PyCFunction)ObjH_layout, METH_NOARGS, "Storage layout (dict)."},
    {"filters", (PyCFunction)ObjH_filters, METH_NOARGS, "[(id, flags, name, values)]."},
    {"fill", (PyCFunction)ObjH_fill, METH_NOARGS, "(alloc_time, fill_time, defined, bytes)."},
    {"info", (PyCFunction)ObjH_info, METH_NOARGS, "Object header facts (dict)."},
    {"comment", (PyCFunction)ObjH_comment, METH_NOARGS, "Object comment or None."},
    {"elem_nbytes", (PyCFunction)ObjH_elem_nbytes, METH_NOARGS, "Bytes of one read element."},
    {"read", (PyCFunction)ObjH_read, METH_VARARGS, "Read a selection into an array."},
    {"attr_names", (PyCFunction)ObjH_attr_names, METH_NOARGS, "Attribute names in order."},
    {"attr_info", (PyCFunction)ObjH_attr_info, METH_VARARGS, "(name, type, space)."},
    {"attr_read", (PyCFunction)ObjH_attr_read, METH_VARARGS, "Read an attribute."},
    {"nchunks", (PyCFunction)ObjH_nchunks, METH_NOARGS, "Number of allocated chunks."},
    {"chunk", (PyCFunction)ObjH_chunk, METH_VARARGS, "Chunk i: (offset, mask, addr, size)."},
    {"find_chunk", (PyCFunction)ObjH_find_chunk, METH_VARARGS, "Chunk holding coords."},
    {"read_chunk_raw", (PyCFunction)ObjH_read_chunk_raw, METH_VARARGS, "(mask, bytes)."},
    {"chunk_table", (PyCFunction)ObjH_chunk_table, METH_VARARGS, "Fill the chunk table."},
    {"vds_mappings", (PyCFunction)ObjH_vds_mappings, METH_NOARGS, "VDS mappings."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef ObjH_getset[] = {
    {"kind", (getter)ObjH_kind, NULL, "0 group, 1 dataset, 2 datatype", NULL},
    {"addr", (getter)ObjH_addr, NULL, "object header address", NULL},
    {"path", (getter)ObjH_path, NULL, "path the object was opened by", NULL},
    {"external", (getter)ObjH_external, NULL, "reached through an external link", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject ObjH_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "h5rd._h5rd.ObjH",
    .tp_basicsize = sizeof(ObjH),
    .tp_dealloc = (destructor)ObjH_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An open h5rd object (low level).",
    .tp_methods = ObjH_methods,
    .tp_getset = ObjH_getset,
};

/* ---------------------------------------------------------------------------------------- */
static PyObject *mod_set_error_factory(PyObject *Py_UNUSED(m), PyObject *fn)
{
    Py_INCREF(fn);
    Py_XSETREF(g_error_factory, fn);
    Py_RETURN_NONE;
}

static PyObject *mod_strerror(PyObject *Py_UNUSED(m), PyObject *args)
{
    int code;
    if (!PyArg_ParseTuple(args, "i", &code)) {
        return NULL;
    }
    return PyUnicode_FromString(h5rd_strerror((h5rd_err)code));
}

static PyMethodDef mod_methods[] = {
    {"open_file", mod_open_file, METH_VARARGS, "open_file(path, flags=0, cache=-1) -> FileH"},
    {"open_memory", mod_open_memory, METH_VARARGS, "open_memory(buf, flags=0, cache=-1) -> FileH"},
    {"set_error_factory", mod_set_error_factory, METH_O, "Install the exception factory."},
    {"strerror", mod_strerror, METH_VARARGS, "Text of an h5rd error code."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef h5rd_module = {PyModuleDef_HEAD_INIT, "_h5rd",
                                         "C layer of the h5rd package (see h5rd/__init__.py).",
                                         -1, mod_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__h5rd(void);
PyMODINIT_FUNC PyInit__h5rd(void)
{
    import_array();
    if (PyType_Ready(&FileH_Type) < 0 || PyType_Ready(&ObjH_Type) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&h5rd_module);
    if (!m) {
        return NULL;
    }
    Py_INCREF(&FileH_Type);
    Py_INCREF(&ObjH_Type);
    if (PyModule_AddObject(m, "FileH", (PyObject *)&FileH_Type) < 0 ||
        PyModule_AddObject(m, "ObjH", (PyObject *)&ObjH_Type) < 0 ||
        PyModule_AddStringConstant(m, "library_version", h5rd_version()) < 0 ||
        PyModule_AddIntConstant(m, "OPEN_SKIP_CHECKSUMS", H5RD_OPEN_SKIP_CHECKSUMS) < 0 ||
        PyModule_AddIntConstant(m, "OPEN_NO_MMAP", H5RD_OPEN_NO_MMAP) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
