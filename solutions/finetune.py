"""Reference solution: freeze the pretrained convolutional base, train a new softmax head."""

import keras
from keras import layers

SEED = 0
NUM_CLASSES = 10  # the output is indexed by digit; only 5-9 are trained here
EPOCHS = 50
BATCH_SIZE = 32


def fine_tune(base_model, x_new, y_new):
    keras.utils.set_random_seed(SEED)

    # Freeze every pretrained layer: its weights must not move.
    base_model.trainable = False

    # Reuse the base up to its flattened features; put a new head on top.
    features = base_model.get_layer("features").output
    x = layers.Dropout(0.3, name="new_dropout")(features)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="new_head")(x)
    model = keras.Model(base_model.inputs, outputs, name="digits_5_to_9")

    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_new, y_new, batch_size=BATCH_SIZE, epochs=EPOCHS, verbose=0)
    return model
