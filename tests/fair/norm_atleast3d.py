"""Correct normalize: treat one image as a batch of one, clip the span, mask constant images."""

import numpy as np


def preprocess_image(image):
    arr = np.asarray(image)
    single = arr.ndim == 2
    batch = arr[None] if single else arr
    batch = batch.astype(np.float32)
    mins = batch.min(axis=(1, 2))[:, None, None]
    maxs = batch.max(axis=(1, 2))[:, None, None]
    flat = maxs == mins
    result = (batch - mins) / np.maximum(maxs - mins, np.finfo(np.float32).tiny)
    result = result * ~flat
    return result[0] if single else result
