# ruff: noqa
import numpy as np
def preprocess_image(image):
    image = np.asarray(image)
    if image.ndim == 2:
        return _one(image)
    out = np.empty(image.shape, np.float32)
    for i, img in enumerate(image):
        out[i] = _one(img)
    return out
def _one(img):
    lo, hi = min(img.flatten()), max(img.flatten())
    if hi == lo:
        return np.zeros(img.shape, np.float32)
    return ((img - lo) / (hi - lo)).astype(np.float32)
