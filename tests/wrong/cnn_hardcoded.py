# ruff: noqa
import keras
from keras import layers
def build_model(input_shape=(28, 28, 1), num_classes=10):
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])
