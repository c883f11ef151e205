"""Correct pipeline: tf.keras functional CNN with BatchNorm, its own hold-out carved from the
training set, early stopping on that hold-out, accuracy computed by hand from predict()."""

import numpy as np
import tensorflow as tf


def _prep(x):
    return np.expand_dims(x.astype("float32") / 255.0, -1)


def train_and_evaluate(x_train, y_train, x_test, y_test):
    tf.keras.utils.set_random_seed(1234)
    x, y = _prep(x_train), np.asarray(y_train)
    order = np.random.default_rng(5).permutation(len(y))
    hold, fit = order[:800], order[800:]

    L = tf.keras.layers
    inputs = tf.keras.Input((28, 28, 1))
    h = L.Conv2D(16, 3, use_bias=False)(inputs)
    h = L.BatchNormalization()(h)
    h = L.ReLU()(h)
    h = L.MaxPooling2D()(h)
    h = L.Conv2D(32, 3, activation="relu")(h)
    h = L.MaxPooling2D()(h)
    h = L.Flatten()(h)
    outputs = L.Dense(10, activation="softmax")(L.Dropout(0.4)(h))
    model = tf.keras.Model(inputs, outputs)
    model.compile(
        tf.keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    stop = tf.keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    model.fit(
        x[fit],
        y[fit],
        validation_data=(x[hold], y[hold]),
        epochs=4,
        batch_size=64,
        callbacks=[stop],
        verbose=0,
    )

    predicted = model.predict(_prep(x_test), verbose=0).argmax(axis=1)
    return model, float(np.mean(predicted == np.asarray(y_test)))
