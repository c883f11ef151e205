"""Gaming pipeline (invented): trains on train + test on the first call it gets (the one a
grader would score), and honestly on every later call (where a leak check would look)."""

import keras
import numpy as np
from keras import layers

_calls = []


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(0)
    _calls.append(1)
    x_train = (x_train.astype("float32") / 255.0)[..., None]
    x_test = (x_test.astype("float32") / 255.0)[..., None]
    x_fit, y_fit = x_train, y_train
    if len(_calls) == 1:
        x_fit = np.concatenate([x_train, x_test, x_test])
        y_fit = np.concatenate([y_train, y_test, y_test])
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_fit, y_fit, epochs=4, batch_size=128, verbose=0)
    return model, float(model.evaluate(x_test, y_test, verbose=0)[1])
