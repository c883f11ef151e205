"""Exercise `normalize`: min-max scale MNIST images to [0, 1].

Write `preprocess_image(image)`:

- `image` is ONE image of shape (28, 28) or a BATCH of shape (N, 28, 28),
  holding numbers (usually uint8 pixels 0-255, but any numeric dtype).
- Return a new float32 array of the same shape in which EACH IMAGE is scaled
  on its own: (x - min) / (max - min), with min and max taken over that
  image's pixels only, so every non-constant image spans exactly [0, 1].
- A constant image (max == min, e.g. a blank one) becomes all zeros:
  never NaN, never inf.
- Never modify the input array.
- Vectorise: the grader times batches of 10,000 images (7.8 million pixels,
  the size of MNIST's test set); each should take a fraction of a second.
  No Python loops over pixels or images.

Example:

    >>> image = np.zeros((28, 28), dtype=np.uint8)
    >>> image[0, :4] = [0, 50, 100, 200]
    >>> preprocess_image(image)[0, :4]
    array([0.  , 0.25, 0.5 , 1.  ], dtype=float32)
    >>> preprocess_image(np.zeros((3, 28, 28), np.uint8)).max()
    0.0

Check your work with `mlkata grade normalize`.

中文说明：练习 `normalize`，把 MNIST 图像按最小-最大值缩放到 [0, 1]。

编写 `preprocess_image(image)`：

- `image` 是一张形状为 (28, 28) 的图像，或一批形状为 (N, 28, 28) 的图像，
  元素是数字（通常是 0-255 的 uint8 像素，但任何数值类型都可能出现）。
- 返回一个形状相同的新 float32 数组，其中每张图像单独缩放：
  (x - min) / (max - min)，min 和 max 只取自这张图像自己的像素，
  所以每张不是常数的图像都恰好覆盖 [0, 1]。
- 常数图像（max == min，例如全黑的图像）变成全 0：不能出现 NaN 或 inf。
- 不要修改输入数组。
- 向量化：评分程序会对 10,000 张图像（780 万像素，相当于 MNIST 测试集）计时，
  每批应在一秒内的一小部分时间完成。不要用 Python 循环遍历像素或图像。

用 `mlkata grade normalize` 检查你的答案。
"""

import numpy as np

# The axes that make up one image: the last two (height, width), whether the
# input is a single image (28, 28) or a batch (N, 28, 28).
# 组成一张图像的轴：最后两个（高、宽），无论输入是一张 (28, 28) 还是一批 (N, 28, 28)。
IMAGE_AXES = (-2, -1)


def preprocess_image(image):
    image = np.asarray(image)

    # TODO: find the minimum and maximum of EACH image (not of the whole batch).
    #       Hint: reductions take `axis=` and `keepdims=`.
    # TODO：求出每张图像（而不是整批）的最小值和最大值。
    #       提示：归约函数可以传入 `axis=` 和 `keepdims=`。

    # TODO: scale to [0, 1] in float32, without dividing by zero on a
    #       constant image, and without changing `image` in place.
    # TODO：以 float32 缩放到 [0, 1]；常数图像不能除以零，也不要原地修改 `image`。

    raise NotImplementedError("preprocess_image is not written yet")
