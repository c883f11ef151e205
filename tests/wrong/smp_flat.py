# ruff: noqa
# Mistake: max and sum over the whole batch instead of each row.
import numpy as np
def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    logits = np.asarray(logits, dtype=np.float64)
    if temperature == 0:
        p = np.zeros_like(logits)
        np.put_along_axis(p, np.argmax(logits, -1)[..., None], 1.0, -1)
    else:
        z = logits / temperature
        p = np.exp(z - z.max())
        p /= p.sum()
    order = np.argsort(-p, -1, kind="stable")
    rank = np.argsort(order, -1)
    if top_k is not None:
        p = np.where(rank < top_k, p, 0); p /= p.sum(-1, keepdims=True)
    if top_p is not None:
        s = np.take_along_axis(p, order, -1)
        keep = np.take_along_axis(np.cumsum(s, -1) - s < top_p, rank, -1)
        p = np.where(keep, p, 0); p /= p.sum(-1, keepdims=True)
    return p
