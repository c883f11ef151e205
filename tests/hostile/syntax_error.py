# ruff: noqa
"""Does not parse."""


def preprocess_image(image)
    return image
