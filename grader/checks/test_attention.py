"""Hidden checks for `attention`: scaled_dot_product_attention(q, k, v, causal) -> (out, w).

Every input is drawn fresh for each grading (numeric.fresh_rng); expected values come
from the checks' own einsum core (grader/checks/mha.py). When a result is wrong, the
checks recompute it under each well-known mistake (no scale, the wrong axis, the mask
after the softmax, ...) and name the one it matches.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import numpy as np

from grader.checks import mha
from grader.checks.numeric import as_array, as_pair, close, fresh_rng, mismatch
from grader.checks.support import say


def _softmax(scores: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _mistakes(q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool):
    """(explanation, weights) for each well-known mistake, with its explanation."""
    raw = np.einsum("...qd,...kd->...qk", q, k)
    d, dv = q.shape[-1], v.shape[-1]
    lower = np.tril(np.ones(raw.shape[-2:], dtype=bool))

    def attend(scores, visible=lower if causal else None, axis=-1):
        if visible is not None:
            scores = np.where(visible, scores, -np.inf)
        with np.errstate(invalid="ignore"):
            return _softmax(scores, axis)

    yield say(en="the scores were not divided by sqrt(d)", zh="分数没有除以 sqrt(d)"), attend(raw)
    yield say(en="the scores were divided by d, not by sqrt(d)",
              zh="分数除以了 d，而不是 sqrt(d)"), attend(raw / d)  # fmt: skip
    yield say(en="the softmax ran over the QUERY axis (-2); it belongs on the key axis (-1), "
                 "so that each query's weights sum to 1",
              zh="softmax 是在“查询”轴（-2）上做的；应当在“键”轴（-1）上做，"
                 "使每个查询的权重之和为 1"), attend(raw / np.sqrt(d), axis=-2)  # fmt: skip
    if dv != d:
        yield say(en="the scores were divided by sqrt(dv), the VALUE size; use sqrt(d), the "
                     "query/key size",
                  zh="分数除以了值的维度 dv 的平方根；应当用查询/键的维度 d 的平方根"), attend(
            raw / np.sqrt(dv)
        )  # fmt: skip
    scaled = raw / np.sqrt(d)
    with np.errstate(invalid="ignore", over="ignore"):
        shifted = np.exp(scaled - scaled.max())  # the whole array's max, not each row's
        if causal:
            shifted = np.where(lower, shifted, 0.0)
        yield say(en="each row was shifted by the max of the WHOLE array, not by its own max: "
                     "rows far below it underflow to 0 / 0; subtract "
                     "scores.max(axis=-1, keepdims=True)",
                  zh="每一行减去的是整个数组的最大值，而不是该行自己的最大值：远低于它的行下溢成 "
                     "0 / 0；应减去 scores.max(axis=-1, keepdims=True)"),  \
            shifted / shifted.sum(-1, keepdims=True)  # fmt: skip
    if causal:
        yield say(en="the mask was applied AFTER the softmax, so the rows no longer sum to 1; "
                     "set the masked scores to -inf before it",
                  zh="掩码是在 softmax 之后施加的，因此各行之和不再为 1；应在 softmax 之前把被"
                     "屏蔽的分数设为 -inf"), attend(scaled, None) * lower  # fmt: skip
        yield say(en="the causal mask is the wrong way round: query i saw the keys AFTER it; "
                     "keep j <= i, the lower triangle (np.tril)",
                  zh="因果掩码方向反了：查询 i 看到的是它之后的键；应保留 j <= i，即下三角"
                     "（np.tril）"), attend(scaled, lower.T)  # fmt: skip
        yield say(en="the mask hid the diagonal too: query i must see key i itself (j <= i, "
                     "not j < i)",
                  zh="掩码把对角线也遮住了：查询 i 必须能看到键 i 本身（j <= i，而不是 "
                     "j < i）"), attend(scaled, np.tril(lower, -1))  # fmt: skip


def _diagnose(weights: np.ndarray, q, k, v, causal: bool) -> str:
    for why, wrong in _mistakes(q, k, v, causal):
        if np.array_equal(np.isnan(weights), np.isnan(wrong)) and close(
            np.nan_to_num(weights), np.nan_to_num(wrong)
        ):
            return why
    if not np.all(np.isfinite(weights)):
        return say(
            en="exp() overflowed (inf / inf = NaN): subtract each row's max before exp()",
            zh="exp() 溢出（inf / inf = NaN）：exp() 之前先减去每行的最大值",
        )
    _, expected = mha.numpy_core(q, k, v, causal)
    return mismatch(weights, expected) or ""


def _call(submission, q, k, v, causal: bool | None = None):
    kwargs = {} if causal is None else {"causal": causal}
    mask = "" if causal is None else f", causal={causal}"
    call = f"scaled_dot_product_attention(q {q.shape}, k {k.shape}, v {v.shape}{mask})"
    try:
        answer = submission.call(q, k, v, **kwargs)
    except AssertionError as failed:
        if max(q.ndim, k.ndim, v.ndim) == 2:
            raise
        raise AssertionError(say(
            en=f"{failed}\nWith leading (batch, head) axes, transpose only the last two axes "
               "of k: np.swapaxes(k, -1, -2); k.T reverses ALL of them",
            zh=f"{failed}\n有前导（批次、头）轴时，只转置 k 的最后两个轴：np.swapaxes(k, -1, -2)；"
               "k.T 会反转“所有”轴",
        )) from None  # fmt: skip
    out, weights = as_pair(answer, call, "output", "weights")
    _, expected_weights = mha.numpy_core(q, k, v, bool(causal))
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    out = as_array(out, call, "output", (*lead, q.shape[-2], v.shape[-1]))
    weights = as_array(weights, call, "weights", expected_weights.shape)
    return out.astype(np.float64), weights.astype(np.float64), call


def _qkv(rng, lead=(), lq=None, lk=None, d=None, dv=None, scale=1.0):
    lq, lk = lq or int(rng.integers(3, 7)), lk or int(rng.integers(4, 9))
    d, dv = d or int(rng.integers(4, 9)), dv or int(rng.integers(2, 6))
    return (rng.normal(0, scale, (*lead, lq, d)), rng.normal(0, scale, (*lead, lk, d)),
            rng.normal(0, 1, (*lead, lk, dv)))  # fmt: skip


def _judge(submission, q, k, v, causal: bool | None) -> None:
    """Fail, naming the mistake, unless the weights and the output are exact."""
    out, weights, call = _call(submission, q, k, v, causal)
    expected_out, expected = mha.numpy_core(q, k, v, bool(causal))
    if not close(weights, expected):
        why = _diagnose(weights, q, k, v, bool(causal))
        raise AssertionError(say(en=f"{call} returned wrong weights: {why}",
                                 zh=f"{call} 返回的权重不对：{why}"))  # fmt: skip
    if not close(out, expected_out):
        why = mismatch(out, expected_out)
        raise AssertionError(say(
            en=f"{call}: the weights are right but the output is not ({why}); output = "
               "weights @ v",
            zh=f"{call}：权重正确但输出不对（{why}）；output = weights @ v",
        ))  # fmt: skip


def test_returns_output_and_weights(submission, report):
    """Returns (output (Lq, dv), weights (Lq, Lk)) for Lq != Lk and d != dv."""
    rng = fresh_rng()
    q, k, v = _qkv(rng, lq=3, lk=5, d=6, dv=2)
    out, weights, _ = _call(submission, q, k, v)
    report(
        en=f"q (3, 6), k (5, 6), v (5, 2) gave output {out.shape} and weights {weights.shape}",
        zh=f"q (3, 6)、k (5, 6)、v (5, 2) 得到 output {out.shape} 和 weights {weights.shape}",
    )


def test_scores_scaled_by_sqrt_d(submission, report):
    """The scores are q @ k^T / sqrt(d), d the query/key size."""
    rng = fresh_rng()
    q, k, v = _qkv(rng, d=int(rng.integers(9, 17)), dv=3, scale=1.5)
    d = q.shape[-1]
    _judge(submission, q, k, v, None)
    report(
        en=f"d = {d}: weights and output match softmax(q k^T / {np.sqrt(d):.3f}) v",
        zh=f"d = {d}：权重与输出都等于 softmax(q k^T / {np.sqrt(d):.3f}) v",
    )


def test_softmax_over_the_key_axis(submission, report):
    """Each query's weights over the keys sum to 1 (softmax on the last axis)."""
    rng = fresh_rng()
    q, k, v = _qkv(rng, lq=4, lk=7)
    _, weights, call = _call(submission, q, k, v)
    sums = weights.sum(axis=-1)
    if not np.allclose(sums, 1.0, atol=1e-9):
        why = _diagnose(weights, q, k, v, False)
        raise AssertionError(say(
            en=f"{call}: the rows of the weights sum to {np.array2string(sums, precision=4)}, "
               f"not 1: {why}",
            zh=f"{call}：权重各行之和为 {np.array2string(sums, precision=4)}，不是 1：{why}",
        ))  # fmt: skip
    report(en="4 queries over 7 keys: every row of the weights sums to 1",
           zh="4 个查询、7 个键：权重的每一行之和都为 1")  # fmt: skip


def test_causal_mask(submission, report):
    """causal=True: query i sees keys j <= i only, and each row still sums to 1."""
    rng = fresh_rng()
    length = int(rng.integers(4, 8))
    q, k, v = _qkv(rng, lq=length, lk=length)
    _judge(submission, q, k, v, True)
    # And fewer queries than keys: the mask is (Lq, Lk), query i still sees keys 0..i.
    lq = int(rng.integers(2, length))
    q, k, v = _qkv(rng, lq=lq, lk=length)
    _judge(submission, q, k, v, True)
    report(en=f"{length} positions, and {lq} queries over {length} keys: the weights are "
              "lower-triangular and each row sums to 1",
           zh=f"{length} 个位置，以及 {lq} 个查询对 {length} 个键：权重是下三角矩阵，且每一行"
              "之和为 1")  # fmt: skip


def test_stable_for_large_scores(submission, report):
    """Scores in the thousands give finite, exact weights."""
    rng = fresh_rng()
    q, k, v = _qkv(rng, d=8, scale=25.0)
    # The largest score made a few thousand (exp overflows past 709), whatever the draw:
    # drawn alone, a dozen scores stayed under 709 about one grading in five.
    if (q @ k.T).max() <= 0:
        q = -q
    q = q * (rng.uniform(2_000, 5_000) / float((q @ k.T / np.sqrt(8)).max()))
    # ... and one row's own max far below that (shifting every row by the array's max
    # then underflows it: one grading in fifty had no such row by chance).
    rows = (q @ k.T).max(axis=-1)
    low = int(rows.argmin())
    q[low] *= 0.05 if rows[low] > 0 else 2.0
    scores = q @ k.T / np.sqrt(8)
    _judge(submission, q, k, v, None)
    report(en=f"scores up to {np.abs(scores).max():.0f}: finite and exact",
           zh=f"分数最大达 {np.abs(scores).max():.0f}：有限且精确")  # fmt: skip


def test_leading_axes_broadcast(submission, report):
    """Batch and head axes: (2, 3, L, d) queries, and keys/values shared over the batch."""
    rng = fresh_rng()
    q, k, v = _qkv(rng, lead=(2, 3), lq=4, lk=5, d=6, dv=3)
    _judge(submission, q, k, v, None)
    _judge(submission, q, k[0], v[0], None)  # (3, 5, 6) and (3, 5, 3): shared over the batch
    report(
        en="q (2, 3, 4, 6) with k, v (2, 3, 5, ...) and with k, v (3, 5, ...) shared over "
        "the batch",
        zh="q (2, 3, 4, 6) 搭配 k、v (2, 3, 5, ...)，以及在批次上共享的 k、v (3, 5, ...)",
    )


def test_matches_keras_multi_head_attention(submission, report):
    """Inside Keras' MultiHeadAttention (same projections), it gives the layer's output."""
    rng = fresh_rng()
    batch, length, model_dim, heads, key_dim, value_dim = 2, 5, 16, 4, 6, 3
    weights = mha.random_weights(rng, model_dim, heads, key_dim, value_dim)
    x = rng.normal(0, 1, (batch, length, model_dim))
    for causal in (False, True):
        expected, expected_scores = mha.multi_head_attention(x, x, weights, causal=causal)

        def learner_core(q, k, v, causal):
            try:
                _judge(submission, q, k, v, causal)  # names the mistake if there is one
            except AssertionError as failed:
                raise AssertionError(say(
                    en=f"as the core of Keras' MultiHeadAttention({heads} heads, key_dim "
                       f"{key_dim}): {failed}",
                    zh=f"作为 Keras MultiHeadAttention（{heads} 个头，key_dim {key_dim}）的"
                       f"核心：{failed}",
                )) from None  # fmt: skip
            return _call(submission, q, k, v, causal)[:2]

        got, scores = mha.multi_head_attention(x, x, weights, learner_core, causal)
        if not (close(got, expected) and close(scores, expected_scores)):
            raise AssertionError(say(
                en=f"Keras' MultiHeadAttention(num_heads={heads}, key_dim={key_dim}, "
                   f"value_dim={value_dim}) with your attention as its core (causal={causal}) "
                   f"gave a different output: {mismatch(got, expected) or 'the scores differ'}; "
                   "your function gets per-head (batch, heads, L, key_dim) arrays here",
                zh=f"以你的注意力函数为核心的 Keras MultiHeadAttention(num_heads={heads}, "
                   f"key_dim={key_dim}, value_dim={value_dim})（causal={causal}）给出了不同的"
                   f"输出：{mismatch(got, expected) or '分数不同'}；这里你的函数收到的是按头划分的 "
                   "(batch, heads, L, key_dim) 数组",
            ))  # fmt: skip
    report(en=f"as the core of Keras' MultiHeadAttention ({heads} heads, key_dim {key_dim}), "
              "with and without the causal mask: the layer's output and scores",
           zh=f"作为 Keras MultiHeadAttention（{heads} 个头，key_dim {key_dim}）的核心，"
              "有无因果掩码时都得到该层的输出与分数")  # fmt: skip
