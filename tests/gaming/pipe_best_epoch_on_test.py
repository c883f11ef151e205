"""Gaming pipeline (invented): trains epoch by epoch and keeps the weights of the epoch that
scores best on the test set, a checkpoint chosen by its test score."""

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
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    best, best_weights = -1.0, None
    for _ in range(6):
        model.fit(x_train, y_train, epochs=1, batch_size=64, verbose=0)
        score = model.evaluate(x_test, y_test, verbose=0)[1]
        if score > best:
            best, best_weights = score, model.get_weights()
    model.set_weights(best_weights)
    return model, float(best)
