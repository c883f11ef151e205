"""Exercise `cnn`: build a small convolutional network for MNIST.

Write `build_model(input_shape=(28, 28, 1), num_classes=10) -> keras.Model`:

- The model takes images of shape `input_shape` (height, width, channels),
  in batches: (N, 28, 28, 1) for MNIST by default, but ANY shape passed in,
  e.g. (32, 32, 3) colour images.
- It contains at least one `Conv2D` layer and one pooling layer
  (`MaxPooling2D`, `AveragePooling2D` or a global pooling layer).
- Its output is (N, num_classes): softmax probabilities, each row summing to 1.
- It has at most 2,000,000 parameters (`model.count_params()`).
- It can learn: return it uncompiled or compiled, with trainable weights;
  the grader compiles it itself and checks that a few training steps lower
  the loss.
- Use only built-in Keras layers (no `Lambda` layers: the grader loads your
  model with `safe_mode=True`, which refuses them).

Example:

    >>> model = build_model()
    >>> model.output_shape
    (None, 10)
    >>> build_model(input_shape=(32, 32, 3), num_classes=5).output_shape
    (None, 5)

Check your work with `mlkata grade cnn`.

中文说明：练习 `cnn`，为 MNIST 搭建一个小型卷积神经网络。

编写 `build_model(input_shape=(28, 28, 1), num_classes=10) -> keras.Model`：

- 模型按批接收形状为 `input_shape`（高、宽、通道）的图像：MNIST 默认是
  (N, 28, 28, 1)，但传入任何形状都要能用，例如 (32, 32, 3) 的彩色图像。
- 至少包含一个 `Conv2D` 层和一个池化层（`MaxPooling2D`、`AveragePooling2D`
  或全局池化层）。
- 输出形状为 (N, num_classes)：softmax 概率，每行之和为 1。
- 参数不超过 2,000,000 个（`model.count_params()`）。
- 模型要能学习：返回未编译或已编译的模型都可以，但要有可训练的权重；
  评分程序会自己编译它，并检查几步训练能让损失下降。
- 只使用 Keras 自带的层（不要用 `Lambda` 层：评分程序以 `safe_mode=True`
  加载你的模型，会拒绝它们）。

用 `mlkata grade cnn` 检查你的答案。
"""

import keras  # noqa: F401 (you will need these)
from keras import layers  # noqa: F401

# Model / data parameters (the defaults are MNIST's). 模型与数据参数（默认值是 MNIST 的）。
INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def build_model(input_shape=INPUT_SHAPE, num_classes=NUM_CLASSES):
    # TODO: start a keras.Sequential with keras.Input(shape=input_shape).
    # TODO：用 keras.Input(shape=input_shape) 开始一个 keras.Sequential。

    # TODO: add a convolution block: Conv2D with a ReLU activation, then pooling.
    #       (A second block usually helps.)
    # TODO：加一个卷积块：带 ReLU 激活的 Conv2D，然后池化。（再加一块通常更好。）

    # TODO: flatten, and end with a Dense layer of `num_classes` units and a
    #       softmax activation, so each output row is a probability distribution.
    # TODO：展平，最后接一个 `num_classes` 个单元、softmax 激活的 Dense 层，
    #       使每一行输出都是一个概率分布。

    raise NotImplementedError("build_model is not written yet")
