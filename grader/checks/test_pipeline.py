"""Hidden checks for `pipeline`: train_and_evaluate(...) -> (model, test_accuracy), honestly.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.

The submission trains twice: once on the bundled training set with HALF of the
bundled test set (the other half stays here, unseen), and once on a leak probe
(see `test_does_not_train_on_test_set`).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from grader.checks.support import (
    describe,
    leak_probe_data,
    permuted_label_share,
    pipeline_data,
    predict,
    score_pipeline_model,
    submission_cache,
)

# Unseen-digit accuracy. Measured (benchmarks/thresholds.py, seeds 0-2): the
# reference solution scores 0.958-0.965 on the 1,002 unseen digits; a model
# trained on the test set alone 0.88 (FACTS.md); one epoch of the seed CNN 0.91.
MIN_UNSEEN_ACCURACY = 0.94
# The reported accuracy must match the grader's own measurement on the same
# digits; the reference matches exactly. 0.01 is 10 of the 998 given digits.
ACCURACY_TOLERANCE = 0.01
# Leak probe: 1,000 training digits, 4,000 test digits with permuted labels.
# Measured (benchmarks/thresholds.py pipeline, seeds 0-2): an honest pipeline
# predicts the permuted label for 0.012-0.014 of the test digits; one that
# fits on the test set for one more epoch 0.58-0.66, for 3 epochs 0.90-0.91;
# one that trains on train + test together 0.91-0.93. The threshold sits 10x
# above honest and 4x below the mildest leak.
# Why a probe and not confidence on given vs unseen digits: on the bundled data
# the honest reference has a HIGHER mean cross-entropy on the given half
# (0.143-0.148) than on the unseen half (0.109-0.115), and a pipeline trained on
# train + test together shows the same pattern (unseen/given ratio 0.67-0.72
# against 0.74-0.79 honest): with dropout and a few epochs the model barely
# memorises, so that signal cannot separate a leak from an honest run.
MAX_PERMUTED_SHARE = 0.15

CALL = "train_and_evaluate(x_train (8000, 28, 28) uint8, y_train, x_test (998, 28, 28), y_test)"


@pytest.fixture(scope="module")
def data():
    return pipeline_data()


@pytest.fixture(scope="module")
def train(submission):
    """Call train_and_evaluate at most once per data set and share the result between checks."""
    return submission_cache(submission)


def _result(train, data) -> tuple:
    result = train(data["x_train"], data["y_train"], data["x_given"], data["y_given"])
    assert isinstance(result, tuple | list) and len(result) == 2, (
        f"{CALL} returned {describe(result)}; expected a pair (model, test_accuracy)"
    )
    return tuple(result)


def _model(train, data) -> keras.Model:
    model = _result(train, data)[0]
    assert isinstance(model, keras.Model), (
        f"{CALL} returned {describe(model)} as the model; expected a trained keras.Model"
    )
    return model


def _accuracy(train, data) -> float:
    accuracy = _result(train, data)[1]
    assert isinstance(accuracy, int | float) and not isinstance(accuracy, bool), (
        f"{CALL} returned {describe(accuracy)} as the test accuracy; expected one number in "
        "[0, 1] (model.evaluate returns [loss, accuracy]: take the accuracy)"
    )
    return float(accuracy)


def test_returns_model_and_accuracy(train, data):
    """Returns (keras.Model, accuracy) with the accuracy a fraction in [0, 1]."""
    _model(train, data)
    accuracy = _accuracy(train, data)
    assert 0.0 <= accuracy <= 1.0, (
        f"{CALL} returned test accuracy {accuracy}; expected a fraction in [0, 1], not a percent"
    )


def test_model_takes_normalised_images(train, data):
    """The model takes (N, 28, 28, 1) float32 in [0, 1] and gives (N, 10) class scores."""
    model = _model(train, data)
    images = (data["x_given"][:5].astype(np.float32) / 255.0)[..., None]
    out = predict(model, images, f"the model from {CALL}")
    assert out.shape == (5, 10), (
        f"the model from {CALL}, given 5 images (5, 28, 28, 1), returned shape {out.shape}; "
        "expected (5, 10): one score per digit"
    )


def test_unseen_accuracy(train, data):
    """Accuracy on held-out digits the submission never saw reaches the threshold."""
    model = _model(train, data)
    scores = score_pipeline_model(model, data)
    assert scores.unseen_accuracy >= MIN_UNSEEN_ACCURACY, (
        f"the model from {CALL} classified {scores.unseen_accuracy:.3f} of "
        f"{len(data['y_unseen'])} unseen digits correctly (images given as float32 / 255, shape "
        f"(N, 28, 28, 1)); expected at least {MIN_UNSEEN_ACCURACY} (a small CNN trained for a "
        "few epochs reaches about 0.96)"
    )


def test_reported_accuracy_matches(train, data):
    """The reported test accuracy is what the grader measures on the same test digits."""
    model, reported = _model(train, data), _accuracy(train, data)
    measured = score_pipeline_model(model, data).given_accuracy
    assert abs(reported - measured) <= ACCURACY_TOLERANCE, (
        f"{CALL} reported test accuracy {reported:.4f}, but its model classifies {measured:.4f} "
        "of those test digits correctly when the grader feeds it x_test / 255 as (N, 28, 28, 1) "
        "float32; expected the same figure: evaluate the returned model on the preprocessed "
        "test set"
    )


def test_does_not_train_on_test_set(train):
    """A leak probe: the test labels are permuted; a model trained on them learns the mapping."""
    probe = leak_probe_data()
    call = (
        f"train_and_evaluate(x_train: {len(probe['y_train']):,} digits, x_test: "
        f"{len(probe['y_test']):,} digits whose labels the grader had deliberately permuted)"
    )
    result = train(probe["x_train"], probe["y_train"], probe["x_test"], probe["y_test"])
    model = result[0] if isinstance(result, tuple | list) and result else result
    assert isinstance(model, keras.Model), (
        f"{call} returned {describe(result)}; expected a pair (model, test_accuracy)"
    )
    share = permuted_label_share(model, probe)
    assert share <= MAX_PERMUTED_SHARE, (
        f"{call} returned a model that predicts the permuted test labels for {share:.0%} of the "
        "test digits (an honest pipeline: about 1%): it was TRAINED ON THE TEST SET, a data "
        "leak. Fit on x_train only (a validation split carved from x_train is fine) and use "
        "x_test once, to evaluate"
    )
