"""Time Python loops against NumPy on the bundled MNIST sample: the figures the quiz quotes.

Two questions compare interpreter loops with vectorised NumPy on real digits:
- builtin min()/max() over x_train.flatten() against x_train.min()/x_train.max();
- a triple loop dividing every pixel by 255 against x.astype("float32") / 255.

Run from the repository root (a few seconds):

    .venv/bin/python benchmarks/pixel_loops.py

Each figure is the best of a few repeats. Timings depend on the machine and its load, so
the quiz quotes them as rounded ratios, not as promises.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOOP_IMAGES = 2_000  # the triple loop is slow: time it on part of the sample


def best_of(function: Callable[[], object], repeats: int) -> float:
    """The fastest of `repeats` runs, in seconds: the least disturbed by other processes."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def divide_in_a_loop(images: np.ndarray) -> np.ndarray:
    out = np.empty(images.shape, np.float32)
    for n in range(images.shape[0]):
        for i in range(images.shape[1]):
            for j in range(images.shape[2]):
                out[n, i, j] = images[n, i, j] / 255
    return out


def main() -> int:
    from grader.data import load_mnist

    (x_train, _), _ = load_mnist()
    builtin = best_of(lambda: (min(x_train.flatten()), max(x_train.flatten())), 3)
    vectorised = best_of(lambda: (x_train.min(), x_train.max()), 20)
    print(
        f"min and max of {x_train.size:,} pixels ({len(x_train):,} images): builtin "
        f"{builtin:.2f} s, NumPy {vectorised * 1e3:.2f} ms, {builtin / vectorised:,.0f}x"
    )
    few = x_train[:LOOP_IMAGES]
    loop = best_of(lambda: divide_in_a_loop(few), 2)
    numpy_divide = best_of(lambda: few.astype("float32") / 255, 20)
    print(
        f"divide {few.size:,} pixels ({LOOP_IMAGES:,} images) by 255: triple loop {loop:.2f} s, "
        f"NumPy {numpy_divide * 1e3:.2f} ms, {loop / numpy_divide:,.0f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
