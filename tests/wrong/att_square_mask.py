# ruff: noqa
# Mistake: builds the causal mask from the number of queries alone, as if there were always
# as many keys: (Lq, Lq) where the scores are (Lq, Lk).
import numpy as np
def scaled_dot_product_attention(q, k, v, causal=False):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if causal:
        n = q.shape[-2]
        s = np.where(np.tril(np.ones((n, n), bool)), s, -np.inf)
    s = s - s.max(-1, keepdims=True)
    w = np.exp(s)
    w /= w.sum(-1, keepdims=True)
    return w @ v, w
