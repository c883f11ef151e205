"""Reference solution: softmax cross-entropy and its gradient, stable and vectorised."""

import numpy as np


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, and dLoss/dlogits."""
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    n = len(labels)
    rows = np.arange(n)

    # Shifting a row by a constant leaves its softmax unchanged; shifting by the max
    # makes every exponent <= 0, so exp() cannot overflow.
    shifted = logits - logits.max(axis=1, keepdims=True)
    # log softmax = z - log(sum(exp(z))): never log() of a probability that underflowed.
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    loss = -log_probs[rows, labels].mean()

    # d(mean loss)/dz = (softmax - one_hot) / N.
    grad = np.exp(log_probs)
    grad[rows, labels] -= 1.0
    grad /= n
    return float(loss), grad
