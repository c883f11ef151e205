"""Correct, written apart from the reference: masks built in sorted order, then scattered."""

import numpy as np


def _softmax(z):
    z = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    x = np.array(logits, dtype=float)
    if temperature == 0:
        probs = (np.arange(x.shape[-1]) == np.argmax(x, axis=-1)[..., None]).astype(float)
    else:
        probs = _softmax(x / temperature)
    idx = np.argsort(-probs, axis=-1, kind="stable")
    sorted_p = np.take_along_axis(probs, idx, axis=-1)
    positions = np.arange(x.shape[-1])
    if top_k is not None:
        sorted_p = np.where(positions < top_k, sorted_p, 0.0)
        sorted_p = sorted_p / sorted_p.sum(axis=-1, keepdims=True)
    if top_p is not None:
        cum = np.cumsum(sorted_p, axis=-1)
        first_reaching = np.argmax(cum >= top_p, axis=-1)
        first_reaching = np.where(cum[..., -1] >= top_p, first_reaching, x.shape[-1] - 1)
        sorted_p = np.where(positions <= first_reaching[..., None], sorted_p, 0.0)
        sorted_p = sorted_p / sorted_p.sum(axis=-1, keepdims=True)
    out = np.empty_like(sorted_p)
    np.put_along_axis(out, idx, sorted_p, axis=-1)
    return out
