"""Wrong: computes the stride-1 output (padded for stride 1) and keeps every
stride-th value; right for "valid", off by a row for "same" with a stride."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    kh, kw = kernel.shape[:2]
    if padding == "same":
        x = np.pad(x, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))
    y = np.einsum("nijcab,abco->nijo", windows, kernel)[:, ::stride, ::stride]
    return y if bias is None else y + bias
