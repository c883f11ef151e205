"""Correct normalize: float32 throughout, multiply by a reciprocal computed only where defined."""

import numpy as np


def preprocess_image(image):
    x = np.array(image, dtype=np.float32, copy=True)
    axes = (x.ndim - 2, x.ndim - 1)
    lo = np.min(x, axis=axes, keepdims=True)
    hi = np.max(x, axis=axes, keepdims=True)
    inv = np.zeros_like(hi)
    np.reciprocal(hi - lo, out=inv, where=hi > lo)
    np.subtract(x, lo, out=x)
    np.multiply(x, inv, out=x)
    return x
