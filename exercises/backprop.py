"""Exercise `backprop`: the gradients of a two-layer network, by hand, in numpy.

Write `mlp_gradients(x, y, params) -> dict`:

- `x` is a float array (N, D): N samples of D features. `y` holds their
  integer labels, shape (N,), each in 0 .. C - 1.
- `params` is a dict of float arrays: "W1" (D, H), "b1" (H,), "W2" (H, C),
  "b2" (C,). Do not modify them.
- The forward pass:
      z1 = x @ W1 + b1            (N, H)
      h = ReLU(z1) = max(z1, 0)   (N, H)
      logits = h @ W2 + b2        (N, C)
      p = softmax(logits)         row by row
      loss = mean over the N samples of -log p[n, y[n]]
- Return a dict with "loss" (a float) and the gradient of that loss with
  respect to each parameter, under the parameter's own name and with ITS
  shape: "W1" (D, H), "b1" (H,), "W2" (H, C), "b2" (C,).
- ReLU's derivative is 1 where z1 > 0 and 0 elsewhere, also at z1 == 0
  exactly (TensorFlow's convention).
- The loss is a MEAN, so the gradients are too: stacking the batch twice
  changes nothing. Whole-batch matrix products; no loop over samples needed.

Example (one sample, D = 2, H = 2, C = 2; the second hidden unit is off):

    >>> x, y = np.array([[1.0, 2.0]]), np.array([0])
    >>> params = {"W1": np.array([[1.0, -1.0], [0.0, -1.0]]), "b1": np.zeros(2),
    ...           "W2": np.array([[1.0, 0.0], [0.0, 1.0]]), "b2": np.zeros(2)}
    >>> g = mlp_gradients(x, y, params)
    >>> # z1 = [1, -3], h = [1, 0], logits = [1, 0], p = [0.731, 0.269]
    >>> round(g["loss"], 4)                  # -log 0.731
    0.3133
    >>> g["b2"].round(4)                     # p - one_hot(y), over N = 1
    array([-0.2689,  0.2689])
    >>> g["W2"].round(4)                     # h.T @ (p - one_hot)
    array([[-0.2689,  0.2689],
           [ 0.    ,  0.    ]])
    >>> g["b1"].round(4)                     # (dlogits @ W2.T) * (z1 > 0)
    array([-0.2689,  0.    ])
    >>> g["W1"].round(4)                     # x.T @ dz1
    array([[-0.2689,  0.    ],
           [-0.5379,  0.    ]])

练习 `backprop`：用 numpy 手工求两层神经网络的梯度。

编写 `mlp_gradients(x, y, params) -> dict`：

- `x` 是形状为 (N, D) 的浮点数组：N 个样本、每个 D 个特征。`y` 是它们的整数标签，
  形状 (N,)，取值在 0 .. C - 1。
- `params` 是浮点数组组成的 dict："W1" (D, H)、"b1" (H,)、"W2" (H, C)、"b2" (C,)。
  不要修改它们。
- 前向计算：
      z1 = x @ W1 + b1            (N, H)
      h = ReLU(z1) = max(z1, 0)   (N, H)
      logits = h @ W2 + b2        (N, C)
      p = softmax(logits)         逐行计算
      loss = 对 N 个样本求 -log p[n, y[n]] 的平均值
- 返回一个 dict：键 "loss"（一个浮点数），以及该损失对每个参数的梯度，键名就是参数名，
  形状与该参数相同："W1" (D, H)、"b1" (H,)、"W2" (H, C)、"b2" (C,)。
- ReLU 的导数在 z1 > 0 处为 1，其余位置为 0，z1 恰好等于 0 时也为 0（与 TensorFlow 一致）。
- 损失是平均值，所以梯度也是：把这批数据重复拼接两次，结果不变。整批做矩阵乘法即可，
  不需要对样本循环。

示例见上（一个样本，D = 2、H = 2、C = 2；第二个隐藏单元未激活）。

Check your work with `mlkata grade backprop`. 用 `mlkata grade backprop` 检查你的答案。
"""

import numpy as np


def mlp_gradients(x, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]

    # TODO: the forward pass, keeping z1 and h for the way back.

    # TODO: the loss: a stable softmax (subtract each row's max), then the mean
    #       of -log p at each sample's label.

    # TODO: backwards: dlogits = (p - one_hot(y)) / N, then W2, b2; through W2 and
    #       the ReLU (only where z1 > 0) to W1, b1.

    raise NotImplementedError("mlp_gradients is not written yet")
