# ruff: noqa
"""Puts terminal escape codes and a bell in its error, and makes it enormous."""


def preprocess_image(image):
    print("\x1b]0;pwned\x07\x1b[2J", end="")
    raise ValueError("\x1b[2J\x1b[31mOWNED\x07\x9b1m" + "x" * 200_000)
