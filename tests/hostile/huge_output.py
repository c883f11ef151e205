# ruff: noqa
"""Prints 300 MB."""
import sys


def preprocess_image(image):
    chunk = "x" * (1024 * 1024)
    for _ in range(300):
        sys.stdout.write(chunk)
    return image
