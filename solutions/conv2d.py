"""Reference solution: Keras' Conv2D forward pass as windows times the kernel (im2col)."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _same_padding(size: int, k: int, stride: int) -> tuple[int, int]:
    """(before, after) zeros along one axis for padding="same", as TensorFlow pads."""
    out = -(-size // stride)  # ceil(size / stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2  # an odd total puts the extra one after


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    x = np.asarray(x)
    kernel = np.asarray(kernel)
    kh, kw, c_in, c_out = kernel.shape
    if padding == "same":
        rows = _same_padding(x.shape[1], kh, stride)
        cols = _same_padding(x.shape[2], kw, stride)
        x = np.pad(x, ((0, 0), rows, cols, (0, 0)))
    elif padding != "valid":
        raise ValueError(f'padding must be "valid" or "same", not {padding!r}')

    # Every kh x kw window of every image, as a view (no copy): shape
    # (N, H - kh + 1, W - kw + 1, C_in, kh, kw); the stride keeps every stride-th one.
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    # Cross-correlation: window[c, a, b] meets kernel[a, b, c, o], unflipped.
    y = np.einsum("nijcab,abco->nijo", windows, kernel, optimize=True)
    if bias is not None:
        y = y + np.asarray(bias)  # broadcasts over the last axis: one value per channel
    return y
