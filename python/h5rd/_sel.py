"""h5py 3.7's indexing rules for Dataset.__getitem__, as a hyperslab or a point list.

Supported (as h5py): integers (negative counted from the end; out of range: IndexError),
slices with a positive step (a step < 1 is a ValueError, as in h5py), one Ellipsis, one list
or 1-D integer array per selection (increasing, no duplicates: else TypeError, as h5py), 1-D
boolean arrays along an axis, and a boolean mask of the dataset's shape (result 1-D).
"""

import operator

import numpy as np


class Selection:
    """start/step/count per dimension (hyperslab) or points; array_shape is what numpy gets."""

    def __init__(self, start=None, step=None, count=None, points=None, array_shape=(),
                 nselect=0):
        self.start = start
        self.step = step
        self.count = count
        self.points = points
        self.array_shape = array_shape
        self.nselect = nselect


def _as_index(x):
    try:
        return operator.index(x)
    except TypeError:
        return None


def select(shape, args):
    rank = len(shape)
    args = tuple(args)
    # A boolean mask of the whole dataset.
    if len(args) == 1 and isinstance(args[0], np.ndarray) and args[0].dtype == np.bool_ \
            and args[0].shape == tuple(shape) and rank > 0:
        pts = np.argwhere(args[0]).astype(np.uint64)
        return Selection(points=pts, array_shape=(len(pts),), nselect=len(pts))
    n_ell = sum(1 for a in args if a is Ellipsis)
    if n_ell > 1:
        raise ValueError("Only one ellipsis may be used.")
    if n_ell:
        i = next(k for k, a in enumerate(args) if a is Ellipsis)
        fill = rank - (len(args) - 1)
        if fill < 0:
            raise ValueError("%d indexing arguments for %d dimensions" % (len(args) - 1, rank))
        args = args[:i] + (slice(None),) * fill + args[i + 1:]
    if len(args) > rank:
        raise ValueError("%d indexing arguments for %d dimensions" % (len(args), rank))
    args = args + (slice(None),) * (rank - len(args))

    start, step, count, shape_out = [], [], [], []
    fancy_dim, fancy_idx = None, None
    for dim, (a, n) in enumerate(zip(args, shape)):
        idx = _as_index(a) if not isinstance(a, (bool, np.bool_)) else None
        if idx is not None:
            if idx < 0:
                idx += n
            if idx < 0 or idx >= n:
                raise IndexError("Index (%d) out of range for (0-%d)" % (operator.index(a), n - 1))
            start.append(idx)
            step.append(1)
            count.append(1)
        elif isinstance(a, slice):
            if a.step is not None and operator.index(a.step) < 1:
                raise ValueError("Step must be >= 1 (got %d)" % a.step)
            b, e, s = a.indices(n)
            c = len(range(b, e, s))
            start.append(b if c else 0)
            step.append(s)
            count.append(c)
            shape_out.append(c)
        elif a is None:
            raise TypeError("Illegal slicing argument (newaxis is not supported)")
        else:
            arr = np.asarray(a)
            if arr.dtype == np.bool_:
                if arr.shape != (n,):
                    raise TypeError("Boolean indexing array has incompatible shape")
                arr = np.nonzero(arr)[0]
            if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
                raise TypeError("Illegal slicing argument %r" % (a,))
            if fancy_dim is not None:
                raise TypeError("Only one indexing vector or array is currently allowed for "
                                "fancy indexing")
            arr = arr.astype(np.int64)
            arr = np.where(arr < 0, arr + n, arr)
            if arr.size and (arr.min() < 0 or arr.max() >= n):
                raise IndexError("Index out of range")
            if arr.size > 1 and np.any(np.diff(arr) <= 0):
                raise TypeError("Indexing elements must be in increasing order")
            fancy_dim, fancy_idx = dim, arr
            start.append(0)
            step.append(1)
            count.append(len(arr))
            shape_out.append(len(arr))
    nsel = 1
    for c in count:
        nsel *= c
    if fancy_dim is None:
        return Selection(start, step, count, None, tuple(shape_out), nsel)
    if nsel == 0:
        return Selection(None, None, None, np.zeros((0, rank), np.uint64), tuple(shape_out), 0)
    # The product of the per-dimension indices, in C order: a point list.
    axes = []
    for dim in range(rank):
        if dim == fancy_dim:
            axes.append(fancy_idx.astype(np.uint64))
        else:
            axes.append(start[dim] + step[dim] * np.arange(count[dim], dtype=np.uint64))
    grids = np.meshgrid(*axes, indexing="ij")
    pts = np.stack([g.ravel() for g in grids], axis=1).astype(np.uint64)
    return Selection(None, None, None, np.ascontiguousarray(pts), tuple(shape_out), nsel)
