"""Hidden checks for `normalize`: preprocess_image(image) -> per-image min-max scaled float32.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import time

import numpy as np

from grader.checks.support import (
    describe,
    expect_array,
    first_mismatch,
    python_seconds_per_item,
    random_pixels,
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
LIMIT_SHARE, MIN_LIMIT, MAX_LIMIT = 0.6, 0.2, 3.0
# The call's wall-clock timeout only stops a runaway loop: long enough that a slow
# answer on a busy machine still comes back and is judged on its CPU time.
WALL_FACTOR, MIN_WALL = 4, 10.0


def python_speed_limit(pixels: int) -> float:
    """CPU seconds allowed for `pixels`: a share of what two Python-speed passes would take."""
    python_seconds = 2 * pixels * python_seconds_per_item()
    return float(np.clip(LIMIT_SHARE * python_seconds, MIN_LIMIT, MAX_LIMIT))


# Made when the checks are imported (once per process: both are cached), so that
# watch, which collects the checks while the learner reads, has them ready.
BIG_BATCH_PIXELS = random_pixels(9, (BIG_BATCH, 28, 28))
BIG_BATCH_LIMIT = python_speed_limit(BIG_BATCH_PIXELS.size)


def _expected(image: np.ndarray) -> np.ndarray:
    """Per-image (x - min) / (max - min) in float64; zeros for a constant image."""
    x = image.astype(np.float64)
    low = x.min(axis=(-2, -1), keepdims=True)
    span = x.max(axis=(-2, -1), keepdims=True) - low
    return np.divide(x - low, span, out=np.zeros_like(x), where=span > 0)


def _digit_like(seed: int, low: int, high: int, n: int | None = None) -> np.ndarray:
    """Random uint8 image(s) whose pixels span exactly [low, high]."""
    rng = np.random.default_rng(seed)
    shape = (28, 28) if n is None else (n, 28, 28)
    image = rng.integers(low, high + 1, shape, dtype=np.int64)
    flat = image.reshape(-1, 784)
    flat[:, 0], flat[:, 1] = low, high
    return image.astype(np.uint8)


def test_single_image_exact_values(submission):
    """One (28, 28) uint8 image comes back as (x - min) / (max - min), shape (28, 28)."""
    image = _digit_like(seed=1, low=12, high=237)
    out = expect_array(submission.call(image), "preprocess_image(uint8 image (28, 28))", (28, 28))
    mismatch = first_mismatch(out, _expected(image))
    assert mismatch is None, (
        f"preprocess_image(image with min 12, max 237): {mismatch}; expected "
        "(x - min) / (max - min), so the darkest pixel becomes 0.0 and the brightest 1.0"
    )


def test_batch_keeps_its_shape(submission):
    """A batch (N, 28, 28) comes back with the same shape, one scaled image per input image."""
    batch = _digit_like(seed=2, low=0, high=255, n=5)
    out = expect_array(submission.call(batch), "preprocess_image(batch (5, 28, 28))", (5, 28, 28))
    assert np.all(np.isfinite(out)) and out.min() >= 0 and out.max() <= 1 + 1e-6, (
        f"preprocess_image(batch of 5 images) returned values from {np.nanmin(out):.4g} to "
        f"{np.nanmax(out):.4g}; expected every value in [0, 1]"
    )


def test_each_image_scaled_on_its_own(submission):
    """Min and max are taken per image, not once over the whole batch."""
    # A faint digit (pixels 20-60) next to a bright one (40-230): scaled on
    # their own, both must span exactly [0, 1].
    batch = np.stack([_digit_like(seed=3, low=20, high=60), _digit_like(seed=4, low=40, high=230)])
    call = "preprocess_image(batch of a faint image, pixels 20-60, and a bright one, 40-230)"
    out = expect_array(submission.call(batch), call, (2, 28, 28))
    expected = _expected(batch)
    if first_mismatch(out, expected) is None:
        return
    spans = ", ".join(f"[{img.min():.3g}, {img.max():.3g}]" for img in out)
    if first_mismatch(out, (batch - 20.0) / 210.0) is None:
        diagnosis = "it used ONE min and max for the whole batch"
    elif first_mismatch(out, batch / 255.0) is None:
        diagnosis = "it divided by 255 instead of using each image's own min and max"
    else:
        diagnosis = first_mismatch(out, expected)
    raise AssertionError(
        f"{call} returned images spanning {spans}: {diagnosis}; expected each image scaled "
        "by its own min and max, so both span exactly [0, 1]"
    )


def test_output_is_float32(submission):
    """The result is float32 (what Keras layers expect; float64 doubles the memory)."""
    out = submission.call(_digit_like(seed=5, low=0, high=255))
    assert isinstance(out, np.ndarray), (
        f"preprocess_image(uint8 image) returned {describe(out)}; expected a float32 numpy array"
    )
    hint = ""
    if out.dtype == np.float64:
        hint = " (dividing a uint8 array by a Python number gives float64; use .astype(np.float32))"
    assert out.dtype == np.float32, (
        f"preprocess_image(uint8 image) returned dtype {out.dtype}; expected float32{hint}"
    )


def test_constant_image_gives_zeros(submission):
    """A constant image (max == min) gives zeros: no division by zero, no NaN or inf."""
    for value in (0, 255):
        image = np.full((28, 28), value, np.uint8)
        out = expect_array(submission.call(image), f"preprocess_image(all-{value} image)", (28, 28))
        assert np.all(np.isfinite(out)), (
            f"preprocess_image(image with every pixel {value}) returned "
            f"{int(np.isnan(out).sum())} NaN and {int(np.isinf(out).sum())} inf values: "
            "(x - min) / (max - min) divides by zero when max == min; expected all zeros"
        )
        assert not out.any(), (
            f"preprocess_image(image with every pixel {value}) returned values up to "
            f"{out.max():.4g}; expected all zeros for a constant image"
        )
    batch = np.stack([np.zeros((28, 28), np.uint8), _digit_like(seed=6, low=10, high=200)])
    out = expect_array(
        submission.call(batch), "preprocess_image(batch with a blank image)", (2, 28, 28)
    )
    mismatch = first_mismatch(out, _expected(batch))
    assert mismatch is None, (
        f"preprocess_image(batch of a blank image and a normal one): {mismatch}; expected "
        "zeros for the blank image and the normal image scaled to [0, 1] on its own"
    )


def test_input_is_not_modified(submission):
    """The caller's array is left exactly as it was (float input tempts in-place edits)."""
    for image in (
        _digit_like(seed=7, low=3, high=250, n=3),
        np.linspace(5, 9, 784).reshape(28, 28),
    ):
        before = image.copy()
        _, (after,) = submission.call(image, return_args=True)
        assert np.array_equal(after, before), (
            f"preprocess_image(array of dtype {before.dtype}, shape {before.shape}) changed its "
            "input: after the call the caller's array held different values; expected the input "
            "untouched (operators like -= and /= modify it in place; build a new array instead)"
        )


def test_accepts_any_numeric_dtype(submission):
    """Non-uint8 numbers work too: 16-bit-range integers and negative floats."""
    rng = np.random.default_rng(8)
    inputs = {
        "int32 pixels 0-4095": rng.integers(0, 4096, (28, 28)).astype(np.int32),
        "float64 values -1.5 to 3.0": rng.uniform(-1.5, 3.0, (28, 28)),
    }
    for label, image in inputs.items():
        out = expect_array(submission.call(image), f"preprocess_image({label})", image.shape)
        mismatch = first_mismatch(out, _expected(image), atol=1e-5)
        assert mismatch is None, (
            f"preprocess_image({label}): {mismatch}; expected the same per-image "
            "(x - min) / (max - min) whatever the input dtype (no fixed division by 255)"
        )


def test_vectorised_on_a_full_mnist_batch(submission):
    """10,000 images (7.8 M pixels) take a fraction of a second of CPU: no Python loops."""
    limit = BIG_BATCH_LIMIT
    size = BIG_BATCH // CALLS
    call = f"preprocess_image on {BIG_BATCH:,} images ({CALLS} calls of ({size:,}, 28, 28))"
    used, calls = 0.0, 0
    for batch in np.split(BIG_BATCH_PIXELS, CALLS):
        start = time.perf_counter()
        out = submission.call(batch, timeout=max(MIN_WALL, WALL_FACTOR * limit))
        spent = getattr(submission, "last_call_cpu_s", None)
        used += time.perf_counter() - start if spent is None else spent  # wall if no CPU
        calls += 1
        expect_array(out, call, batch.shape)
        if used > limit:  # already too slow: the remaining calls cannot undo it
            break
    so_far = f" after {calls} of them" if calls < CALLS else ""
    assert used <= limit, (
        f"{call} used {used:.2f} s of CPU{so_far}; at most {limit:.2f} s is allowed for all "
        f"{CALLS} on this machine (numpy reductions over whole arrays take a fraction of a "
        "second; Python's built-in min() or a for loop visits the pixels one at a time)"
    )
