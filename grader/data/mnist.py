"""Load MNIST in Keras' layout, from the bundled sample, a local file or Keras' cache."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from grader.errors import UserError

BUNDLED_PATH = Path(__file__).resolve().parent / "mnist-10k.npz"

Split = tuple[np.ndarray, np.ndarray]
_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def load_mnist(source: str | os.PathLike[str] = "bundled") -> tuple[Split, Split]:
    """Return `((x_train, y_train), (x_test, y_test))` like `keras.datasets.mnist.load_data()`.

    `source` is `"bundled"` (the 8,000 / 2,000 sample shipped with mlkata, no
    network), `"keras"` (the full 60,000 / 10,000 set from Keras' cache in
    `~/.keras/datasets/`, downloaded there if missing) or the path of a
    Keras-format `mnist.npz`. Images are uint8 (N, 28, 28), labels uint8 (N,).
    """
    if source == "bundled":
        return _load_npz(BUNDLED_PATH)
    if source == "keras":
        import keras  # only here: the bundled path never pays for TensorFlow

        return keras.datasets.mnist.load_data()
    return _load_npz(Path(source).expanduser())


def _load_npz(path: Path) -> tuple[Split, Split]:
    if not path.is_file():
        raise UserError(
            f"no MNIST file at {path}; expected a Keras-format mnist.npz "
            "(or use source='bundled' or source='keras')"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [name for name in _ARRAYS if name not in data.files]
            if missing:
                raise UserError(
                    f"{path} is not a Keras-format mnist.npz: it lacks {', '.join(missing)} "
                    f"(it holds {', '.join(data.files) or 'no arrays'})"
                )
            arrays = {name: data[name] for name in _ARRAYS}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise UserError(f"cannot read {path} as an .npz file: {exc}") from exc
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (len(x),):
            raise UserError(
                f"{path}: x_{split} has shape {x.shape} and y_{split} {y.shape}; "
                "expected (N, 28, 28) images and (N,) labels"
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
