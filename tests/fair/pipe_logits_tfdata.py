"""Correct pipeline: a tf.data input pipeline with a seeded shuffle, a model that outputs
logits (from_logits=True), a custom train/validation cut by index, and Nadam."""

import numpy as np
import tensorflow as tf
from tensorflow import keras


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(11)
    xtr = tf.cast(x_train[..., np.newaxis], tf.float32) / 255.0
    xte = tf.cast(x_test[..., np.newaxis], tf.float32) / 255.0
    cut = int(0.9 * len(y_train))
    train = (
        tf.data.Dataset.from_tensor_slices((xtr[:cut], y_train[:cut]))
        .shuffle(cut, seed=11)
        .batch(128)
    )
    val = tf.data.Dataset.from_tensor_slices((xtr[cut:], y_train[cut:])).batch(256)

    model = keras.Sequential(
        [
            keras.layers.InputLayer(shape=(28, 28, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPool2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPool2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),  # logits
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Nadam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(train, validation_data=val, epochs=4, verbose=0)
    _, acc = model.evaluate(xte, y_test, verbose=0)
    return model, float(acc)
