"""Hidden checks for `cnn`: build_model(input_shape, num_classes) -> a small Keras convnet.

PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from grader.checks.support import describe, predict, submission_cache
from grader.data import load_mnist

MAX_PARAMS = 2_000_000
POOLING = (
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
    keras.layers.GlobalMaxPooling2D,
    keras.layers.GlobalAveragePooling2D,
)
# The training check: 12 Adam steps (lr 3e-3) on 64 fixed digits, judged on the
# training-mode loss (first step vs the mean of the last three, so BatchNorm's
# slow moving averages do not matter). Measured (benchmarks/thresholds.py cnn, 3
# seeds each): the reference model 2.32-2.35 -> 0.81-1.05 (a 55-65% drop), the
# seed material's CNN 2.3 -> 0.02-0.03 (99%), a BatchNorm CNN 2.5-3.0 -> 0.06-0.19
# (92-98%); a frozen model does not move (2.290 -> 2.290).
TRAIN_STEPS = 12
LEARNING_RATE = 3e-3
REQUIRED_DROP = 0.3  # the loss must fall by at least 30%


@pytest.fixture(scope="module")
def build(submission):
    """Call build_model once per set of arguments and share the model between checks."""
    return submission_cache(submission)


def _model(build, call: str, **kwargs) -> keras.Model:
    model = build(**kwargs)
    assert isinstance(model, keras.Model), (
        f"{call} returned {describe(model)}; expected a keras.Model"
    )
    return model


def _all_layers(model: keras.Model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _shape(shape) -> tuple:
    return tuple(shape[0]) if isinstance(shape, list) and len(shape) == 1 else tuple(shape)


def test_has_conv_and_pooling(build):
    """The model holds at least one Conv2D layer and one pooling layer."""
    model = _model(build, "build_model()")
    kinds = [type(layer).__name__ for layer in _all_layers(model)]
    assert any(isinstance(layer, keras.layers.Conv2D) for layer in _all_layers(model)), (
        f"build_model() returned a model with layers {kinds}; expected at least one Conv2D"
    )
    assert any(isinstance(layer, POOLING) for layer in _all_layers(model)), (
        f"build_model() returned a model with layers {kinds}; expected at least one pooling "
        "layer (MaxPooling2D, AveragePooling2D or a global pooling layer)"
    )


def test_softmax_output(build):
    """Output (N, num_classes): non-negative probabilities, each row summing to 1."""
    model = _model(build, "build_model()")
    assert _shape(model.output_shape) == (None, 10), (
        f"build_model() returned a model with output shape {model.output_shape}; "
        "expected (None, 10): one probability per digit class"
    )
    images = np.random.default_rng(0).uniform(0, 1, (8, 28, 28, 1)).astype(np.float32)
    probs = predict(model, images, "the model from build_model()")
    sums = probs.sum(axis=1)
    assert probs.min() >= 0 and np.allclose(sums, 1.0, atol=1e-4), (
        f"build_model() then model.predict(8 images) gave rows summing to {sums.min():.3g}-"
        f"{sums.max():.3g} with values from {probs.min():.3g} to {probs.max():.3g}; expected "
        "probabilities that sum to 1 per row (end with Dense(num_classes, activation='softmax'))"
    )


def test_shapes_follow_arguments(build):
    """Input and output shapes follow input_shape and num_classes, e.g. (32, 32, 3) and 5."""
    default = _model(build, "build_model()")
    assert _shape(default.input_shape) == (None, 28, 28, 1), (
        f"build_model() returned a model with input shape {default.input_shape}; expected "
        "(None, 28, 28, 1) from the default input_shape=(28, 28, 1)"
    )
    call = "build_model(input_shape=(32, 32, 3), num_classes=5)"
    model = _model(build, call, input_shape=(32, 32, 3), num_classes=5)
    assert _shape(model.input_shape) == (None, 32, 32, 3), (
        f"{call} returned a model with input shape {model.input_shape}; expected "
        "(None, 32, 32, 3): use the input_shape argument, do not hard-code (28, 28, 1)"
    )
    assert _shape(model.output_shape) == (None, 5), (
        f"{call} returned a model with output shape {model.output_shape}; expected (None, 5): "
        "use the num_classes argument, do not hard-code 10"
    )
    images = np.random.default_rng(1).uniform(0, 1, (2, 32, 32, 3)).astype(np.float32)
    probs = predict(model, images, f"the model from {call}")
    assert probs.shape == (2, 5), (
        f"{call} then model.predict(2 images of (32, 32, 3)) gave shape {probs.shape}; "
        "expected (2, 5)"
    )


def test_parameter_budget(build):
    """At most 2,000,000 parameters."""
    model = _model(build, "build_model()")
    count = model.count_params()
    assert count <= MAX_PARAMS, (
        f"build_model() returned a model with {count:,} parameters; expected at most "
        f"{MAX_PARAMS:,} (pool before Flatten, or use fewer filters or Dense units)"
    )


def test_trains(build):
    """Compiled by the grader, a few Adam steps on 64 fixed digits lower the loss."""
    model = _model(build, "build_model()")
    (x_train, y_train), _ = load_mnist()
    x = (x_train[:64, ..., None] / 255.0).astype(np.float32)
    y = y_train[:64].astype(np.int64)
    keras.utils.set_random_seed(0)
    optimizer = keras.optimizers.Adam(LEARNING_RATE)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    # Adam's slot variables made now, not inside the first traced step: a traced
    # function that creates variables is traced twice (0.6 s rather than 0.2 s).
    optimizer.build(model.trainable_variables)
    losses = [float(model.train_on_batch(x, y)) for _ in range(TRAIN_STEPS)]
    before, after = losses[0], float(np.mean(losses[-3:]))
    assert np.isfinite(after) and after <= (1 - REQUIRED_DROP) * before, (
        f"build_model(), compiled with Adam and sparse categorical cross-entropy, went from "
        f"loss {before:.3f} to {after:.3f} over {TRAIN_STEPS} steps on 64 digits; expected it "
        f"to fall by at least {REQUIRED_DROP:.0%} (are the layers trainable? is the output a "
        "softmax over the classes?)"
    )
