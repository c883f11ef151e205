"""Reference solution: scaled dot-product attention over any leading axes."""

import numpy as np


def scaled_dot_product_attention(q, k, v, causal=False):
    """softmax(q k^T / sqrt(d)) v, with an optional causal mask; returns (output, weights)."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    d = q.shape[-1]

    # swapaxes(-1, -2) transposes each key matrix and leaves the batch/head axes alone;
    # matmul broadcasts those leading axes.
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d)

    if causal:
        # Query i sees keys 0..i: the lower triangle, diagonal included. Masked scores
        # become -inf, so exp() gives them exactly 0 weight.
        lq, lk = scores.shape[-2:]
        visible = np.tril(np.ones((lq, lk), dtype=bool))
        scores = np.where(visible, scores, -np.inf)

    # Softmax over the keys (last axis); subtracting the row max keeps exp() finite.
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v, weights
