"""Correct cnn: a small residual block (Add), L2 regularisation, Dropout, GlobalAveragePooling."""

import keras
from keras import layers, regularizers


def build_model(input_shape=(28, 28, 1), num_classes=10):
    inputs = keras.Input(input_shape)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(inputs)
    shortcut = x
    x = layers.Conv2D(
        32, 3, padding="same", activation="relu", kernel_regularizer=regularizers.l2(1e-4)
    )(x)
    x = layers.Conv2D(32, 3, padding="same")(x)
    x = layers.Activation("relu")(layers.Add()([x, shortcut]))
    x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))
