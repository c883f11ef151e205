"""Reference solution: per-image min-max scaling to float32, vectorised."""

import numpy as np


def preprocess_image(image):
    """Scale each image to [0, 1] on its own: (x - min) / (max - min), float32."""
    image = np.asarray(image)
    # One min and one max per image: reduce over the last two axes (height, width).
    low = image.min(axis=(-2, -1), keepdims=True)
    high = image.max(axis=(-2, -1), keepdims=True)
    span = (high - low).astype(np.float32)
    # A constant image has span 0: give it scale 0 (all zeros) instead of 0 / 0.
    scale = np.divide(1.0, span, out=np.zeros_like(span), where=span > 0)
    # Subtracting creates a new array, so the caller's image is never modified.
    return (image - low).astype(np.float32) * scale
