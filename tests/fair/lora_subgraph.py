"""Fair: each LoRA branch is its own small Sequential sub-model (A, B, then the
scale), He-initialised A; other layers are cloned with type(layer).from_config."""

import keras
from keras import layers


def _branch(d_in, d_out, rank, alpha, name):
    return keras.Sequential(
        [
            keras.Input((d_in,)),
            layers.Dense(rank, use_bias=False, kernel_initializer="he_uniform"),
            layers.Dense(d_out, use_bias=False, kernel_initializer="zeros"),
            layers.Rescaling(alpha / rank),
        ],
        name=name,
    )


def add_lora(model, rank, alpha):
    inputs = keras.Input(shape=model.input_shape[1:])
    out = inputs
    for i, layer in enumerate(model.layers):
        if isinstance(layer, layers.Dense):
            d_in = layer.kernel.shape[0]
            frozen = layers.Dense(layer.units, use_bias=layer.use_bias, trainable=False)
            main = frozen(out)
            frozen.set_weights(layer.get_weights())
            delta = _branch(d_in, layer.units, rank, alpha, f"lora_{i}")(out)
            out = layers.Activation(layer.get_config()["activation"])(layers.Add()([main, delta]))
        else:
            twin = type(layer).from_config(layer.get_config())
            out = twin(out)
            twin.set_weights(layer.get_weights())
            twin.trainable = False
    return keras.Model(inputs, out)
