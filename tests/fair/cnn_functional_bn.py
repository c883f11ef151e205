"""Correct cnn: functional API through tf.keras, BatchNorm before ReLU, Dropout, GlobalMaxPool."""

import tensorflow as tf


def build_model(input_shape=(28, 28, 1), num_classes=10):
    L = tf.keras.layers
    inputs = tf.keras.Input(input_shape)
    x = inputs
    for filters in (16, 32):
        x = L.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = L.BatchNormalization()(x)
        x = L.Activation("relu")(x)
        x = L.MaxPooling2D(2)(x)
    x = L.GlobalMaxPooling2D()(x)
    x = L.Dropout(0.3)(x)
    outputs = L.Dense(num_classes, activation="softmax")(x)
    return tf.keras.Model(inputs, outputs, name="bn_net")
