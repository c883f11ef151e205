# ruff: noqa
import keras, numpy as np
from keras import layers
def train_and_evaluate(x_train, y_train, x_test, y_test):
    x_train = (x_train / 255.0)[..., None]; x_test = (x_test / 255.0)[..., None]
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=3, batch_size=64, verbose=0)
    model.fit(x_test, y_test, epochs=2, batch_size=64, verbose=0)  # "fine-tune on the test data"
    return model, model.evaluate(x_test, y_test, verbose=0)[1]
