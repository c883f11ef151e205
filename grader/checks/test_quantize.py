"""Hidden checks for `quantize`: quantize_int8(w, axis) -> (q, scale) and dequantize(q, scale).

Every input is drawn fresh for each grading (numeric.fresh_rng). The scale is checked
against max|w| / 127; q against round(w / scale) computed here with the learner's own
scale, accepting either neighbour where w / scale lies within 1e-3 of a half (float32
and float64 may round those differently). dequantize is the learner's second function,
called in the same worker (numeric.other_function).

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.numeric import as_array, as_pair, fresh_rng, other_function
from grader.checks.support import describe, say


# autouse: its worker starts with the first check and imports numpy while the first
# checks run, instead of when the first check that needs it comes.
@pytest.fixture(scope="module", autouse=True)
def dequantize(submission):
    """The learner's dequantize(q, scale)."""
    yield from other_function(submission, "dequantize")


def _quantize(submission, w: np.ndarray, axis: int | None = None):
    call = f"quantize_int8(w {w.shape}{'' if axis is None else f', axis={axis}'})"
    answer = submission.call(w) if axis is None else submission.call(w, axis=axis)
    q, scale = as_pair(answer, call, "q", "scale")
    q = as_array(q, call, "q", w.shape)
    if isinstance(scale, float) and not isinstance(scale, bool):
        # A numpy scalar arrives as a Python float: np.float32 if its value is one.
        scale = np.array(scale, np.float32 if float(np.float32(scale)) == scale else np.float64)
    if not isinstance(scale, np.ndarray) or scale.dtype.kind != "f":
        raise AssertionError(say(
            en=f"{call} returned {describe(scale)} as scale; expected a float32 numpy array",
            zh=f"{call} 返回的 scale 是 {describe(scale)}；应当是 float32 的 numpy 数组",
        ))  # fmt: skip
    expected = _scale_shape(w, axis)
    if axis is not None and scale.shape != expected:
        channel = axis % w.ndim
        along = tuple(1 if i == channel else n for i, n in enumerate(w.shape))
        if scale.shape in (along, along[:channel] + along[channel + 1 :]):
            raise AssertionError(say(
                en=f"{call} returned a scale of shape {scale.shape}: it took the max ALONG axis "
                   f"{axis}, one scale per index of the other axes; a channel is an index along "
                   f"axis {axis}, so reduce over every OTHER axis (expected shape {expected})",
                zh=f"{call} 返回的 scale 形状为 {scale.shape}：它沿轴 {axis} 取最大值，"
                   f"结果是其他轴上每个下标一个 scale；通道是沿轴 {axis} 的下标，"
                   f"所以要在所有“其他”轴上归约（形状应为 {expected}）",
            ))  # fmt: skip
        raise AssertionError(say(
            en=f"{call} returned a scale of shape {scale.shape}; expected {expected}: one scale "
               f"per index along axis {axis}, with keepdims=True",
            zh=f"{call} 返回的 scale 形状为 {scale.shape}；应当是 {expected}：沿轴 {axis} 的每个"
               "下标一个 scale，并 keepdims=True",
        ))  # fmt: skip
    if scale.size != int(np.prod(expected)) or np.broadcast_shapes(scale.shape, w.shape) != w.shape:
        raise AssertionError(say(
            en=f"{call} returned a scale of shape {scale.shape}; expected {expected}: "
               + ("ONE scale for the whole tensor" if axis is None else
                  f"one scale per index along axis {axis}, keepdims=True"),
            zh=f"{call} 返回的 scale 形状为 {scale.shape}；应当是 {expected}："
               + ("整个张量一个 scale" if axis is None else
                  f"沿轴 {axis} 的每个下标一个 scale，keepdims=True"),
        ))  # fmt: skip
    return q, scale.reshape(expected), call


def _scale_shape(w: np.ndarray, axis: int | None) -> tuple[int, ...]:
    if axis is None:
        return (1,) * w.ndim
    return tuple(n if i == axis % w.ndim else 1 for i, n in enumerate(w.shape))


def _expected_scale(w: np.ndarray, axis: int | None) -> np.ndarray:
    over = None if axis is None else tuple(a for a in range(w.ndim) if a != axis % w.ndim)
    return np.abs(w.astype(np.float64)).max(axis=over, keepdims=True) / 127


def _weights(rng: np.random.Generator, shape=None) -> np.ndarray:
    shape = shape or (int(rng.integers(4, 9)), int(rng.integers(5, 12)))
    return rng.normal(0, 0.05, shape).astype(np.float32)


def _check_scale(w, scale, axis, call) -> None:
    expected = _expected_scale(w, axis)
    if np.allclose(scale, expected, rtol=1e-6, atol=0):
        return
    if np.allclose(scale, expected * 127 / 128, rtol=1e-6):
        why = say(
            en="it divided by 128; int8 symmetric quantization uses 127, so that q stays "
            "in [-127, 127] and -q always exists",
            zh="它除以了 128；对称 int8 量化用 127，使 q 保持在 [-127, 127] 且 -q 总是存在",
        )
    elif axis is not None and np.allclose(np.sort(scale.ravel()), np.sort(scale.ravel())[0]):
        why = say(en="every channel got the same scale", zh="每个通道的 scale 都一样")
    else:
        why = say(en=f"expected max|w| / 127 = {expected.ravel()[:4]}",
                  zh=f"应当是 max|w| / 127 = {expected.ravel()[:4]}")  # fmt: skip
    raise AssertionError(say(
        en=f"{call} returned scale {scale.ravel()[:4]}{'...' if scale.size > 4 else ''}: {why}",
        zh=f"{call} 返回的 scale 为 {scale.ravel()[:4]}{'...' if scale.size > 4 else ''}：{why}",
    ))  # fmt: skip


def _check_q(w, q, scale, call) -> None:
    ratio = w.astype(np.float64) / scale.astype(np.float64)
    expected = np.clip(np.round(ratio), -127, 127)
    near_half = np.abs(np.abs(ratio - np.trunc(ratio)) - 0.5) < 1e-3
    wrong = (q.astype(np.int64) != expected) & ~(near_half & (np.abs(q - ratio) < 0.501))
    if not wrong.any():
        return
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    near_whole = np.abs(ratio - np.round(ratio)) < 1e-3  # float32 may land either side
    if np.all((q == np.trunc(ratio)) | near_whole):
        why = say(
            en="it truncated toward zero (astype(np.int8) alone cuts the fraction off); "
            "np.round first",
            zh="它向零截断了（只用 astype(np.int8) 会直接丢掉小数部分）；先用 np.round",
        )
    else:
        why = say(en=f"at index {index}, w / scale = {ratio[index]:.4f} gave q = {q[index]}, "
                     f"expected {int(expected[index])}",
                  zh=f"在索引 {index} 处，w / scale = {ratio[index]:.4f} 得到 q = {q[index]}，"
                     f"应当是 {int(expected[index])}")  # fmt: skip
    raise AssertionError(say(
        en=f"{call}: {int(wrong.sum())} of {q.size} values of q are not round(w / scale): {why}",
        zh=f"{call}：q 的 {q.size} 个值中有 {int(wrong.sum())} 个不等于 round(w / scale)：{why}",
    ))  # fmt: skip


def test_returns_int8_and_float32(submission, dequantize, report):
    """q is int8, scale float32, and dequantize returns float32."""
    w = _weights(fresh_rng())
    q, scale, call = _quantize(submission, w)
    back = dequantize.call(q, scale)
    problems = []  # (en, zh)
    if q.dtype != np.int8:
        problems.append((f"q is {q.dtype}, expected int8 (.astype(np.int8))",
                         f"q 是 {q.dtype}，应当是 int8（.astype(np.int8)）"))  # fmt: skip
    if scale.dtype != np.float32:
        problems.append(
            (
                f"scale is {scale.dtype}, expected float32 (.astype(np.float32))",
                f"scale 是 {scale.dtype}，应当是 float32（.astype(np.float32)）",
            )
        )
    if not isinstance(back, np.ndarray) or back.dtype != np.float32:
        problems.append(
            (
                f"dequantize returned {describe(back)}, expected a float32 array",
                f"dequantize 返回了 {describe(back)}，应当是 float32 数组",
            )
        )
    assert not problems, say(en=f"{call}: " + "; ".join(en for en, _ in problems),
                             zh=f"{call}：" + "；".join(zh for _, zh in problems))  # fmt: skip
    report(en="q int8, scale float32, dequantize float32",
           zh="q 为 int8，scale 为 float32，dequantize 返回 float32")  # fmt: skip


def test_per_tensor_scale_and_values(submission, report):
    """axis=None: scale = max|w| / 127, q = round(w / scale) in [-127, 127]."""
    rng = fresh_rng()
    w = _weights(rng)
    w.flat[int(rng.integers(w.size))] = -0.3  # the largest magnitude is negative
    q, scale, call = _quantize(submission, w)
    _check_scale(w, scale, None, call)
    _check_q(w, q, scale, call)
    report(en=f"scale {float(scale.ravel()[0]):.6g} = max|w| / 127, and all {q.size} values "
              "of q are round(w / scale)",
           zh=f"scale {float(scale.ravel()[0]):.6g} = max|w| / 127，q 的全部 {q.size} 个值都是 "
              "round(w / scale)")  # fmt: skip


def test_error_within_half_a_step(submission, dequantize, report):
    """dequantize(quantize(w)) is within scale / 2 of w everywhere."""
    rng = fresh_rng()
    worst = 0.0
    for axis in (None, 0, 1):
        w = _weights(rng)
        q, scale, call = _quantize(submission, w, axis)
        back = as_array(dequantize.call(q, scale), "dequantize(q, scale)", "w", w.shape)
        error = np.abs(back.astype(np.float64) - w) / np.broadcast_to(scale, w.shape)
        worst = max(worst, float(error.max()))
        if not error.max() <= 0.5 + 1e-4:
            index = tuple(int(i) for i in np.argwhere(error == error.max())[0])
            raise AssertionError(say(
                en=f"{call}, then dequantize: at index {index} w = {w[index]:.6g} came back as "
                   f"{back[index]:.6g}, {error[index]:.2f} steps away; rounding to the nearest "
                   "step keeps every value within half a step (scale / 2)",
                zh=f"{call} 后再 dequantize：索引 {index} 处 w = {w[index]:.6g} 还原为 "
                   f"{back[index]:.6g}，相差 {error[index]:.2f} 个步长；四舍五入到最近的步长能"
                   "让每个值都在半个步长（scale / 2）之内",
            ))  # fmt: skip
    report(en=f"per tensor and per channel: the largest error is {worst:.3f} of a step "
              "(at most 0.5)",
           zh=f"按张量与按通道：最大误差为 {worst:.3f} 个步长（上限 0.5）")  # fmt: skip


def test_zero_maps_to_zero(submission, dequantize, report):
    """Exact zeros in w quantize to 0 and come back as exactly 0."""
    rng = fresh_rng()
    w = _weights(rng) + 0.02  # mostly positive, so an asymmetric range would shift zero
    zeros = rng.random(w.shape) < 0.3
    w[zeros] = 0.0
    q, scale, call = _quantize(submission, w)
    back = dequantize.call(q, scale)
    bad = int(np.count_nonzero(q[zeros])) + int(np.count_nonzero(np.asarray(back)[zeros]))
    assert bad == 0, say(
        en=f"{call}: {int(zeros.sum())} exact zeros came back as q = "
           f"{np.unique(q[zeros])[:5]}: symmetric quantization has no offset, so 0 / scale = 0",
        zh=f"{call}：{int(zeros.sum())} 个精确的 0 被量化为 q = {np.unique(q[zeros])[:5]}："
           "对称量化没有偏移量，所以 0 / scale = 0",
    )  # fmt: skip
    report(en=f"{int(zeros.sum())} zeros quantized to 0 and dequantized to 0.0",
           zh=f"{int(zeros.sum())} 个 0 被量化为 0，反量化为 0.0")  # fmt: skip


def test_all_zero_channel(submission, dequantize, report):
    """A channel of zeros gives q = 0, a positive finite scale and no NaN or inf."""
    rng = fresh_rng()
    w = _weights(rng)
    dead = int(rng.integers(w.shape[0]))
    w[dead] = 0.0
    with np.errstate(all="ignore"):
        q, scale, call = _quantize(submission, w, axis=0)
        back = np.asarray(dequantize.call(q, scale), dtype=np.float64)
    s = float(scale.ravel()[dead])
    ok = np.isfinite(scale).all() and s > 0 and not q[dead].any() and np.isfinite(back).all()
    assert ok and not back[dead].any(), say(
        en=f"{call} with row {dead} all zeros: its scale is {s}, its q {q[dead][:6]}: "
           "max|w| / 127 is 0 there and w / 0 is 0 / 0 = NaN; give an all-zero channel scale "
           "1.0 (np.where(scale > 0, scale, 1))",
        zh=f"{call}，第 {dead} 行全为 0：它的 scale 为 {s}，q 为 {q[dead][:6]}：该处 "
           "max|w| / 127 为 0，w / 0 就是 0 / 0 = NaN；让全 0 通道的 scale 为 1.0"
           "（np.where(scale > 0, scale, 1)）",
    )  # fmt: skip
    report(en=f"row {dead} all zeros: scale {s:g}, q all 0, no NaN or inf",
           zh=f"第 {dead} 行全为 0：scale {s:g}，q 全为 0，没有 NaN 或 inf")  # fmt: skip


def test_per_channel_along_axis(submission, report):
    """axis=a: one scale per index along axis a, from the max over the other axes."""
    rng = fresh_rng()
    w = _weights(rng)
    w *= rng.uniform(0.1, 10, (w.shape[0], 1)).astype(np.float32)  # rows of different sizes
    cube = _weights(rng, (3, 4, 5)) * rng.uniform(0.1, 10, (1, 1, 5)).astype(np.float32)
    for array, axis in ((w, 0), (w, 1), (cube, -1)):
        q, scale, call = _quantize(submission, array, axis)
        _check_scale(array, scale, axis, call)
        _check_q(array, q, scale, call)
    report(
        en="axis 0 and 1 of a matrix and axis -1 of a 3-D tensor: one exact scale per "
        "channel, q exact",
        zh="矩阵的轴 0 与轴 1、三维张量的轴 -1：每个通道一个精确的 scale，q 也精确",
    )


def test_per_channel_beats_per_tensor(submission, dequantize, report):
    """On a matrix with one huge row, per-channel keeps the small rows precise."""
    rng = fresh_rng()
    w = _weights(rng)
    big = int(rng.integers(w.shape[0]))
    w[big] *= 1000
    small = np.arange(w.shape[0]) != big
    errors = {}
    for axis in (None, 0):
        q, scale, _ = _quantize(submission, w, axis)
        back = np.asarray(dequantize.call(q, scale), dtype=np.float64)
        errors[axis] = float(np.abs(back - w)[small].mean())
    assert errors[0] < errors[None] / 10, say(
        en=f"on a matrix whose row {big} is 1000 times larger, quantize_int8(w, axis=0) has a "
           f"mean error of {errors[0]:.3g} on the other rows, per tensor {errors[None]:.3g}: "
           "with one scale per row, the small rows keep their own fine steps",
        zh=f"在第 {big} 行大 1000 倍的矩阵上，quantize_int8(w, axis=0) 在其他行上的平均误差为 "
           f"{errors[0]:.3g}，按张量为 {errors[None]:.3g}：每行一个 scale 时，小的行保留自己的"
           "细步长",
    )  # fmt: skip
    report(en=f"one row 1000x larger: mean error on the others {errors[0]:.2g} per channel "
              f"vs {errors[None]:.2g} per tensor",
           zh=f"一行大 1000 倍：其他行的平均误差按通道为 {errors[0]:.2g}，按张量为 "
              f"{errors[None]:.2g}")  # fmt: skip


def test_dequantize_is_q_times_scale(dequantize, report):
    """dequantize(q, scale) is q * scale in float32, broadcasting a per-channel scale."""
    rng = fresh_rng()
    q = rng.integers(-127, 128, (5, 7)).astype(np.int8)
    scale = rng.uniform(1e-4, 1e-2, (5, 1)).astype(np.float32)
    back = as_array(dequantize.call(q, scale), "dequantize(q (5, 7), scale (5, 1))", "w", q.shape)
    expected = q.astype(np.float32) * scale
    assert np.allclose(back, expected, rtol=1e-6, atol=0), say(
        en=f"dequantize(q, scale) returned {back.ravel()[:3]}... where q * scale is "
           f"{expected.ravel()[:3]}...: multiply (in float32; int8 * int8 would overflow)",
        zh=f"dequantize(q, scale) 返回 {back.ravel()[:3]}...，而 q * scale 是 "
           f"{expected.ravel()[:3]}...：应当相乘（用 float32；int8 * int8 会溢出）",
    )  # fmt: skip
    report(en="q * scale for a (5, 7) int8 matrix and per-row scales",
           zh="对 (5, 7) 的 int8 矩阵与逐行 scale，结果等于 q * scale")  # fmt: skip
