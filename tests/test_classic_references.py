"""The classic exercises' hidden checks compute their expected values in numpy, so a
numpy-only exercise grades without TensorFlow. These tests prove those references
equal what Keras and TensorFlow compute, on fresh random inputs each run."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.test_conv2d import reference as conv2d_reference

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
