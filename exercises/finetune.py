"""Exercise `finetune`: teach a CNN pretrained on digits 0-4 to recognise 5-9.

Write `fine_tune(base_model, x_new, y_new) -> keras.Model`:

- `base_model` is a small CNN pretrained on MNIST digits 0-4. Its layers:
  conv_1 (Conv2D) -> pool_1 -> conv_2 (Conv2D) -> pool_2 -> features
  (Flatten) -> dropout -> classifier (Dense(10, softmax)). Its convolutional
  layers already detect strokes and curves that digits 5-9 share.
- `x_new` is a SMALL labelled set: a few images of each digit 5-9, float32
  (N, 28, 28, 1) in [0, 1]; `y_new` holds their digits (integers 5-9).
- Freeze the pretrained convolutional base (its weights must come back
  bit for bit unchanged) and train a NEW head on top of its features.
- Return a keras.Model that takes (N, 28, 28, 1) float32 images and outputs
  10 softmax probabilities per image, whose argmax is the digit itself
  (so a 7 gives index 7). Only built-in Keras layers: the grader loads
  your model with `safe_mode=True`.
- The grader measures accuracy on digits 5-9 your code never saw, and checks
  that your model is built on the pretrained features: with the base's
  weights set to zero, it should lose what it knows. Stay within a minute.

Example:

    >>> from grader.data.finetune_base import finetune_data, load_base
    >>> base, data = load_base(), finetune_data()   # builds and caches the base once
    >>> model = fine_tune(base.model, data.x_new, data.y_new)
    >>> model.predict(data.x_unseen[:1]).shape
    (1, 10)

Check your work with `mlkata grade finetune`.

中文说明：练习 `finetune`，让一个在数字 0-4 上预训练的 CNN 学会识别 5-9（微调）。

编写 `fine_tune(base_model, x_new, y_new) -> keras.Model`：

- `base_model` 是在 MNIST 数字 0-4 上预训练的小型 CNN，各层为：
  conv_1 (Conv2D) -> pool_1 -> conv_2 (Conv2D) -> pool_2 -> features (Flatten)
  -> dropout -> classifier (Dense(10, softmax))。它的卷积层已经能检测数字 5-9
  同样具有的笔画和弧线。
- `x_new` 是一个很小的带标签数据集：每个数字 5-9 各有几张图像，float32，
  形状 (N, 28, 28, 1)，取值 [0, 1]；`y_new` 是它们的数字（整数 5-9）。
- 冻结预训练的卷积基座（它的权重必须原样返回，逐位不变），并在它的特征之上
  训练一个新的分类头。
- 返回一个 keras.Model：输入 (N, 28, 28, 1) 的 float32 图像，每张输出 10 个
  softmax 概率，argmax 就是数字本身（7 对应下标 7）。只用 Keras 自带的层：
  评分程序以 `safe_mode=True` 加载你的模型。
- 评分程序在你的代码从未见过的数字 5-9 上测量准确率，并检查你的模型建立在预训练
  特征之上：把基座的权重置零后，它应当失去它学到的本领。请在一分钟内完成。

用 `mlkata grade finetune` 检查你的答案。
"""

import keras  # noqa: F401 (you will need these)
from keras import layers  # noqa: F401

# Training parameters. 训练参数。
NUM_CLASSES = 10  # index = digit; only 5-9 appear in y_new
EPOCHS = 50
BATCH_SIZE = 32


def fine_tune(base_model, x_new, y_new):
    # TODO: freeze the pretrained layers so their weights cannot change.
    # TODO：冻结预训练的层，使它们的权重不会改变。

    # TODO: take the base's features (base_model.get_layer("features").output)
    #       and put a new head on them ending in Dense(NUM_CLASSES, softmax);
    #       wrap it as keras.Model(base_model.inputs, outputs).
    # TODO：取出基座的特征（base_model.get_layer("features").output），在上面接一个
    #       以 Dense(NUM_CLASSES, softmax) 结尾的新分类头；
    #       用 keras.Model(base_model.inputs, outputs) 包起来。

    # TODO: compile (sparse categorical cross-entropy) and fit on x_new, y_new.
    # TODO：编译（稀疏分类交叉熵）并在 x_new、y_new 上拟合。

    raise NotImplementedError("fine_tune is not written yet")
