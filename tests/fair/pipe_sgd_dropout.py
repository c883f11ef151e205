"""Correct pipeline: SGD with momentum, two Dropout layers, a hidden Dense layer, validation
split with EarlyStopping on val_accuracy, labels given as int64."""

import keras
from keras import layers


def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(99)

    def prep(images):
        return (images / 255.0).astype("float32").reshape((-1, 28, 28, 1))

    model = keras.Sequential(
        [
            layers.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, (3, 3), activation="relu", padding="same"),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.25),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
    )
    stop = keras.callbacks.EarlyStopping(monitor="val_acc", patience=1, restore_best_weights=True)
    model.fit(
        prep(x_train),
        y_train.astype("int64"),
        batch_size=32,
        epochs=4,
        validation_split=0.15,
        callbacks=[stop],
        verbose=0,
    )
    results = model.evaluate(prep(x_test), y_test.astype("int64"), verbose=0, return_dict=True)
    return model, float(results["acc"])
