"""Correct, written apart from the reference: the channel axis moved to the front."""

import numpy as np


def quantize_int8(w, axis=None):
    w = np.asarray(w, dtype=np.float32)
    if axis is None:
        peak = np.float32(np.max(np.abs(w)))
        scale = np.float32(peak / 127) if peak > 0 else np.float32(1.0)
        return np.rint(w / scale).clip(-127, 127).astype(np.int8), scale
    front = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
    peak = np.abs(front).max(axis=1)
    per_channel = np.where(peak > 0, peak / 127, 1).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = w.shape[axis]
    scale = per_channel.reshape(shape)
    return np.rint(w / scale).clip(-127, 127).astype(np.int8), scale


def dequantize(q, scale):
    return (q * np.float32(1)).astype(np.float32) * scale
