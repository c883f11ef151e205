"""Correct pipeline that pins no seed at all: the functional API, AveragePooling, tanh, Adam
with a fixed small learning rate, five epochs (the stub's own suggestion), a held-out slice
of the training data for validation.
The grader starts every run from the same random state, so this gives the same model for
the same data."""

import numpy as np
from tensorflow import keras


def train_and_evaluate(x_train, y_train, x_test, y_test):
    def prep(images):
        return np.expand_dims(images.astype(np.float32) / 255.0, -1)

    x, y = prep(x_train), y_train
    cut = int(len(x) * 0.9)
    inputs = keras.Input((28, 28, 1))
    h = keras.layers.Conv2D(24, 3, activation="tanh")(inputs)
    h = keras.layers.AveragePooling2D(2)(h)
    h = keras.layers.Conv2D(48, 3, activation="tanh")(h)
    h = keras.layers.AveragePooling2D(2)(h)
    h = keras.layers.Flatten()(h)
    outputs = keras.layers.Dense(10, activation="softmax")(h)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x[:cut], y[:cut], validation_data=(x[cut:], y[cut:]), epochs=5, batch_size=64,
              verbose=0)  # fmt: skip
    _, accuracy = model.evaluate(prep(x_test), y_test, verbose=0)
    return model, float(accuracy)
