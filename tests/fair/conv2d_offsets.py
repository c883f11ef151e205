"""Fair: one multiply-add per kernel offset, each over all images and positions."""

import math

import numpy as np


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    x = np.asarray(x, dtype=np.float64)
    kh, kw, c_in, c_out = kernel.shape
    n, h, w, _ = x.shape
    if padding == "same":
        out_h, out_w = math.ceil(h / stride), math.ceil(w / stride)
        pad_h = max((out_h - 1) * stride + kh - h, 0)
        pad_w = max((out_w - 1) * stride + kw - w, 0)
        x = np.pad(
            x, [(0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)]
        )
    else:
        out_h, out_w = (h - kh) // stride + 1, (w - kw) // stride + 1
    result = np.zeros((n, out_h, out_w, c_out))
    for dy in range(kh):
        for dx in range(kw):
            shifted = x[:, dy : dy + stride * out_h : stride, dx : dx + stride * out_w : stride]
            result += np.tensordot(shifted, kernel[dy, dx], axes=([3], [0]))
    if bias is not None:
        result += bias
    return result.astype(np.float32)
