"""Wrong: B gets the default random initializer, so the model changes before any
training."""

import keras
from keras import layers


def _frozen_copy(layer):
    """A new layer with the same configuration and weights, which training cannot change."""
    copy = layer.__class__.from_config(layer.get_config())
    copy.trainable = False
    return copy


def _lora_dense(dense, x, rank, alpha):
    """dense's activation of (x @ W + b + (alpha / rank) * (x @ A) @ B): W, b frozen."""
    config = dense.get_config()
    activation = config["activation"]
    # The original affine part, frozen; its activation comes after the update is added.
    base = layers.Dense(dense.units, use_bias=dense.use_bias, trainable=False,
                        name=f"{dense.name}_frozen")  # fmt: skip
    base_out = base(x)
    base.set_weights(dense.get_weights())
    # A: d_in -> rank, random; B: rank -> d_out, zeros, so the update starts at 0.
    down = layers.Dense(rank, use_bias=False, name=f"{dense.name}_lora_a")(x)
    up = layers.Dense(dense.units, use_bias=False, name=f"{dense.name}_lora_b")(down)
    update = layers.Rescaling(alpha / rank, name=f"{dense.name}_lora_scale")(up)
    summed = layers.Add(name=f"{dense.name}_plus_lora")([base_out, update])
    return layers.Activation(activation, name=f"{dense.name}_activation")(summed)


def add_lora(model, rank, alpha):
    inputs = keras.Input(shape=model.input_shape[1:])
    x = inputs
    for layer in model.layers:
        if isinstance(layer, layers.Dense):
            x = _lora_dense(layer, x, rank, alpha)
        else:
            copy = _frozen_copy(layer)
            x = copy(x)
            copy.set_weights(layer.get_weights())
    return keras.Model(inputs, x, name=f"{model.name}_lora")
