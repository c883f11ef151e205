"""Hidden checks for `sampling`: next_token_probs(logits, temperature, top_k, top_p) -> probs.

Every input is drawn fresh for each grading (numeric.fresh_rng). The expected
distributions are computed here one row at a time, token by token, in float64; top_p
is always drawn strictly between two cumulative sums, so which tokens it keeps is
never a question of rounding.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import numpy as np

from grader.checks.numeric import as_array, close, fresh_rng, mismatch
from grader.checks.support import say


def _softmax(row: np.ndarray) -> np.ndarray:
    e = np.exp(row - row.max())
    return e / e.sum()


def _keep(probs: np.ndarray, tokens: list[int]) -> np.ndarray:
    kept = np.zeros_like(probs)
    kept[tokens] = probs[tokens]
    return kept / kept.sum()


def _by_likelihood(probs: np.ndarray) -> list[int]:
    return sorted(range(len(probs)), key=lambda i: (-probs[i], i))


def _top_k(probs: np.ndarray, k: int) -> np.ndarray:
    return _keep(probs, _by_likelihood(probs)[:k])


def _top_p(probs: np.ndarray, p: float, keep_crossing: bool = True) -> np.ndarray:
    kept, mass = [], 0.0
    for token in _by_likelihood(probs):
        if mass >= p or probs[token] == 0:
            break
        if not keep_crossing and mass + probs[token] > p and kept:
            break
        kept.append(token)
        mass += probs[token]
    return _keep(probs, kept)


def _expected(row: np.ndarray, temperature: float = 1.0, top_k=None, top_p=None) -> np.ndarray:
    probs = _softmax(row / temperature)
    if top_k is not None:
        probs = _top_k(probs, top_k)
    if top_p is not None:
        probs = _top_p(probs, top_p)
    return probs


def _logits(rng: np.random.Generator, size: int | None = None) -> np.ndarray:
    return rng.normal(0, 2, int(size or rng.integers(8, 16)))


def _p_between(rng: np.random.Generator, probs: np.ndarray, tokens: int) -> float:
    """A top_p whose smallest set is exactly the `tokens` most likely tokens."""
    ordered = np.sort(probs)[::-1]
    before = ordered[: tokens - 1].sum()
    return float(before + rng.uniform(0.2, 0.8) * ordered[tokens - 1])


def _call(submission, logits: np.ndarray, **settings) -> np.ndarray:
    shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in settings.items())  # fmt: skip
    call = f"next_token_probs(logits {logits.shape}{', ' if shown else ''}{shown})"
    return as_array(submission.call(logits, **settings), call, "probs", logits.shape), call


def _fail(call: str, probs: np.ndarray, expected: np.ndarray, why: str) -> AssertionError:
    return AssertionError(say(
        en=f"{call} returned {np.array2string(probs, precision=4)}; expected "
           f"{np.array2string(expected, precision=4)}: {why}",
        zh=f"{call} 返回 {np.array2string(probs, precision=4)}；应当是 "
           f"{np.array2string(expected, precision=4)}：{why}",
    ))  # fmt: skip


def test_temperature_one_is_softmax(submission, report):
    """With the defaults the result is softmax(logits)."""
    logits = _logits(fresh_rng())
    probs, call = _call(submission, logits)
    expected = _expected(logits)
    if not close(probs, expected):
        raise _fail(call, probs, expected, mismatch(probs, expected) or "")
    report(en=f"softmax of {len(logits)} fresh logits, sums to {probs.sum():.12g}",
           zh=f"{len(logits)} 个新 logits 的 softmax，总和为 {probs.sum():.12g}")  # fmt: skip


def test_temperature_divides_logits(submission, report):
    """temperature T gives softmax(logits / T): sharper below 1, flatter above."""
    rng = fresh_rng()
    logits = _logits(rng)
    for temperature in (
        round(float(rng.uniform(0.3, 0.7)), 2),
        round(float(rng.uniform(1.5, 3)), 2),
    ):
        probs, call = _call(submission, logits, temperature=temperature)
        expected = _expected(logits, temperature)
        if close(probs, expected):
            continue
        if close(probs, _softmax(logits * temperature)):
            why = say(en="it multiplied the logits by the temperature; divide by it",
                      zh="它把 logits 乘以温度；应当除以温度")  # fmt: skip
        else:
            why = mismatch(probs, expected) or ""
        raise _fail(call, probs, expected, why)
    report(en="temperatures below and above 1 give softmax(logits / T)",
           zh="低于和高于 1 的温度都给出 softmax(logits / T)")  # fmt: skip


def test_temperature_zero_is_argmax(submission, report):
    """temperature 0 gives a one-hot at the argmax, the first index on ties."""
    rng = fresh_rng()
    logits = np.round(_logits(rng), 1)
    best = rng.choice(len(logits), 2, replace=False)
    logits[best] = logits.max() + 1.0  # two tokens tie for the top
    first = int(best.min())
    probs, call = _call(submission, logits, temperature=0.0)
    expected = np.zeros_like(logits)
    expected[first] = 1.0
    if np.array_equal(probs, expected):
        report(en=f"one-hot at index {first}, the first of two tied maxima",
               zh=f"在下标 {first} 处为 one-hot，即两个并列最大值中的第一个")  # fmt: skip
        return
    if not np.all(np.isfinite(probs)):
        why = say(en="it divided by temperature 0 (inf / inf = NaN); treat 0 as greedy: "
                     "a one-hot at np.argmax",
                  zh="它除以了温度 0（inf / inf = NaN）；温度为 0 要当作贪心处理："
                     "在 np.argmax 处取 one-hot")  # fmt: skip
    elif np.count_nonzero(probs) > 1:
        why = say(en="on a tie it spread the probability over the tied tokens; greedy picks "
                     "ONE token, the first index (np.argmax does)",
                  zh="并列时它把概率分给了并列的词元；贪心只选一个词元，即下标最小的那个"
                     "（np.argmax 就是这样）")  # fmt: skip
    else:
        why = say(en=f"greedy decoding picks the first of the tied maxima, index {first}",
                  zh=f"贪心解码选并列最大值中的第一个，即下标 {first}")  # fmt: skip
    raise _fail(call, probs, expected, why)


def test_top_k_keeps_the_k_most_likely(submission, report):
    """top_k keeps the k most likely tokens and renormalises."""
    rng = fresh_rng()
    logits = _logits(rng)
    k = int(rng.integers(2, len(logits) - 2))
    probs, call = _call(submission, logits, top_k=k)
    expected = _expected(logits, top_k=k)
    if close(probs, expected):
        report(en=f"top_k={k} of {len(logits)}: the {k} most likely, renormalised",
               zh=f"{len(logits)} 个中 top_k={k}：保留最可能的 {k} 个并重新归一化")  # fmt: skip
        return
    full = _softmax(logits)
    if close(probs, np.where(expected > 0, full, 0.0)):
        why = say(en=f"it kept the right {k} tokens but did not renormalise (they sum to "
                     f"{probs.sum():.4f}, not 1)",
                  zh=f"保留的 {k} 个词元是对的，但没有重新归一化（总和为 {probs.sum():.4f}，"
                     "不是 1）")  # fmt: skip
    else:
        why = say(
            en=f"it kept {np.count_nonzero(probs)} tokens; expected the {k} most likely",
            zh=f"它保留了 {np.count_nonzero(probs)} 个词元；应当保留最可能的 {k} 个",
        )
    raise _fail(call, probs, expected, why)


def test_top_p_smallest_set_reaching_p(submission, report):
    """top_p keeps the smallest set of most likely tokens whose mass reaches top_p."""
    rng = fresh_rng()
    logits = _logits(rng)
    tokens = int(rng.integers(2, len(logits) - 2))
    p = _p_between(rng, _softmax(logits), tokens)
    probs, call = _call(submission, logits, top_p=p)
    expected = _expected(logits, top_p=p)
    if close(probs, expected):
        report(en=f"top_p={p:.4f}: the {tokens} most likely tokens, renormalised",
               zh=f"top_p={p:.4f}：保留最可能的 {tokens} 个词元并重新归一化")  # fmt: skip
        return
    kept = np.count_nonzero(probs)
    if kept == tokens - 1:
        why = say(en=f"it kept {kept} tokens, whose mass stays below top_p; the smallest set "
                     f"REACHING top_p also keeps the token that crosses it ({tokens} tokens)",
                  zh=f"它保留了 {kept} 个词元，其累计概率仍低于 top_p；达到 top_p 的最小集合还要"
                     f"包含跨过 top_p 的那个词元（共 {tokens} 个）")  # fmt: skip
    elif kept == tokens and not close(probs.sum(), 1.0):
        why = say(en=f"the right tokens, but not renormalised (sum {probs.sum():.4f})",
                  zh=f"词元是对的，但没有重新归一化（总和 {probs.sum():.4f}）")  # fmt: skip
    else:
        why = say(en=f"it kept {kept} tokens; expected the {tokens} most likely",
                  zh=f"它保留了 {kept} 个词元；应当保留最可能的 {tokens} 个")  # fmt: skip
    raise _fail(call, probs, expected, why)


def test_top_k_before_top_p(submission, report):
    """top_k is applied first, and top_p is measured on the renormalised top-k distribution."""
    rng = fresh_rng()
    for _ in range(20):  # find logits where the order changes the answer (almost any)
        logits = _logits(rng, 12)
        k = 5
        top = _top_k(_softmax(logits), k)
        p = _p_between(rng, top, 3)
        expected = _expected(logits, top_k=k, top_p=p)
        reversed_order = _top_k(_top_p(_softmax(logits), p), k)
        if not close(expected, reversed_order, rtol=1e-3):
            break
    probs, call = _call(submission, logits, top_k=k, top_p=p)
    if close(probs, expected):
        report(
            en=f"top_k={k}, then top_p={p:.4f} on the renormalised top {k}: 3 tokens kept",
            zh=f"先 top_k={k}，再在重新归一化的前 {k} 个上 top_p={p:.4f}：保留 3 个词元",
        )
        return
    if close(probs, reversed_order):
        why = say(en="it measured top_p on the distribution before top-k (or on top-k "
                     "probabilities not renormalised), so it kept too many tokens; renormalise "
                     "after top-k, then apply top-p",
                  zh="它在 top-k 之前的分布上（或在未重新归一化的 top-k 概率上）计算 top_p，"
                     "因此保留了过多词元；先在 top-k 后重新归一化，再做 top-p")  # fmt: skip
    elif close(probs, _top_p(_top_k(_softmax(logits), k), p, keep_crossing=False)):
        why = say(
            en="it dropped the token that crosses top_p; the smallest set reaching top_p keeps it",
            zh="它丢掉了跨过 top_p 的那个词元；达到 top_p 的最小集合要保留它",
        )
    else:
        why = mismatch(probs, expected) or ""
    raise _fail(call, probs, expected, why)


def test_no_op_settings_change_nothing(submission, report):
    """top_k >= V and top_p = 1 leave the softmax unchanged."""
    rng = fresh_rng()
    logits = _logits(rng)
    expected = _expected(logits)
    v = len(logits)
    for settings in ({"top_k": v}, {"top_k": v + 5}, {"top_p": 1.0},
                     {"top_k": v + 1, "top_p": 1.0}):  # fmt: skip
        try:
            probs, call = _call(submission, logits, **settings)
        except AssertionError as failed:  # e.g. np.partition with kth >= V
            raise AssertionError(say(
                en=f"{failed}\nwith V = {v} tokens, {settings} must keep every token: "
                   "clamp k to V (or skip top-k when top_k >= V)",
                zh=f"{failed}\n词表有 V = {v} 个词元，{settings} 必须保留所有词元："
                   "把 k 限制为 V（或在 top_k >= V 时跳过 top-k）",
            )) from None  # fmt: skip
        if close(probs, expected):
            continue
        why = say(
            en=f"with V = {v} tokens these settings keep every token; expected plain softmax",
            zh=f"词表有 V = {v} 个词元，这些设置会保留所有词元；应当等于普通的 softmax",
        )
        if "top_p" in settings and np.count_nonzero(probs) < v:
            why += say(en="; it dropped a token at top_p = 1: cumsum <= top_p loses the last "
                          "tokens whenever rounding lifts the total a hair above 1, so keep a "
                          "token while the mass BEFORE it is < top_p",
                       zh="；它在 top_p = 1 时丢掉了词元：只要舍入误差让总和略大于 1，"
                          "cumsum <= top_p 就会丢掉最后的词元，所以应当在某词元之前的累计概率 "
                          "< top_p 时保留它")  # fmt: skip
        raise _fail(call, probs, expected, why)
    report(en=f"top_k={v}, top_k={v + 5} and top_p=1.0 all give the plain softmax",
           zh=f"top_k={v}、top_k={v + 5} 与 top_p=1.0 都给出普通的 softmax")  # fmt: skip


def test_stable_for_large_logits(submission, report):
    """Logits in the thousands give finite, exact probabilities."""
    rng = fresh_rng()
    logits = _logits(rng) * 500 + 1000
    probs, call = _call(submission, logits, temperature=0.7)
    expected = _expected(logits, 0.7)
    if close(probs, expected):
        report(en=f"logits up to {logits.max():.0f}: finite and exact",
               zh=f"logits 最大 {logits.max():.0f}：有限且精确")  # fmt: skip
        return
    why = (
        say(
            en="exp() overflowed: subtract each row's max before exp()",
            zh="exp() 溢出了：exp() 之前先减去每行的最大值",
        )  # fmt: skip
        if not np.all(np.isfinite(probs))
        else mismatch(probs, expected) or ""
    )
    raise _fail(call, probs, expected, why)


def test_batched_rows_are_independent(submission, report):
    """A (B, V) batch gives each row what that row alone would give."""
    rng = fresh_rng()
    batch = np.stack([_logits(rng, 10) * scale for scale in (0.5, 1.0, 3.0, 6.0)])
    for settings in ({"temperature": 0.8}, {"temperature": 0.8, "top_k": 6, "top_p": 0.9}):
        probs, call = _call(submission, batch, **settings)
        rows = [_call(submission, row, **settings)[0] for row in batch]
        for i, (got, alone) in enumerate(zip(probs, rows, strict=True)):
            if not close(got, alone):
                raise AssertionError(say(
                    en=f"{call}: row {i} is {np.array2string(got, precision=4)}, but that row "
                       f"alone gives {np.array2string(alone, precision=4)}: every reduction "
                       "(max, sum, sort, cumsum) must run along the last axis, axis=-1, never "
                       "over the whole batch",
                    zh=f"{call}：第 {i} 行是 {np.array2string(got, precision=4)}，但这一行单独"
                       f"计算时得到 {np.array2string(alone, precision=4)}：所有归约（max、sum、"
                       "排序、cumsum）都必须沿最后一个轴 axis=-1 进行，而不是对整批数据",
                ))  # fmt: skip
    report(en=f"{len(batch)} rows, each equal to the same row sent alone",
           zh=f"{len(batch)} 行，每一行都与单独发送时相同")  # fmt: skip
