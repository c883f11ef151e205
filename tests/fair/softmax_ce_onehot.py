"""Correct, written apart from the reference: an explicit one-hot matrix."""

import numpy as np


def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    one_hot = np.eye(c)[labels]
    m = np.max(logits, axis=-1, keepdims=True)
    e = np.exp(logits - m)
    s = np.sum(e, axis=-1, keepdims=True)
    log_softmax = logits - m - np.log(s)
    loss = -np.sum(one_hot * log_softmax) / n
    grad = (e / s - one_hot) / n
    return np.array(loss), grad
