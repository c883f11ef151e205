"""The classic exercises' hidden checks compute their expected values in numpy, so a
numpy-only exercise grades without TensorFlow. These tests prove those references
equal what Keras and TensorFlow compute, on fresh random inputs each run."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.test_conv2d import reference as conv2d_reference

# Every test here builds Keras layers or TensorFlow tapes in this process: TensorFlow's
# import alone is 3 s of CPU, so they are the full suite's.
pytestmark = pytest.mark.slow

CONV_CASES = [  # (image H, W, kernel kh, kw, stride, padding)
    (9, 8, 3, 3, 1, "valid"),
    (9, 8, 3, 3, 1, "same"),
    (8, 7, 2, 2, 1, "same"),
    (7, 9, 4, 2, 1, "same"),
    (9, 8, 3, 3, 2, "valid"),
    (8, 8, 3, 3, 2, "same"),
    (9, 7, 3, 3, 2, "same"),
    (10, 7, 4, 4, 2, "same"),
    (8, 9, 2, 2, 2, "valid"),
    (7, 7, 5, 5, 2, "same"),
]


@pytest.mark.parametrize(("h", "w", "kh", "kw", "stride", "padding"), CONV_CASES)
def test_conv2d_reference_equals_keras_conv2d(h, w, kh, kw, stride, padding):
    import keras

    rng = np.random.default_rng()
    x = rng.standard_normal((2, h, w, 3)).astype(np.float32)
    layer = keras.layers.Conv2D(4, (kh, kw), strides=stride, padding=padding)
    layer.build(x.shape)
    kernel = rng.standard_normal((kh, kw, 3, 4)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    layer.set_weights([kernel, bias])
    expected = keras.ops.convert_to_numpy(layer(x))
    ours = conv2d_reference(x, kernel, bias, stride, padding)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-4)
    flipped = conv2d_reference(x, kernel[::-1, ::-1], bias, stride, padding)
    assert not np.allclose(flipped, expected, atol=1e-3)  # the inputs can tell a flip apart


@pytest.mark.parametrize("zero_region", [False, True], ids=["random", "dead-and-zero-units"])
def test_backprop_reference_equals_tensorflow_autodiff(zero_region):
    import tensorflow as tf

    from grader.checks.test_backprop import problem, reference

    rng = np.random.default_rng()
    if zero_region:
        x, y, params = problem(rng, n=12, dead_units=2, zero_rows=3)
    else:
        x, y, params = problem(rng)
    variables = {k: tf.Variable(v) for k, v in params.items()}
    with tf.GradientTape() as tape:
        hidden = tf.nn.relu(tf.constant(x) @ variables["W1"] + variables["b1"])
        logits = hidden @ variables["W2"] + variables["b2"]
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(y), logits=logits)
        )
    grads = tape.gradient(loss, variables)
    ours = reference(x, y, params)
    np.testing.assert_allclose(ours["loss"], float(loss), rtol=1e-10)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(ours[name], grads[name].numpy(), rtol=1e-9, atol=1e-12)
    if zero_region:  # TensorFlow's ReLU passes nothing at z1 == 0: the checks demand the same
        assert not grads["b1"].numpy()[:4].any() and not grads["W1"].numpy()[:, :4].any()
