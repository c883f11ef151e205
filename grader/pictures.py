"""Pictures a question may show: an MNIST digit as a model receives it, a confusion matrix,
learning curves. Core only: pixels and plain-text descriptions; `grader.cli.pictures`
draws them in a terminal.

A bank question names its picture with `picture:`:

- `{kind: digit, index: 12, transform: inverted}`: test image `index` (0-1999) of the
  bundled MNIST sample, as a model would receive it after the transform: `scaled`
  (x / 255, correct), `unnormalised` (0-255 fed where 0-1 is expected), `inverted`
  (1 - x / 255), `transposed` (rows and columns swapped), `double_scaled` (x / 255 / 255)
  or `shifted` (with `shift: [dx, dy]`, in pixels, zeros filling in). Shown as values
  0 (black) to 1 (white), clipped.
- `{kind: confusion}`: the confusion matrix of a nearest-centroid classifier (mean
  training image per digit, on x / 255) fitted on the bundled sample's 8,000 training
  digits and scored on its 2,000 test digits, computed when shown.
- `{kind: curves, loss: [...], val_loss: [...]}`: learning curves, drawn by the same
  code as `mlkata grade --plot` (`grader.curves`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("digit", "confusion", "curves")
TRANSFORMS = ("scaled", "unnormalised", "inverted", "transposed", "double_scaled", "shifted")
TEST_IMAGES = 2000  # test digits in the bundled sample
CURVE_NAMES = ("loss", "val_loss", "accuracy", "val_accuracy")


@dataclass(frozen=True)
class Picture:
    """What a bank asks to show (checked, not yet drawn)."""

    kind: str
    index: int = 0
    transform: str = "scaled"
    shift: tuple[int, int] = (0, 0)
    curves: tuple[tuple[str, tuple[float, ...]], ...] = ()


@dataclass(frozen=True)
class Drawing:
    """A picture made concrete: `values` for a digit (rows of model inputs), `matrix` for a
    confusion matrix (rows: true digit, columns: predicted), `curves` as given."""

    picture: Picture
    values: list[list[float]] = field(default_factory=list)
    matrix: list[list[int]] = field(default_factory=list)


def read(spec: Any) -> tuple[Picture | None, list[str]]:
    """A Picture from a bank's `picture:` mapping, or what is wrong with it."""
    if not isinstance(spec, Mapping) or spec.get("kind") not in KINDS:
        return None, [f"a mapping with kind: {', '.join(KINDS)}"]
    kind = spec["kind"]
    allowed = {"digit": {"kind", "index", "transform", "shift"}, "confusion": {"kind"},
               "curves": {"kind", *CURVE_NAMES}}[kind]  # fmt: skip
    unknown = sorted(set(spec) - allowed)
    if unknown:
        return None, [f"unknown key {', '.join(map(str, unknown))} for a {kind} picture"]
    if kind == "confusion":
        return Picture(kind), []
    if kind == "curves":
        series = [(name, spec[name]) for name in CURVE_NAMES if name in spec]
        good = [
            isinstance(v, list) and 2 <= len(v) <= 60
            and all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
                    and 0 <= x <= 1000 for x in v)
            for _, v in series
        ]  # fmt: skip
        if not series or not all(good) or len({len(v) for _, v in series}) != 1:
            return None, ["curves: lists of 2 to 60 numbers from 0 to 1000, all one length"]
        return Picture(kind, curves=tuple((n, tuple(map(float, v))) for n, v in series)), []
    index, transform = spec.get("index"), spec.get("transform", "scaled")
    problems = []
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < TEST_IMAGES:
        problems.append(f"index: a test image of the bundled sample, 0 to {TEST_IMAGES - 1}")
    if transform not in TRANSFORMS:
        problems.append(f"transform: one of {', '.join(TRANSFORMS)}")
    shift = spec.get("shift", [0, 0])
    if not (isinstance(shift, list) and len(shift) == 2
            and all(isinstance(s, int) and -14 <= s <= 14 for s in shift)):  # fmt: skip
        problems.append("shift: [dx, dy], whole pixels from -14 to 14")
    elif (transform == "shifted") != (shift != [0, 0]):
        problems.append("shift goes with transform: shifted, and only with it")
    if problems:
        return None, problems
    return Picture(kind, index, transform, tuple(shift)), []


def draw(picture: Picture) -> Drawing:
    """Compute what `picture` shows (imports numpy and reads the bundled sample if needed)."""
    if picture.kind == "curves":
        return Drawing(picture)
    from grader.data.mnist import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist("bundled")
    if picture.kind == "confusion":
        return Drawing(
            picture, matrix=_nearest_centroid_confusion(x_train, y_train, x_test, y_test)
        )
    return Drawing(picture, values=_transformed(x_test[picture.index], picture).tolist())


def label(picture: Picture) -> int:
    """The true digit of a digit picture."""
    from grader.data.mnist import load_mnist

    return int(load_mnist("bundled")[1][1][picture.index])


def _transformed(image, picture: Picture):
    import numpy as np

    x = image.astype("float32")
    transform = picture.transform
    if transform == "unnormalised":
        return x
    if transform == "double_scaled":
        return x / 255 / 255
    x = x / 255
    if transform == "inverted":
        return 1 - x
    if transform == "transposed":
        return x.T
    if transform == "shifted":
        dx, dy = picture.shift
        out = np.zeros_like(x)
        h, w = x.shape
        out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = x[
            max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
        ]
        return out
    return x


def _nearest_centroid_confusion(x_train, y_train, x_test, y_test) -> list[list[int]]:
    import numpy as np

    train = x_train.reshape(len(x_train), -1) / 255.0
    test = x_test.reshape(len(x_test), -1) / 255.0
    centroids = np.stack([train[y_train == d].mean(axis=0) for d in range(10)])
    distances = (test**2).sum(1)[:, None] - 2 * test @ centroids.T + (centroids**2).sum(1)
    predicted = distances.argmin(axis=1)
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (y_test, predicted), 1)
    return matrix.tolist()


# -- what a drawing shows, in words ------------------------------------------------


def facts(drawing: Drawing) -> dict[str, Any]:
    """The figures a description states (and tests check)."""
    picture = drawing.picture
    if picture.kind == "digit":
        flat = [v for row in drawing.values for v in row]
        border = [v for r, row in enumerate(drawing.values) for c, v in enumerate(row)
                  if r in (0, 27) or c in (0, 27)]  # fmt: skip
        background = sum(border) / len(border)
        ink = [(r, c, v) for r, row in enumerate(drawing.values) for c, v in enumerate(row)
               if abs(v - background) > 0.5 * (max(flat) - min(flat) or 1)]  # fmt: skip
        rows = [r for r, _, _ in ink] or [0]
        cols = [c for _, c, _ in ink] or [0]
        return {"low": min(flat), "high": max(flat), "background": background,
                "ink_share": len(ink) / len(flat), "rows": (min(rows), max(rows)),
                "cols": (min(cols), max(cols))}  # fmt: skip
    if picture.kind == "confusion":
        m = drawing.matrix
        total = sum(map(sum, m))
        pairs = sorted(((m[t][p], t, p) for t in range(10) for p in range(10) if t != p),
                       reverse=True)  # fmt: skip
        recall = [m[d][d] / (sum(m[d]) or 1) for d in range(10)]
        return {"accuracy": sum(m[d][d] for d in range(10)) / total, "total": total,
                "confused": [(t, p, n, sum(m[t])) for n, t, p in pairs[:3]],
                "recall": recall}  # fmt: skip
    curves = dict(picture.curves)
    out: dict[str, Any] = {"epochs": len(picture.curves[0][1])}
    if "val_loss" in curves:
        values = curves["val_loss"]
        out["best_val_epoch"] = values.index(min(values)) + 1
    return out
