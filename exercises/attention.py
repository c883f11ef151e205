"""Exercise `attention`: scaled dot-product attention, the core of every Transformer.

Write `scaled_dot_product_attention(q, k, v, causal=False)`:

- `q`: queries (..., Lq, d); `k`: keys (..., Lk, d); `v`: values (..., Lk, dv). The
  leading axes `...` (batch, heads, ...) may be absent or any number, and they
  broadcast like numpy's matmul: q (2, 4, Lq, d) works with k (4, Lk, d).
- scores = q @ k^T / sqrt(d), shape (..., Lq, Lk): transpose only the LAST two axes
  of k, and scale by the square root of the query/key size d.
- weights = softmax of the scores over the KEY axis (the last one): each query's
  weights over the keys sum to 1.
- causal=True: query i may only see keys j <= i (the future is masked out BEFORE
  the softmax, so every row still sums to 1 over the keys it may see).
- Stable: subtract each row's max before exp(); scores in the thousands must work.
- Return `(output, weights)`: output = weights @ v, shape (..., Lq, dv); weights
  (..., Lq, Lk). float64, no Python loops over the leading axes, do not modify inputs.

Example:

    >>> q = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> k = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> v = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> output, weights = scaled_dot_product_attention(q, k, v)
    >>> weights.round(4)           # scores / sqrt(2), softmax over the 3 keys
    array([[0.4011, 0.1978, 0.4011],
           [0.1084, 0.4458, 0.4458]])
    >>> output.round(4)
    array([[0.8022, 0.5989],
           [0.5542, 0.8916]])
    >>> q3 = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> scaled_dot_product_attention(q3, k, v, causal=True)[1].round(4)
    array([[1.    , 0.    , 0.    ],
           [0.1956, 0.8044, 0.    ],
           [0.2483, 0.2483, 0.5035]])

练习 `attention`：缩放点积注意力，每个 Transformer 的核心。

编写 `scaled_dot_product_attention(q, k, v, causal=False)`：

- `q`：查询 (..., Lq, d)；`k`：键 (..., Lk, d)；`v`：值 (..., Lk, dv)。前面的轴 `...`
  （批次、头……）可以没有，也可以有任意多个，并像 numpy 的 matmul 那样广播：
  q (2, 4, Lq, d) 可以与 k (4, Lk, d) 一起使用。
- scores = q @ k^T / sqrt(d)，形状 (..., Lq, Lk)：只转置 k 的最后两个轴，并除以
  查询/键维度 d 的平方根。
- weights = 在“键”轴（最后一个轴）上对 scores 做 softmax：每个查询对所有键的权重之和为 1。
- causal=True：查询 i 只能看到键 j <= i（在 softmax 之前屏蔽未来位置，所以每一行在
  它能看到的键上之和仍为 1）。
- 数值稳定：exp() 之前先减去每行的最大值；分数达到几千也要能算。
- 返回 `(output, weights)`：output = weights @ v，形状 (..., Lq, dv)；weights 形状
  (..., Lq, Lk)。用 float64，不要用 Python 循环遍历前面的轴，不要修改输入。

示例见上方英文部分（数值相同）。

Check your work with `mlkata grade attention`. / 用 `mlkata grade attention` 检查。
"""

import numpy as np


def scaled_dot_product_attention(q, k, v, causal=False):
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))

    # TODO: scores = q @ k^T / sqrt(d), transposing only the last two axes of k.

    # TODO: causal: mask keys j > i before the softmax.

    # TODO: a stable softmax over the key axis, then output = weights @ v.

    raise NotImplementedError("scaled_dot_product_attention is not written yet")
