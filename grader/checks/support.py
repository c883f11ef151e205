"""Small helpers the hidden checks share: describing values for learner-facing messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


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
        key = (args, tuple(sorted(kwargs.items())))
        if key not in results:
            try:
                results[key] = submission.call(*args, **kwargs)
            except AssertionError as failure:
                results[key] = failure
        if isinstance(results[key], AssertionError):
            raise results[key]
        return results[key]

    return call
