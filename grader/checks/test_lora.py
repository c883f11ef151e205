"""Hidden checks for `lora`: add_lora(model, rank, alpha) -> a model with LoRA adapters.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.

Two base models are built fresh at every grading, with fresh random weights, rank and
alpha: a small CNN (Conv2D, pooling, Dense relu, Dense softmax) and an MLP (Dense relu,
Dense tanh, Dense without activation). The submission is called once for each; its
model comes back loaded with safe_mode=True, so Lambda layers and custom classes never
reach these checks. Expected values are computed here, in numpy, from the base's own
weights; any faithful construction passes (a Rescaling after A or after B or before A,
EinsumDense, reused frozen layers, ...), because the checks look only at what the model
computes and which weights it trains.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.support import say

CALL_TIMEOUT = 60.0
TRAIN_IMAGES, TRAIN_BATCH = 256, 64  # 4 steps of Adam on digits 5-9


# The base layers are named, not left to Keras' counters (dense, dense_1, ...): a
# learner's new layers, auto-named in the worker, must never collide with them by chance.


def conv_base(rng: np.random.Generator):
    import keras

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(4, 3, activation="relu", name="strokes"),
        keras.layers.MaxPooling2D(2, name="pooled"),
        keras.layers.Flatten(name="features"),
        keras.layers.Dense(24, activation="relu", name="hidden"),
        keras.layers.Dense(10, activation="softmax", name="digits"),
    ], name="small_cnn")  # fmt: skip
    _fresh_weights(model, rng)
    return model


def mlp_base(rng: np.random.Generator):
    import keras

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Flatten(name="pixels"),
        keras.layers.Dense(32, activation="relu", name="hidden_relu"),
        keras.layers.Dense(16, activation="tanh", name="hidden_tanh"),
        keras.layers.Dense(10, name="logits"),
    ], name="mlp")  # fmt: skip
    _fresh_weights(model, rng)
    return model


def _fresh_weights(model, rng: np.random.Generator) -> None:
    """Random weights from this grading's generator (biases too, so they matter)."""
    weights = []
    for w in model.get_weights():
        fan_in = int(np.prod(w.shape[:-1])) if w.ndim > 1 else 4
        weights.append((rng.standard_normal(w.shape) / np.sqrt(fan_in)).astype(np.float32))
    model.set_weights(weights)


def dense_shapes(base) -> list[tuple[int, int]]:
    import keras

    return [tuple(layer.kernel.shape) for layer in base.layers
            if isinstance(layer, keras.layers.Dense)]  # fmt: skip


@pytest.fixture(scope="module")
def lora(submission):
    """Call add_lora once per base model; keep the model (or the failure)."""
    rng = np.random.default_rng()
    made = {}

    def get(kind: str):
        if kind not in made:
            base = conv_base(rng) if kind == "conv" else mlp_base(rng)
            rank = int(rng.integers(2, 5))
            alpha = float(rng.choice([8.0, 12.0, 16.0, 32.0]))
            try:
                value = submission.call(base, rank, alpha, timeout=CALL_TIMEOUT)
            except AssertionError as failure:
                value = failure
            made[kind] = (base, rank, alpha, value)
        base, rank, alpha, value = made[kind]
        if isinstance(value, AssertionError):
            raise value
        return base, rank, alpha, value

    return get


def _shown(kind: str, rank: int, alpha: float) -> str:
    what = "a small CNN" if kind == "conv" else "an MLP"
    return f"add_lora({what}, rank={rank}, alpha={alpha:g})"


def _images(n: int, rng: np.random.Generator, digits=range(10)) -> tuple[np.ndarray, np.ndarray]:
    from grader.data import load_mnist

    (x, y), _ = load_mnist()
    chosen = np.flatnonzero(np.isin(y, list(digits)))
    picked = rng.choice(chosen, n, replace=False)
    return (x[picked].astype(np.float32) / 255.0)[..., None], y[picked].astype(np.int64)


def _outputs(model, x) -> np.ndarray:
    return np.asarray(model(x, training=False), dtype=np.float64)


def _lora_weights(model, base, rank, shown):
    """The trainable (A, B) pair of each Dense layer, found by shape."""
    trainable = list(model.trainable_weights)
    pairs = []
    for d_in, d_out in dense_shapes(base):
        a = [w for w in trainable if tuple(w.shape) == (d_in, rank)]
        b = [w for w in trainable if tuple(w.shape) == (rank, d_out)]
        assert a and b, say(
            en=f"{shown}: for the Dense layer {d_in} -> {d_out} there is no trainable A of shape "
               f"({d_in}, {rank}) {'' if a else '(missing) '}and B of shape ({rank}, {d_out})"
               f"{'' if b else ' (missing)'}; the trainable weights are "
               f"{[tuple(w.shape) for w in trainable]}",
            zh=f"{shown}：Dense 层 {d_in} -> {d_out} 没有形状为 ({d_in}, {rank}) 的可训练 A"
               f"{'' if a else '（缺失）'}与形状为 ({rank}, {d_out}) 的 B"
               f"{'' if b else '（缺失）'}；"
               f"可训练权重为 {[tuple(w.shape) for w in trainable]}",
        )  # fmt: skip
        pairs.append((a[0], b[0]))
    return pairs


def test_returns_a_new_model_of_built_in_layers(lora, report):
    """A Keras model of built-in layers (it loads with safe_mode=True), same input and output."""
    import keras

    kinds = []
    for kind in ("conv", "mlp"):
        base, rank, alpha, model = lora(kind)
        shown = _shown(kind, rank, alpha)
        assert isinstance(model, keras.Model), say(
            en=f"{shown} returned {type(model).__name__}; expected a keras.Model",
            zh=f"{shown} 返回了 {type(model).__name__}；应返回 keras.Model",
        )
        assert tuple(model.input_shape) == tuple(base.input_shape), say(
            en=f"{shown} returned a model taking {model.input_shape}; expected {base.input_shape}",
            zh=f"{shown} 返回的模型输入为 {model.input_shape}；应为 {base.input_shape}",
        )
        assert tuple(model.output_shape) == tuple(base.output_shape), say(
            en=f"{shown} returned a model giving {model.output_shape}; expected "
               f"{base.output_shape}",
            zh=f"{shown} 返回的模型输出为 {model.output_shape}；应为 {base.output_shape}",
        )  # fmt: skip
        foreign = [type(layer).__name__ for layer in model.layers
                   if not type(layer).__module__.startswith("keras.")]  # fmt: skip
        assert not foreign, say(
            en=f"{shown} holds layers that are not Keras' own: {', '.join(foreign)}",
            zh=f"{shown} 含有不是 Keras 内置的层：{', '.join(foreign)}",
        )
        kinds.append(len(model.layers))
    report(
        en=f"built-in layers only ({kinds[0]} and {kinds[1]} layers), loaded with safe_mode=True",
        zh=f"只用内置层（分别 {kinds[0]} 层和 {kinds[1]} 层），可用 safe_mode=True 加载",
    )


def test_predictions_unchanged_before_training(lora, report):
    """Before training, the new model predicts exactly what the original predicts."""
    rng = np.random.default_rng()
    x, _ = _images(64, rng)
    worst = 0.0
    for kind in ("conv", "mlp"):
        base, rank, alpha, model = lora(kind)
        shown = _shown(kind, rank, alpha)
        diff = float(np.abs(_outputs(model, x) - _outputs(base, x)).max())
        try:
            b_weights = [b for _, b in _lora_weights(model, base, rank, shown)]
        except AssertionError:  # no A/B to be found: the parameter check says so
            b_weights = []
        nonzero_b = any(np.any(np.asarray(b) != 0) for b in b_weights)
        assert diff <= 1e-5 or not nonzero_b, say(
            en=f"{shown}: on 64 digits its outputs differ from the original's by up to "
               f"{diff:.3g}, because B is not zero: initialise B with zeros "
               "(kernel_initializer='zeros') so the update (alpha / r)·(x·A)·B starts at 0",
            zh=f"{shown}：在 64 个数字上它的输出与原模型最多相差 {diff:.3g}，因为 B 不是零："
               "用零初始化 B（kernel_initializer='zeros'），使更新量 (alpha / r)·(x·A)·B 从 0 开始",
        )  # fmt: skip
        assert diff <= 1e-5, say(
            en=f"{shown}: on 64 digits its outputs differ from the original's by up to "
               f"{diff:.3g} although B is zero: the original weights were not copied, or a "
               "layer or activation is missing or changed",
            zh=f"{shown}：在 64 个数字上它的输出与原模型最多相差 {diff:.3g}，而 B 为零：原来的权重"
               "没有复制过来，或者某一层、某个激活函数缺失或被改动",
        )  # fmt: skip
        worst = max(worst, diff)
    report(
        en=f"same outputs as the original on 64 digits (largest difference {worst:.1g})",
        zh=f"在 64 个数字上与原模型输出相同（最大差 {worst:.1g}）",
    )


def test_trainable_parameters_are_only_a_and_b(lora, report):
    """The trainable parameters are exactly A and B: r * (d_in + d_out) per Dense layer."""
    counts = []
    for kind in ("conv", "mlp"):
        base, rank, alpha, model = lora(kind)
        shown = _shown(kind, rank, alpha)
        shapes = dense_shapes(base)
        expected = sum(rank * (d_in + d_out) for d_in, d_out in shapes)
        trainable = [tuple(w.shape) for w in model.trainable_weights]
        got = sum(int(np.prod(s)) for s in trainable)
        wanted = sorted(
            [(d_in, rank) for d_in, _ in shapes] + [(rank, d_out) for _, d_out in shapes]
        )
        extra = list(trainable)
        for shape in wanted:
            if shape in extra:
                extra.remove(shape)
        originals = {tuple(w.shape) for w in base.weights}
        if got == expected and sorted(trainable) == wanted:
            counts.append(f"{got:,}")
            continue
        if any(len(s) > 1 and s in originals for s in extra):
            en = (
                f"the original weights of shapes {[s for s in extra if s in originals]} are "
                "trainable: set trainable=False on every copied layer (the Dense copies and "
                "the layers around them)"
            )
            zh = (
                f"形状为 {[s for s in extra if s in originals]} 的原始权重是可训练的："
                "给每个复制的层（Dense 副本及其他层）设置 trainable=False"
            )
        elif (rank,) in extra:
            en = (
                f"the extra {extra} are biases on A or B: LoRA's A and B are plain matrices, "
                "Dense(..., use_bias=False)"
            )
            zh = (
                f"多出的 {extra} 是 A 或 B 的偏置：LoRA 的 A 和 B 只是矩阵，"
                "用 Dense(..., use_bias=False)"
            )
        elif extra and all(s in originals for s in extra):
            en = (
                f"the original biases of shapes {extra} are trainable: freeze the whole "
                "copied layer, bias included (trainable=False)"
            )
            zh = (
                f"形状为 {extra} 的原始偏置是可训练的：冻结整个复制的层，包括偏置"
                "（trainable=False）"
            )
        else:
            en = zh = ""
        raise AssertionError(say(
            en=f"{shown} has {got:,} trainable parameters in {trainable}; expected {expected:,}, "
               f"only A and B: {wanted}" + (f". {en[0].upper()}{en[1:]}" if en else ""),
            zh=f"{shown} 的可训练参数有 {got:,} 个，分布为 {trainable}；应为 {expected:,}，"
               f"只有 A 和 B：{wanted}" + (f"。{zh}" if zh else ""),
        ))  # fmt: skip
    report(
        en=f"{counts[0]} and {counts[1]} trainable parameters: exactly r·(d_in + d_out) per Dense",
        zh=f"可训练参数分别为 {counts[0]} 与 {counts[1]} 个：每个 Dense 恰好 r·(d_in + d_out)",
    )


def _mlp_forward(base, pairs, scale, x, after_activation=False) -> np.ndarray:
    """The MLP base with each Dense's update scale·(h·A)·B, in float64."""
    import keras

    h = x.reshape(len(x), -1).astype(np.float64)
    dense = [layer for layer in base.layers if isinstance(layer, keras.layers.Dense)]
    for layer, (a, b) in zip(dense, pairs, strict=True):
        w, bias = (np.asarray(v, np.float64) for v in layer.get_weights())
        update = scale * (h @ a) @ b
        name = layer.get_config()["activation"]
        act = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "linear": lambda z: z}[name]
        h = act(h @ w + bias) + update if after_activation else act(h @ w + bias + update)
    return h


def test_update_is_alpha_over_rank_times_x_a_b(lora, report):
    """With A and B set, each Dense adds (alpha / rank)·(x·A)·B before its activation."""
    rng = np.random.default_rng()
    base, rank, alpha, model = lora("mlp")
    shown = _shown("mlp", rank, alpha)
    pairs = _lora_weights(model, base, rank, shown)
    values = []
    for a, b in pairs:
        a_value = (rng.standard_normal(tuple(a.shape)) * 0.05).astype(np.float32)
        b_value = (rng.standard_normal(tuple(b.shape)) * 0.05).astype(np.float32)
        a.assign(a_value)
        b.assign(b_value)
        values.append((a_value.astype(np.float64), b_value.astype(np.float64)))
    x, _ = _images(32, rng)
    got = _outputs(model, x)
    scale = alpha / rank

    def matches(expected):
        return bool(np.allclose(got, expected, rtol=1e-4, atol=1e-4))

    if matches(_mlp_forward(base, values, scale, x)):
        plain = float(np.abs(_mlp_forward(base, values, 0.0, x) - got).max())
        report(
            en=f"each Dense adds {alpha:g}/{rank}·(x·A)·B before its activation (outputs move "
               f"by up to {plain:.2f} from the original's, exactly as expected)",
            zh=f"每个 Dense 在激活之前加上 {alpha:g}/{rank}·(x·A)·B（输出相对原模型最多变化 "
               f"{plain:.2f}，与预期完全一致）",
        )  # fmt: skip
        return
    # Name each mistake the output is consistent with: the scale, and where the update goes.
    scales = {
        scale: ("", ""),
        1.0: (f"the update is not scaled: multiply (x·A)·B by alpha / rank = {scale:g} "
              "(a Rescaling layer does it)",
              f"更新量没有缩放：要把 (x·A)·B 乘以 alpha / rank = {scale:g}（用 Rescaling 层）"),
        rank / alpha: (f"the update is scaled by rank / alpha = {rank / alpha:g}; LoRA scales "
                       f"by alpha / rank = {scale:g}",
                       f"更新量乘的是 rank / alpha = {rank / alpha:g}；LoRA 应乘以 "
                       f"alpha / rank = {scale:g}"),
    }  # fmt: skip
    placement = (
        "the update is added AFTER the Dense layer's activation; LoRA changes the weights, "
        "so it goes inside: f(x·W + b + scale·(x·A)·B). Copy the Dense without its "
        "activation, add the update, then apply the activation",
        "更新量加在了 Dense 层激活函数之后；LoRA 修改的是权重，所以应在内部："
        "f(x·W + b + scale·(x·A)·B)。复制 Dense 时去掉激活函数，加上更新量后再激活",
    )
    found = [
        [part for part in (scales[s], placement if after else ("", "")) if part[0]]
        for s in scales
        for after in (False, True)
        if matches(_mlp_forward(base, values, s, x, after_activation=after))
    ]
    if found and found[0]:
        en, zh = "; and ".join(p[0] for p in found[0]), "；并且".join(p[1] for p in found[0])
    else:
        expected = _mlp_forward(base, values, scale, x)
        difference = float(np.abs(got - expected).max())
        en = f"its outputs differ from f(x·W + b + {scale:g}·(x·A)·B) by up to {difference:.3g}"
        zh = f"它的输出与 f(x·W + b + {scale:g}·(x·A)·B) 最多相差 {difference:.3g}"
    raise AssertionError(say(
        en=f"{shown}, with A and B set to random values: {en}",
        zh=f"{shown}，把 A 和 B 设为随机值后：{zh}",
    ))  # fmt: skip


def test_training_moves_only_a_and_b(lora, report, announce):
    """After a few training steps on new digits, A and B have moved; nothing else has."""
    import keras

    rng = np.random.default_rng()
    base, rank, alpha, model = lora("conv")
    shown = _shown("conv", rank, alpha)
    pairs = _lora_weights(model, base, rank, shown)
    before = [np.array(w) for w in model.weights]
    x, y = _images(TRAIN_IMAGES, rng, digits=range(5, 10))
    announce(say(en="Training your LoRA model for a few steps ...",
                 zh="正在把你的 LoRA 模型训练几步 ..."))  # fmt: skip
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(), run_eagerly=True)  # fmt: skip
    model.fit(x, y, batch_size=TRAIN_BATCH, epochs=1, verbose=0, shuffle=False)
    lora_ids = {id(v) for pair in pairs for v in pair}
    lora_layers = {v.path.rsplit("/", 1)[0] for pair in pairs for v in pair}
    for weight, old in zip(model.weights, before, strict=True):
        new = np.array(weight)
        if id(weight) in lora_ids:
            assert not np.array_equal(new, old), say(
                en=f"{shown}: after {TRAIN_IMAGES // TRAIN_BATCH} steps of Adam on digits 5-9, "
                   f"the LoRA weight {tuple(weight.shape)} has not moved. If A starts at zero as "
                   "well as B, both gradients are zero forever: initialise A randomly",
                zh=f"{shown}：在数字 5-9 上用 Adam 训练 {TRAIN_IMAGES // TRAIN_BATCH} 步后，"
                   "LoRA 权重 "
                   f"{tuple(weight.shape)} 没有变化。如果 A 和 B 都从零开始，两者的梯度永远为零："
                   "A 要随机初始化",
            )  # fmt: skip
        elif not np.array_equal(new, old):
            change = float(np.abs(new - old).max())
            if weight.path.rsplit("/", 1)[0] in lora_layers:
                en = "it belongs to A or B's layer: a bias there trains too; use_bias=False"
                zh = "它属于 A 或 B 所在的层：那里的偏置也会被训练；用 use_bias=False"
            else:
                en = "freeze every original layer (trainable=False)"
                zh = "冻结每个原有的层（trainable=False）"
            raise AssertionError(say(
                en=f"{shown}: training changed the weight {weight.path} {tuple(weight.shape)}, "
                   f"which is not A or B (largest change {change:.3g}): {en}",
                zh=f"{shown}：训练改变了权重 {weight.path} {tuple(weight.shape)}，它不是 A 或 B"
                   f"（最大变化 {change:.3g}）：{zh}",
            ))  # fmt: skip
    after = [np.array(w) for w in model.weights]
    for original in base.get_weights():
        assert any(o.shape == original.shape and np.array_equal(o, original) for o in after), say(
            en=f"{shown}: after training, no weight of the new model equals the original's "
               f"weight of shape {original.shape} bit for bit; copy it (set_weights) and freeze it",
            zh=f"{shown}：训练之后，新模型中没有任何权重与原模型形状为 {original.shape} 的权重逐位"
               "相同；请复制它（set_weights）并冻结",
        )  # fmt: skip
    report(
        en=f"after {TRAIN_IMAGES // TRAIN_BATCH} Adam steps on digits 5-9 all {len(lora_ids)} A/B "
           f"weights moved and all {len(base.get_weights())} original weights are bit-identical",
        zh=f"在数字 5-9 上用 Adam 训练 {TRAIN_IMAGES // TRAIN_BATCH} 步后，{len(lora_ids)} 个 A/B "
           f"权重都变了，{len(base.get_weights())} 个原始权重逐位不变",
    )  # fmt: skip
