"""Wrong: forgets the bias."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    kh, kw = kernel.shape[:2]
    if padding == "same":
        pads = []
        for size, k in ((x.shape[1], kh), (x.shape[2], kw)):
            total = max((-(-size // stride) - 1) * stride + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nijcab,abco->nijo", windows, kernel)
