"""Fair: the frozen copy takes the original config with activation "linear"; A and B
are EinsumDense layers; the scale is applied to the input of A."""

import keras
from keras import layers


def add_lora(model, rank, alpha):
    inputs = keras.Input(shape=model.input_shape[1:])
    tensor = inputs
    for original in model.layers:
        config = original.get_config()
        activation = None
        if isinstance(original, layers.Dense):
            activation = config["activation"]
            config["activation"] = "linear"
        frozen = original.__class__.from_config(config)
        frozen.trainable = False
        frozen_out = frozen(tensor)
        frozen.set_weights(original.get_weights())
        if activation is None:
            tensor = frozen_out
            continue
        scaled_in = layers.Rescaling(alpha / rank)(tensor)
        low = layers.EinsumDense("bi,ir->br", output_shape=(rank,))(scaled_in)
        high = layers.EinsumDense(
            "br,ro->bo", output_shape=(original.units,), kernel_initializer="zeros"
        )(low)
        tensor = layers.Activation(activation)(layers.Add()([frozen_out, high]))
    return keras.Model(inputs, tensor)
