"""Correct, written apart from the reference: log-sum-exp weights, a masked-array mask."""

import numpy as np


def scaled_dot_product_attention(q, k, v, causal=False):
    d = q.shape[-1]
    s = (q @ k.swapaxes(-2, -1)) / np.sqrt(d)
    if causal:
        future = ~np.tri(s.shape[-2], s.shape[-1], dtype=bool)
        s = np.ma.masked_array(s, mask=np.broadcast_to(future, s.shape)).filled(-np.inf)
    m = s.max(axis=-1, keepdims=True)
    log_z = m + np.log(np.exp(s - m).sum(axis=-1, keepdims=True))
    w = np.exp(s - log_z)
    return w @ v, w
