"""Fair: reuses the original layers themselves, frozen, on a new graph; a Dense's
activation is taken off the layer and applied after the sum; the scale sits between
A and B; A is initialised from a normal distribution."""

import keras


def add_lora(model, rank, alpha):
    model.trainable = False  # freezes every original layer, and so every copy of the graph
    x = inputs = keras.Input(model.input_shape[1:])
    for layer in model.layers:
        if not isinstance(layer, keras.layers.Dense):
            x = layer(x)
            continue
        activation = layer.activation
        layer.activation = keras.activations.linear
        down = keras.layers.Dense(
            rank, use_bias=False, kernel_initializer=keras.initializers.RandomNormal(stddev=0.02)
        )
        up = keras.layers.Dense(layer.units, use_bias=False, kernel_initializer="zeros")
        branch = up(keras.layers.Rescaling(alpha / rank)(down(x)))
        x = keras.layers.Activation(activation)(keras.layers.Add()([layer(x), branch]))
    return keras.Model(inputs, x)
