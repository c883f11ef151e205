# ruff: noqa
# Mistake: the loss is the SUM over the rows, and the gradient is the sum's.
import numpy as np
def softmax_cross_entropy(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    grad = np.exp(log_p)
    grad[rows, labels] -= 1
    return float(-log_p[rows, labels].sum()), grad
