"""Hidden checks for `softmax_ce`: softmax_cross_entropy(logits, labels) -> (loss, grad).

Every input is drawn fresh for each grading (numeric.fresh_rng); the expected values
are computed here in float64 with log-sum-exp.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import time

import numpy as np

from grader.checks.numeric import as_array, as_float, as_pair, close, fresh_rng, mismatch
from grader.checks.support import python_seconds_per_item, say

# The vectorisation check sends ROWS rows of CLASSES logits as CALLS calls and judges
# the CPU time the worker spent on them (measured by the grader from /proc). Few
# classes and many rows make a Python loop over the rows stand out: even a loop that
# only subtracts the one-hot (`for i in range(n): grad[i, labels[i]] -= 1`) costs about
# 0.35 microseconds a row, more than a vectorised answer spends on the whole row.
# The limit is LIMIT_SHARE x ROWS x the CPU time Python's built-in min() takes per item
# on this machine (support.python_seconds_per_item), so it scales with the machine.
# Measured in the sandbox (2 cores, load average 8-12, three runs each, so noisy): the
# reference and three independent correct answers (tests/fair/) used 0.11-0.16 s of CPU
# for the six calls, the one-hot loop (tests/wrong/sm_loop.py) 0.34-0.35 s; min() took
# 45 ns an item, so the limit was 0.23 s: 1.45x above the slowest correct answer and
# 1.5x below the fastest loop.
ROWS, CLASSES, CALLS = 600_000, 3, 6
LIMIT_SHARE, MIN_LIMIT, MAX_LIMIT = 8.5, 0.1, 3.0


def _expected(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient, in float64, via log-sum-exp."""
    z = logits.astype(np.float64)
    top = z.max(axis=1, keepdims=True)
    log_sum = top + np.log(np.sum(np.exp(z - top), axis=1, keepdims=True))
    picked = np.take_along_axis(z, labels[:, None], axis=1)
    loss = float(np.mean(log_sum - picked))
    one_hot = np.eye(z.shape[1])[labels]
    return loss, (np.exp(z - log_sum) - one_hot) / len(labels)


def _inputs(rng: np.random.Generator, scale: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    n, c = int(rng.integers(4, 9)), int(rng.integers(3, 8))
    return rng.normal(0, scale, (n, c)), rng.integers(0, c, n)


def _call(submission, logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    call = f"softmax_cross_entropy(logits {logits.shape}, labels {labels.shape})"
    loss, grad = as_pair(submission.call(logits, labels), call, "loss", "grad")
    loss = as_float(loss, call, "loss")
    return loss, as_array(grad, call, "grad", logits.shape).astype(np.float64)


def test_returns_loss_and_gradient(submission, report):
    """Returns (loss, grad): one float and an (N, C) array."""
    rng = fresh_rng()
    logits, labels = _inputs(rng)
    loss, grad = _call(submission, logits, labels)
    report(
        en=f"returned a float and a {grad.shape} gradient for {logits.shape} logits",
        zh=f"对 {logits.shape} 的 logits 返回了一个浮点数和形状为 {grad.shape} 的梯度",
    )


def test_loss_exact_values(submission, report):
    """The loss is the mean of -log softmax(row)[label] over the rows."""
    rng = fresh_rng()
    logits, labels = _inputs(rng)
    loss, _ = _call(submission, logits, labels)
    expected, _ = _expected(logits, labels)
    n = len(labels)
    if close(loss, expected):
        report(en=f"loss {loss:.6f} on {n} fresh random rows, as expected",
               zh=f"在 {n} 行新随机数据上损失为 {loss:.6f}，与预期一致")  # fmt: skip
        return
    if close(loss, expected * n):
        why = say(en=f"it is the SUM over the {n} rows; the loss is their mean (divide by N)",
                  zh=f"这是 {n} 行的总和；损失应当是平均值（除以 N）")  # fmt: skip
    elif close(loss, -expected):
        why = say(en="its sign is flipped: the loss is -log p, a positive number",
                  zh="符号反了：损失是 -log p，是正数")  # fmt: skip
    elif close(loss, expected / np.log(2)) or close(loss, expected / np.log(10)):
        why = say(en="it uses log base 2 or 10; cross-entropy uses the natural log",
                  zh="用了以 2 或 10 为底的对数；交叉熵使用自然对数")  # fmt: skip
    else:
        why = say(en=f"expected {expected:.6f}", zh=f"应当是 {expected:.6f}")
    raise AssertionError(say(
        en=f"softmax_cross_entropy on {n} random rows returned loss {loss:.6f}: {why}",
        zh=f"softmax_cross_entropy 在 {n} 行随机数据上返回的损失为 {loss:.6f}：{why}",
    ))  # fmt: skip


def test_gradient_exact_values(submission, report):
    """The gradient is (softmax - one_hot) / N."""
    rng = fresh_rng()
    logits, labels = _inputs(rng)
    _, grad = _call(submission, logits, labels)
    _, expected = _expected(logits, labels)
    n = len(labels)
    if close(grad, expected):
        report(en=f"all {grad.size} gradient values match (softmax - one_hot) / {n}",
               zh=f"全部 {grad.size} 个梯度值都等于 (softmax - one_hot) / {n}")  # fmt: skip
        return
    one_hot = np.eye(logits.shape[1])[labels]
    if close(grad, expected * n):
        why = say(en=f"it is {n} times too large: the loss is a mean, so divide by N = {n}",
                  zh=f"大了 {n} 倍：损失是平均值，所以要除以 N = {n}")  # fmt: skip
    elif close(grad, -expected):
        why = say(en="its sign is flipped: it is one_hot - softmax; dLoss/dz = softmax - one_hot",
                  zh="符号反了：它是 one_hot - softmax；dLoss/dz = softmax - one_hot")  # fmt: skip
    elif close(grad, expected + one_hot / n) or close(grad, expected * n + one_hot):
        why = say(en="it is softmax without the one-hot: subtract 1 at each row's true class",
                  zh="它只是 softmax，少了 one-hot：要在每行的真实类别处减去 1")  # fmt: skip
    else:
        why = mismatch(grad, expected)
    raise AssertionError(say(
        en=f"softmax_cross_entropy on {n} random rows returned a gradient that is wrong: {why}",
        zh=f"softmax_cross_entropy 在 {n} 行随机数据上返回的梯度不对：{why}",
    ))  # fmt: skip


def test_gradient_matches_finite_differences(submission, report):
    """The gradient is the derivative of the returned loss (central differences)."""
    rng = fresh_rng()
    logits, labels = _inputs(rng)
    _, grad = _call(submission, logits, labels)
    h, worst = 1e-5, 0.0
    for _ in range(4):  # directional derivatives: (L(z + hD) - L(z - hD)) / 2h = <grad, D>
        direction = rng.normal(0, 1, logits.shape)
        plus, _ = _call(submission, logits + h * direction, labels)
        minus, _ = _call(submission, logits - h * direction, labels)
        numeric, analytic = (plus - minus) / (2 * h), float(np.sum(grad * direction))
        error = abs(numeric - analytic) / max(abs(numeric), abs(analytic), 1e-3)
        worst = max(worst, error)
        if not error <= 1e-4:
            ratio = analytic / numeric if numeric else float("inf")
            raise AssertionError(say(
                en=f"along a random direction D, your loss changes at rate {numeric:.6g} "
                   f"(finite differences) but sum(grad * D) is {analytic:.6g} (ratio "
                   f"{ratio:.3g}): the returned gradient is not the derivative of the returned "
                   "loss",
                zh=f"沿随机方向 D，你的损失的变化率为 {numeric:.6g}（有限差分），但 "
                   f"sum(grad * D) 为 {analytic:.6g}（比值 {ratio:.3g}）：返回的梯度不是返回的"
                   "损失的导数",
            ))  # fmt: skip
    report(en=f"4 random directions: relative error at most {worst:.1e} (limit 1e-4)",
           zh=f"4 个随机方向：相对误差最大 {worst:.1e}（上限 1e-4）")  # fmt: skip


def test_rows_of_gradient_sum_to_zero(submission, report):
    """Each row of the gradient sums to 0 (softmax sums to 1, the one-hot too)."""
    rng = fresh_rng()
    logits, labels = _inputs(rng, scale=10.0)
    _, grad = _call(submission, logits, labels)
    sums = grad.sum(axis=1)
    worst = float(np.max(np.abs(sums)))
    assert worst <= 1e-9, say(
        en=f"the rows of the gradient sum to {np.array2string(sums, precision=4)}; each row "
           "of softmax - one_hot sums to 1 - 1 = 0 (a row summing to 1/N means the one-hot "
           "was not subtracted)",
        zh=f"梯度各行之和为 {np.array2string(sums, precision=4)}；softmax - one_hot 的每一行之和"
           "是 1 - 1 = 0（行和为 1/N 说明没有减去 one-hot）",
    )  # fmt: skip
    report(en=f"{len(sums)} rows, largest row sum {worst:.1e}",
           zh=f"{len(sums)} 行，最大行和 {worst:.1e}")  # fmt: skip


def test_stable_for_huge_logits(submission, report):
    """Logits of +-1e4 give finite, exact values: no overflow, no log(0)."""
    rng = fresh_rng()
    # One row per call, so a mean/sum or 1/N mistake (named by other checks) cannot
    # show here: the true class is the row's smallest logit (its probability
    # underflows to exactly 0 in float64), its largest, then any.
    row = np.round(rng.uniform(-1e4, 1e4, (1, int(rng.integers(3, 8)))))
    row[0, :2] = -1e4, 1e4
    losses = []
    for label in (int(np.argmin(row)), int(np.argmax(row)), int(rng.integers(row.shape[1]))):
        labels = np.array([label])
        loss, grad = _call(submission, row, labels)
        expected, _ = _expected(row, labels)
        shown = np.array2string(row, precision=0, floatmode="fixed")
        if not np.isfinite(loss) or not np.all(np.isfinite(grad)):
            if np.isnan(loss) or np.isnan(grad).any():
                why = say(
                    en="exp() overflowed to inf and inf / inf gave NaN: subtract each row's "
                    "max before exp()",
                    zh="exp() 溢出为 inf，inf / inf 得到 NaN：exp() 之前先减去每行的最大值",
                )
            else:
                why = say(
                    en="the true class's probability underflowed to 0 and log(0) = -inf: "
                    "compute log-softmax as z - max - log(sum(exp(z - max)))",
                    zh="真实类别的概率下溢为 0，log(0) = -inf：用 "
                    "z - max - log(sum(exp(z - max))) 计算 log-softmax",
                )
            raise AssertionError(say(
                en=f"softmax_cross_entropy(logits {shown}, labels [{label}]) returned loss "
                   f"{loss} and {int((~np.isfinite(grad)).sum())} non-finite gradient values: "
                   f"{why}",
                zh=f"softmax_cross_entropy(logits {shown}, labels [{label}]) 返回损失 {loss}，"
                   f"梯度中有 {int((~np.isfinite(grad)).sum())} 个非有限值：{why}",
            ))  # fmt: skip
        assert close(loss, expected), say(
            en=f"softmax_cross_entropy(logits {shown}, labels [{label}]) returned loss "
               f"{loss:.6g} where {expected:.6g} is right: clipping p before log() (or any "
               "epsilon) changes the value; log-softmax z - max - log(sum(exp(z - max))) is "
               "exact",
            zh=f"softmax_cross_entropy(logits {shown}, labels [{label}]) 返回损失 {loss:.6g}，"
               f"正确值是 {expected:.6g}：在 log() 之前截断 p（或加任何 epsilon）都会改变数值；"
               "log-softmax z - max - log(sum(exp(z - max))) 是精确的",
        )  # fmt: skip
        losses.append(loss + 0.0)  # -0.0 (a certain class) shows as 0
    report(
        en=f"logits of +-1e4: losses {', '.join(f'{v:.6g}' for v in losses)}, finite and exact",
        zh=f"logits 为 +-1e4：损失 {', '.join(f'{v:.6g}' for v in losses)}，有限且精确",
    )


def test_inputs_are_not_modified(submission, report):
    """The caller's logits and labels are left as they were."""
    rng = fresh_rng()
    logits, labels = _inputs(rng)
    before = logits.copy(), labels.copy()
    _, after = submission.call(logits, labels, return_args=True)
    changed = [name for name, old, new in zip(("logits", "labels"), before, after, strict=True)
               if not np.array_equal(old, new)]  # fmt: skip
    assert not changed, say(
        en=f"softmax_cross_entropy changed its input {' and '.join(changed)}: operators like "
           "-= modify the caller's array in place; write shifted = logits - max instead",
        zh=f"softmax_cross_entropy 修改了输入 {'、'.join(changed)}：-= 这样的运算符会原地修改"
           "调用者的数组；请改写为 shifted = logits - max",
    )  # fmt: skip
    report(en="logits and labels unchanged after the call", zh="调用后 logits 与 labels 均未改变")


# Measured when the checks are imported (cached, once per process), so that watch, which
# collects the checks while the learner reads, has it ready before the save.
VECTORISED_LIMIT = float(
    np.clip(LIMIT_SHARE * ROWS * python_seconds_per_item(), MIN_LIMIT, MAX_LIMIT)
)


def test_vectorised_on_many_rows(submission, report):
    """600,000 rows take a fraction of a second of CPU: no Python loop over rows."""
    limit = VECTORISED_LIMIT
    rng = fresh_rng()
    size = ROWS // CALLS
    used, calls = 0.0, 0
    for _ in range(CALLS):
        logits, labels = rng.normal(0, 3, (size, CLASSES)), rng.integers(0, CLASSES, size)
        start = time.perf_counter()
        answer = submission.call(logits, labels, timeout=max(10.0, 4 * limit))
        spent = getattr(submission, "last_call_cpu_s", None)
        used += time.perf_counter() - start if spent is None else spent  # wall if no CPU
        calls += 1
        if used > limit:
            break
    call = say(
        en=f"softmax_cross_entropy on {ROWS:,} rows ({CALLS} calls of ({size:,}, {CLASSES}))",
        zh=f"softmax_cross_entropy 处理 {ROWS:,} 行（{CALLS} 次调用，每次 ({size:,}, {CLASSES})）",
    )
    assert used <= limit, say(
        en=f"{call} used {used:.2f} s of CPU after {calls} calls; at most {limit:.2f} s is "
           "allowed on this machine: a Python loop over the rows (even one that only "
           "subtracts the one-hot) costs more than numpy's whole-array operations; index "
           "with grad[np.arange(n), labels]",
        zh=f"{call} 在 {calls} 次调用后已用 {used:.2f} 秒 CPU；本机上限为 {limit:.2f} 秒："
           "对各行的 Python 循环（即使只用来减去 one-hot）比 numpy 整体数组运算更慢；"
           "请用 grad[np.arange(n), labels] 索引",
    )  # fmt: skip
    # Fast is worth nothing if it is a decoy: the last big batch's gradient rows must be
    # what the same rows give in a small call (up to the 1/N of the mean, so a mistake
    # another check names does not fail this one too).
    _, big = as_pair(answer, "softmax_cross_entropy", "loss", "grad")
    big = as_array(big, "softmax_cross_entropy", "grad", logits.shape).astype(np.float64)
    rows = rng.choice(size, 32, replace=False)
    _, small = _call(submission, logits[rows], labels[rows])
    if not any(close(big[rows], ratio * small) for ratio in (1.0, len(rows) / size)):
        raise AssertionError(say(
            en=f"softmax_cross_entropy(logits ({size:,}, {CLASSES}), labels) returned gradient "
               "rows that differ from what the same 32 rows give in a small call: a big batch "
               "must get the same answer, only faster",
            zh=f"softmax_cross_entropy(logits ({size:,}, {CLASSES}), labels) 返回的梯度行与同样 "
               "32 行单独调用时的结果不同：大批数据必须得到同样的结果，只是更快",
        ))  # fmt: skip
    report(en=f"{call}: {used:.2f} s of CPU (limit {limit:.2f} s on this machine)",
           zh=f"{call}：{used:.2f} 秒 CPU（本机上限 {limit:.2f} 秒）")  # fmt: skip
