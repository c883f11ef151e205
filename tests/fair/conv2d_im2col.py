"""Fair: im2col with as_strided, then one matrix product with the reshaped kernel."""

import numpy as np
from numpy.lib.stride_tricks import as_strided


def _pad_amounts(size, k, s):
    out = (size + s - 1) // s
    need = max((out - 1) * s + k - size, 0)
    return need // 2, need - need // 2


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    kh, kw, cin, cout = kernel.shape
    if padding == "same":
        x = np.pad(
            x,
            (
                (0, 0),
                _pad_amounts(x.shape[1], kh, stride),
                _pad_amounts(x.shape[2], kw, stride),
                (0, 0),
            ),
        )
    x = np.ascontiguousarray(x)
    n, h, w, _ = x.shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    sn, sh, sw, sc = x.strides
    cols = as_strided(
        x,
        shape=(n, oh, ow, kh, kw, cin),
        strides=(sn, sh * stride, sw * stride, sh, sw, sc),
        writeable=False,
    )
    y = cols.reshape(n * oh * ow, kh * kw * cin) @ kernel.reshape(kh * kw * cin, cout)
    y = y.reshape(n, oh, ow, cout)
    return y + bias if bias is not None else y
