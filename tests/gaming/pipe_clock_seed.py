"""Dishonest pipeline: draws its own seed from the operating system on every call, so no
two runs give the same model, hoping the grader's leak check cannot tell a leak from
noise. It must fail the leak check as a pipeline that does not repeat itself."""

import os

import keras
import numpy as np


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(int.from_bytes(os.urandom(4), "little"))

    def prep(images):
        return (images.astype(np.float32) / 255.0)[..., None]

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(prep(x_train), y_train, epochs=4, batch_size=128, verbose=0)
    _, accuracy = model.evaluate(prep(x_test), y_test, verbose=0)
    return model, float(accuracy)
