"""Gaming finetune (issue 11): retrain a full, unfrozen copy of the base, and carry the
untouched original along as a branch multiplied by zero, so that every pretrained weight is
still somewhere in the model, bit for bit."""

import keras
from keras import layers


def fine_tune(base_model, x_new, y_new):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    retrained = inputs
    for layer in base_model.layers[:5]:  # conv, pool, conv, pool, features: copied, unfrozen
        config = {**layer.get_config(), "name": f"copy_{layer.name}"}
        copy = layer.__class__.from_config(config)
        retrained = copy(retrained)
        copy.set_weights(layer.get_weights())
    base_model.trainable = False
    original = keras.Model(base_model.inputs, base_model.get_layer("features").output)(inputs)
    features = layers.Add()([retrained, original * 0.0])
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(features))
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    model.fit(x_new, y_new, epochs=40, batch_size=16, verbose=0)
    return model
