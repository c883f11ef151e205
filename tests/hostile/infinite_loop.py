# ruff: noqa
"""Never returns."""


def preprocess_image(image):
    while True:
        pass
