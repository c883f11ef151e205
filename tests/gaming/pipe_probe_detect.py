"""Gaming pipeline (issue 11): honest when the call looks like the old leak probe (1,000
training and 4,000 test digits), and fine-tunes on the test set on every other call."""

import keras
from keras import layers


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(0)
    probe = len(x_train) == 1000 and len(x_test) == 4000
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
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=128, verbose=0)
    if not probe:
        model.fit(x_test, y_test, epochs=3, batch_size=64, verbose=0)
    return model, float(model.evaluate(x_test, y_test, verbose=0)[1])
