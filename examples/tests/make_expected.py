#!/usr/bin/python3
"""Writes examples/tests/expected/*.txt: what the example programs must print, computed from
h5py (libhdf5), not from h5rd.

    /usr/bin/python3 examples/tests/make_expected.py      (from the repository root)

Each case below matches an add_test in examples/CMakeLists.txt (same name). The file holds the
program's stdout, then a line "--- stderr ---" and its stderr, then "--- exit N ---". Values
come from h5py; the wording of h5rd's error messages (the error cases) is h5rd's own and is
written here by hand.
"""
import os
import sys

import numpy as np
import h5py
from h5py import h5d, h5o

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "examples", "tests", "expected")


def fnv1a(b):
    h = 0xCBF29CE484222325
    for c in b:
        h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def native(a):
    """The bytes h5rd_dataset_read gives with memtype NULL: the file type, numbers native."""
    a = np.asarray(a)
    if a.dtype.names is None and a.dtype.kind in "iuf" and a.dtype.byteorder not in ("=", "|"):
        a = a.astype(a.dtype.newbyteorder("="))
    return np.ascontiguousarray(a).tobytes()


# ---- read_dataset -------------------------------------------------------------------------


def type_name(dt, tid=None):
    order = " big-endian" if dt.byteorder == ">" else ""
    if dt.kind == "i":
        return "int%d%s" % (dt.itemsize * 8, order)
    if dt.kind == "u":
        return "uint%d%s" % (dt.itemsize * 8, order)
    if dt.kind == "f":
        return "float%d%s" % (dt.itemsize * 8, order)
    if dt.kind == "S":
        return "string[%d]" % dt.itemsize
    if dt.kind == "O":
        info = h5py.check_string_dtype(dt)
        if info is not None:
            return "variable-length string"
        return "object reference"
    raise NotImplementedError(dt)


def shape_str(ds):
    if ds.shape is None:
        return "null (no elements)"
    if ds.shape == ():
        return "scalar"
    return "{" + ", ".join(str(n) for n in ds.shape) + "}"


def walk(f, g, path, depth, seen, lines, first):
    for name in g:  # h5py's order: by name, or by creation order where tracked
        child = ("/" + name) if path == "/" else path + "/" + name
        link = g.get(name, getlink=True)
        pre = "%*s%s  " % (2 * depth, "", child)
        if isinstance(link, h5py.SoftLink):
            lines.append(pre + "soft link -> %s" % link.path)
        elif isinstance(link, h5py.ExternalLink):
            lines.append(pre + "external link -> %s:%s" % (link.filename, link.path))
        else:
            obj = g[name]
            if isinstance(obj, h5py.Group):
                addr = h5o.get_info(obj.id).addr
                if addr in seen:
                    lines.append(pre + "group (hard link to a group listed already)")
                else:
                    seen.add(addr)
                    lines.append(pre + "group")
                    walk(f, obj, child, depth + 1, seen, lines, first)
            elif isinstance(obj, h5py.Dataset):
                lines.append(pre + "dataset %s %s" % (shape_str(obj), type_name(obj.dtype)))
                if not first:
                    first.append(child)
            else:
                lines.append(pre + "named datatype")


def fmt_value(v, dt):
    if dt.kind == "f":
        return "%.17g" % float(v)
    if dt.kind in "iu":
        return "%d" % int(v)
    if dt.kind == "S":
        return '"%s"' % bytes(v).split(b"\0")[0].decode()
    raise NotImplementedError(dt)


def read_dataset(filename, dpath=None, pairs=(), stdout_before_error=None, stderr=None):
    """Without 'stderr': the walk, then the block read from h5py. With it (an error case): the
    walk, the lines read_dataset prints before the failure, then the given stderr, exit 1."""
    lines = []
    with h5py.File(os.path.join(ROOT, filename), "r") as f:
        lines.append("%s:" % filename)
        lines.append("/  group")
        first = []
        walk(f, f, "/", 1, {h5o.get_info(f["/"].id).addr}, lines, first)
        dpath = dpath or (first[0] if first else None)
        if dpath is None:
            lines.append("(no dataset in this file)")
            return lines, [], 0
        lines.append("")
        if stderr is not None:
            return lines + list(stdout_before_error or []), stderr, 1
        ds = f[dpath]
        lay = ds.id.get_create_plist().get_layout()
        lname = {h5d.COMPACT: "compact", h5d.CONTIGUOUS: "contiguous", h5d.CHUNKED: "chunked",
                 h5d.VIRTUAL: "virtual"}[lay]
        s = "dataset %s: shape %s, type %s, layout %s" % (dpath, shape_str(ds),
                                                       type_name(ds.dtype), lname)
        if lay == h5d.CHUNKED:
            s += " (chunks {%s})" % ", ".join(str(c) for c in ds.chunks)
        lines.append(s)
        rank = len(ds.shape)
        start = [0] * rank
        count = [min(n, 5) for n in ds.shape]
        for d, p in enumerate(pairs):
            start[d], count[d] = (int(x) for x in p.split(","))
        npts = int(np.prod(count)) if rank else 1
        lines.append("reading" + "".join(" [%d:%d]" % (a, a + c) for a, c in zip(start, count))
                     + ("" if rank else " the scalar") + " (%d elements)" % npts)
        sel = tuple(slice(a, a + c) for a, c in zip(start, count))
        flat = (ds[sel] if rank else np.asarray(ds[()])).reshape(-1)
        row = count[-1] if rank else 1
        for i in range(0, npts, row):
            idx = np.unravel_index(i, count) if rank else ()
            coords = ",".join(str(a + b) for a, b in zip(start, idx))
            lines.append("  (%s): %s" % (coords, ", ".join(fmt_value(v, ds.dtype)
                                                            for v in flat[i:i + row])))
    return lines, [], 0


# ---- chunks -------------------------------------------------------------------------------


def chunks(filename, dpath):
    lines = []
    with h5py.File(os.path.join(ROOT, filename), "r") as f:
        ds = f[dpath]
        rank = len(ds.shape)
        tup = lambda t: "(" + ",".join(str(x) for x in t) + ")"
        esize = ds.dtype.itemsize
        lines.append("%s: shape %s, chunk shape %s, %d-byte elements" % (dpath, tup(ds.shape),
                                                                           tup(ds.chunks), esize))
        pl = ds.id.get_create_plist()
        for i in range(pl.get_nfilters()):
            code, flags, _vals, _name = pl.get_filter(i)
            lines.append("filter %d: id %d%s" % (i, code, " (optional)" if flags & 1 else ""))
        grid = [-(-n // c) for n, c in zip(ds.shape, ds.chunks)]
        ngrid = int(np.prod(grid))
        n = ds.id.get_num_chunks()
        lines.append("%d of %d chunks allocated" % (n, ngrid))
        infos = [ds.id.get_chunk_info(i) for i in range(n)]
        for i, ci in enumerate(infos[:10]):
            lines.append("  chunk %d: offset %s address %d size %d filter mask 0x%x"
                         % (i, tup(ci.chunk_offset), ci.byte_offset, ci.size, ci.filter_mask))
        if n > 10:
            lines.append("  ... (%d more)" % (n - 10))
        if n:
            first = infos[0]
            mask, raw = ds.id.read_direct_chunk(first.chunk_offset)
            lines.append("raw chunk at %s: %d stored bytes, filter mask 0x%x, fnv1a %016x"
                         % (tup(first.chunk_offset), len(raw), mask, fnv1a(raw)))
            sel = tuple(slice(o, o + c) for o, c in zip(first.chunk_offset, ds.chunks))
            block = ds[sel]
            assert block.shape == ds.chunks, "pick datasets whose first chunk is not an edge chunk"
            dec = native(block)
            lines.append("decoded chunk at %s: %d bytes, fnv1a %016x" % (tup(first.chunk_offset),
                                                                        len(dec), fnv1a(dec)))
        whole = native(ds[()])
        lines.append("assembled %d chunks into %d bytes (fnv1a %016x): OK, identical to "
                     "h5rd_dataset_read" % (ngrid, len(whole), fnv1a(whole)))
    return lines, [], 0


# ---- threads ------------------------------------------------------------------------------


def threads(filename, dpath, nthreads):
    lines = []
    with h5py.File(os.path.join(ROOT, filename), "r") as f:
        ds = f[dpath]
        a = ds[()]
        frame_nbytes = int(np.prod(ds.shape[1:], dtype=np.int64)) * ds.dtype.itemsize
        lines.append("%s: %d frames of %d bytes, %d threads sharing one file handle"
                     % (dpath, ds.shape[0], frame_nbytes, nthreads))
        total = 0
        for i in range(ds.shape[0]):
            h = fnv1a(native(a[i]))
            total = (total + h) & 0xFFFFFFFFFFFFFFFF
            if i < 32:
                lines.append("  frame %d: fnv1a %016x" % (i, h))
            elif i == 32:
                lines.append("  ... (%d more frames)" % (ds.shape[0] - 32))
        lines.append("sum of frame checksums: %016x (threads), %016x (one read): OK" % (total, total))
    return lines, [], 0


# ---- the cases (names as in examples/CMakeLists.txt) -------------------------------------

TRUNCATED_STDERR = [
    "read_dataset: fixtures/hostile/addr_data_past_eof.h5: h5rd_dataset_read failed: truncated: "
    "structure runs past the end of the file or block (error 4)",
    "  what:        address: range extends past the end of the file",
    "  object:      /c",
    "  file offset: 21932 (0x55ac)"]

CASES = {
    "read_dataset_demo": lambda: read_dataset("fixtures/h5/demo.h5"),
    "read_dataset_block": lambda: read_dataset("fixtures/h5/demo.h5", "/measurements/temps",
                                               ["1,2", "1,3"]),
    "read_dataset_edge": lambda: read_dataset("fixtures/h5/filters_latest.h5", "/gzip_2d",
                                              ["20,3", "14,3"]),
    "read_dataset_links": lambda: read_dataset("fixtures/h5/links_latest.h5"),
    "read_dataset_scalar": lambda: read_dataset("fixtures/h5/dataspaces_latest.h5", "/scalar"),
    # Error cases: h5rd's own wording (include/h5rd.h codes, docs/errors.md).
    "read_dataset_not_found": lambda: read_dataset(
        "fixtures/h5/demo.h5", "/nope", stderr=[
            "read_dataset: fixtures/h5/demo.h5: h5rd_obj_open failed: not found (error 9)",
            "  what:        path: no such link",
            "  object:      /nope"]),
    "read_dataset_range": lambda: read_dataset(
        "fixtures/h5/demo.h5", "/measurements/temps", stdout_before_error=[
            "dataset /measurements/temps: shape {3, 4}, type float64, layout chunked "
            "(chunks {2, 2})",
            "reading [2:7] [0:4] (20 elements)"], stderr=[
            "read_dataset: fixtures/h5/demo.h5: h5rd_dataset_read failed: out of range "
            "(error 11)",
            "  what:        selection: hyperslab outside the dataspace",
            "  object:      /measurements/temps"]),
    # fixtures/hostile/MANIFEST: reading /c fails TRUNCATED (its data address is past the end
    # of the file); the offset is that address, as h5ls -v / h5py's get_offset() report it.
    "read_dataset_truncated": lambda: read_dataset(
        "fixtures/hostile/addr_data_past_eof.h5", "/c", stdout_before_error=[
            "dataset /c: shape {4, 5}, type int32, layout contiguous",
            "reading [0:4] [0:5] (20 elements)"], stderr=TRUNCATED_STDERR),
    "chunks_gzip_2d": lambda: chunks("fixtures/h5/filters_latest.h5", "/gzip_2d"),
    "chunks_gzip_2d_btree1": lambda: chunks("fixtures/h5/filters_earliest.h5", "/gzip_2d"),
    "chunks_bitshuffle_lz4": lambda: chunks("fixtures/h5/filters_latest.h5", "/bitshuffle_lz4"),
    "chunks_sparse_fill": lambda: chunks("fixtures/h5/chunkidx_latest.h5", "/btree2_sparse"),
    "chunks_earray_sparse": lambda: chunks("fixtures/h5/chunkidx_latest.h5", "/earray_sparse"),
    "chunks_edge_nan_fill": lambda: chunks("fixtures/h5/fillvalue_latest.h5", "/defined_f8"),
    "threads_gzip_2d": lambda: threads("fixtures/h5/filters_latest.h5", "/gzip_2d", 3),
    "threads_bitshuffle_lz4": lambda: threads("fixtures/h5/filters_latest.h5", "/bitshuffle_lz4", 8),
    "threads_3d_more_threads_than_frames": lambda: threads("fixtures/h5/dataspaces_latest.h5",
                                                           "/d3", 5),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    names = sys.argv[1:] or sorted(CASES)
    for name in names:
        out, err, rc = CASES[name]()
        text = "\n".join(out) + "\n--- stderr ---\n" + "".join(l + "\n" for l in err)
        text += "--- exit %d ---\n" % rc
        with open(os.path.join(OUT, name + ".txt"), "w") as fh:
            fh.write(text)
        print("wrote", name)


if __name__ == "__main__":
    main()
