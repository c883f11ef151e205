# ruff: noqa
"""Sleeps while being imported."""
import time

time.sleep(3600)


def preprocess_image(image):
    return image
