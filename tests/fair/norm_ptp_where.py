"""Correct normalize: np.ptp for the span, np.where to guard the constant image."""

import numpy as np


def preprocess_image(image):
    x = np.asarray(image, dtype=np.float32)
    low = x.min(axis=(-2, -1), keepdims=True)
    span = np.ptp(x, axis=(-2, -1), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = (x - low) / span
    return np.where(span > 0, scaled, np.float32(0)).astype(np.float32)
