"""Correct, written apart from the reference: log-sum-exp with np.logaddexp.reduce."""

import numpy as np


def softmax_cross_entropy(logits, labels):
    x = np.array(logits, dtype=float)
    y = np.asarray(labels, dtype=np.intp)
    log_norm = np.logaddexp.reduce(x, axis=1)
    log_likelihood = np.take_along_axis(x, y[:, None], axis=1)[:, 0] - log_norm
    probs = np.exp(x - log_norm[:, None])
    probs[np.arange(y.size), y] -= 1
    return -log_likelihood.mean(), probs / y.size
