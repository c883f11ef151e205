"""What the numpy exercises' checks share: fresh random inputs, reading returned values,
describing a numeric mismatch, and calling a second function of the learner's file."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from typing import Any

import numpy as np

from grader.checks.support import describe, say


def fresh_rng() -> np.random.Generator:
    """A generator seeded from the OS for this grading alone: no submission can know or
    reproduce the inputs a check draws from it."""
    return np.random.default_rng(secrets.randbits(128))


def as_float(value: Any, call: str, what: str) -> float:
    """A returned scalar (a Python float, a numpy scalar or a 0-d / size-1 array) as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.ndarray):
        raise AssertionError(say(
            en=f"{call} returned {describe(value)} as {what}; expected a float",
            zh=f"{call} 返回的{what}是 {describe(value)}；应当是一个浮点数",
        ))  # fmt: skip
    if isinstance(value, np.ndarray):
        if value.size != 1 or value.dtype.kind not in "fiu":
            raise AssertionError(say(
                en=f"{call} returned {describe(value)} as {what}; expected one float",
                zh=f"{call} 返回的{what}是 {describe(value)}；应当是一个浮点数",
            ))  # fmt: skip
        return float(value.reshape(()))
    return float(value)


def as_array(value: Any, call: str, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """A returned array of `shape`, or a failure saying what came back instead."""
    if not isinstance(value, np.ndarray):
        raise AssertionError(say(
            en=f"{call} returned {describe(value)} as {what}; expected a numpy array of "
               f"shape {shape}",
            zh=f"{call} 返回的{what}是 {describe(value)}；应当是形状为 {shape} 的 numpy 数组",
        ))  # fmt: skip
    if value.shape != shape:
        raise AssertionError(say(
            en=f"{call} returned {what} of shape {value.shape}; expected shape {shape}",
            zh=f"{call} 返回的{what}形状为 {value.shape}；应当是 {shape}",
        ))  # fmt: skip
    if value.dtype.kind not in "fiub":
        raise AssertionError(say(
            en=f"{call} returned {what} of dtype {value.dtype}; expected numbers",
            zh=f"{call} 返回的{what}的 dtype 是 {value.dtype}；应当是数值",
        ))  # fmt: skip
    return value


def as_pair(value: Any, call: str, first: str, second: str) -> tuple[Any, Any]:
    """A returned 2-tuple (or 2-item list), or a failure naming what the pair should hold."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise AssertionError(say(
            en=f"{call} returned {describe(value)}; expected a pair ({first}, {second})",
            zh=f"{call} 返回了 {describe(value)}；应当返回二元组（{first}, {second}）",
        ))  # fmt: skip
    return value[0], value[1]


def mismatch(actual: np.ndarray, expected: np.ndarray, rtol: float = 1e-6,
             atol: float = 1e-9) -> str | None:  # fmt: skip
    """Where `actual` first differs from `expected` (index, both values, how many), or None."""
    actual = np.asarray(actual, np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return say(
        en=f"at index {index} it is {actual[index]:.6g} where {expected[index]:.6g} is right "
           f"({int(bad.sum())} of {bad.size} values differ)",
        zh=f"在索引 {index} 处是 {actual[index]:.6g}，正确值是 {expected[index]:.6g}"
           f"（{bad.size} 个值中有 {int(bad.sum())} 个不同）",
    )  # fmt: skip


def close(actual: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Same shape and equal within tolerance (NaN is never close)."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    return actual.shape == expected.shape and bool(
        np.allclose(actual, expected, rtol=rtol, atol=atol)
    )


class _OtherFunction:
    """`submission`, calling another function of the same file in the same worker."""

    def __init__(self, submission: Any, function: str):
        self._submission, self._function = submission, function
        self.exercise = dataclasses.replace(submission.exercise, function=function)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        return self._submission.call_other(self._function, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._submission, name)


def other_function(submission: Any, function: str) -> Iterator[Any]:
    """The learner's `function` from the same file, called through the same worker.

    For exercises whose contract has two functions (train and encode, quantize and
    dequantize). Use as a module fixture:
    `yield from other_function(submission, "bpe_encode")`.
    """
    yield _OtherFunction(submission, function)
