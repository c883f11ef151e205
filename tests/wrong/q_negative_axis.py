# ruff: noqa
"""Wrong: compares the channel axis with range(w.ndim) as given, so a negative axis (-1,
the last) matches no axis and the whole tensor gets one scale."""

import numpy as np

INT8_MAX = 127  # symmetric: [-127, 127], so -q is always representable


def quantize_int8(w, axis=None):
    """(q, scale) with q = round(w / scale) in [-127, 127] and scale = max|w| / 127."""
    w = np.asarray(w)
    if axis is None:
        reduce_over = None  # every axis: one scale for the whole tensor
    else:
        reduce_over = tuple(a for a in range(w.ndim) if a != axis)  # axis=-1 matches none
    largest = np.abs(w).max(axis=reduce_over, keepdims=True)

    scale = (largest / INT8_MAX).astype(np.float32)
    # An all-zero channel would have scale 0 and w / scale = 0 / 0; any positive scale
    # quantizes its zeros to 0 exactly, so use 1.
    scale = np.where(scale > 0, scale, np.float32(1.0))

    q = np.clip(np.round(w / scale), -INT8_MAX, INT8_MAX).astype(np.int8)
    return q, scale


def dequantize(q, scale):
    """Back to float32: q * scale (each value within scale / 2 of the original)."""
    return q.astype(np.float32) * np.asarray(scale, dtype=np.float32)
