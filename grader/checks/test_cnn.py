"""Hidden checks for `cnn`: build_model(input_shape, num_classes) -> a small Keras convnet.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from grader.checks.support import describe, fresh_rng, predict, say, submission_cache
from grader.data import load_mnist

MAX_PARAMS = 2_000_000
POOLING = (
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
    keras.layers.GlobalMaxPooling2D,
    keras.layers.GlobalAveragePooling2D,
)
# Trainability is judged by what every trainable softmax CNN has, whatever its
# architecture, not by how fast one reference model's loss falls:
# 1. every layer with weights is trainable and gets a non-zero gradient from the
#    cross-entropy of a fresh batch of digits (no frozen, dead or decoy layer);
# 2. a small step down that gradient lowers the loss on the batch (the loss is a
#    smooth function of the weights that training can descend).
# Both in inference mode, so Dropout and BatchNorm make them deterministic. A
# step-count criterion ("fits 10 digits in N Adam steps") was measured instead
# (benchmarks/thresholds.py cnn prints it, Adam at 1e-2 on 10 digits): the reference
# needs 7 steps, LeNet with tanh 4, a BatchNorm CNN 26-50, a GlobalAveragePooling CNN
# 61-62, a residual and a strided sigmoid CNN more than 100; any N that a warm grade
# can afford (1.5 s) would again reject correct models. The smallest gradient a
# layer of a correct answer gets is 5.5e-4 (the sigmoid CNN), of a wrong one 0.
BATCH = 32
STEP_SIZES = (1e-1, 3e-2, 1e-2, 3e-3, 1e-3)  # along the unit gradient, largest first


@pytest.fixture(scope="module")
def build(submission):
    """Call build_model once per set of arguments and share the model between checks."""
    return submission_cache(submission)


@pytest.fixture(scope="module")
def rng():
    return fresh_rng()


def _model(build, call: str, **kwargs) -> keras.Model:
    model = build(**kwargs)
    assert isinstance(model, keras.Model), say(
        en=f"{call} returned {describe(model)}; expected a keras.Model",
        zh=f"{call} 返回了 {describe(model)}；应返回 keras.Model。",
    )
    return model


def _all_layers(model: keras.Model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _shape(shape) -> tuple:
    return tuple(shape[0]) if isinstance(shape, list) and len(shape) == 1 else tuple(shape)


def _digits(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` digits drawn fresh from the bundled training set, as float32 (n, 28, 28, 1)."""
    (x_train, y_train), _ = load_mnist()
    picked = rng.choice(len(y_train), n, replace=False)
    return (x_train[picked, ..., None] / 255.0).astype(np.float32), y_train[picked]


def _changes_output(model: keras.Model, layer, images: np.ndarray) -> bool:
    """Does adding noise to `layer`'s kernel change the model's output on `images`?"""
    before = np.asarray(model(images, training=False))
    saved = [np.array(w) for w in layer.weights]
    kernel = layer.weights[0]
    kernel.assign(saved[0] + np.float32(0.5) * (np.abs(saved[0]).mean() + 1e-3))
    after = np.asarray(model(images, training=False))
    for weight, value in zip(layer.weights, saved, strict=True):
        weight.assign(value)
    return not np.allclose(before, after, rtol=0, atol=1e-7)


def test_has_conv_and_pooling(build, rng, report):
    """The model holds a Conv2D layer that shapes its output, and a pooling layer."""
    model = _model(build, "build_model()")
    layers = list(_all_layers(model))
    kinds = [type(layer).__name__ for layer in layers]
    convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
    assert convs, say(
        en=f"build_model() returned a model with layers {kinds}; expected at least one Conv2D",
        zh=f"build_model() 返回的模型由 {kinds} 组成；应至少包含一个 Conv2D。",
    )
    assert any(isinstance(layer, POOLING) for layer in layers), say(
        en=f"build_model() returned a model with layers {kinds}; expected at least one pooling "
        "layer (MaxPooling2D, AveragePooling2D or a global pooling layer)",
        zh=f"build_model() 返回的模型由 {kinds} 组成；应至少包含一个池化层（MaxPooling2D、"
        "AveragePooling2D 或全局池化层）。",
    )
    images, _ = _digits(rng, 8)
    used = [conv.name for conv in convs if _changes_output(model, conv, images)]
    assert used, say(
        en=f"build_model() has Conv2D layers ({', '.join(c.name for c in convs)}), but changing "
        "their kernels does not change the model's output: they are not on the path from the "
        "input to the prediction (a branch multiplied by zero, say); expected the convolutions "
        "to compute the features the classifier uses",
        zh=f"build_model() 含有 Conv2D 层（{', '.join(c.name for c in convs)}），但改变它们的卷积核"
        "不会改变模型的输出：它们不在从输入到预测的路径上（例如一个乘以零的分支）；卷积层应当"
        "计算分类器所用的特征。",
    )
    report(
        en=f"{len(convs)} Conv2D layer(s), {len(used)} of them shaping the output; pooling: "
        + ", ".join(sorted({k for k in kinds if "Pooling" in k})),
        zh=f"{len(convs)} 个 Conv2D 层，其中 {len(used)} 个影响输出；池化层："
        + "、".join(sorted({k for k in kinds if "Pooling" in k})),
    )


def test_softmax_output(build, rng, report):
    """Output (N, num_classes): non-negative probabilities, each row summing to 1."""
    model = _model(build, "build_model()")
    assert _shape(model.output_shape) == (None, 10), say(
        en=f"build_model() returned a model with output shape {model.output_shape}; "
        "expected (None, 10): one probability per digit class",
        zh=f"build_model() 返回的模型输出形状为 {model.output_shape}；应为 (None, 10)："
        "每个数字类别一个概率。",
    )
    images = rng.uniform(0, 1, (8, 28, 28, 1)).astype(np.float32)
    probs = predict(model, images, "the model from build_model()")
    sums = probs.sum(axis=1)
    assert probs.min() >= 0 and np.allclose(sums, 1.0, atol=1e-4), say(
        en=f"build_model() then model.predict(8 images) gave rows summing to between "
        f"{sums.min():.3g} and {sums.max():.3g} with values from {probs.min():.3g} to "
        f"{probs.max():.3g}; expected probabilities that sum to 1 per row "
        "(end with Dense(num_classes, activation='softmax'))",
        zh=f"build_model() 之后 model.predict(8 张图像) 每行之和在 {sums.min():.3g} 到 "
        f"{sums.max():.3g} 之间，取值从 {probs.min():.3g} 到 {probs.max():.3g}；每行应是和为 1 的"
        "概率（以 Dense(num_classes, activation='softmax') 结尾）。",
    )
    report(
        en="8 images gave (8, 10) non-negative rows, each summing to 1",
        zh="8 张图像得到 (8, 10) 的非负输出，每行之和为 1",
    )


def test_shapes_follow_arguments(build, rng, report):
    """Input and output shapes follow input_shape and num_classes, e.g. (32, 32, 3) and 5."""
    default = _model(build, "build_model()")
    assert _shape(default.input_shape) == (None, 28, 28, 1), say(
        en=f"build_model() returned a model with input shape {default.input_shape}; expected "
        "(None, 28, 28, 1) from the default input_shape=(28, 28, 1)",
        zh=f"build_model() 返回的模型输入形状为 {default.input_shape}；默认参数 "
        "input_shape=(28, 28, 1) 应得到 (None, 28, 28, 1)。",
    )
    call = "build_model(input_shape=(32, 32, 3), num_classes=5)"
    model = _model(build, call, input_shape=(32, 32, 3), num_classes=5)
    assert _shape(model.input_shape) == (None, 32, 32, 3), say(
        en=f"{call} returned a model with input shape {model.input_shape}; expected "
        "(None, 32, 32, 3): use the input_shape argument, do not hard-code (28, 28, 1)",
        zh=f"{call} 返回的模型输入形状为 {model.input_shape}；应为 (None, 32, 32, 3)："
        "请使用 input_shape 参数，不要把 (28, 28, 1) 写死。",
    )
    assert _shape(model.output_shape) == (None, 5), say(
        en=f"{call} returned a model with output shape {model.output_shape}; expected (None, 5): "
        "use the num_classes argument, do not hard-code 10",
        zh=f"{call} 返回的模型输出形状为 {model.output_shape}；应为 (None, 5)：请使用 "
        "num_classes 参数，不要把 10 写死。",
    )
    images = rng.uniform(0, 1, (2, 32, 32, 3)).astype(np.float32)
    probs = predict(model, images, f"the model from {call}")
    assert probs.shape == (2, 5), say(
        en=f"{call} then model.predict(2 images of (32, 32, 3)) gave shape {probs.shape}; "
        "expected (2, 5)",
        zh=f"{call} 之后 model.predict(2 张 (32, 32, 3) 图像) 得到形状 {probs.shape}；"
        "应为 (2, 5)。",
    )
    report(
        en="(28, 28, 1) -> 10 by default; (32, 32, 3) and 5 classes -> (None, 5)",
        zh="默认 (28, 28, 1) -> 10；(32, 32, 3) 与 5 个类别 -> (None, 5)",
    )


def test_parameter_budget(build, report):
    """At most 2,000,000 parameters."""
    model = _model(build, "build_model()")
    count = model.count_params()
    assert count <= MAX_PARAMS, say(
        en=f"build_model() returned a model with {count:,} parameters; expected at most "
        f"{MAX_PARAMS:,} (pool before Flatten, or use fewer filters or Dense units)",
        zh=f"build_model() 返回的模型有 {count:,} 个参数；最多允许 {MAX_PARAMS:,} 个"
        "（在 Flatten 之前池化，或减少卷积核数量或 Dense 单元数）。",
    )
    report(
        en=f"{count:,} parameters; at most {MAX_PARAMS:,}",
        zh=f"{count:,} 个参数；上限 {MAX_PARAMS:,}",
    )


def test_trains(build, rng, report):
    """Every layer with weights is trainable and gets a gradient; a step down it lowers the loss."""
    import tensorflow as tf

    model = _model(build, "build_model()")
    images, labels = _digits(rng, BATCH)
    variables = list(model.trainable_variables)
    assert variables, say(
        en="build_model() returned a model with no trainable weights (is trainable set to "
        "False?); expected its layers trainable, so that fit() can learn",
        zh="build_model() 返回的模型没有可训练的权重（是否设置了 trainable = False？）；"
        "各层应保持可训练，fit() 才能学习。",
    )
    frozen = [
        layer.name
        for layer in _all_layers(model)
        if not isinstance(layer, keras.Model) and layer.weights and not layer.trainable
    ]
    assert not frozen, say(
        en=f"build_model() returned a model whose layers {', '.join(frozen)} are frozen "
        "(trainable = False): their random initial weights would never learn; expected every "
        "layer trainable",
        zh=f"build_model() 返回的模型中 {'、'.join(frozen)} 层被冻结（trainable = False）："
        "它们随机初始化的权重永远不会学习；每一层都应可训练。",
    )

    def loss() -> tf.Tensor:
        probs = model(images, training=False)
        return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, probs))

    with tf.GradientTape() as tape:
        start = loss()
    gradients = tape.gradient(start, variables)
    dead = []
    for layer in _all_layers(model):
        own = {id(v) for v in layer.trainable_weights}
        if isinstance(layer, keras.Model) or not own:
            continue
        reach = [g for v, g in zip(variables, gradients, strict=True) if id(v) in own]
        if not any(g is not None and bool(tf.reduce_any(g != 0)) for g in reach):
            dead.append(layer.name)
    assert np.isfinite(float(start)) and not dead, say(
        en=f"build_model(): the cross-entropy of {BATCH} digits (loss {float(start):.3f}) sends "
        f"no gradient to layer(s) {', '.join(dead) or '-'}: training could never change them "
        "(a layer off the path to the output, multiplied by zero, or initialised to zeros?); "
        "expected every layer to get a gradient",
        zh=f"build_model()：{BATCH} 个数字的交叉熵（损失 {float(start):.3f}）没有把梯度传到 "
        f"{'、'.join(dead) or '-'} 层：训练永远改变不了它们（层不在通往输出的路径上、乘以了零，"
        "或初始化为零？）；每一层都应得到梯度。",
    )
    saved = [np.array(v) for v in variables]
    norm = float(np.sqrt(sum(float(tf.reduce_sum(g * g)) for g in gradients if g is not None)))
    best = float(start)
    for size in STEP_SIZES:
        for v, g, value in zip(variables, gradients, saved, strict=True):
            if g is not None:
                v.assign(value - (size / norm) * np.asarray(g))
        best = min(best, float(loss()))
        if best < float(start):
            break
    for v, value in zip(variables, saved, strict=True):
        v.assign(value)
    assert best < float(start), say(
        en=f"build_model(): a step down the gradient did not lower the loss of {BATCH} digits "
        f"({float(start):.4f}) for any step size from {STEP_SIZES[0]} to {STEP_SIZES[-1]}; "
        "expected a loss that training can descend (is the output a softmax over the classes?)",
        zh=f"build_model()：沿梯度下降一步，在 {STEP_SIZES[0]} 到 {STEP_SIZES[-1]} 的任何步长下"
        f"都没有降低 {BATCH} 个数字的损失（{float(start):.4f}）；损失应当可以被训练降低"
        "（输出是对各类别的 softmax 吗？）。",
    )
    report(
        en=f"all {len(variables)} trainable weights get a gradient; one step lowered the loss "
        f"of {BATCH} fresh digits from {float(start):.3f} to {best:.3f}",
        zh=f"全部 {len(variables)} 个可训练权重都得到梯度；一步下降把 {BATCH} 个新数字的损失从 "
        f"{float(start):.3f} 降到 {best:.3f}",
    )
