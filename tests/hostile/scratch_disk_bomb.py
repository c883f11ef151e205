# ruff: noqa
"""Fills its scratch folder with 40 MB files, then waits to be graded."""
import time


def preprocess_image(image):
    for n in range(50):
        with open(f"junk-{n}.bin", "wb") as f:
            f.write(b"\1" * (40 << 20))
    time.sleep(60)
