"""Gaming pipeline (issue 11): a Normalization layer adapted on train + test images: the
model's preprocessing statistics come partly from the test set."""

import keras
import numpy as np
from keras import layers


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(0)
    x_train = (x_train.astype("float32") / 255.0)[..., None]
    x_test = (x_test.astype("float32") / 255.0)[..., None]
    norm = layers.Normalization(axis=None)
    norm.adapt(np.concatenate([x_train, x_test]))
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            norm,
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=4, batch_size=128, validation_split=0.1, verbose=0)
    return model, float(model.evaluate(x_test, y_test, verbose=0)[1])
