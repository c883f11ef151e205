# ruff: noqa
# Mistake: the softmax runs over the query axis.
import numpy as np
def scaled_dot_product_attention(q, k, v, causal=False):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], bool)), s, -np.inf)
    w = np.exp(s - s.max(-2, keepdims=True))
    w /= w.sum(-2, keepdims=True)
    return w @ v, w
