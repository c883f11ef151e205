# ruff: noqa
"""Floods the display-only progress channel with huge and forged lines."""
import os


def preprocess_image(image):
    args = open("/proc/self/cmdline", "rb").read().split(b"\0")
    fd = int(args[args.index(b"--progress-fd") + 1])
    line = b'{"stage": "\x1b[2JAll checks pass", "epoch": 1, "logs": {"loss": 0}}\n'
    for _ in range(2000):
        try:
            os.write(fd, line + b"x" * 10000 + b"\n")
        except OSError:
            break
    raise RuntimeError("wrong on purpose")
