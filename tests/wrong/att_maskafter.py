# ruff: noqa
# Mistake: zeroes the future AFTER the softmax, so rows no longer sum to 1.
import numpy as np
def scaled_dot_product_attention(q, k, v, causal=False):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    if causal:
        w = w * np.tril(np.ones(s.shape[-2:]))
    return w @ v, w
