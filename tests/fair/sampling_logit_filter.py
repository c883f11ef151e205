"""Correct, written apart from the reference: filters logits to -inf, softmax at the end."""

import numpy as np


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    z = np.asarray(logits, dtype=np.float64)
    squeeze = z.ndim == 1
    z = np.atleast_2d(z)
    if temperature == 0:
        out = np.zeros_like(z)
        out[np.arange(len(z)), z.argmax(axis=1)] = 1.0
        return out[0] if squeeze else out
    z = z / temperature
    vocab = z.shape[1]
    ranks = np.argsort(np.argsort(-z, axis=1, kind="stable"), axis=1, kind="stable")
    if top_k is not None and top_k < vocab:
        z = np.where(ranks < top_k, z, -np.inf)
    if top_p is not None and top_p < 1:
        probs = _softmax(z)
        sorted_probs = -np.sort(-probs, axis=1)
        exclusive = np.cumsum(sorted_probs, axis=1) - sorted_probs
        kept_count = (exclusive < top_p).sum(axis=1, keepdims=True)
        z = np.where(ranks < kept_count, z, -np.inf)
    out = _softmax(z)
    return out[0] if squeeze else out
