"""Correct pipeline: conv blocks with BatchNorm and GlobalAveragePooling, one-hot labels with
categorical cross-entropy, RMSprop, a learning-rate schedule."""

import keras
import numpy as np
from keras import layers


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(2024)
    xtr = (np.asarray(x_train, np.float32) / 255.0)[..., None]
    xte = (np.asarray(x_test, np.float32) / 255.0)[..., None]
    ytr = keras.utils.to_categorical(y_train, 10)
    yte = keras.utils.to_categorical(y_test, 10)

    model = keras.Sequential([keras.Input((28, 28, 1))])
    for filters in (16, 48, 96):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        model.add(layers.MaxPooling2D())
    model.add(layers.GlobalAveragePooling2D())
    model.add(layers.Dense(10, activation="softmax"))
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=200, decay_rate=0.5)
    model.compile(
        keras.optimizers.RMSprop(schedule), "categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(xtr, ytr, epochs=6, batch_size=64, validation_split=0.1, verbose=0)
    return model, float(model.evaluate(xte, yte, verbose=0)[1])
