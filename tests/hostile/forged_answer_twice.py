# ruff: noqa
"""Forges the worker's answer: one 30 MB .npy named forty times, so that the grader
would decode 1.2 GB from a single file."""
import json
import os

import numpy as np


def _forge(value):
    args = open("/proc/self/cmdline", "rb").read().split(b"\0")
    fd = int(args[args.index(b"--out-fd") + 1])
    token = os.environ.get("MLKATA_WORKER_TOKEN", "")
    for n in range(1, 30):
        answer = {"ok": True, "value": value, "args_after": None, "id": f"{token}-{n}"}
        os.write(fd, (json.dumps(answer) + "\n").encode())


def preprocess_image(image):
    np.save("out-900.npy", np.zeros((1000, 28, 28, 10), np.float32))
    _forge({"t": "list", "items": [{"t": "ndarray", "file": "out-900.npy"}] * 40})
    return np.zeros(1, np.float32)
