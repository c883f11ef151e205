"""Correct, written apart from the reference: one row at a time via apply_along_axis."""

import numpy as np


def _row(z, temperature, top_k, top_p):
    if temperature == 0:
        one_hot = np.zeros(z.size)
        one_hot[int(np.argmax(z))] = 1.0
        return one_hot
    w = np.exp((z - z.max()) / temperature)
    p = w / w.sum()
    order = np.lexsort((np.arange(z.size), -p))
    keep = np.ones(z.size, dtype=bool)
    if top_k is not None:
        keep[order[top_k:]] = False
    p = np.where(keep, p, 0.0)
    p = p / p.sum()
    if top_p is not None:
        mass = np.cumsum(p[order])
        count = int(np.searchsorted(mass, top_p) + 1)
        nucleus = np.zeros(z.size, dtype=bool)
        nucleus[order[:count]] = True
        p = np.where(nucleus, p, 0.0)
        p = p / p.sum()
    return p


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    z = np.asarray(logits, dtype=np.float64)
    return np.apply_along_axis(_row, -1, z, temperature, top_k, top_p)
