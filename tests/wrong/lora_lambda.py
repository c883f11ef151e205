"""Wrong: scales the update with a Lambda layer, which safe_mode=True refuses to load."""

import keras
from keras import layers


def add_lora(model, rank, alpha):
    scale = alpha / rank
    inputs = keras.Input(shape=model.input_shape[1:])
    x = inputs
    for layer in model.layers:
        config = layer.get_config()
        is_dense = isinstance(layer, layers.Dense)
        if is_dense:
            activation, config["activation"] = config["activation"], "linear"
        copy = layer.__class__.from_config(config)
        copy.trainable = False
        out = copy(x)
        copy.set_weights(layer.get_weights())
        if is_dense:
            b = layers.Dense(layer.units, use_bias=False, kernel_initializer="zeros")(
                layers.Dense(rank, use_bias=False)(x)
            )
            out = layers.Add()([out, layers.Lambda(lambda t: t * scale)(b)])
            out = layers.Activation(activation)(out)
        x = out
    return keras.Model(inputs, x)
