"""How fast mlkata starts: `mlkata --help`, and the first quiz question on screen.

Run: python benchmarks/startup.py [--runs N]
Targets: --help <= 0.3 s, first question <= 0.4 s (median of N runs, shipped banks).
Profile a slow start with: python -X importtime -m grader --help 2> imports.txt
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"mlkata --help": 0.3, "first question on screen": 0.4}


def command() -> list[str]:
    script = Path(sys.executable).with_name("mlkata")
    return [str(script)] if script.exists() else [sys.executable, "-m", "grader"]


def time_help(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([*command(), "--help"], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def time_first_question(env: dict[str, str]) -> float:
    """From launch until the answer prompt of question 1 is read from a piped quiz."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*command(), "quiz", "-n", "1", "--lang", "en"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    for line in proc.stdout:
        if line.rstrip().endswith("):"):  # "Your answer (...):" closes the question
            break
    else:
        raise SystemExit("the quiz printed no question; are the shipped banks there?")
    elapsed = time.perf_counter() - started
    proc.kill()
    proc.wait()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    home = tempfile.mkdtemp(prefix="mlkata-bench-")
    env = {**os.environ, "MLKATA_HOME": home}
    try:
        time_help(env)  # warm the file cache and bytecode
        time_first_question(env)
        results = {
            "mlkata --help": [time_help(env) for _ in range(runs)],
            "first question on screen": [time_first_question(env) for _ in range(runs)],
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)
    failed = False
    for name, times in results.items():
        median, target = statistics.median(times), TARGETS[name]
        verdict = "ok" if median <= target else "SLOW"
        failed |= median > target
        print(f"{name:<25} {median:.3f} s median, {min(times):.3f} s min (<= {target} s) {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
