"""Correct, written apart from the reference: einsum and a large negative mask value."""

import numpy as np


def scaled_dot_product_attention(q, k, v, causal=False):
    scale = 1.0 / np.sqrt(q.shape[-1])
    logits = np.einsum("...id,...jd->...ij", q * scale, k)
    if causal:
        i = np.arange(logits.shape[-2])[:, None]
        j = np.arange(logits.shape[-1])[None, :]
        logits = np.where(j > i, -1e30, logits)
    logits = logits - np.amax(logits, axis=-1, keepdims=True)
    p = np.exp(logits)
    p = p / np.sum(p, axis=-1, keepdims=True)
    return np.einsum("...ij,...jv->...iv", p, v), p
