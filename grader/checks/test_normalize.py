"""Hidden checks for `normalize`: preprocess_image(image) -> per-image min-max scaled float32.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from grader.checks.support import (
    describe,
    expect_array,
    first_mismatch,
    fresh_rng,
    python_seconds_per_item,
    say,
)

# The vectorisation check: 10,000 images (7.8 M pixels, the size of MNIST's test
# set), sent as ten calls of 1,000 images and judged on the CPU time the worker
# spent on them (measured by the grader from /proc, steady on a busy machine),
# against a limit scaled to this machine's Python speed so it means the same on a
# slow or a fast computer. The seed answer's `min(image.flatten())` and `max(...)`
# visit every pixel in Python: 2 x 7.8 M steps. The limit is 60% of that, clamped
# to [0.2 s, 3 s]; the wall clock only stops a runaway loop.
#
# Why ten calls and not one: a single call of 10,000 images makes a vectorised
# float64 answer fault in ~250 MB of fresh pages and write 63 MB back, and it used
# 0.16-0.42 s of CPU in the sandbox, over the limit on some runs (a CI failure).
# At 1,000 images the arrays are 6 MB, the allocator reuses them from call to
# call, and what a Python loop costs per pixel stays the same.
# Measured in the sandbox (benchmarks/thresholds.py normalize, 2 shared cores, 5
# runs each): built-in min() 35.2 ns per pixel, so a limit of 0.33 s; over the ten
# calls the seed answer used 0.64-0.69 s of CPU, Python's min() per image 0.67-0.73 s,
# the float64 answer 0.12-0.16 s, a numpy loop over the images 0.09-0.11 s and the
# reference 0.05-0.07 s.
BIG_BATCH, CALLS = 10_000, 10
SAMPLED = 2  # images of each call sent again in a small batch: same answer?
LIMIT_SHARE, MIN_LIMIT, MAX_LIMIT = 0.6, 0.2, 3.0
# The call's wall-clock timeout only stops a runaway loop: long enough that a slow
# answer on a busy machine still comes back and is judged on its CPU time.
WALL_FACTOR, MIN_WALL = 4, 10.0


def python_speed_limit(pixels: int) -> float:
    """CPU seconds allowed for `pixels`: a share of what two Python-speed passes would take."""
    python_seconds = 2 * pixels * python_seconds_per_item()
    return float(np.clip(LIMIT_SHARE * python_seconds, MIN_LIMIT, MAX_LIMIT))


# Measured when the checks are imported (once per process: it is cached), so that
# watch, which collects the checks while the learner reads, has it ready.
BIG_BATCH_LIMIT = python_speed_limit(BIG_BATCH * 28 * 28)


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    """Every input of every check is drawn fresh for each grading (about 30 ms for the
    big batch): an answer cannot compute the checks' inputs in advance."""
    return fresh_rng()


def _expected(image: np.ndarray) -> np.ndarray:
    """Per-image (x - min) / (max - min) in float64; zeros for a constant image."""
    x = image.astype(np.float64)
    low = x.min(axis=(-2, -1), keepdims=True)
    span = x.max(axis=(-2, -1), keepdims=True) - low
    return np.divide(x - low, span, out=np.zeros_like(x), where=span > 0)


def _digit_like(rng: np.random.Generator, low: int, high: int, n: int | None = None) -> np.ndarray:
    """Random uint8 image(s) whose pixels span exactly [low, high], extremes at random places."""
    shape = (28, 28) if n is None else (n, 28, 28)
    image = rng.integers(low, high + 1, shape, dtype=np.int64)
    flat = image.reshape(-1, 784)
    for row in flat:
        darkest, brightest = rng.choice(784, 2, replace=False)
        row[darkest], row[brightest] = low, high
    return image.astype(np.uint8)


def test_single_image_exact_values(submission, rng, report):
    """One (28, 28) uint8 image comes back as (x - min) / (max - min), shape (28, 28)."""
    low, high = int(rng.integers(5, 40)), int(rng.integers(200, 250))
    image = _digit_like(rng, low, high)
    call = say(
        en="preprocess_image(uint8 image (28, 28))", zh="preprocess_image(uint8 图像 (28, 28))"
    )
    out = expect_array(submission.call(image), call, (28, 28))
    mismatch = first_mismatch(out, _expected(image))
    assert mismatch is None, say(
        en=f"preprocess_image(image with min {low}, max {high}): {mismatch}; expected "
        "(x - min) / (max - min), so the darkest pixel becomes 0.0 and the brightest 1.0",
        zh=f"preprocess_image(最小值 {low}、最大值 {high} 的图像)：{mismatch}；应为 "
        "(x - min) / (max - min)，即最暗的像素变为 0.0，最亮的变为 1.0。",
    )
    report(
        en=f"all 784 values match (x - min) / (max - min) for an image with pixels {low}-{high}",
        zh=f"像素范围 {low}-{high} 的图像，784 个值全部等于 (x - min) / (max - min)",
    )


def test_batch_keeps_its_shape(submission, rng, report):
    """A batch (N, 28, 28) comes back with the same shape, one scaled image per input image."""
    n = int(rng.integers(3, 9))
    batch = _digit_like(rng, low=0, high=255, n=n)
    call = say(
        en=f"preprocess_image(batch ({n}, 28, 28))", zh=f"preprocess_image(批量 ({n}, 28, 28))"
    )
    out = expect_array(submission.call(batch), call, (n, 28, 28))
    ok = np.all(np.isfinite(out)) and out.min() >= 0 and out.max() <= 1 + 1e-6
    assert ok, say(
        en=f"preprocess_image(batch of {n} images) returned values from {np.nanmin(out):.4g} to "
        f"{np.nanmax(out):.4g}; expected every value in [0, 1]",
        zh=f"preprocess_image({n} 张图像的批量) 返回的值从 {np.nanmin(out):.4g} 到 "
        f"{np.nanmax(out):.4g}；每个值都应在 [0, 1] 之内。",
    )
    report(
        en=f"a batch of {n} came back as ({n}, 28, 28), every value in [0, 1]",
        zh=f"{n} 张图像的批量返回 ({n}, 28, 28)，每个值都在 [0, 1] 之内",
    )


def test_each_image_scaled_on_its_own(submission, rng, report):
    """Min and max are taken per image, not once over the whole batch."""
    # A faint digit next to a bright one: scaled on their own, both must span
    # exactly [0, 1].
    faint = (int(rng.integers(10, 30)), int(rng.integers(50, 80)))
    bright = (int(rng.integers(35, 45)), int(rng.integers(220, 256)))
    batch = np.stack([_digit_like(rng, *faint), _digit_like(rng, *bright)])
    call = say(
        en=f"preprocess_image(batch of a faint image, pixels {faint[0]}-{faint[1]}, and a bright "
        f"one, {bright[0]}-{bright[1]})",
        zh=f"preprocess_image(一张暗图像（像素 {faint[0]}-{faint[1]}）和一张亮图像"
        f"（{bright[0]}-{bright[1]}）组成的批量)",
    )
    out = expect_array(submission.call(batch), call, (2, 28, 28))
    expected = _expected(batch)
    if first_mismatch(out, expected) is None:
        report(
            en="a faint and a bright image in one batch both span exactly [0, 1]",
            zh="同一批中的暗图像和亮图像都恰好覆盖 [0, 1]",
        )
        return
    spans = ", ".join(f"[{img.min():.3g}, {img.max():.3g}]" for img in out)
    whole = (batch - float(batch.min())) / float(batch.max() - batch.min())
    if first_mismatch(out, whole) is None:
        diagnosis = say(
            en="it used ONE min and max for the whole batch",
            zh="它对整批数据只用了一个 min 和一个 max",
        )
    elif first_mismatch(out, batch / 255.0) is None:
        diagnosis = say(
            en="it divided by 255 instead of using each image's own min and max",
            zh="它除以了 255，而不是用每张图像自己的 min 和 max",
        )
    else:
        diagnosis = first_mismatch(out, expected)
    raise AssertionError(
        say(
            en=f"{call} returned images spanning {spans}: {diagnosis}; expected each image scaled "
            "by its own min and max, so both span exactly [0, 1]",
            zh=f"{call} 返回的图像范围为 {spans}：{diagnosis}；每张图像都应按自己的 min 和 max "
            "缩放，使两张图像都恰好覆盖 [0, 1]。",
        )
    )


def test_output_is_float32(submission, rng, report):
    """The result is float32 (what Keras layers expect; float64 doubles the memory)."""
    out = submission.call(_digit_like(rng, low=0, high=255))
    assert isinstance(out, np.ndarray), say(
        en=f"preprocess_image(uint8 image) returned {describe(out)}; expected a float32 array",
        zh=f"preprocess_image(uint8 图像) 返回了 {describe(out)}；应返回 float32 的 numpy 数组。",
    )
    hint_en = hint_zh = ""
    if out.dtype == np.float64:
        hint_en = (
            " (dividing a uint8 array by a Python number gives float64; use .astype(np.float32))"
        )
        hint_zh = "（uint8 数组除以 Python 数得到 float64；请用 .astype(np.float32)）"
    assert out.dtype == np.float32, say(
        en=f"preprocess_image(uint8 image) returned dtype {out.dtype}; expected float32{hint_en}",
        zh=f"preprocess_image(uint8 图像) 返回的 dtype 为 {out.dtype}；应为 float32{hint_zh}。",
    )
    report(en="a uint8 image came back as float32", zh="uint8 图像返回为 float32")


def test_constant_image_gives_zeros(submission, rng, report):
    """A constant image (max == min) gives zeros: no division by zero, no NaN or inf."""
    for value in (0, int(rng.integers(1, 255)), 255):
        image = np.full((28, 28), value, np.uint8)
        call = say(
            en=f"preprocess_image(all-{value} image)", zh=f"preprocess_image(全为 {value} 的图像)"
        )
        out = expect_array(submission.call(image), call, (28, 28))
        nans, infs = int(np.isnan(out).sum()), int(np.isinf(out).sum())
        assert np.all(np.isfinite(out)), say(
            en=f"preprocess_image(image with every pixel {value}) returned {nans} NaN and {infs} "
            "inf values: (x - min) / (max - min) divides by zero when max == min; expected all "
            "zeros",
            zh=f"preprocess_image(每个像素都为 {value} 的图像) 返回了 {nans} 个 NaN 和 {infs} 个 "
            "inf：当 max == min 时 (x - min) / (max - min) 会除以零；应返回全零。",
        )
        assert not out.any(), say(
            en=f"preprocess_image(image with every pixel {value}) returned values up to "
            f"{out.max():.4g}; expected all zeros for a constant image",
            zh=f"preprocess_image(每个像素都为 {value} 的图像) 返回的值最大为 {out.max():.4g}；"
            "常数图像应返回全零。",
        )
    batch = np.stack([np.zeros((28, 28), np.uint8), _digit_like(rng, low=10, high=200)])
    call = say(
        en="preprocess_image(batch with a blank image)", zh="preprocess_image(含一张空白图像的批量)"
    )
    out = expect_array(submission.call(batch), call, (2, 28, 28))
    mismatch = first_mismatch(out, _expected(batch))
    assert mismatch is None, say(
        en=f"preprocess_image(batch of a blank image and a normal one): {mismatch}; expected "
        "zeros for the blank image and the normal image scaled to [0, 1] on its own",
        zh=f"preprocess_image(一张空白图像和一张正常图像组成的批量)：{mismatch}；空白图像应为全零，"
        "正常图像应独立缩放到 [0, 1]。",
    )
    report(
        en="constant images, alone and in a batch, came back as zeros (no NaN, no inf)",
        zh="常数图像（单张或在批量中）返回全零（没有 NaN，也没有 inf）",
    )


def test_input_is_not_modified(submission, rng, report):
    """The caller's array is left exactly as it was (float input tempts in-place edits)."""
    for image in (
        _digit_like(rng, low=3, high=250, n=3),
        rng.uniform(5, 9, (28, 28)),
    ):
        before = image.copy()
        _, (after,) = submission.call(image, return_args=True)
        assert np.array_equal(after, before), say(
            en=f"preprocess_image(array of dtype {before.dtype}, shape {before.shape}) changed its "
            "input: after the call the caller's array held different values; expected the input "
            "untouched (operators like -= and /= modify it in place; build a new array instead)",
            zh=f"preprocess_image(dtype 为 {before.dtype}、形状为 {before.shape} 的数组) 修改了"
            "它的输入：调用之后，调用者的数组变了；输入应保持不变（-= 和 /= 这样的运算符会原地"
            "修改数组；请创建新数组）。",
        )
    report(
        en="a uint8 batch and a float64 image were left exactly as they were",
        zh="uint8 批量和 float64 图像都保持原样",
    )


def test_accepts_any_numeric_dtype(submission, rng, report):
    """Non-uint8 numbers work too: 16-bit-range integers and negative floats."""
    low = float(rng.uniform(-3.0, -0.5))
    inputs = {
        "int32 0-4095": rng.integers(0, 4096, (28, 28)).astype(np.int32),
        f"float64 {low:.2f}-3.0": rng.uniform(low, 3.0, (28, 28)),
    }
    for label, image in inputs.items():
        call = f"preprocess_image({label})"
        out = expect_array(submission.call(image), call, image.shape)
        mismatch = first_mismatch(out, _expected(image), atol=1e-5)
        assert mismatch is None, say(
            en=f"{call}: {mismatch}; expected the same per-image (x - min) / (max - min) whatever "
            "the input dtype (no fixed division by 255)",
            zh=f"{call}：{mismatch}；无论输入是什么 dtype，都应使用同样的逐图像 "
            "(x - min) / (max - min)（不要固定除以 255）。",
        )
    report(
        en="int32 pixels 0-4095 and negative float64 values were scaled exactly",
        zh="int32 像素 0-4095 和含负数的 float64 值都被精确缩放",
    )


def test_vectorised_on_a_full_mnist_batch(submission, rng, report):
    """10,000 images (7.8 M pixels) take a fraction of a second of CPU: no Python loops."""
    limit = BIG_BATCH_LIMIT
    size = BIG_BATCH // CALLS
    pixels = rng.integers(0, 256, (BIG_BATCH, 28, 28), dtype=np.uint8)
    call = say(
        en=f"preprocess_image on {BIG_BATCH:,} images ({CALLS} calls of ({size:,}, 28, 28))",
        zh=f"对 {BIG_BATCH:,} 张图像调用 preprocess_image（{CALLS} 次，每次 ({size:,}, 28, 28)）",
    )
    used, calls, samples = 0.0, 0, []
    for batch in np.split(pixels, CALLS):
        start = time.perf_counter()
        out = submission.call(batch, timeout=max(MIN_WALL, WALL_FACTOR * limit))
        spent = getattr(submission, "last_call_cpu_s", None)
        used += time.perf_counter() - start if spent is None else spent  # wall if no CPU
        calls += 1
        expect_array(out, call, batch.shape)
        # Fast is only fast if it is the same work: a few images of each batch are
        # sent again below, in a small batch, and must come back the same.
        picked = rng.choice(len(batch), SAMPLED, replace=False)
        samples.append((batch[picked], out[picked]))
        if used > limit:  # already too slow: the remaining calls cannot undo it
            break
    images = np.concatenate([images for images, _ in samples])
    big = np.concatenate([out for _, out in samples])
    small = expect_array(submission.call(images), call, images.shape)
    differ = int(np.sum(~np.isclose(big, small, atol=1e-6, rtol=0)))
    assert differ == 0, say(
        en=f"{call}: {len(images)} of those images, sent again in one small batch, came back "
        f"different ({differ} values differ): the big batches were not given the same "
        "per-image scaling; expected the same result whatever the batch size",
        zh=f"{call}：其中 {len(images)} 张图像放在一个小批量里再次发送，返回的结果不同"
        f"（{differ} 个值不同）：大批量没有使用同样的逐图像缩放；无论批量大小，结果都应相同。",
    )
    so_far_en = f" after {calls} of them" if calls < CALLS else ""
    so_far_zh = f"（只调用了其中 {calls} 次）" if calls < CALLS else ""
    assert used <= limit, say(
        en=f"{call} used {used:.2f} s of CPU{so_far_en}; at most {limit:.2f} s is allowed for all "
        f"{CALLS} on this machine (numpy reductions over whole arrays take a fraction of a "
        "second; Python's built-in min() or a for loop visits the pixels one at a time)",
        zh=f"{call} 用了 {used:.2f} 秒 CPU{so_far_zh}；在这台机器上 {CALLS} 次调用总共最多允许 "
        f"{limit:.2f} 秒（对整个数组做 numpy 归约只需零点几秒；Python 内置的 min() 或 for 循环"
        "会逐个像素访问）。",
    )
    report(
        en=f"{BIG_BATCH:,} images took {used:.2f} s of CPU; the limit here is {limit:.2f} s",
        zh=f"{BIG_BATCH:,} 张图像用了 {used:.2f} 秒 CPU；这台机器上的上限为 {limit:.2f} 秒",
    )
