"""Hidden checks for `backprop`: mlp_gradients(x, y, params) -> loss and four gradients.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.

Inputs are drawn fresh at every grading. Each gradient is compared with two
references computed here, independently of any solution: the chain rule written out
in float64 (tests/test_classic_references.py proves it equals TensorFlow's autodiff,
so grading needs no TensorFlow) and central finite differences of the loss.

Shapes are judged by their own check; the value checks compare a gradient of the right
SIZE after reshaping it, so a (1, H) bias gradient fails only the shape check.
"""

from __future__ import annotations

import numpy as np

from grader.checks.support import say

NAMES = ("W1", "b1", "W2", "b2")
RTOL, ATOL = 1e-5, 1e-8  # float64 throughout; float32 arithmetic would still pass
FD_STEP, FD_ENTRIES = 1e-6, 5


def forward_loss(x, y, params) -> float:
    """The contract's mean cross-entropy, in float64."""
    z1 = x @ params["W1"] + params["b1"]
    logits = np.maximum(z1, 0) @ params["W2"] + params["b2"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def reference(x, y, params) -> dict:
    """Loss and gradients by the chain rule (ReLU' = 0 at 0, as in TensorFlow)."""
    n = len(y)
    z1 = x @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0)
    logits = h @ params["W2"] + params["b2"]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    one_hot = np.eye(p.shape[1])[y]
    dlogits = (p - one_hot) / n
    dz1 = (dlogits @ params["W2"].T) * (z1 > 0)
    return {"loss": forward_loss(x, y, params), "W1": x.T @ dz1, "b1": dz1.sum(axis=0),
            "W2": h.T @ dlogits, "b2": dlogits.sum(axis=0)}  # fmt: skip


def finite_differences(x, y, params, name, rng) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """Central differences of the loss at a few random entries of params[name]."""
    shape = params[name].shape
    flat = rng.choice(int(np.prod(shape)), min(FD_ENTRIES, int(np.prod(shape))), replace=False)
    entries = [tuple(int(i) for i in np.unravel_index(f, shape)) for f in flat]
    values = []
    for entry in entries:
        moved = {k: v.copy() for k, v in params.items()}
        moved[name][entry] += FD_STEP
        up = forward_loss(x, y, moved)
        moved[name][entry] -= 2 * FD_STEP
        values.append((up - forward_loss(x, y, moved)) / (2 * FD_STEP))
    return entries, np.array(values)


def problem(rng, n=None, dead_units=0, zero_rows=0):
    """A random batch and parameters. The first `dead_units` hidden units never fire
    (z1 < 0 for every sample); with `zero_rows`, the first samples are all zeros and
    the next two units sit at exactly z1 == 0 for them and below 0 for every other."""
    n = n or int(rng.integers(6, 30))
    d, hidden, classes = int(rng.integers(3, 8)), int(rng.integers(5, 10)), int(rng.integers(3, 6))
    x = rng.standard_normal((n, d))
    params = {
        "W1": rng.standard_normal((d, hidden)) * 0.8,
        "b1": rng.standard_normal(hidden) * 0.3,
        "W2": rng.standard_normal((hidden, classes)),
        "b2": rng.standard_normal(classes) * 0.3,
    }
    if dead_units:
        off = slice(0, dead_units + (2 if zero_rows else 0))
        x = np.abs(x) + 0.1  # positive features ...
        params["W1"][:, off] = -np.abs(params["W1"][:, off]) - 0.1  # ... times negative weights
        params["b1"][:dead_units] = -1.0
    if zero_rows:
        x[:zero_rows] = 0.0
        params["b1"][dead_units : dead_units + 2] = 0.0  # z1 == 0 exactly for the zero rows
    y = rng.integers(0, classes, n)
    z1 = x @ params["W1"] + params["b1"]
    if not (dead_units or zero_rows) and np.abs(z1).min() < 10 * FD_STEP:
        # A pre-activation this close to ReLU's kink would make a finite difference
        # straddle it (a few draws in 1,000): draw again.
        return problem(rng, n, dead_units, zero_rows)
    return x, y, params


def _shown(x, params) -> str:
    d, h = params["W1"].shape
    return f"mlp_gradients(x ({x.shape[0]}, {d}), y, params with H={h}, C={params['W2'].shape[1]})"


def _call(submission, x, y, params) -> dict:
    out = submission.call(x, y, params)
    shown = _shown(x, params)
    assert isinstance(out, dict), say(
        en=f"{shown} returned {type(out).__name__}; expected a dict with loss, W1, b1, W2, b2",
        zh=f"{shown} 返回了 {type(out).__name__}；应返回包含 loss、W1、b1、W2、b2 的 dict",
    )
    missing = [k for k in ("loss", *NAMES) if k not in out]
    assert not missing, say(
        en=f"{shown} returned a dict without {', '.join(missing)}; expected the keys loss, W1, "
           "b1, W2, b2 (each gradient under its parameter's name)",
        zh=f"{shown} 返回的 dict 缺少 {', '.join(missing)}；应包含键 loss、W1、b1、W2、b2"
           "（每个梯度用对应参数的名字）",
    )  # fmt: skip
    return out


def _gradient(out, name, params, shown) -> np.ndarray:
    """The submission's gradient for `name` as an array of the parameter's shape."""
    value = np.asarray(out[name], dtype=np.float64)
    shape = params[name].shape
    if value.size != int(np.prod(shape)):
        hint_en = hint_zh = ""
        if name.startswith("b") and value.ndim == 2:
            hint_en = f" ({name} is added to every sample: sum its gradient over the batch axis)"
            hint_zh = f"（{name} 加到了每个样本上：它的梯度要在批次维上求和）"
        raise AssertionError(say(
            en=f"{shown}: gradient {name} has shape {value.shape}; expected {shape}{hint_en}",
            zh=f"{shown}：梯度 {name} 的形状是 {value.shape}；应为 {shape}{hint_zh}",
        ))  # fmt: skip
    return value.reshape(shape)


def _close(a, b) -> bool:
    scale = max(float(np.abs(b).max()), 1e-3)
    return bool(np.allclose(a, b, rtol=RTOL, atol=ATOL + RTOL * scale))


def _diagnose(got, expected, name, n) -> tuple[str, str]:
    if _close(got, expected * n) and n > 1:
        return (
            f"{name} is {n} times too large (N = {n}): the loss is a MEAN over the batch, "
            "so dlogits = (p - one_hot) / N; you summed instead",
            f"{name} 大了 {n} 倍（N = {n}）：损失是对批次的平均值，所以 "
            "dlogits = (p - one_hot) / N；你求的是和",
        )
    if _close(got, -expected):
        return (
            f"{name} has the opposite sign: d(loss)/d(logits) is p - one_hot, not one_hot - p "
            "(a gradient points UP the loss)",
            f"{name} 的符号反了：d(loss)/d(logits) 是 p - one_hot，不是 one_hot - p"
            "（梯度指向损失增大的方向）",
        )
    return ("", "")


def _compare(submission_out, x, y, params, names, rng, shown, relu_hint=None) -> None:
    expected = reference(x, y, params)
    for name in names:
        got = _gradient(submission_out, name, params, shown)
        entries, numeric = finite_differences(x, y, params, name, rng)
        picked = np.array([got[e] for e in entries])
        if _close(got, expected[name]):
            assert np.allclose(picked, numeric, rtol=1e-4, atol=1e-6), say(
                en=f"{shown}: gradient {name} at {entries} is {picked}; finite differences of "
                   f"the loss give {numeric}",
                zh=f"{shown}：梯度 {name} 在 {entries} 处为 {picked}；损失的有限差分为 {numeric}",
            )  # fmt: skip
            continue
        en, zh = _diagnose(got, expected[name], name, len(y))
        if not en and relu_hint is not None and _close(got, relu_hint[name]):
            en, zh = (
                f"{name} lets the gradient through the ReLU everywhere; it must stop where "
                "z1 <= 0: multiply by (z1 > 0)",
                f"{name} 让梯度在所有位置都穿过了 ReLU；在 z1 <= 0 处梯度必须为 0：乘以 (z1 > 0)",
            )
        index = tuple(int(i) for i in np.unravel_index(
            np.abs(got - expected[name]).argmax(), got.shape))  # fmt: skip
        detail_en = (
            f"at index {index} you gave {got[index]:.6g}; autodiff gives "
            f"{expected[name][index]:.6g}, and finite differences of the loss give "
            f"{numeric[0]:.6g} at {entries[0]} where you gave {got[entries[0]]:.6g}"
        )
        detail_zh = (
            f"在下标 {index} 处你得到 {got[index]:.6g}；自动微分得到 {expected[name][index]:.6g}，"
            f"损失的有限差分在 {entries[0]} 处为 {numeric[0]:.6g}，你给出 {got[entries[0]]:.6g}"
        )
        raise AssertionError(say(
            en=f"{shown}: {en + '. ' if en else ''}gradient {name}: {detail_en}",
            zh=f"{shown}：{zh + '。' if zh else ''}梯度 {name}：{detail_zh}",
        ))  # fmt: skip


def _no_mask(x, y, params) -> dict:
    """The gradients when the ReLU's mask is forgotten (a mistake the checks name)."""
    n = len(y)
    z1 = x @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0)
    p = np.exp(h @ params["W2"] + params["b2"])
    p /= p.sum(axis=1, keepdims=True)
    dz1 = ((p - np.eye(p.shape[1])[y]) / n) @ params["W2"].T
    return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0)}


def test_returns_loss_and_gradients_with_their_shapes(submission, report):
    """A float loss and a gradient for W1, b1, W2, b2, each with its parameter's shape."""
    rng = np.random.default_rng()
    x, y, params = problem(rng)
    out = _call(submission, x, y, params)
    shown = _shown(x, params)
    loss = out["loss"]
    if isinstance(loss, np.ndarray) and loss.size == 1:
        loss = float(loss.reshape(()))
    assert isinstance(loss, int | float) and not isinstance(loss, bool), say(
        en=f"{shown}: loss is {type(loss).__name__}; expected one float (float(loss))",
        zh=f"{shown}：loss 的类型是 {type(loss).__name__}；应为一个浮点数（float(loss)）",
    )
    for name in NAMES:
        shape = np.shape(out[name])
        hint_en = hint_zh = ""
        if name.startswith("b") and shape == (1, params[name].shape[0]):
            hint_en = " (sum(axis=0, keepdims=True) keeps a batch axis of 1: drop keepdims)"
            hint_zh = "（sum(axis=0, keepdims=True) 留下了长度为 1 的批次维：去掉 keepdims）"
        assert shape == params[name].shape, say(
            en=f"{shown}: gradient {name} has shape {shape}; expected {params[name].shape}, the "
               f"shape of params['{name}']{hint_en}",
            zh=f"{shown}：梯度 {name} 的形状是 {shape}；应为 params['{name}'] 的形状 "
               f"{params[name].shape}{hint_zh}",
        )  # fmt: skip
    report(
        en=f"loss and 4 gradients with their parameters' shapes (D={x.shape[1]}, "
           f"H={params['W1'].shape[1]}, C={params['W2'].shape[1]})",
        zh=f"loss 与 4 个梯度，形状与参数一致（D={x.shape[1]}、H={params['W1'].shape[1]}、"
           f"C={params['W2'].shape[1]}）",
    )  # fmt: skip


def test_loss_is_mean_cross_entropy(submission, report):
    """The loss is the mean of -log softmax(logits)[label] over the batch."""
    rng = np.random.default_rng()
    x, y, params = problem(rng)
    out = _call(submission, x, y, params)
    expected = forward_loss(x, y, params)
    loss = float(np.asarray(out["loss"], dtype=np.float64).reshape(-1)[0])
    n, shown = len(y), _shown(x, params)
    if np.isclose(loss, expected * n, rtol=1e-6):
        raise AssertionError(say(
            en=f"{shown}: loss {loss:.6g} is the SUM over the {n} samples; expected their mean "
               f"{expected:.6g}",
            zh=f"{shown}：loss {loss:.6g} 是 {n} 个样本的总和；应为平均值 {expected:.6g}",
        ))  # fmt: skip
    assert np.isclose(loss, expected, rtol=1e-6, atol=1e-9), say(
        en=f"{shown}: loss {loss:.6g}; expected {expected:.6g}, the mean of -log p[n, y[n]] with "
           "p = softmax(relu(x @ W1 + b1) @ W2 + b2) and the natural log",
        zh=f"{shown}：loss 为 {loss:.6g}；应为 {expected:.6g}，即对 -log p[n, y[n]] 求平均，"
           "其中 p = softmax(relu(x @ W1 + b1) @ W2 + b2)，log 为自然对数",
    )  # fmt: skip
    report(
        en=f"loss {loss:.4f} on {n} samples equals the mean cross-entropy",
        zh=f"{n} 个样本上的 loss {loss:.4f} 等于平均交叉熵",
    )


def test_output_layer_gradients(submission, report):
    """W2 and b2 match TensorFlow's autodiff and finite differences of the loss."""
    rng = np.random.default_rng()
    x, y, params = problem(rng)
    out = _call(submission, x, y, params)
    _compare(out, x, y, params, ("W2", "b2"), rng, _shown(x, params))
    report(
        en=f"W2 {params['W2'].shape} and b2 match autodiff and {FD_ENTRIES} finite differences "
        "each",
        zh=f"W2 {params['W2'].shape} 与 b2 和自动微分一致，并各与 {FD_ENTRIES} 个有限差分一致",
    )


def test_hidden_layer_gradients(submission, report):
    """W1 and b1, through W2 and the ReLU, match autodiff and finite differences."""
    rng = np.random.default_rng()
    x, y, params = problem(rng)
    out = _call(submission, x, y, params)
    shown = _shown(x, params)
    _compare(out, x, y, params, ("W1", "b1"), rng, shown, relu_hint=_no_mask(x, y, params))
    active = float(np.mean(x @ params["W1"] + params["b1"] > 0))
    report(
        en=f"W1 {params['W1'].shape} and b1 match autodiff and finite differences "
        f"({active:.0%} of the ReLUs active)",
        zh=f"W1 {params['W1'].shape} 与 b1 和自动微分及有限差分一致"
        f"（{active:.0%} 的 ReLU 处于激活）",
    )


def test_relu_zero_region(submission, report):
    """No gradient flows through a ReLU at z1 <= 0: dead units get exactly 0, and z1 == 0 too."""
    rng = np.random.default_rng()
    x, y, params = problem(rng, n=12, dead_units=2, zero_rows=3)
    out = _call(submission, x, y, params)
    shown = _shown(x, params)
    w1 = _gradient(out, "W1", params, shown)
    b1 = _gradient(out, "b1", params, shown)
    # Units 0-1: z1 < 0 everywhere. Units 2-3: z1 == 0 for the 3 zero samples, < 0
    # elsewhere. Strictly masked, every gradient of these four units is exactly 0.
    dead = max(np.abs(w1[:, :2]).max(), np.abs(b1[:2]).max())
    if dead > 0:
        raise AssertionError(say(
            en=f"{shown}: hidden units 0 and 1 never fire (z1 < 0 for every sample), yet your "
               f"W1/b1 gradients there reach {dead:.3g}; a ReLU that is off passes no "
               "gradient: multiply by (z1 > 0)",
            zh=f"{shown}：隐藏单元 0 和 1 从不激活（每个样本的 z1 都 < 0），但你在那里的 W1/b1 梯度"
               f"达到 {dead:.3g}；关闭的 ReLU 不传递梯度：乘以 (z1 > 0)",
        ))  # fmt: skip
    at_zero = max(np.abs(w1[:, 2:4]).max(), np.abs(b1[2:4]).max())
    assert at_zero == 0, say(
        en=f"{shown}: hidden units 2 and 3 sit at exactly z1 == 0 for 3 all-zero samples (and "
           f"below 0 for the rest), yet your b1 gradient there is {b1[2]:.3g}, {b1[3]:.3g}: "
           "your ReLU mask lets the gradient through at z1 == 0. Use z1 > 0, not z1 >= 0, "
           "as TensorFlow does",
        zh=f"{shown}：对 3 个全零样本，隐藏单元 2 和 3 恰好 z1 == 0（其余样本都 < 0），但你在那里"
           f"的 b1 梯度为 {b1[2]:.3g}、{b1[3]:.3g}：你的 ReLU 掩码在 z1 == 0 处放过了梯度。"
           "要像 TensorFlow 一样用 z1 > 0，而不是 z1 >= 0",
    )  # fmt: skip
    report(
        en="dead units get exactly 0, and z1 == 0 passes no gradient (as in TensorFlow)",
        zh="从不激活的单元梯度恰为 0，z1 == 0 处也不传递梯度（与 TensorFlow 一致）",
    )


def test_mean_does_not_depend_on_batch_size(submission, report):
    """The same batch stacked twice gives the same loss and gradients (a mean, not a sum)."""
    rng = np.random.default_rng()
    x, y, params = problem(rng)
    once = _call(submission, x, y, params)
    twice = _call(submission, np.concatenate([x, x]), np.concatenate([y, y]), params)
    shown = _shown(x, params)
    for name in NAMES:
        a = _gradient(once, name, params, shown)
        b = _gradient(twice, name, params, shown)
        if _close(b, 2 * a) and not _close(a, 0 * a):
            raise AssertionError(say(
                en=f"stacking the batch twice doubled gradient {name}: it is a sum over the "
                   "samples; divide by N so the gradient is that of the MEAN loss",
                zh=f"把批次重复两次后梯度 {name} 翻了一倍：它是对样本求和；要除以 N，"
                   "使其成为平均损失的梯度",
            ))  # fmt: skip
        assert _close(b, a), say(
            en=f"stacking the batch twice changed gradient {name} (largest change "
               f"{np.abs(b - a).max():.3g}); the mean loss and its gradients must not change",
            zh=f"把批次重复两次改变了梯度 {name}（最大变化 {np.abs(b - a).max():.3g}）；"
               "平均损失及其梯度不应改变",
        )  # fmt: skip
    report(
        en=f"{len(y)} samples and the same {len(y)} twice give the same gradients",
        zh=f"{len(y)} 个样本与重复两次的 {2 * len(y)} 个样本给出相同的梯度",
    )
