"""Gaming pipeline (issue 11): never fits on the test labels, but uses the test set as
validation_data with EarlyStopping(restore_best_weights=True): the model is chosen on it."""

import keras
from keras import layers


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(0)
    x_train = (x_train.astype("float32") / 255.0)[..., None]
    x_test = (x_test.astype("float32") / 255.0)[..., None]
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(
        monitor="val_accuracy", patience=2, restore_best_weights=True
    )
    model.fit(
        x_train,
        y_train,
        validation_data=(x_test, y_test),
        epochs=6,
        batch_size=128,
        callbacks=[stop],
        verbose=0,
    )
    return model, float(model.evaluate(x_test, y_test, verbose=0)[1])
