"""Hidden checks for `metrics`: classification_metrics(y_true, y_pred, num_classes) -> dict.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.

Every input is drawn fresh at each grading (an unseeded generator), and the expected
values are computed here, from one-hot counts, independently of any solution.
"""

from __future__ import annotations

import numpy as np

from grader.checks.support import say, submission_cache

KEYS = ("confusion", "precision", "recall", "f1", "accuracy", "macro_f1", "micro_f1")
PER_CLASS = ("precision", "recall", "f1")
AVERAGES = ("accuracy", "macro_f1", "micro_f1")
# One hand-made case: 3 classes, every kind of cell. Rows = true class.
HAND_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
HAND_PRED = np.array([0, 0, 1, 1, 2, 2, 2, 0, 2])
# The vectorisation check: 1.5 million int32 labels (int64 would double what the grader
# writes and the worker reads, for nothing), judged on the worker's CPU time for the
# call (measured by the grader from /proc). Measured on this 2-core machine while it was
# shared by other sessions (load 12-16, so noisy; benchmarks/classic_cpu.py, 5 runs
# each over two sessions): the reference (np.bincount) 0.03-0.09 s, np.unique 0.04-0.05 s,
# np.add.at 0.11-0.22 s, a float one-hot product 0.12-0.31 s; a Python loop over the
# numpy elements 0.80-0.98 s. The limit, 0.5 s, is 1.6x above the slowest vectorised run
# and 1.6x below the fastest loop. A tight loop over Python lists (y.tolist(), then
# cm[t][p] += 1) used 0.21-0.22 s and passes: no CPU limit separates it from np.add.at
# by a safe margin at this size.
BIG, LIMIT_S = 1_500_000, 0.5
MAX_LINES = 10_000  # of the learner's file, for 1.5 M labels: whole-array code runs ~30


def _expected(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> dict:
    """The contract's values, computed with one-hot matrices (float64)."""
    eye = np.eye(classes)
    confusion = (eye[y_true].T @ eye[y_pred]).round().astype(np.int64)
    tp = np.diag(confusion).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(tp / confusion.sum(axis=0))
        recall = np.nan_to_num(tp / confusion.sum(axis=1))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    wrong = len(y_true) - tp.sum()
    return {
        "confusion": confusion,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": tp.sum() / len(y_true),
        "macro_f1": f1.mean(),
        "micro_f1": 2 * tp.sum() / (2 * tp.sum() + 2 * wrong),
    }


def _random_case(rng: np.random.Generator, classes: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels where every class is present and predicted, and most predictions are right."""
    y_true = rng.integers(0, classes, n)
    y_true[:classes] = np.arange(classes)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, classes, n))
    y_pred[classes : 2 * classes] = rng.permutation(classes)
    return y_true, y_pred


def _call(submission, y_true, y_pred, classes) -> dict:
    shown = f"classification_metrics(y_true ({len(y_true)},), y_pred, num_classes={classes})"
    out = submission(y_true, y_pred, classes)
    assert isinstance(out, dict), say(
        en=f"{shown} returned {type(out).__name__}; expected a dict with keys {', '.join(KEYS)}",
        zh=f"{shown} 返回了 {type(out).__name__}；应返回包含键 {', '.join(KEYS)} 的 dict",
    )
    missing = [k for k in KEYS if k not in out]
    assert not missing, say(
        en=f"{shown} returned a dict without {', '.join(missing)}; expected keys {', '.join(KEYS)}",
        zh=f"{shown} 返回的 dict 缺少 {', '.join(missing)}；应包含键 {', '.join(KEYS)}",
    )
    return out


def _array(out: dict, key: str, shape: tuple[int, ...]) -> np.ndarray:
    value = np.asarray(out[key])
    assert value.shape == shape, say(
        en=f'"{key}" has shape {value.shape}; expected {shape}',
        zh=f"“{key}” 的形状是 {value.shape}；应为 {shape}",
    )
    assert value.dtype.kind in "iufb", say(
        en=f'"{key}" holds {value.dtype} values; expected numbers',
        zh=f"“{key}” 的元素类型是 {value.dtype}；应为数值",
    )
    return value.astype(np.float64)


def _close(actual, expected) -> bool:
    return bool(np.allclose(actual, expected, rtol=1e-6, atol=1e-9))


def test_confusion_rows_are_true_classes(submission, report):
    """The confusion matrix holds integer counts, rows = true class, columns = predicted."""
    call = submission_cache(submission)
    rng = np.random.default_rng()
    classes = int(rng.integers(4, 8))
    cases = [(HAND_TRUE, HAND_PRED, 3), (*_random_case(rng, classes, 300), classes)]
    for y_true, y_pred, c in cases:
        out = _call(call, y_true, y_pred, c)
        confusion = np.asarray(out["confusion"])
        expected = _expected(y_true, y_pred, c)["confusion"]
        _array(out, "confusion", (c, c))
        if np.array_equal(confusion, expected.T) and not np.array_equal(expected, expected.T):
            raise AssertionError(say(
                en=f"your confusion matrix for {len(y_true)} labels is transposed: its rows "
                   "are the PREDICTED class. By convention confusion[i, j] counts samples of TRUE "
                   f"class i predicted as j; expected\n{expected}",
                zh=f"你对 {len(y_true)} 个标签算出的混淆矩阵是转置的：它的行是预测类别。按约定，"
                   f"confusion[i, j] 统计真实类别为 i、被预测为 j 的样本；应为\n{expected}",
            ))  # fmt: skip
        assert np.array_equal(confusion, expected), say(
            en=f"confusion for {len(y_true)} labels, {c} classes:\n{confusion}\nexpected "
               f"(rows = true class):\n{expected}",
            zh=f"{len(y_true)} 个标签、{c} 个类别的混淆矩阵：\n{confusion}\n应为（行 = 真实类别）："
               f"\n{expected}",
        )  # fmt: skip
        assert confusion.dtype.kind in "iu", say(
            en=f"confusion holds {confusion.dtype} values; expected integer counts (np.bincount "
               "or np.zeros(..., dtype=int) with np.add.at give integers; np.histogram2d floats)",
            zh=f"confusion 的元素类型是 {confusion.dtype}；应为整数计数（np.bincount 或 "
               "np.zeros(..., dtype=int) 配合 np.add.at 得到整数；np.histogram2d 得到浮点数）",
        )  # fmt: skip
    report(
        en=f"exact counts, rows = true class, on a hand-made case and {classes} random classes",
        zh=f"在手工构造的样例和 {classes} 个类别的随机样例上计数完全正确，行 = 真实类别",
    )


def test_precision_recall_f1_per_class(submission, report):
    """Per-class precision (over each column), recall (over each row) and F1 are exact."""
    call = submission_cache(submission)
    rng = np.random.default_rng()
    classes = int(rng.integers(3, 9))
    y_true, y_pred = _random_case(rng, classes, int(rng.integers(200, 500)))
    out = _call(call, y_true, y_pred, classes)
    expected = _expected(y_true, y_pred, classes)
    got = {key: _array(out, key, (classes,)) for key in PER_CLASS}
    if _close(got["precision"], expected["recall"]) and _close(
        got["recall"], expected["precision"]
    ):
        raise AssertionError(say(
            en="your precision and recall are swapped: precision divides the diagonal by each "
               "COLUMN's sum (everything PREDICTED as c), recall by each ROW's sum (everything "
               "that truly IS c)",
            zh="你的精确率和召回率互换了：精确率用对角线除以各列之和（所有被预测为 c 的），"
               "召回率除以各行之和（所有真实为 c 的）",
        ))  # fmt: skip
    for key in PER_CLASS:
        bad = np.flatnonzero(~np.isclose(got[key], expected[key], rtol=1e-6, atol=1e-9))
        if bad.size:
            c = bad[0]
            raise AssertionError(say(
                en=f'"{key}" for class {c} is {got[key][c]:.6g}; expected {expected[key][c]:.6g} '
                   f"({len(y_true)} random labels, {classes} classes; the confusion matrix is\n"
                   f"{expected['confusion']})",
                zh=f"类别 {c} 的 “{key}” 为 {got[key][c]:.6g}；应为 {expected[key][c]:.6g}"
                   f"（{len(y_true)} 个随机标签，{classes} 个类别；混淆矩阵为\n"
                   f"{expected['confusion']}）",
            ))  # fmt: skip
    report(
        en=f"exact for all {classes} classes of {len(y_true)} random labels",
        zh=f"{len(y_true)} 个随机标签的全部 {classes} 个类别都完全正确",
    )


def test_accuracy_and_averages(submission, report):
    """accuracy, macro F1 (mean of per-class F1) and micro F1 (pooled counts) are exact."""
    call = submission_cache(submission)
    rng = np.random.default_rng()
    classes = int(rng.integers(3, 9))
    y_true, y_pred = _random_case(rng, classes, int(rng.integers(200, 500)))
    out = _call(call, y_true, y_pred, classes)
    expected = _expected(y_true, y_pred, classes)
    for key in AVERAGES:
        value = out[key]
        if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind == "f":
            value = out[key] = float(value.reshape(()))  # a 0-d array is one float too
        assert isinstance(value, int | float) and not isinstance(value, bool), say(
            en=f'"{key}" is {type(value).__name__}; expected one float (use float(...))',
            zh=f"“{key}” 的类型是 {type(value).__name__}；应为一个浮点数（用 float(...)）",
        )
    macro_p, macro_r = expected["precision"].mean(), expected["recall"].mean()
    harmonic = 2 * macro_p * macro_r / (macro_p + macro_r)
    if not _close(out["macro_f1"], expected["macro_f1"]) and _close(out["macro_f1"], harmonic):
        raise AssertionError(say(
            en=f"your macro_f1 {out['macro_f1']:.6g} is the F1 of the mean precision and the "
               f"mean recall; macro F1 is the mean of the per-class F1 scores: "
               f"{expected['macro_f1']:.6g}",
            zh=f"你的 macro_f1 {out['macro_f1']:.6g} 是平均精确率与平均召回率的 F1；macro F1 "
               f"应是各类 F1 的平均值：{expected['macro_f1']:.6g}",
        ))  # fmt: skip
    support = np.bincount(y_true, minlength=classes)
    weighted = float(np.sum(expected["f1"] * support) / support.sum())
    if not _close(out["macro_f1"], expected["macro_f1"]) and _close(out["macro_f1"], weighted):
        raise AssertionError(say(
            en=f"your macro_f1 {out['macro_f1']:.6g} weights each class by its support (that is "
               f"'weighted' F1); macro F1 gives every class the same weight: "
               f"{expected['macro_f1']:.6g}",
            zh=f"你的 macro_f1 {out['macro_f1']:.6g} 按各类样本数加权（那是 weighted F1）；"
               f"macro F1 中每个类别权重相同：{expected['macro_f1']:.6g}",
        ))  # fmt: skip
    for key in AVERAGES:
        assert _close(out[key], expected[key]), say(
            en=f'"{key}" is {out[key]:.6g}; expected {expected[key]:.6g} ({len(y_true)} random '
               f"labels, {classes} classes)",
            zh=f"“{key}” 为 {out[key]:.6g}；应为 {expected[key]:.6g}（{len(y_true)} 个随机标签，"
               f"{classes} 个类别）",
        )  # fmt: skip
    report(
        en=f"accuracy {expected['accuracy']:.3f}, macro F1 {expected['macro_f1']:.3f}, micro F1 "
           f"{expected['micro_f1']:.3f} on {len(y_true)} random labels, all exact",
        zh=f"{len(y_true)} 个随机标签上准确率 {expected['accuracy']:.3f}、macro F1 "
           f"{expected['macro_f1']:.3f}、micro F1 {expected['micro_f1']:.3f}，全部正确",
    )  # fmt: skip


def test_absent_classes_give_zero_not_nan(submission, report):
    """A class never predicted, or never present, scores 0 (zero_division=0), never NaN."""
    rng = np.random.default_rng()
    classes = int(rng.integers(4, 8))
    # never_predicted is in y_true only (precision 0 / 0); never_present is in neither
    # array (precision and recall 0 / 0); `other` stands in for both where they were.
    never_predicted, never_present, other = (int(c) for c in rng.choice(classes, 3, replace=False))
    y_true, y_pred = _random_case(rng, classes, 200)
    y_pred[(y_pred == never_predicted) | (y_pred == never_present)] = other
    y_true[y_true == never_present] = other
    y_true[0] = never_predicted
    out = _call(submission_cache(submission), y_true, y_pred, classes)
    expected = _expected(y_true, y_pred, classes)
    for key in PER_CLASS:
        got = _array(out, key, (classes,))
        nan = np.flatnonzero(~np.isfinite(got))
        if nan.size:
            c = nan[0]
            kind = ("never predicted", "从未被预测") if c == never_predicted else (
                "never present", "从未出现")  # fmt: skip
            raise AssertionError(say(
                en=f'"{key}" is {got[c]} for class {c}, which is {kind[0]}: 0 / 0 must give 0 '
                   "(zero_division=0); divide only where the denominator is not 0 "
                   "(np.divide(num, den, out=np.zeros(...), where=den > 0))",
                zh=f"类别 {c}（{kind[1]}）的 “{key}” 是 {got[c]}：0 / 0 必须得 0"
                   "（zero_division=0）；只在分母不为 0 处做除法"
                   "（np.divide(num, den, out=np.zeros(...), where=den > 0)）",
            ))  # fmt: skip
        absent = got[[never_predicted, never_present]]
        assert not absent.any(), say(
            en=f'"{key}" is {absent[0]:.4g} for class {never_predicted} (never predicted) and '
               f"{absent[1]:.4g} for class {never_present} (never present); expected 0 for both",
            zh=f"“{key}” 对类别 {never_predicted}（从未被预测）为 {absent[0]:.4g}，对类别 "
               f"{never_present}（从未出现）为 {absent[1]:.4g}；两者都应为 0",
        )  # fmt: skip
    for key in AVERAGES:
        assert np.isfinite(out[key]), say(
            en=f'"{key}" is {out[key]} when class {never_predicted} is never predicted and class '
               f"{never_present} never present; expected a number (absent classes count as 0)",
            zh=f"类别 {never_predicted} 从未被预测、类别 {never_present} 从未出现时，“{key}” 为 "
               f"{out[key]}；应为一个数（缺席的类别按 0 计）",
        )  # fmt: skip
    for present in (np.unique(y_true), np.unique(y_pred), np.union1d(y_true, y_pred)):
        over_present = float(expected["f1"][present].mean())
        if _close(out["macro_f1"], over_present) and not _close(
            out["macro_f1"], expected["macro_f1"]
        ):
            raise AssertionError(say(
                en=f"your macro_f1 {out['macro_f1']:.6g} averages only the {len(present)} classes "
                   f"that occur (np.nanmean skips the 0 / 0 ones); with num_classes={classes} "
                   f"every class counts, an absent one as 0: expected {expected['macro_f1']:.6g}",
                zh=f"你的 macro_f1 {out['macro_f1']:.6g} 只平均了出现过的 {len(present)} 个类别"
                   f"（np.nanmean 会跳过 0 / 0 的类别）；num_classes={classes} 时每个类别都要算，"
                   f"缺席的按 0：应为 {expected['macro_f1']:.6g}",
            ))  # fmt: skip
    report(
        en=f"class {never_predicted} (never predicted) and class {never_present} (never present) "
           "score 0, no NaN",
        zh=f"类别 {never_predicted}（从未被预测）与类别 {never_present}（从未出现）得 0，没有 NaN",
    )  # fmt: skip


def test_out_of_range_labels_are_refused(submission, report):
    """A label outside 0..num_classes-1 raises ValueError whose message names the label."""
    rng = np.random.default_rng()
    classes = int(rng.integers(3, 6))
    for where, bad in (("y_pred", int(rng.integers(11, 98))), ("y_true", -int(rng.integers(2, 9)))):
        y_true, y_pred = _random_case(rng, classes, 40)
        labels = y_pred if where == "y_pred" else y_true
        labels[int(rng.integers(0, 40))] = bad
        shown = say(
            en=f"classification_metrics({where} holding the label {bad}, num_classes={classes})",
            zh=f"classification_metrics({where} 中含有标签 {bad}，num_classes={classes})",
        )
        try:
            out = submission.call(y_true, y_pred, classes)
        except AssertionError as failure:
            message = str(failure)
            assert " raised ValueError" in message, say(
                en=f"{shown} failed, but not with ValueError: {message.split(' raised ')[-1]}",
                zh=f"{shown} 失败了，但抛出的不是 ValueError：{message.split(' raised ')[-1]}",
            )
            assert str(bad) in message.split(" raised ", 1)[-1], say(
                en=f"{shown} raised ValueError without naming the label {bad}: "
                   f"{message.split(' raised ', 1)[-1][:200]}; check the labels yourself before "
                   "counting and say which one is wrong",
                zh=f"{shown} 抛出了 ValueError，但消息里没有写出标签 {bad}："
                   f"{message.split(' raised ', 1)[-1][:200]}；"
                   "请在计数前自己检查标签，并指出哪个不对",
            )  # fmt: skip
            continue
        counts = np.asarray(out.get("confusion", [])) if isinstance(out, dict) else None
        raise AssertionError(say(
            en=f"{shown} returned a result (confusion of shape "
               f"{getattr(counts, 'shape', '?')}) instead of raising ValueError: an "
               "out-of-range label is silently dropped, wrapped around (-1 is the last class "
               "in numpy indexing) or miscounted",
            zh=f"{shown} 返回了结果（混淆矩阵形状 {getattr(counts, 'shape', '?')}），而没有抛出 "
               "ValueError：越界标签会被悄悄丢弃、回绕（numpy 索引里 -1 是最后一类）或计错",
        ))  # fmt: skip
    report(
        en="labels above the range and below 0 are refused with ValueError naming them",
        zh="超出范围和小于 0 的标签都被拒绝，ValueError 中写明了标签",
    )


def test_vectorised_on_a_million_labels(submission, report):
    """1.5 million labels take a fraction of a second of CPU: no Python loop over samples."""
    rng = np.random.default_rng()
    # int32 labels: half the bytes to send and read as int64, and still integer arrays.
    y_true, y_pred = (labels.astype(np.int32) for labels in _random_case(rng, 10, BIG))
    out = _call(lambda *args: submission.call(*args, count_lines=True), y_true, y_pred, 10)
    used = submission.last_call_cpu_s
    lines = getattr(submission, "last_call_python_lines", None)
    counts = np.asarray(out["confusion"])
    assert counts.shape == (10, 10) and int(counts.sum()) == BIG, say(
        en=f"on {BIG:,} labels the confusion matrix has shape {counts.shape} and sums to "
           f"{counts.sum()}; expected (10, 10) summing to {BIG:,}",
        zh=f"{BIG:,} 个标签时混淆矩阵形状为 {counts.shape}，总和 {counts.sum()}；应为 (10, 10)，"
           f"总和 {BIG:,}",
    )  # fmt: skip
    # A loop over Python ints (tolist()) is fast enough for the CPU limit (0.1 s here, as
    # fast as np.histogram2d), so the lines of the learner's file that ran are counted too:
    # a loop over the samples runs one or more per sample, whole-array code a few dozen.
    # (Counting slows such a loop several times over, so this is asked first.)
    assert lines is None or lines <= MAX_LINES, say(
        en=f"classification_metrics on {BIG:,} labels ran {lines:,} lines of your code: a Python "
           "loop over the samples (a for loop, a comprehension, zip over tolist()); count them "
           "all at once with np.bincount(y_true * C + y_pred) or np.add.at",
        zh=f"classification_metrics 处理 {BIG:,} 个标签时运行了你的代码 {lines:,} 行：这是对样本的 "
           "Python 循环（for 循环、推导式、对 tolist() 的 zip）；请用 "
           "np.bincount(y_true * C + y_pred) 或 np.add.at 一次性计数",
    )  # fmt: skip
    assert used is None or used <= LIMIT_S, say(
        en=f"classification_metrics on {BIG:,} labels used {used:.2f} s of CPU; at most "
           f"{LIMIT_S} s is allowed (a vectorised answer takes 0.05-0.3 s; a Python loop over "
           "the samples is several times slower: count with np.bincount(y_true * C + y_pred) or "
           "np.add.at)",
        zh=f"classification_metrics 处理 {BIG:,} 个标签用了 {used:.2f} 秒 CPU；上限 {LIMIT_S} 秒"
           "（向量化的答案约 0.05-0.3 秒；对样本写 Python 循环要慢好几倍：用 "
           "np.bincount(y_true * C + y_pred) 或 np.add.at 计数）",
    )  # fmt: skip
    shown = "?" if used is None else f"{used:.2f}"
    report(
        en=f"{BIG:,} labels in {shown} s of CPU (limit {LIMIT_S} s)",
        zh=f"{BIG:,} 个标签用了 {shown} 秒 CPU（上限 {LIMIT_S} 秒）",
    )
