# ruff: noqa
"""Returns a model whose Lambda layer runs code wherever the model is loaded."""
import os

import keras


def _payload(x):
    home = os.environ.get("MLKATA_HOME", "/tmp")
    with open(os.path.join(home, "pwned-by-lambda"), "w") as f:
        f.write("the grader deserialised a Lambda layer")
    return x


def build_model(input_shape=(28, 28, 1), num_classes=10):
    return keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Lambda(_payload),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
