"""Correct, written apart from the reference: boolean mask, returns a list."""

import numpy as np


def softmax_cross_entropy(logits, labels):
    batch = logits.shape[0]
    is_true = np.arange(logits.shape[1])[None, :] == np.asarray(labels)[:, None]
    centred = logits - logits.max(1)[:, None]
    log_sum = np.log(np.exp(centred).sum(1))
    nll = log_sum - centred[is_true]
    gradient = (np.exp(centred - log_sum[:, None]) - is_true) / batch
    return [float(np.mean(nll)), gradient]
