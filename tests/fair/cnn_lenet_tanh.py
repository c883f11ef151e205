"""Correct cnn: LeNet-5 style, tanh activations and average pooling, a separate softmax."""

from keras import Input, Model, layers


def build_model(input_shape=(28, 28, 1), num_classes=10):
    inp = Input(shape=input_shape)
    h = layers.Conv2D(6, 5, padding="same", activation="tanh")(inp)
    h = layers.AveragePooling2D(pool_size=2)(h)
    h = layers.Conv2D(16, 5, activation="tanh")(h)
    h = layers.AveragePooling2D(pool_size=2)(h)
    h = layers.Flatten()(h)
    h = layers.Dense(120, activation="tanh")(h)
    h = layers.Dense(84, activation="tanh")(h)
    logits = layers.Dense(num_classes)(h)
    return Model(inp, layers.Softmax()(logits))
