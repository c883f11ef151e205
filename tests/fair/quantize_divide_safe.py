"""Correct, written apart from the reference: np.divide with where= for the zero channels."""

import numpy as np


def quantize_int8(w, axis=None):
    x = np.array(w, dtype=np.float64)
    dims = tuple(range(x.ndim))
    if axis is not None:
        dims = tuple(d for d in dims if d != axis % x.ndim)
    amax = np.amax(np.abs(x), axis=dims, keepdims=True)
    scale = np.ones_like(amax, dtype=np.float32)
    np.divide(amax, 127.0, out=scale, where=amax > 0, casting="unsafe")
    q = np.round(x / scale)
    q = np.minimum(np.maximum(q, -127), 127)
    return q.astype(np.int8), scale.astype(np.float32)


def dequantize(q, scale):
    return np.multiply(q, scale, dtype=np.float32)
