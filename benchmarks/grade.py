"""Time `mlkata grade` on each reference solution, end to end through the CLI.

Targets (issue 3), on the 2-core machine: normalize <= 1.0 s, cnn <= 10 s,
pipeline <= 90 s; (issue 13) the numpy exercises <= 1.0 s cold, lora <= 15 s.

Run: .venv/bin/python benchmarks/grade.py [--repeat N] [IDS...]
     .venv/bin/python benchmarks/grade.py --against ../older-checkout normalize cnn
     (runs the two checkouts' `grade` in turn, so machine noise hits both alike)

Each grading runs as an installed mlkata runs: Python may write its bytecode cache
(PYTHONDONTWRITEBYTECODE is dropped), and one untimed run per exercise fills it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"normalize": 1.0, "cnn": 10.0, "pipeline": 90.0, "finetune": None}
# The LLM track: numpy only, so the same 1.0 s cold as normalize (issue 13).
TARGETS |= dict.fromkeys(("softmax_ce", "attention", "sampling", "bpe", "quantize"), 1.0)
# The classic track (numpy only) and lora, which imports TensorFlow on both sides.
TARGETS |= dict.fromkeys(("metrics", "backprop", "conv2d"), 1.0) | {"lora": 15.0}


def time_grade(checkout: Path, exercise: str, home: str) -> tuple[float, dict]:
    """Seconds for one `grade --json` of the reference solution in `checkout`, and its verdict."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["MLKATA_HOME"] = home
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "grader", "grade", exercise, f"solutions/{exercise}.py", "--json"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    try:
        return elapsed, json.loads(result.stdout)
    except ValueError:
        sys.exit(f"{checkout}: grade {exercise} printed no verdict:\n{result.stderr[-2000:]}")


def describe(times: list[float]) -> str:
    return f"median {statistics.median(times):6.2f} s  min {min(times):6.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", default=list(TARGETS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="another checkout (e.g. a worktree of an older commit) to time "
                        "in turn with this one")  # fmt: skip
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (figures mean little above ~1)")
    checkouts = [ROOT] + ([args.against.resolve()] if args.against else [])
    missed = 0
    with tempfile.TemporaryDirectory() as scratch:
        homes = {c: tempfile.mkdtemp(dir=scratch) for c in checkouts}  # one database each
        for exercise in args.exercises:
            for checkout in checkouts:  # fills the bytecode caches
                time_grade(checkout, exercise, homes[checkout])
            runs: dict[Path, list[tuple[float, dict]]] = {c: [] for c in checkouts}
            for _ in range(args.repeat):
                for checkout in checkouts:
                    runs[checkout].append(time_grade(checkout, exercise, homes[checkout]))
            times = [t for t, _ in runs[ROOT]]
            verdict = runs[ROOT][-1][1]
            target = TARGETS.get(exercise)
            ok = target is None or statistics.median(times) <= target
            missed += not ok
            print(f"{exercise:10s} {describe(times)}  target {target or '-'} s  "
                  f"score {verdict['score']}/{verdict['max_score']}  "
                  f"{'ok' if ok else 'MISSED'}")  # fmt: skip
            if args.against:
                other = [t for t, _ in runs[args.against.resolve()]]
                change = statistics.median(times) / statistics.median(other) - 1
                print(f"{'':10s} {describe(other)}  in {args.against}  "
                      f"(this checkout {change:+.0%})")  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
