"""Wrong: keeps each Dense whole (activation included, frozen) and adds the low-rank
update to its OUTPUT, after the activation."""

import keras
from keras import layers


def add_lora(model, rank, alpha):
    inputs = keras.Input(shape=model.input_shape[1:])
    x = inputs
    for layer in model.layers:
        copy = layer.__class__.from_config(layer.get_config())
        copy.trainable = False
        out = copy(x)
        copy.set_weights(layer.get_weights())
        if isinstance(layer, layers.Dense):
            a = layers.Dense(rank, use_bias=False)(x)
            b = layers.Dense(layer.units, use_bias=False, kernel_initializer="zeros")(a)
            out = layers.Add()([out, layers.Rescaling(alpha / rank)(b)])
        x = out
    return keras.Model(inputs, x)
