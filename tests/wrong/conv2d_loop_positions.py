"""Wrong: a Python loop over every output position (vectorised over images and
channels only): right values, far too slow on real images."""

import numpy as np


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    kh, kw, _, c_out = kernel.shape
    if padding == "same":
        pads = []
        for size, k in ((x.shape[1], kh), (x.shape[2], kw)):
            total = max((-(-size // stride) - 1) * stride + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    rows = (x.shape[1] - kh) // stride + 1
    cols = (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], rows, cols, c_out), dtype=np.result_type(x, kernel))
    for i in range(rows):
        for j in range(cols):
            window = x[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            y[:, i, j, :] = np.tensordot(window, kernel, axes=3)
    return y if bias is None else y + bias
