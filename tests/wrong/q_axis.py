# ruff: noqa
# Mistake: per channel, takes the max ALONG axis instead of over the other axes.
import numpy as np
def quantize_int8(w, axis=None):
    axes = axis
    scale = (np.abs(w).max(axis=axes, keepdims=True) / 127).astype(np.float32)
    scale = np.where(scale > 0, scale, np.float32(1))
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale
def dequantize(q, scale):
    return q.astype(np.float32) * scale
