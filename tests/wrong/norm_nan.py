# ruff: noqa
import numpy as np
def preprocess_image(image):
    x = np.asarray(image, dtype=np.float32)
    lo = x.min(axis=(-2, -1), keepdims=True); span = x.max(axis=(-2, -1), keepdims=True) - lo
    return (x - lo) / span
