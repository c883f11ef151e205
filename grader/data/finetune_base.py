"""The `finetune` exercise's data: a CNN pretrained on digits 0-4, built once and cached.

Importing this module imports Keras; `grader.data` itself stays free of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers

from grader import paths
from grader.data.mnist import load_mnist

# Bump when anything below changes (architecture, data, training recipe): cached
# files with another version are rebuilt.
RECIPE_VERSION = 1
SEED = 0
OLD_DIGITS = (0, 1, 2, 3, 4)  # what the base was pretrained on
NEW_DIGITS = (5, 6, 7, 8, 9)  # what the learner fine-tunes it to recognise
# Labelled examples of each new digit handed to the learner. Few on purpose:
# measured (benchmarks/thresholds.py finetune), with 50 per class a CNN trained
# from scratch (0.945-0.949 on unseen 5-9) matches a frozen base with a new head
# (0.94-0.95); with 20 they tie (0.90-0.92 both); with 10, transfer wins
# (0.88-0.90 against 0.86-0.87). Few-shot is where pretrained features pay.
PER_CLASS = 10
PRETRAIN_EPOCHS = 8  # 0.98 on the bundled test set's digits 0-4 (3 epochs: 0.96)
FEATURES_LAYER = "features"  # the flattened output of the convolutional base


@dataclass(frozen=True)
class FinetuneData:
    """The small labelled set for the learner, and unseen digits 5-9 for the grader."""

    x_new: np.ndarray  # float32 (250, 28, 28, 1) in [0, 1]
    y_new: np.ndarray  # int64 digits 5-9
    x_unseen: np.ndarray  # the bundled test set's digits 5-9, same form
    y_unseen: np.ndarray


def build_architecture() -> keras.Model:
    """The base's architecture, freshly initialised: two conv blocks and a 10-way softmax."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu", name="conv_1"),
            layers.MaxPooling2D(pool_size=(2, 2), name="pool_1"),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu", name="conv_2"),
            layers.MaxPooling2D(pool_size=(2, 2), name="pool_2"),
            layers.Flatten(name=FEATURES_LAYER),
            layers.Dropout(0.5, name="dropout"),
            layers.Dense(10, activation="softmax", name="classifier"),
        ],
        name="digits_0_to_4",
    )


def _prepare(images: np.ndarray) -> np.ndarray:
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]


def finetune_data(rng: np.random.Generator | None = None) -> FinetuneData:
    """`PER_CLASS` training digits of each new class, and all test digits 5-9.

    The digits are drawn with `rng` (the checks pass a fresh one per grading, so no
    answer can know them in advance); without it, with the fixed `SEED`.
    """
    (x_train, y_train), (x_test, y_test) = load_mnist()
    rng = rng if rng is not None else np.random.default_rng(SEED)
    picked = np.concatenate(
        [rng.choice(np.flatnonzero(y_train == d), PER_CLASS, replace=False) for d in NEW_DIGITS]
    )
    picked = rng.permutation(picked)
    unseen = np.isin(y_test, NEW_DIGITS)
    return FinetuneData(
        x_new=_prepare(x_train[picked]),
        y_new=y_train[picked].astype(np.int64),
        x_unseen=_prepare(x_test[unseen]),
        y_unseen=y_test[unseen].astype(np.int64),
    )


def pretrain_base() -> keras.Model:
    """Train the architecture on the bundled training set's digits 0-4, deterministically."""
    (x_train, y_train), _ = load_mnist()
    old = np.isin(y_train, OLD_DIGITS)
    keras.utils.set_random_seed(SEED)
    model = build_architecture()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(
        _prepare(x_train[old]), y_train[old], batch_size=128, epochs=PRETRAIN_EPOCHS, verbose=0
    )
    return model


@dataclass(frozen=True)
class CachedBase:
    model: keras.Model  # loaded with safe_mode=True
    path: Path


def building_message() -> str:
    """What the learner reads while the base is built, in the checks' language."""
    from grader.checks.language import language

    if language() == "zh":
        return "正在构建预训练的基础模型（只在第一次运行时需要，15-20 秒）……"
    return "Building the pretrained base model (first run only: 15-20 s) ..."


def load_base(
    cache: Path | None = None, on_build: Callable[[str], None] | None = None
) -> CachedBase:
    """The pretrained base, from the cache or rebuilt into it.

    The cache holds `base-v<N>.keras` and a JSON record of its recipe version, Keras
    version and sha256; any mismatch rebuilds it. Files are
    written to a temporary name and renamed, so a reader never sees half a file.
    `on_build` hears, before the rebuild (15 s or so), what the wait is for.
    """
    folder = (cache or paths.model_cache_dir()) / "finetune"
    model_path = folder / f"base-v{RECIPE_VERSION}.keras"
    record_path = model_path.with_suffix(".json")
    expected = {"recipe_version": RECIPE_VERSION, "keras_version": keras.__version__}
    record = _read_record(record_path)
    if not (
        record
        and all(record.get(k) == v for k, v in expected.items())
        and model_path.is_file()
        and _sha256(model_path) == record.get("sha256")
    ):
        folder.mkdir(parents=True, exist_ok=True)
        if on_build is not None:
            on_build(building_message())
        model = pretrain_base()
        _atomic_write(model_path, lambda tmp: model.save(tmp), suffix=".keras")
        record = {**expected, "sha256": _sha256(model_path)}
        text = json.dumps(record, indent=2)
        _atomic_write(record_path, lambda tmp: Path(tmp).write_text(text), suffix=".json")
    model = keras.saving.load_model(model_path, safe_mode=True)
    return CachedBase(model, model_path)


def _read_record(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _atomic_write(path: Path, write, suffix: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
