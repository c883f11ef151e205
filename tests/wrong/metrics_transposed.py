"""Wrong: counts (predicted, true) pairs, so rows are the predicted class; precision
and recall, read from that matrix, come out swapped."""

import numpy as np


def classification_metrics(y_true, y_pred, num_classes):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if ((y_true < 0) | (y_true >= num_classes) | (y_pred < 0) | (y_pred >= num_classes)).any():
        bad = np.concatenate([y_true, y_pred])
        bad = bad[(bad < 0) | (bad >= num_classes)][0]
        raise ValueError(f"label {bad} out of range")
    cm = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(cm, (y_pred, y_true), 1)
    tp = np.diag(cm)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(tp / cm.sum(axis=0))
        recall = np.nan_to_num(tp / cm.sum(axis=1))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    acc = tp.sum() / len(y_true)
    return {
        "confusion": cm,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": float(acc),
        "macro_f1": float(f1.mean()),
        "micro_f1": float(acc),
    }
