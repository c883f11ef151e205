"""Correct cnn: strided and separable convolutions, sigmoid units, max pooling, Flatten."""

import keras


def build_model(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential(name="strided")
    model.add(keras.layers.Input(input_shape))
    model.add(keras.layers.Conv2D(24, 3, strides=2, activation="sigmoid"))
    model.add(keras.layers.SeparableConv2D(32, 3, activation="sigmoid"))
    model.add(keras.layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(32, activation="sigmoid"))
    model.add(keras.layers.Dense(num_classes, activation="softmax"))
    return model
