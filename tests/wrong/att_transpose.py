# ruff: noqa
# Mistake: k.T transposes every axis, which only works for 2-D inputs.
import numpy as np
def scaled_dot_product_attention(q, k, v, causal=False):
    s = q @ k.T / np.sqrt(q.shape[-1])
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], bool)), s, -np.inf)
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    return w @ v, w
