"""The `attention` checks compare the learner's core, inside Keras' multi-head attention
rebuilt in numpy (grader/checks/mha.py), with that numpy layer. This proves the numpy
layer IS keras.layers.MultiHeadAttention: same weights, same outputs and scores."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from grader.checks import mha

# Builds Keras layers in this process: TensorFlow's import alone is 3 s of CPU.
pytestmark = pytest.mark.slow

_SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / "attention.py"


def _reference_core():
    spec = importlib.util.spec_from_file_location("attention_solution", _SOLUTION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.scaled_dot_product_attention


@pytest.mark.parametrize("causal", [False, True])
def test_numpy_multi_head_attention_equals_keras(causal):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(7)
    batch, length, model_dim, heads, key_dim, value_dim = 2, 6, 12, 3, 4, 5
    layer = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=key_dim,
                                            value_dim=value_dim)  # fmt: skip
    x = rng.normal(0, 1, (batch, length, model_dim)).astype(np.float32)
    layer(x, x)  # builds the weights
    weights = mha.random_weights(rng, model_dim, heads, key_dim, value_dim)
    assert [w.shape for w in layer.get_weights()] == [weights[n].shape for n in mha.WEIGHT_ORDER]
    layer.set_weights([weights[n].astype(np.float32) for n in mha.WEIGHT_ORDER])

    keras_out, keras_scores = layer(x, x, return_attention_scores=True, use_causal_mask=causal)
    for core in (mha.numpy_core, _reference_core()):
        out, scores = mha.multi_head_attention(x.astype(np.float64), x.astype(np.float64),
                                               weights, core, causal)  # fmt: skip
        np.testing.assert_allclose(out, np.asarray(keras_out), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(scores, np.asarray(keras_scores), rtol=1e-4, atol=1e-6)
