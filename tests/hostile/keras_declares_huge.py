# ruff: noqa
"""Returns a 'model' whose .keras file is a few kilobytes but whose config declares
Dense(2_000_000) after a 784-wide Flatten: 1.6 billion weights to build on loading."""
import json
import zipfile

import keras


class Decoy(keras.Sequential):
    def save(self, path, *args, **kwargs):
        super().save(path, *args, **kwargs)
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        config = json.loads(files["config.json"])
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "Dense":
                layer["config"]["units"] = 2_000_000
                layer["build_config"] = {"input_shape": [None, 784]}
        files["config.json"] = json.dumps(config).encode()
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)


def build_model(input_shape=(28, 28, 1), num_classes=10):
    return Decoy([keras.Input(input_shape), keras.layers.Conv2D(2, 3),
                  keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                  keras.layers.Dense(num_classes, activation="softmax")])
