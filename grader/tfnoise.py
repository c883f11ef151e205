"""TensorFlow's own start-up lines, told apart from what the learner's code printed.

A learner's `import tensorflow` runs inside the sandboxed worker, after the worker's own
quiet import, and TensorFlow's C++ side then writes its start-up notes ("Could not find
cuda drivers on your machine", oneDNN, CPU instructions) to the same stream as the
learner's prints. They are not the learner's output, so the verdict screen drops them.
"""

from __future__ import annotations

import re

_NOISE = (
    # absl/glog form: I0000 00:00:1796004452.334982       2 cudart_stub.cc:31] Could not ...
    re.compile(r"[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w./-]+\.(?:cc|h|cpp):\d+\] .*"),
    # TensorFlow's older form: 2024-05-01 10:00:00.123456: I tensorflow/core/...cc:123] ...
    re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] [\w./-]+\.(?:cc|h|cpp):\d+\] .*"),
    re.compile(
        r"WARNING: All log messages before absl::InitializeLog\(\) is called are "
        r"written to STDERR"
    ),  # fmt: skip
    re.compile(
        r"To enable the following instructions: .*rebuild TensorFlow with the "
        r"appropriate compiler flags\."
    ),  # fmt: skip
)


def is_noise(line: str) -> bool:
    return any(pattern.fullmatch(line.strip()) for pattern in _NOISE)


def without_noise(output: str) -> str:
    """`output` without TensorFlow's start-up lines."""
    return "\n".join(line for line in output.splitlines() if not is_noise(line))
