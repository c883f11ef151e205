# ruff: noqa
import numpy as np
def preprocess_image(image):
    return (np.asarray(image) / 255.0).astype(np.float32)
