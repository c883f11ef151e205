"""Exercise `softmax_ce`: softmax cross-entropy and its gradient, from scratch in numpy.

Write `softmax_cross_entropy(logits, labels)`:

- `logits`: floats of shape (N, C), one row of raw scores per example.
- `labels`: integers of shape (N,), each the true class of its row, 0 <= label < C.
- Return a pair `(loss, grad)`:
  - `loss`: ONE float, the MEAN over the N rows of -log(softmax(row)[label]);
  - `grad`: dLoss/dlogits, shape (N, C): (softmax(logits) - one_hot(labels)) / N.
- Stable: logits of +-1e4 must give finite, exact values (no inf, no NaN). Subtract
  each row's max before exp(), and take log-softmax as z - log(sum(exp(z))) rather
  than log() of a probability that may have underflowed to 0.
- Compute in float64 (the stub converts `logits` for you) and do not modify
  `logits` or `labels`.
- Vectorise: 600,000 rows take a fraction of a second; no Python loop over rows.

Example:

    >>> logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
    >>> loss, grad = softmax_cross_entropy(logits, np.array([0, 1]))
    >>> round(loss, 4)                    # (0.4076 + 3.0949) / 2
    1.7513
    >>> grad.round(4)
    array([[-0.1674,  0.1224,  0.045 ],
           [ 0.0226, -0.4774,  0.4547]])
    >>> bool(np.allclose(grad.sum(axis=1), 0))   # every row of the gradient sums to 0
    True

练习 `softmax_ce`：用 numpy 从零实现 softmax 交叉熵及其梯度。

编写 `softmax_cross_entropy(logits, labels)`：

- `logits`：形状为 (N, C) 的浮点数，每个样本一行原始分数。
- `labels`：形状为 (N,) 的整数，每个是对应行的真实类别，0 <= label < C。
- 返回二元组 `(loss, grad)`：
  - `loss`：一个浮点数，N 行的 -log(softmax(行)[label]) 的平均值（不是总和）；
  - `grad`：dLoss/dlogits，形状 (N, C)：(softmax(logits) - one_hot(labels)) / N。
- 数值稳定：logits 为 +-1e4 时也要给出有限且精确的值（没有 inf、NaN）。exp() 之前先减去
  每行的最大值；用 z - log(sum(exp(z))) 计算 log-softmax，而不是对可能已下溢为 0 的
  概率取 log()。
- 用 float64 计算（模板已替你转换 `logits`），不要修改 `logits` 或 `labels`。
- 向量化：60 万行只需几分之一秒；不要用 Python 循环遍历各行。

示例见上方英文部分（数值相同）。

Check your work with `mlkata grade softmax_ce`. / 用 `mlkata grade softmax_ce` 检查。
"""

import numpy as np


def softmax_cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)

    # TODO: log-softmax of each row, stably (subtract the row's max first).

    # TODO: the loss: the mean of -log p[label] over the rows.

    # TODO: the gradient: softmax minus one-hot of the labels, divided by N.

    raise NotImplementedError("softmax_cross_entropy is not written yet")
