"""Fair: sliding windows contracted with the kernel by tensordot; padding by slicing
a zero canvas."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    k_h, k_w = kernel.shape[0], kernel.shape[1]
    batch, height, width, channels = x.shape
    if padding == "same":
        out_h, out_w = -(-height // stride), -(-width // stride)
        total_h = max(0, (out_h - 1) * stride + k_h - height)
        total_w = max(0, (out_w - 1) * stride + k_w - width)
        canvas = np.zeros((batch, height + total_h, width + total_w, channels), x.dtype)
        top, left = total_h // 2, total_w // 2
        canvas[:, top : top + height, left : left + width] = x
        x = canvas
    views = sliding_window_view(x, window_shape=(k_h, k_w), axis=(1, 2))
    views = views[:, ::stride, ::stride]  # (N, Ho, Wo, C_in, kh, kw)
    out = np.tensordot(views, kernel, axes=([4, 5, 3], [0, 1, 2]))
    if bias is not None:
        out = out + np.reshape(bias, (1, 1, 1, -1))
    return out
