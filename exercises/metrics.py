"""Exercise `metrics`: a confusion matrix and the scores read from it, in numpy.

Write `classification_metrics(y_true, y_pred, num_classes) -> dict`:

- `y_true` and `y_pred` are integer arrays of shape (N,), N >= 1: the true
  class and the predicted class of each sample, each in 0 .. num_classes - 1.
- Return a dict with exactly these keys:
  - "confusion": a (C, C) array of INTEGER counts, C = num_classes;
    confusion[i, j] counts the samples whose TRUE class is i and whose
    PREDICTED class is j (rows = true class, columns = predicted class).
  - "precision": (C,) floats, per class: TP / (TP + FP), i.e. the diagonal
    over each COLUMN's sum (of everything predicted c, how much was c).
  - "recall": (C,) floats, per class: TP / (TP + FN), the diagonal over each
    ROW's sum (of everything that was c, how much was found).
  - "f1": (C,) floats, per class: 2 * P * R / (P + R).
  - "accuracy": a float, correct predictions / N.
  - "macro_f1": a float, the plain mean of the C per-class F1 scores (every
    class counts the same, including classes absent from both arrays).
  - "micro_f1": a float, F1 from the counts pooled over all classes
    (sum of TP, sum of FP, sum of FN).
- Division by zero gives 0, never NaN (scikit-learn's zero_division=0): a
  class never predicted has precision 0, a class never present has recall 0,
  and F1 is 0 when P + R == 0.
- A label outside 0 .. num_classes - 1, in either array, raises ValueError
  with a message that names the bad label.
- Vectorise: a million labels take a fraction of a second. No Python loop
  over the samples (np.bincount or np.add.at build the counts at once).

Example (4 classes; class 3 never appears):

    >>> m = classification_metrics(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1]), 4)
    >>> m["confusion"]
    array([[1, 0, 0, 0],
           [0, 0, 1, 0],
           [0, 1, 1, 0],
           [0, 0, 0, 0]])
    >>> m["precision"]                           # recall and f1 are the same here
    array([1. , 0. , 0.5, 0. ])
    >>> m["accuracy"], m["micro_f1"], m["macro_f1"]
    (0.5, 0.5, 0.375)                            # macro: (1 + 0 + 0.5 + 0) / 4

练习 `metrics`：用 numpy 计算混淆矩阵以及由它得到的各项指标。

编写 `classification_metrics(y_true, y_pred, num_classes) -> dict`：

- `y_true` 与 `y_pred` 是形状为 (N,) 的整数数组（N >= 1）：每个样本的真实类别与
  预测类别，取值都在 0 .. num_classes - 1 之间。
- 返回一个恰好包含以下键的 dict：
  - "confusion"：(C, C) 的整数计数数组，C = num_classes；confusion[i, j] 是
    真实类别为 i、预测类别为 j 的样本数（行 = 真实类别，列 = 预测类别）。
  - "precision"：(C,) 浮点数，每类的 TP / (TP + FP)，即对角线除以各列之和
    （预测为 c 的样本里有多少真的是 c）。
  - "recall"：(C,) 浮点数，每类的 TP / (TP + FN)，即对角线除以各行之和
    （真实为 c 的样本里找回了多少）。
  - "f1"：(C,) 浮点数，每类的 2 * P * R / (P + R)。
  - "accuracy"：浮点数，预测正确的样本数 / N（准确率）。
  - "macro_f1"：浮点数，C 个类别 F1 的简单平均（每个类别权重相同，两个数组里
    都没出现的类别也算在内）。
  - "micro_f1"：浮点数，把所有类别的计数合并后（TP、FP、FN 各自求和）算出的 F1。
- 除以零时结果为 0，绝不是 NaN（即 scikit-learn 的 zero_division=0）：从未被预测
  的类别精确率为 0，从未出现的类别召回率为 0，P + R == 0 时 F1 为 0。
- 任一数组中出现 0 .. num_classes - 1 之外的标签时，抛出 ValueError，并在消息里
  写出这个错误的标签。
- 向量化：一百万个标签应在零点几秒内完成。不要对样本写 Python 循环
  （np.bincount 或 np.add.at 可以一次得到所有计数）。

示例见上（4 个类别，类别 3 从未出现）：macro_f1 = (1 + 0 + 0.5 + 0) / 4 = 0.375。

Check your work with `mlkata grade metrics`. 用 `mlkata grade metrics` 检查你的答案。
"""

import numpy as np


def classification_metrics(y_true, y_pred, num_classes):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)

    # TODO: refuse labels outside 0 .. num_classes - 1 (ValueError naming the label).

    # TODO: count the confusion matrix at once (rows = true class, columns = predicted).

    # TODO: precision, recall and F1 per class, with 0 wherever you would divide by 0.

    # TODO: accuracy, macro F1 (mean over classes) and micro F1 (pooled counts).

    raise NotImplementedError("classification_metrics is not written yet")
