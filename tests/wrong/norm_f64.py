# ruff: noqa
import numpy as np
def preprocess_image(image):
    x = np.asarray(image, dtype=np.float64)
    lo = x.min(axis=(-2, -1), keepdims=True); span = x.max(axis=(-2, -1), keepdims=True) - lo
    return np.divide(x - lo, span, out=np.zeros_like(x), where=span > 0)
