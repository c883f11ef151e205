"""Time `mlkata batch` on 100 `normalize` submissions (target: <= 30 s on 2 cores).

Usage: python benchmarks/batch.py [--jobs 2] [--n 100]

The submissions are distinct files (so the content-hash cache cannot help) mixing
the reference solution, the seed material's batch-wide min/max and the stub.
The first run grades everything (--force); a second run shows the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CPUACCT = Path("/sys/fs/cgroup/cpuacct")
SOLUTION = (REPO / "solutions" / "normalize.py").read_text(encoding="utf-8")
STUB = (REPO / "exercises" / "normalize.py").read_text(encoding="utf-8")
BATCH_WIDE = """import numpy as np


def preprocess_image(image):
    image = np.asarray(image, dtype=np.float32)
    low, high = image.min(), image.max()
    return (image - low) / max(high - low, 1)
"""


def write_class(folder: Path, n: int) -> None:
    kinds = (SOLUTION, SOLUTION, BATCH_WIDE, STUB)
    for i in range(n):
        source = kinds[i % len(kinds)] + f"\n# student {i:03d}\n"
        (folder / f"student{i:03d}.py").write_text(source, encoding="utf-8")


class CpuMeter:
    """CPU seconds of this process and all its descendants (sandboxed ones included),
    from a cgroup-v1 cpuacct group where we may make one (root); else None."""

    def __init__(self) -> None:
        self.group = CPUACCT / f"mlkata-bench-{os.getpid()}"
        try:
            self.group.mkdir()
            (self.group / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            self.group = None

    def seconds(self) -> float | None:
        if self.group is None:
            return None
        return int((self.group / "cpuacct.usage").read_text()) / 1e9

    def close(self) -> None:
        if self.group is not None:
            (CPUACCT / "cgroup.procs").write_text(str(os.getpid()))
            self.group.rmdir()


def run(folder: Path, jobs: int, force: bool, sheet: Path, meter: CpuMeter) -> tuple[float, float]:
    command = [sys.executable, "-m", "grader", "batch", "normalize", str(folder)]
    command += ["--jobs", str(jobs), "--json", str(sheet)] + (["--force"] if force else [])
    cpu = meter.seconds()
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=REPO)
    wall = time.perf_counter() - started
    return wall, (meter.seconds() - cpu) if cpu is not None else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    meter = CpuMeter()
    load = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory(prefix="mlkata-bench-") as tmp:
            os.environ["MLKATA_HOME"] = str(Path(tmp) / "home")
            folder = Path(tmp) / "class"
            folder.mkdir()
            write_class(folder, args.n)
            sheet = Path(tmp) / "grades.json"
            first, cpu = run(folder, args.jobs, force=True, sheet=sheet, meter=meter)
            data = json.loads(sheet.read_text(encoding="utf-8"))
            errors = sum(1 for row in data["rows"] if row["error"])
            second, _ = run(folder, args.jobs, force=False, sheet=sheet, meter=meter)
    finally:
        meter.close()
    print(
        f"batch normalize: {args.n} submissions, --jobs {args.jobs}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f} before: {first:.1f} s wall ({first / args.n:.2f} s each; "
        f"target <= 30 s), {cpu:.1f} CPU-s ({cpu / args.n:.2f} each, so >= "
        f"{cpu / (os.cpu_count() or 1):.1f} s on idle cores); full marks {data['full_marks']}, "
        f"errors {errors}; rerun from cache {second:.1f} s"
    )


if __name__ == "__main__":
    main()
