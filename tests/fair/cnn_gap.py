"""Correct cnn (from issue 11): two Conv2D, MaxPooling, GlobalAveragePooling, softmax head."""

import keras
from keras import layers


def build_model(input_shape=(28, 28, 1), num_classes=10):
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.GlobalAveragePooling2D(),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
