"""Wrong: counts the confusion matrix in a loop over Python ints (tolist()): fast enough
for the CPU limit, but a Python loop over every sample all the same."""

import numpy as np


def classification_metrics(y_true, y_pred, num_classes):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    c = num_classes
    for labels in (y_true, y_pred):
        outside = labels[(labels < 0) | (labels >= c)]
        if outside.size:
            raise ValueError(f"label {outside[0]} is outside 0..{c - 1}")
    rows = [[0] * c for _ in range(c)]
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        rows[t][p] += 1
    cm = np.array(rows, dtype=np.int64)
    tp = np.diag(cm).astype(float)
    col, row = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, col, out=np.zeros(c), where=col > 0)
    recall = np.divide(tp, row, out=np.zeros(c), where=row > 0)
    f1 = np.divide(
        2 * precision * recall, precision + recall, out=np.zeros(c), where=precision + recall > 0
    )
    return {
        "confusion": cm,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": float(tp.sum() / len(y_true)),
        "macro_f1": float(f1.mean()),
        "micro_f1": float(tp.sum() / len(y_true)),
    }
