# ruff: noqa
"""Raises KeyboardInterrupt from the graded function, as if the grader had been stopped."""


def preprocess_image(image):
    raise KeyboardInterrupt
