# ruff: noqa
# Mistake: the scale stays float64, so dequantize returns float64.
import numpy as np
def quantize_int8(w, axis=None):
    axes = None if axis is None else tuple(i for i in range(w.ndim) if i != axis % w.ndim)
    scale = np.abs(w).astype(np.float64).max(axis=axes, keepdims=True) / 127
    scale = np.where(scale > 0, scale, 1.0)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale
def dequantize(q, scale):
    return q * scale
