"""What the hidden checks share: learner-facing descriptions, call caching, pipeline data."""

from __future__ import annotations

import functools
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


def language() -> str:
    """The language the learner reads check messages in: `MLKATA_CHECKS_LANG`, set by the
    runner from `--lang` or the locale (en or zh)."""
    return "zh" if os.environ.get("MLKATA_CHECKS_LANG", "en") == "zh" else "en"


def say(en: str, zh: str) -> str:
    """A check message in the learner's language: `assert ok, say(en=..., zh=...)`."""
    return zh if language() == "zh" else en


def describe(value: Any) -> str:
    """A short description of a returned value: type, and shape/dtype for arrays."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}, dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"[:120]


def expect_array(value: Any, call: str, shape: tuple[int, ...]) -> np.ndarray:
    """Assert `value` is a numpy array of `shape`, saying what `call` returned otherwise."""
    assert isinstance(value, np.ndarray), (
        f"{call} returned {describe(value)}; expected a numpy array of shape {shape}"
    )
    assert value.shape == shape, (
        f"{call} returned an array of shape {value.shape}; expected shape {shape}, "
        "the same shape as the input"
    )
    return value


def first_mismatch(actual: np.ndarray, expected: np.ndarray, atol: float = 1e-6) -> str | None:
    """Describe the first element where `actual` differs from `expected`, or None."""
    bad = ~np.isclose(actual.astype(np.float64), expected, atol=atol, rtol=0)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return (
        f"at index {index} it gave {float(actual[index]):.6g} where "
        f"(x - min) / (max - min) is {float(expected[index]):.6g} "
        f"({int(bad.sum())} of {bad.size} values differ)"
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


def pipeline_data() -> dict[str, np.ndarray]:
    """The `pipeline` exercise's data: the bundled training set, and the test set cut in two.

    The submission gets `x_train`/`y_train` and the `given` half of the test set; the
    `unseen` half (a fixed, per-class stratified half) never leaves the grader.
    """
    from grader.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    rng = np.random.default_rng(2024)
    given = np.zeros(len(y_test), bool)
    for digit in range(10):
        indices = np.flatnonzero(y_test == digit)
        given[rng.permutation(indices)[: len(indices) // 2]] = True
    return {
        "x_train": x_train,
        "y_train": y_train,
        "x_given": x_test[given],
        "y_given": y_test[given],
        "x_unseen": x_test[~given],
        "y_unseen": y_test[~given],
    }


def as_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> the float32 (N, 28, 28, 1) in [0, 1] that trained models take."""
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]


@dataclass(frozen=True)
class Scores:
    """How a trained digit classifier does on the given and the unseen test digits."""

    given_accuracy: float
    unseen_accuracy: float
    given_loss: float  # mean cross-entropy
    unseen_loss: float


def predict(model: Any, images: np.ndarray, whose: str) -> np.ndarray:
    """`model.predict(images)` as an array; a model that cannot predict fails the check."""
    try:
        return np.asarray(model.predict(images, batch_size=500, verbose=0))
    except Exception as exc:  # noqa: BLE001 - any failure here is the submission's model
        raise AssertionError(
            f"{whose} could not predict on {len(images)} images of shape {images.shape[1:]} "
            f"{images.dtype} ({type(exc).__name__}); its input shape is "
            f"{getattr(model, 'input_shape', '?')}, expected one that takes such a batch"
        ) from None


def _accuracy_and_loss(model: Any, images: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    probs = predict(model, as_model_input(images), "the returned model")
    probs = probs.reshape(len(images), -1).astype(np.float64)
    if probs.min() < 0 or not np.allclose(probs.sum(axis=1), 1, atol=1e-3):
        probs = np.exp(probs - probs.max(axis=1, keepdims=True))  # logits: softmax them
        probs /= probs.sum(axis=1, keepdims=True)
    accuracy = float(np.mean(probs.argmax(axis=1) == labels))
    picked = probs[np.arange(len(labels)), labels.astype(np.int64)]
    return accuracy, float(np.mean(-np.log(np.clip(picked, 1e-7, 1.0))))


def score_pipeline_model(model: Any, data: dict[str, np.ndarray]) -> Scores:
    """Accuracy and cross-entropy on the given half and the unseen half of the test set."""
    given = _accuracy_and_loss(model, data["x_given"], data["y_given"])
    unseen = _accuracy_and_loss(model, data["x_unseen"], data["y_unseen"])
    return Scores(given[0], unseen[0], given[1], unseen[1])


# The leak probe relabels its test digits with this derangement (no digit keeps its label).
PROBE_PERMUTATION = np.array([3, 7, 5, 9, 0, 8, 2, 1, 4, 6])


def leak_probe_data(n_train: int = 1000, n_test: int = 4000) -> dict[str, np.ndarray]:
    """A small training set with true labels and a larger test set with permuted labels.

    A pipeline that never trains on (x_test, y_test) cannot learn the permutation; one
    that does predicts the permuted labels for a large share of the test digits.
    """
    from grader.data import load_mnist

    (x, y), _ = load_mnist()
    order = np.random.default_rng(11).permutation(len(y))
    train, test = order[:n_train], order[n_train : n_train + n_test]
    return {
        "x_train": x[train],
        "y_train": y[train],
        "x_test": x[test],
        "y_test": PROBE_PERMUTATION[y[test]].astype(y.dtype),
        "y_test_true": y[test],
    }


def permuted_label_share(model: Any, probe: dict[str, np.ndarray]) -> float:
    """The share of the probe's test digits for which `model` predicts the permuted label."""
    probs = predict(model, as_model_input(probe["x_test"]), "the returned model")
    predicted = probs.reshape(len(probe["y_test"]), -1).argmax(axis=1)
    return float(np.mean(predicted == probe["y_test"]))


@functools.cache
def random_pixels(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """Reproducible random uint8 images, made once per process (watch grades again and
    again). Read-only, so no check can change them for the next."""
    pixels = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    pixels.flags.writeable = False
    return pixels


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
