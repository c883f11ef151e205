"""Gaming cnn: trainable enough to move the loss (the head learns), but the convolutional
features are frozen at their random initial values."""

import keras
from keras import layers


def build_model(input_shape=(28, 28, 1), num_classes=10):
    features = [
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(),
    ]
    for layer in features:
        layer.trainable = False
    return keras.Sequential(
        [
            keras.Input(input_shape),
            *features,
            layers.Flatten(),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
