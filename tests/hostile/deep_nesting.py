# ruff: noqa
"""Returns a list nested ten thousand deep."""
import sys


def preprocess_image(image):
    sys.setrecursionlimit(100_000)
    value = []
    for _ in range(10_000):
        value = [value]
    return value
