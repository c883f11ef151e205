"""What the hidden checks share: learner-facing descriptions, call caching, pipeline data."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.checks.language import LANGUAGE_VARIABLE, language, use_language  # noqa: F401


def say(en: str, zh: str) -> str:
    """A check message in the learner's language: `assert ok, say(en=..., zh=...)`."""
    return zh if language() == "zh" else en


def describe(value: Any) -> str:
    """A short description of a returned value: type, and shape/dtype for arrays."""
    if isinstance(value, np.ndarray):
        return say(
            en=f"an array of shape {value.shape}, dtype {value.dtype}",
            zh=f"形状为 {value.shape}、dtype 为 {value.dtype} 的数组",
        )
    return f"{type(value).__name__} {value!r}"[:120]


def expect_array(value: Any, call: str, shape: tuple[int, ...]) -> np.ndarray:
    """Assert `value` is a numpy array of `shape`, saying what `call` returned otherwise."""
    assert isinstance(value, np.ndarray), say(
        en=f"{call} returned {describe(value)}; expected a numpy array of shape {shape}",
        zh=f"{call} 返回了 {describe(value)}；应返回形状为 {shape} 的 numpy 数组。",
    )
    assert value.shape == shape, say(
        en=f"{call} returned an array of shape {value.shape}; expected shape {shape}, "
        "the same shape as the input",
        zh=f"{call} 返回的数组形状为 {value.shape}；应为 {shape}，即与输入相同的形状。",
    )
    return value


def first_mismatch(actual: np.ndarray, expected: np.ndarray, atol: float = 1e-6) -> str | None:
    """Describe the first element where `actual` differs from `expected`, or None."""
    bad = ~np.isclose(actual.astype(np.float64), expected, atol=atol, rtol=0)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    got, want = float(actual[index]), float(expected[index])
    return say(
        en=f"at index {index} it gave {got:.6g} where (x - min) / (max - min) is {want:.6g} "
        f"({int(bad.sum())} of {bad.size} values differ)",
        zh=f"在下标 {index} 处得到 {got:.6g}，而 (x - min) / (max - min) 为 {want:.6g}"
        f"（{bad.size} 个值中有 {int(bad.sum())} 个不同）",
    )


def submission_cache(submission: Any) -> Callable[..., Any]:
    """Call the submission at most once per set of arguments; later calls replay the result.

    A failure is replayed too, so every check that needs the value fails with the
    same learner-facing message instead of calling (and maybe timing out) again.
    """
    results: dict[tuple, Any] = {}

    def call(*args: Any, **kwargs: Any) -> Any:
        key = _key((args, sorted(kwargs.items())))
        if key not in results:
            try:
                results[key] = submission.call(*args, **kwargs)
            except AssertionError as failure:
                results[key] = failure
        if isinstance(results[key], AssertionError):
            raise results[key]
        return results[key]

    return call


def _key(value: Any) -> Any:
    """A hashable stand-in for call arguments (arrays by shape, dtype and content)."""
    if isinstance(value, np.ndarray):
        return (value.shape, value.dtype.str, hashlib.sha256(value.tobytes()).hexdigest())
    if isinstance(value, list | tuple):
        return tuple(_key(item) for item in value)
    return value


# The pipeline exercise's calls: 7,000 training digits and 1,000 test digits, drawn
# fresh for every grading from the 10,000 bundled digits (which the sandbox cannot read).
PIPELINE_TRAIN, PIPELINE_TEST = 7_000, 1_000


def pipeline_data(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A training set, a test set and 2,000 digits held back, drawn with `rng`.

    Run 1 gets (train, first); the held-back digits are what its model never saw, and
    the leak check picks its second test set from them (test_pipeline.py).
    """
    from grader.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x, y = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    order = rng.permutation(len(y))
    cuts = np.split(order, [PIPELINE_TRAIN, PIPELINE_TRAIN + PIPELINE_TEST])
    train, first, held = (np.sort(part) for part in cuts)
    return {
        "x_train": x[train],
        "y_train": y[train],
        "x_first": x[first],
        "y_first": y[first],
        "x_held": x[held],
        "y_held": y[held],
    }


def as_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> the float32 (N, 28, 28, 1) in [0, 1] that trained models take."""
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]


def predict(model: Any, images: np.ndarray, whose: str) -> np.ndarray:
    """`model.predict(images)` as an array; a model that cannot predict fails the check."""
    try:
        return np.asarray(model.predict(images, batch_size=500, verbose=0))
    except Exception as exc:  # noqa: BLE001 - any failure here is the submission's model
        shape, dtype = images.shape[1:], images.dtype
        expected = getattr(model, "input_shape", "?")
        raise AssertionError(
            say(
                en=f"{whose} could not predict on {len(images)} images of shape {shape} {dtype} "
                f"({type(exc).__name__}); its input shape is {expected}, expected one that "
                "takes such a batch",
                zh=f"{whose} 无法对 {len(images)} 张形状为 {shape}、{dtype} 的图像做预测"
                f"（{type(exc).__name__}）；它的输入形状是 {expected}，应能接受这样的一批图像。",
            )
        ) from None


def probabilities(model: Any, images: np.ndarray, whose: str) -> np.ndarray:
    """Class probabilities (N, classes) in float64; logits are softmaxed."""
    probs = predict(model, images, whose).reshape(len(images), -1).astype(np.float64)
    if probs.min() < 0 or not np.allclose(probs.sum(axis=1), 1, atol=1e-3):
        probs = np.exp(probs - probs.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
    return probs


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    """The share of rows whose most probable class is the label."""
    return float(np.mean(probs.argmax(axis=1) == labels))


def fresh_rng() -> np.random.Generator:
    """A generator seeded from the operating system's entropy, new for every grading:
    no submission can reproduce the checks' inputs, so none can precompute its answers."""
    return np.random.default_rng(secrets.randbits(128))


@functools.cache
def python_seconds_per_item() -> float:
    """CPU seconds Python's built-in min() spends per element here, measured once.

    The best of three runs over a million pixels (0.12 s): a process's first ~70 ms
    of busy CPU run at about half speed here, and a probe shorter than that measured
    55-77 ns per pixel where a real loop takes 35-38 ns, a limit loose enough for
    the seed answer to pass."""
    probe = np.random.default_rng(0).integers(0, 256, 1_000_000, dtype=np.uint8)
    timings = []
    for _ in range(3):
        start = time.process_time()
        min(probe)
        timings.append(time.process_time() - start)
    return min(timings) / probe.size
