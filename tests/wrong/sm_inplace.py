# ruff: noqa
# Mistake: shifts the caller's logits in place.
import numpy as np
def softmax_cross_entropy(logits, labels):
    logits -= logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    grad = np.exp(log_p)
    grad[rows, labels] -= 1
    return float(-log_p[rows, labels].mean()), grad / len(labels)
