"""Time save-to-verdict in `mlkata watch`, warm worker against cold (targets: normalize <= 0.5 s,
cnn <= 1.5 s with a warm worker).

Usage: python benchmarks/watch.py [normalize cnn ...] [--rounds 3] [--warm-up 10]

Each round starts `mlkata watch EX` in a fresh workspace, lets the worker it starts
in advance finish its imports (--warm-up seconds), saves the reference solution the
way editors do (write a new file, rename it over the old one) and reads watch's
output until the verdict's total line appears. Beside it:

- first: the first save watch sees; later: a save after an earlier one (pytest and
  Keras already loaded in watch's own process), which is what most saves are;
- watch's own "Graded in" figure (snapshot + grading, without noticing the save);
- cold: `mlkata grade EX FILE` end to end, what a save costs without watch.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"normalize": 0.5, "cnn": 1.5}
# The LLM track: numpy only, 0.5 s warm like normalize (issue 13).
TARGETS |= dict.fromkeys(("softmax_ce", "attention", "sampling", "bpe", "quantize"), 0.5)
GRADED = re.compile(r"Graded in ([\d.]+) s \((.+?)\)")


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "MLKATA_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    env["COLUMNS"] = "200"
    return env


def warm_round(exercise: str, warm_up: float, later: bool) -> tuple[float, float, str]:
    """(save-to-verdict seconds, watch's own grading seconds, warm or cold)."""
    solution = (REPO / "solutions" / f"{exercise}.py").read_text(encoding="utf-8")
    stub = (REPO / "exercises" / f"{exercise}.py").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="mlkata-bench-") as folder:
        root, home = Path(folder), Path(folder) / "home"
        env = _env(home)
        subprocess.run([sys.executable, "-m", "grader", "init", "kata"], cwd=root, env=env,
                       check=True, capture_output=True)  # fmt: skip
        space = root / "kata"
        watch = subprocess.Popen(
            [sys.executable, "-m", "grader", "watch", exercise], cwd=space, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
        )  # fmt: skip
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in watch.stdout], daemon=True).start()
        try:
            _read_until(lines, f"Save {exercise}.py to grade it", 120)
            if later:  # a first, failing save, so the measured one is not this process's first
                time.sleep(warm_up)
                (space / f"{exercise}.py").write_text(stub + "\n# first save\n", encoding="utf-8")
                _read_until(lines, "to grade it", 300)
            time.sleep(warm_up)
            swap = space / f"{exercise}.py.swp"
            swap.write_text(solution, encoding="utf-8")
            saved = time.monotonic()
            swap.replace(space / f"{exercise}.py")
            _read_until(lines, "Total: ", 300)
            seconds = time.monotonic() - saved
            graded = GRADED.search(_read_until(lines, "Graded in", 30, whole_line=True))
        finally:
            watch.kill()
            watch.wait()
    return seconds, float(graded.group(1)), graded.group(2)


def _read_until(lines: queue.Queue, needle: str, timeout: float, whole_line=False) -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    while needle not in seen:
        line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        seen += line
    return seen


def cold_round(exercise: str) -> float:
    """`mlkata grade EX solution` end to end: interpreter, imports and a fresh worker."""
    with tempfile.TemporaryDirectory(prefix="mlkata-bench-") as folder:
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "grader", "grade", exercise, f"solutions/{exercise}.py",
             "--json"], cwd=REPO, env=_env(Path(folder)), check=True, capture_output=True,
        )  # fmt: skip
        return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", default=["normalize", "cnn"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds to let workers import")
    args = parser.parse_args()
    print(f"{'exercise':<10} {'save':<6} {'save→verdict':>12} {'(grading)':>10} {'cold grade':>11}")
    for exercise in args.exercises:
        cold = statistics.median(cold_round(exercise) for _ in range(args.rounds))
        for later in (False, True):
            warm = [warm_round(exercise, args.warm_up, later) for _ in range(args.rounds)]
            median = statistics.median(s for s, _, _ in warm)
            grading = statistics.median(g for _, g, _ in warm)
            kinds = ", ".join(sorted({kind for _, _, kind in warm}))
            each = ", ".join(f"{s:.2f}" for s, _, _ in warm)
            print(f"{exercise:<10} {'later' if later else 'first':<6} {median:>10.2f} s"
                  f" {grading:>8.2f} s {cold:>9.2f} s  ({kinds}; each: {each})")  # fmt: skip
        target = TARGETS.get(exercise)
        if target is not None:
            print(f"{'':<10} target: save→verdict <= {target} s with a warm worker")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
