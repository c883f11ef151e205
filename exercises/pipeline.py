"""Exercise `pipeline`: train and evaluate an MNIST classifier, end to end, honestly.

Write `train_and_evaluate(x_train, y_train, x_test, y_test) -> (model, test_accuracy)`:

- Inputs are raw MNIST: images uint8 (N, 28, 28) with pixels 0-255 and
  integer labels (N,) from 0 to 9, as `keras.datasets.mnist.load_data()`
  (or mlkata's `grader.data.load_mnist()`) returns them.
- Preprocess: scale pixels to float32 in [0, 1] by dividing by 255, and add
  the channel axis Conv2D needs: (N, 28, 28) -> (N, 28, 28, 1).
- Build and compile a small CNN, and train it on the TRAINING data only
  (a validation split carved from the training data is fine).
- The same data must always give the same model. The grader starts every run
  from the same random state, so you need not pin seeds (pinning them is fine);
  let nothing else (the clock, a count of calls) change what your code does.
- Evaluate it once on the test data and return the trained model and its
  test accuracy, a float in [0, 1].

The grader judges the model itself, feeding it images as float32 / 255 of
shape (N, 28, 28, 1):
- it keeps some test digits back and measures accuracy on digits your code
  never saw (aim for about 0.96);
- your reported accuracy must match what it measures on the test set you got;
- it runs your pipeline twice, on the same training digits with two
  different test sets: the two models must be the same. A model trained,
  early-stopped or normalised on the test set depends on it, and fails.
Training should take well under a minute on a laptop CPU (a few epochs).

Example:

    >>> from grader.data import load_mnist
    >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    >>> model, accuracy = train_and_evaluate(x_train, y_train, x_test, y_test)
    >>> round(accuracy, 2)
    0.96

Check your work with `mlkata grade pipeline`.

中文说明：练习 `pipeline`，端到端、诚实地训练并评估一个 MNIST 分类器。

编写 `train_and_evaluate(x_train, y_train, x_test, y_test) -> (model, test_accuracy)`：

- 输入是原始 MNIST：uint8 图像 (N, 28, 28)，像素 0-255，以及 0 到 9 的整数标签 (N,)，
  与 `keras.datasets.mnist.load_data()`（或 mlkata 的 `grader.data.load_mnist()`）
  返回的一样。
- 预处理：除以 255，把像素缩放为 [0, 1] 的 float32，并加上 Conv2D 需要的通道轴：
  (N, 28, 28) -> (N, 28, 28, 1)。
- 搭建并编译一个小型 CNN，只在训练数据上训练（从训练数据中划出验证集也可以）。
- 同样的数据必须总是得到同样的模型。评分程序让每次运行都从同样的随机状态开始，所以你不必
  固定随机种子（固定也可以）；不要让别的东西（时钟、调用次数）改变代码的行为。
- 在测试数据上评估一次，返回训练好的模型和它的测试准确率（[0, 1] 之间的浮点数）。

评分程序直接检查模型本身，输入形状为 (N, 28, 28, 1)、按 float32 / 255 处理的图像：
- 它留出一部分测试数字，在你的代码从未见过的数字上测量准确率（目标约 0.96）；
- 你报告的准确率必须与它在你拿到的测试集上测得的一致；
- 在测试集上训练的流程会失败：评分程序能看出来（数据泄漏）。
在笔记本电脑的 CPU 上，训练应远少于一分钟（几个 epoch）。

用 `mlkata grade pipeline` 检查你的答案。
"""

import keras  # noqa: F401 (you will need these)
import numpy as np  # noqa: F401
from keras import layers  # noqa: F401

# Model / training parameters. 模型与训练参数。
NUM_CLASSES = 10
BATCH_SIZE = 128
EPOCHS = 5


def train_and_evaluate(x_train, y_train, x_test, y_test):
    # TODO: preprocess both sets: float32 in [0, 1], shape (N, 28, 28, 1).
    # TODO：预处理两组数据：[0, 1] 的 float32，形状 (N, 28, 28, 1)。

    # TODO: build a small CNN (see the `cnn` exercise) and compile it with
    #       "sparse_categorical_crossentropy", an optimizer and metrics=["accuracy"].
    # TODO：搭建一个小型 CNN（见 `cnn` 练习），用 "sparse_categorical_crossentropy"、
    #       一个优化器和 metrics=["accuracy"] 编译。

    # TODO: fit on the training data ONLY (validation_split=0.1 is fine).
    # TODO：只在训练数据上拟合（validation_split=0.1 可以）。

    # TODO: evaluate once on the test data; return (model, test_accuracy).
    # TODO：在测试数据上评估一次；返回 (model, test_accuracy)。

    raise NotImplementedError("train_and_evaluate is not written yet")
