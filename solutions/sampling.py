"""Reference solution: temperature, top-k and top-p (nucleus) filtering, row by row."""

import numpy as np


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    """The distribution a decoder samples the next token from."""
    logits = np.asarray(logits, dtype=np.float64)

    if temperature == 0:
        # Greedy decoding: np.argmax returns the first index when several tie.
        best = np.argmax(logits, axis=-1)
        probs = np.zeros_like(logits)
        np.put_along_axis(probs, best[..., None], 1.0, axis=-1)
    else:
        scaled = logits / temperature
        scaled = scaled - scaled.max(axis=-1, keepdims=True)  # exp() cannot overflow
        probs = np.exp(scaled)
        probs /= probs.sum(axis=-1, keepdims=True)

    # Rank the tokens of each row from most to least likely (a stable sort keeps the
    # lower index first on ties); rank[..., i] is token i's place in that order.
    order = np.argsort(-probs, axis=-1, kind="stable")
    rank = np.argsort(order, axis=-1, kind="stable")

    if top_k is not None:
        probs = np.where(rank < top_k, probs, 0.0)
        probs /= probs.sum(axis=-1, keepdims=True)

    if top_p is not None:
        # Probability mass of all more likely tokens: a token is kept while the mass
        # before it is still short of top_p, which keeps the token that crosses it.
        sorted_probs = np.take_along_axis(probs, order, axis=-1)
        mass_before = np.cumsum(sorted_probs, axis=-1) - sorted_probs
        keep = np.take_along_axis(mass_before < top_p, rank, axis=-1)
        probs = np.where(keep, probs, 0.0)
        probs /= probs.sum(axis=-1, keepdims=True)

    return probs
