"""Keras' MultiHeadAttention in numpy, around any attention core, for the `attention` checks.

Keras 3's layer projects with EinsumDense kernels of shape (D, heads, key_dim) and biases
(heads, key_dim), scales the queries by 1/sqrt(key_dim), takes the softmax over the keys,
and projects back with a kernel (heads, value_dim, D_out). This module does the same
projections in numpy and hands the per-head queries, keys and values, as
(batch, heads, L, key_dim), to `core`; the checks pass the learner's function as the core.
tests/test_attention_keras.py proves that, with numpy's own core, it reproduces
keras.layers.MultiHeadAttention's outputs and scores: the checks run without TensorFlow
(the `attention` exercise is numpy only), the repository's tests with it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Core = Callable[[np.ndarray, np.ndarray, np.ndarray, bool], tuple[np.ndarray, np.ndarray]]


def random_weights(rng: np.random.Generator, model_dim: int, heads: int, key_dim: int,
                   value_dim: int) -> dict[str, np.ndarray]:  # fmt: skip
    """Weights in the layout of Keras' MultiHeadAttention.get_weights(), by name."""
    scale = 1 / np.sqrt(model_dim)
    return {
        "query_kernel": rng.normal(0, scale, (model_dim, heads, key_dim)),
        "query_bias": rng.normal(0, 0.1, (heads, key_dim)),
        "key_kernel": rng.normal(0, scale, (model_dim, heads, key_dim)),
        "key_bias": rng.normal(0, 0.1, (heads, key_dim)),
        "value_kernel": rng.normal(0, scale, (model_dim, heads, value_dim)),
        "value_bias": rng.normal(0, 0.1, (heads, value_dim)),
        "output_kernel": rng.normal(0, scale, (heads, value_dim, model_dim)),
        "output_bias": rng.normal(0, 0.1, (model_dim,)),
    }


WEIGHT_ORDER = ("query_kernel", "query_bias", "key_kernel", "key_bias", "value_kernel",
                "value_bias", "output_kernel", "output_bias")  # fmt: skip


def numpy_core(q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool = False):
    """Scaled dot-product attention written out with einsum (the checks' own)."""
    scores = np.einsum("...qd,...kd->...qk", q, k) / np.sqrt(q.shape[-1])
    if causal:
        future = np.arange(k.shape[-2])[None, :] > np.arange(q.shape[-2])[:, None]
        scores = np.where(future, -np.inf, scores)
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = scores / scores.sum(axis=-1, keepdims=True)
    return np.einsum("...qk,...kv->...qv", weights, v), weights


def multi_head_attention(query: np.ndarray, value: np.ndarray, weights: dict[str, np.ndarray],
                         core: Core = numpy_core, causal: bool = False):  # fmt: skip
    """(output (B, Lq, D), scores (B, heads, Lq, Lk)) as Keras computes them, `core` inside.

    Keys are projected from `value`, as Keras does when no `key` is given."""

    def project(x, name):  # (B, L, D) -> (B, heads, L, dim)
        heads = np.einsum("bld,dhk->blhk", x, weights[f"{name}_kernel"]) + weights[f"{name}_bias"]
        return heads.transpose(0, 2, 1, 3)

    q, k, v = project(query, "query"), project(value, "key"), project(value, "value")
    context, scores = core(q, k, v, causal)
    output = np.einsum("bhlv,hvd->bld", context, weights["output_kernel"])
    return output + weights["output_bias"], scores
