"""The offline MNIST loader: the bundled sample, local Keras-format files, clear errors."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from grader.data import BUNDLED_PATH, load_mnist
from grader.errors import UserError

# From /work/shared/data/README.md, the sample's provenance note.
SHA256 = "fd004e77fdbeb54971c6d2b8ffedce93810b1616b631110463020ffa1048cec7"
TRAIN_COUNTS = [801, 902, 793, 826, 784, 690, 811, 856, 755, 782]
TEST_COUNTS = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]


def test_bundled_file_is_the_documented_sample():
    assert hashlib.sha256(BUNDLED_PATH.read_bytes()).hexdigest() == SHA256


def test_bundled_sample_has_keras_layout_shapes_and_dtypes():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (8000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert y_train.shape == (8000,) and y_test.shape == (2000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 255


def test_bundled_sample_class_counts_match_the_stratified_split():
    (_, y_train), (_, y_test) = load_mnist("bundled")
    assert np.bincount(y_train, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test, minlength=10).tolist() == TEST_COUNTS


def test_loads_a_local_keras_format_npz(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "y_train": np.arange(6, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "y_test": np.arange(3, dtype=np.uint8),
    }
    path = tmp_path / "mnist.npz"
    np.savez(path, **arrays)
    (x_train, y_train), (x_test, y_test) = load_mnist(str(path))
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_test.shape == (3, 28, 28) and y_train.shape == (6,)


def test_missing_file_is_a_clear_user_error(tmp_path):
    with pytest.raises(UserError, match=r"no MNIST file at .*nowhere\.npz"):
        load_mnist(tmp_path / "nowhere.npz")


def test_npz_without_the_four_arrays_names_what_is_missing(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, images=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(UserError, match=r"lacks x_train, y_train, x_test, y_test"):
        load_mnist(path)


def test_wrong_image_shape_is_refused(tmp_path):
    path = tmp_path / "flat.npz"
    zeros = np.zeros
    np.savez(
        path,
        x_train=zeros((4, 784), np.uint8),
        y_train=zeros(4, np.uint8),
        x_test=zeros((2, 28, 28), np.uint8),
        y_test=zeros(2, np.uint8),
    )
    with pytest.raises(UserError, match=r"x_train has shape \(4, 784\)"):
        load_mnist(path)


def test_a_file_that_is_not_npz_is_refused(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_text("not a zip")
    with pytest.raises(UserError, match="cannot read"):
        load_mnist(path)


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    objects = np.empty(4, dtype=object)
    np.savez(
        path,
        x_train=np.zeros((4, 28, 28), np.uint8),
        y_train=objects,
        x_test=np.zeros((2, 28, 28), np.uint8),
        y_test=np.zeros(2, np.uint8),
    )
    with pytest.raises(UserError, match="cannot read"):
        load_mnist(path)


def test_importing_grader_data_does_not_import_tensorflow():
    code = "import sys, grader.data; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# -- the finetune exercise's cached base ---------------------------------------


@pytest.fixture
def quick_base(monkeypatch, tmp_path):
    """finetune_base with training replaced by an untrained model; counts the builds.
    Its cache is private: the untrained base must never reach the run's shared cache."""
    monkeypatch.setenv("MLKATA_MODEL_CACHE", str(tmp_path / "private-cache"))
    finetune_base = pytest.importorskip("grader.data.finetune_base")
    builds = []

    def pretrain():
        builds.append(1)
        return finetune_base.build_architecture()

    monkeypatch.setattr(finetune_base, "pretrain_base", pretrain)
    return finetune_base, builds


@pytest.mark.slow  # builds and saves a Keras model in this process (TensorFlow)
def test_finetune_base_is_built_once_then_read_from_the_cache(tmp_path, quick_base):
    finetune_base, builds = quick_base
    first = finetune_base.load_base(tmp_path)
    second = finetune_base.load_base(tmp_path)
    assert len(builds) == 1
    assert [layer.name for layer in second.model.layers][:2] == ["conv_1", "pool_1"]
    assert sorted(p.name for p in (tmp_path / "finetune").iterdir()) == [
        "base-v1.json",
        "base-v1.keras",
    ]  # no temporary files left behind
    record = json.loads(first.path.with_suffix(".json").read_text())
    assert record["sha256"] == hashlib.sha256(first.path.read_bytes()).hexdigest()


@pytest.mark.slow  # builds and saves a Keras model in this process (TensorFlow)
def test_finetune_base_says_when_it_builds_and_only_then(tmp_path, quick_base):
    finetune_base, _ = quick_base
    notes = []
    finetune_base.load_base(tmp_path, on_build=notes.append)
    finetune_base.load_base(tmp_path, on_build=notes.append)
    assert notes == [finetune_base.building_message()]


@pytest.mark.slow
def test_grading_finetune_tells_the_learner_while_the_base_is_built(tmp_path, monkeypatch):
    """The note travels from the checks (in their own bounded process), through grade(),
    to what the CLI shows; only the grading that builds the base says it. The checks
    process cannot see this test's monkeypatching, so the base is really trained here,
    into a private cache."""
    from grader.curves import Stage
    from grader.data import finetune_base
    from grader.exercises import get_exercise
    from grader.grading.runner import grade

    monkeypatch.setenv("MLKATA_MODEL_CACHE", str(tmp_path / "cache"))
    exercise = get_exercise("finetune")
    first, second = [], []
    grade(exercise, exercise.stub_path, on_progress=first.append)
    grade(exercise, exercise.stub_path, on_progress=second.append)
    building = Stage(finetune_base.building_message())
    assert [e for e in first if e == building] == [building]
    assert building not in second
    assert (
        tmp_path / "cache" / "finetune" / f"base-v{finetune_base.RECIPE_VERSION}.keras"
    ).exists()


@pytest.mark.slow  # builds and saves a Keras model in this process (TensorFlow)
def test_finetune_base_is_rebuilt_when_the_file_changed(tmp_path, quick_base):
    finetune_base, builds = quick_base
    path = finetune_base.load_base(tmp_path).path
    with path.open("ab") as file:
        file.write(b"tampered")
    finetune_base.load_base(tmp_path)
    assert len(builds) == 2


@pytest.mark.slow  # builds and saves a Keras model in this process (TensorFlow)
def test_finetune_base_is_rebuilt_for_another_recipe_version(tmp_path, quick_base):
    finetune_base, builds = quick_base
    record_path = finetune_base.load_base(tmp_path).path.with_suffix(".json")
    record = json.loads(record_path.read_text())
    record_path.write_text(json.dumps({**record, "recipe_version": 0}))
    finetune_base.load_base(tmp_path)
    assert len(builds) == 2


@pytest.mark.slow  # grader.data.finetune_base imports Keras
def test_finetune_data_is_fixed_and_balanced(quick_base):
    finetune_base, _ = quick_base
    data, again = finetune_base.finetune_data(), finetune_base.finetune_data()
    np.testing.assert_array_equal(data.x_new, again.x_new)
    per_class = finetune_base.PER_CLASS
    assert data.x_new.shape == (5 * per_class, 28, 28, 1) and data.x_new.dtype == np.float32
    assert data.x_new.min() >= 0.0 and data.x_new.max() <= 1.0
    assert np.bincount(data.y_new, minlength=10).tolist() == [0] * 5 + [per_class] * 5
    assert np.bincount(data.y_unseen, minlength=10).tolist() == [0] * 5 + TEST_COUNTS[5:]
