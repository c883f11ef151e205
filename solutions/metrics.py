"""Reference solution: a confusion matrix by np.bincount, and the scores read from it."""

import numpy as np


def _safe_divide(numerator, denominator):
    """numerator / denominator as float64, with 0 wherever the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


def classification_metrics(y_true, y_pred, num_classes):
    y_true = np.asarray(y_true).astype(np.int64).ravel()
    y_pred = np.asarray(y_pred).astype(np.int64).ravel()
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        bad = labels[(labels < 0) | (labels >= num_classes)]
        if bad.size:
            raise ValueError(
                f"{name} holds label {bad[0]}, outside 0..{num_classes - 1} "
                f"(num_classes={num_classes})"
            )

    # Each (true, predicted) pair becomes one cell index, true * C + predicted:
    # counting the indices once fills the whole matrix, row = true class.
    cells = y_true * num_classes + y_pred
    confusion = np.bincount(cells, minlength=num_classes**2).reshape(num_classes, num_classes)

    true_positives = np.diag(confusion)
    predicted = confusion.sum(axis=0)  # column sums: how often each class was predicted
    actual = confusion.sum(axis=1)  # row sums: how often each class was the truth
    precision = _safe_divide(true_positives, predicted)
    recall = _safe_divide(true_positives, actual)
    f1 = _safe_divide(2 * precision * recall, precision + recall)

    # Pooled over classes: every wrong prediction is one FP (for the class predicted)
    # and one FN (for the true class), so micro precision = micro recall = accuracy.
    tp, fp, fn = (
        true_positives.sum(),
        (predicted - true_positives).sum(),
        (actual - true_positives).sum(),
    )
    micro_f1 = float(_safe_divide(2 * tp, 2 * tp + fp + fn))

    return {
        "confusion": confusion,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": float(_safe_divide(tp, len(y_true))),
        "macro_f1": float(f1.mean()),
        "micro_f1": micro_f1,
    }
