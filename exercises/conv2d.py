"""Exercise `conv2d`: the forward pass of Keras' Conv2D, in numpy.

Write `conv2d(x, kernel, bias=None, stride=1, padding="valid") -> y`:

- `x` is a float array of shape (N, H, W, C_in): a batch of images, channels last.
- `kernel` has shape (kh, kw, C_in, C_out), Keras' layout (`layer.kernel`);
  kh and kw may be odd or even, and differ.
- `bias` is None or shape (C_out,): added to every position of output channel o.
- `stride` is a positive int, the step along both height and width.
- `padding` is "valid" (no padding) or "same" (zeros around x, as Keras and
  TensorFlow place them):
  - valid: H_out = (H - kh) // stride + 1 (the same for W);
  - same:  H_out = ceil(H / stride); pad = max((H_out - 1) * stride + kh - H, 0)
    rows in all, pad // 2 on top and the rest at the BOTTOM (so an odd pad puts
    its extra row at the bottom; columns likewise, extra on the right).
- Return y of shape (N, H_out, W_out, C_out), floats, where (with x padded)
      y[n, i, j, o] = sum over a, b, c of
                      x[n, i*stride + a, j*stride + b, c] * kernel[a, b, c, o]  (+ bias[o])
  That is a CROSS-CORRELATION: the kernel is NOT flipped (a textbook
  convolution would use kernel[kh-1-a, kw-1-b]); Keras' Conv2D computes exactly this.
- Vectorise over N, H and W: no Python loop over images or output positions.
  A loop over the kh * kw kernel offsets is fine (that is 9 steps for 3x3).
  numpy.lib.stride_tricks.sliding_window_view is allowed.

Example (x holds 0..15 in a 4x4 image; the kernel takes a pixel minus its
lower-right neighbour, so every output is -5; a flipped kernel would give +5):

    >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    >>> kernel = np.array([[1, 0], [0, -1]], np.float32).reshape(2, 2, 1, 1)
    >>> conv2d(x, kernel)[0, :, :, 0]
    array([[-5., -5., -5.],
           [-5., -5., -5.],
           [-5., -5., -5.]], dtype=float32)
    >>> conv2d(x, kernel, padding="same").shape        # pad 1 row: 0 on top, 1 below
    (1, 4, 4, 1)
    >>> conv2d(x, kernel, padding="same")[0, 3, :, 0]  # the last row meets the zeros
    array([12., 13., 14., 15.], dtype=float32)
    >>> conv2d(x, kernel, stride=2).shape
    (1, 2, 2, 1)

练习 `conv2d`：用 numpy 实现 Keras Conv2D 的前向计算。

编写 `conv2d(x, kernel, bias=None, stride=1, padding="valid") -> y`：

- `x` 是形状为 (N, H, W, C_in) 的浮点数组：一批图像，通道在最后。
- `kernel` 的形状是 (kh, kw, C_in, C_out)，即 Keras 的布局（`layer.kernel`）；
  kh、kw 可以是奇数或偶数，也可以不相等。
- `bias` 为 None 或形状 (C_out,)：加到输出通道 o 的每个位置上。
- `stride` 是正整数，高和宽方向的步长相同。
- `padding` 为 "valid"（不填充）或 "same"（按 Keras 与 TensorFlow 的方式在 x 周围补零）：
  - valid：H_out = (H - kh) // stride + 1（W 同理）；
  - same：H_out = ceil(H / stride)；共填充 pad = max((H_out - 1) * stride + kh - H, 0) 行，
    上方 pad // 2 行，其余放在下方（pad 为奇数时多出的一行在下方；列同理，多出的一列在右侧）。
- 返回形状为 (N, H_out, W_out, C_out) 的浮点数组 y，其中（x 已填充）
      y[n, i, j, o] = 对 a, b, c 求和
                      x[n, i*stride + a, j*stride + b, c] * kernel[a, b, c, o]（+ bias[o]）
  这是互相关：卷积核不翻转（教科书上的卷积会用 kernel[kh-1-a, kw-1-b]）；Keras 的 Conv2D
  正是这样计算的。
- 在 N、H、W 上向量化：不要对图像或输出位置写 Python 循环。对 kh * kw 个卷积核偏移
  循环是可以的（3x3 只需 9 步）。可以使用 numpy.lib.stride_tricks.sliding_window_view。

示例见上：x 是 4x4 图像中的 0..15，卷积核取“像素减去其右下邻居”，所以每个输出都是 -5；
翻转了卷积核则会得到 +5。

Check your work with `mlkata grade conv2d`. 用 `mlkata grade conv2d` 检查你的答案。
"""

import numpy as np


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    x = np.asarray(x)
    kernel = np.asarray(kernel)
    kh, kw, c_in, c_out = kernel.shape

    # TODO: for padding="same", work out H_out and W_out, then pad x with zeros:
    #       pad // 2 before, the rest after (np.pad).

    # TODO: multiply every (kh, kw, C_in) window by the kernel and sum, for all
    #       images and output positions at once, stepping by `stride`.

    # TODO: add the bias (one value per output channel) when it is given.

    raise NotImplementedError("conv2d is not written yet")
