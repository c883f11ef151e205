# ruff: noqa
import numpy as np
def preprocess_image(image):
    if image.dtype.kind == "f":
        x = image
    else:
        x = image.astype(np.float32)
    x -= x.min(axis=(-2, -1), keepdims=True)
    span = x.max(axis=(-2, -1), keepdims=True)
    np.divide(x, span, out=x, where=span > 0)
    return x.astype(np.float32)
