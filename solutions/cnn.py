"""Reference solution: a small convnet in the style of keras-io's mnist_convnet."""

import keras
from keras import layers


def build_model(input_shape=(28, 28, 1), num_classes=10):
    """Two conv blocks, dropout and a softmax head: 34,826 parameters for MNIST."""
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
