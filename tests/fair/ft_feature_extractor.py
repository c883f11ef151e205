"""Correct finetune: the frozen base up to 'features' as a feature-extractor model inside a
Sequential, a hidden Dense layer with Dropout, Adam."""

import keras
from keras import layers


def fine_tune(base_model, x_new, y_new):
    keras.utils.set_random_seed(42)
    extractor = keras.Model(base_model.inputs, base_model.get_layer("features").output)
    extractor.trainable = False
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            extractor,
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    model.fit(x_new, y_new, epochs=60, batch_size=16, verbose=0)
    return model
