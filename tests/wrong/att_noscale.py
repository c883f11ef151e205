# ruff: noqa
# Mistake: forgets to divide the scores by sqrt(d).
import numpy as np
def scaled_dot_product_attention(q, k, v, causal=False):
    s = q @ np.swapaxes(k, -1, -2)
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], bool)), s, -np.inf)
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    return w @ v, w
