"""MNIST offline: the bundled 10,000-digit sample and loaders for the full set."""

from .mnist import BUNDLED_PATH, load_mnist

__all__ = ["BUNDLED_PATH", "load_mnist"]
