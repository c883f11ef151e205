"""Wrong: macro F1 taken as the F1 of the mean precision and the mean recall."""

import numpy as np


def classification_metrics(y_true, y_pred, num_classes):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    for labels in (y_true, y_pred):
        outside = labels[(labels < 0) | (labels >= num_classes)]
        if outside.size:
            raise ValueError(f"label {outside[0]} is not a class")
    cm = np.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
    cm = cm.reshape(num_classes, num_classes)
    tp = np.diag(cm).astype(float)
    col, row = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.where(col > 0, tp / np.maximum(col, 1), 0.0)
    recall = np.where(row > 0, tp / np.maximum(row, 1), 0.0)
    total = precision + recall
    f1 = np.where(total > 0, 2 * precision * recall / np.where(total > 0, total, 1), 0.0)
    p, r = precision.mean(), recall.mean()
    acc = tp.sum() / len(y_true)
    return {
        "confusion": cm,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": float(acc),
        "macro_f1": float(2 * p * r / (p + r)),
        "micro_f1": float(acc),
    }
