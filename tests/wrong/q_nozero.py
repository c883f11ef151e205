# ruff: noqa
# Mistake: an all-zero channel gets scale 0, and w / 0 is 0 / 0.
import numpy as np
def quantize_int8(w, axis=None):
    axes = None if axis is None else tuple(i for i in range(w.ndim) if i != axis % w.ndim)
    scale = (np.abs(w).max(axis=axes, keepdims=True) / 127).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale
def dequantize(q, scale):
    return q.astype(np.float32) * scale
