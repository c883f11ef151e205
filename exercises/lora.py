"""Exercise `lora`: add LoRA adapters to a Keras model, with built-in layers only.

Write `add_lora(model, rank, alpha) -> keras.Model`:

- `model` is a keras.Sequential chain (each layer feeds the next), e.g.
  Input(28, 28, 1) -> Conv2D -> MaxPooling2D -> Flatten -> Dense(relu) ->
  Dense(softmax). `rank` (r) is a small positive int, `alpha` a positive number.
- Return a NEW model with the same input and output shapes in which:
  - every Dense layer (kernel W of shape (d_in, d_out), bias b, activation f)
    computes  f(x @ W + b + (alpha / r) * (x @ A) @ B)  where W and b are the
    original weights, FROZEN, and A (d_in, r) and B (r, d_out) are new and
    TRAINABLE: A randomly initialised, B all zeros (so at first the update is 0);
  - every other layer keeps its original weights, frozen;
  - so the trainable parameters are exactly A and B of each Dense layer:
    sum over Dense layers of r * (d_in + d_out), nothing else.
- The low-rank update is added BEFORE the Dense layer's activation.
- Before any training the new model predicts exactly what `model` predicts.
  After training, only A and B have moved; the original weights are bit for bit
  what they were.
- Built-in Keras layers only (Dense, Add, Rescaling, Activation, ...): no Lambda,
  no custom Layer classes. The grader loads your model with `safe_mode=True`,
  which refuses both.

Example (a model with Dense layers 676 -> 24 and 24 -> 10):

    >>> lora_model = add_lora(model, rank=4, alpha=16)    # scale alpha / r = 4
    >>> sum(int(np.prod(w.shape)) for w in lora_model.trainable_weights)
    2936                                     # 4 * (676 + 24) + 4 * (24 + 10)
    >>> np.allclose(lora_model.predict(x), model.predict(x))
    True
    >>> [tuple(w.shape) for w in lora_model.trainable_weights]
    [(676, 4), (4, 24), (24, 4), (4, 10)]    # A and B of each Dense (order may differ)

练习 `lora`：只用 Keras 内置层给模型加上 LoRA 适配器。

编写 `add_lora(model, rank, alpha) -> keras.Model`：

- `model` 是一个 keras.Sequential 链（每层的输出接下一层），例如
  Input(28, 28, 1) -> Conv2D -> MaxPooling2D -> Flatten -> Dense(relu) ->
  Dense(softmax)。`rank`（r）是一个小的正整数，`alpha` 是一个正数。
- 返回一个输入、输出形状都相同的新模型，其中：
  - 每个 Dense 层（卷积核 W 形状为 (d_in, d_out)，偏置 b，激活函数 f）计算
    f(x @ W + b + (alpha / r) * (x @ A) @ B)，W 和 b 是原来的权重，并被冻结；
    A (d_in, r) 与 B (r, d_out) 是新增的可训练权重：A 随机初始化，B 全为零
    （所以一开始更新量为 0）；
  - 其余每一层保留原来的权重，并被冻结；
  - 因此可训练参数恰好是每个 Dense 层的 A 和 B：对所有 Dense 层求
    r * (d_in + d_out) 之和，别无其他。
- 低秩更新加在 Dense 层的激活函数之前。
- 训练之前，新模型的预测与 `model` 完全相同。训练之后，只有 A 和 B 改变；原来的
  权重逐位保持不变。
- 只用 Keras 内置层（Dense、Add、Rescaling、Activation 等）：不要 Lambda，也不要
  自定义 Layer 类。评分器用 `safe_mode=True` 加载你的模型，这两者都会被拒绝。

示例见上（一个含 676 -> 24 与 24 -> 10 两个 Dense 层的模型，rank=4、alpha=16，
缩放系数 alpha / r = 4）：可训练参数 4 * (676 + 24) + 4 * (24 + 10) = 2936。

Check your work with `mlkata grade lora`. 用 `mlkata grade lora` 检查你的答案。
"""

import keras  # noqa: F401 (you will need these)
from keras import layers  # noqa: F401


def add_lora(model, rank, alpha):
    # TODO: start a new graph: inputs = keras.Input(shape=model.input_shape[1:]).

    # TODO: for each layer of model.layers:
    #   - not a Dense: a frozen copy with the same weights;
    #   - a Dense: a frozen copy WITHOUT its activation, plus a trainable branch
    #     x -> A (d_in -> r) -> B (r -> d_out, zeros) -> times alpha / rank,
    #     added to it; then the original activation.

    # TODO: return keras.Model(inputs, outputs).

    raise NotImplementedError("add_lora is not written yet")
