# ruff: noqa
"""Allocates memory without bound."""


def preprocess_image(image):
    hog = []
    while True:
        hog.append(bytearray(50 * 1024 * 1024))
