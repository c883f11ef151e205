"""How fast mlkata starts: `mlkata --help`, and the first question of `quiz` and `interview`.

Run: python benchmarks/startup.py [--runs N] [--compare DIR] [--cold]
Targets (median of N runs, shipped banks): --help <= 0.3 s, the quiz's first question
<= 0.4 s, the interview's first question <= 0.5 s.

A question is timed from launch until its text is read from the piped output (the line
after its "Question 1/..." header); stdin stays open and unanswered, then the process is
killed. Runs use a throw-away MLKATA_HOME after one warm-up run, so the parsed banks are
cached as they are for a learner's second quiz on (`--cold` also times a first quiz, with
an empty cache). PYTHONDONTWRITEBYTECODE is removed from the runs' environment: an
installed mlkata has its bytecode compiled, and a start that compiles every module would
measure the compiler.

`--compare DIR` also times the checkout in DIR (e.g. `git worktree add /tmp/old HEAD~3`),
run as `python -m grader` from DIR like this one then is, each run interleaved with one of
this checkout so that both meet the same load. The machine's load average is printed:
figures taken on a busy machine are slower than on a quiet one.

Profile a slow start with: python -X importtime -m grader quiz -n 1 2> imports.txt
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

HERE = Path(__file__).resolve().parent.parent
TARGETS = {
    "mlkata --help": 0.3,
    "quiz: first question": 0.4,
    "interview: first question": 0.5,
}
COLD = "quiz: first question, cold cache"


def command(root: Path | None) -> list[str]:
    """This checkout's installed `mlkata` script, or `python -m grader` run from `root`."""
    script = Path(sys.executable).with_name("mlkata")
    if root is None and script.exists():
        return [str(script)]
    return [sys.executable, "-m", "grader"]


def time_help(cmd: list[str], env: dict[str, str], cwd: Path | None) -> float:
    started = time.perf_counter()
    subprocess.run([*cmd, "--help"], env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def time_first_question(
    cmd: list[str], words: list[str], env: dict[str, str], cwd: Path | None
) -> float:
    """From launch until the text of question 1 is read from the piped output."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, *words, "--lang", "en"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=cwd,
    )
    try:
        assert proc.stdout is not None
        header = False
        for line in proc.stdout:
            if header and line.strip():
                return time.perf_counter() - started
            header = header or line.startswith("Question 1/")
        raise SystemExit(f"`{' '.join(words)}` printed no question; are the banks there?")
    finally:
        proc.kill()
        proc.wait()


def measure(root: Path | None, home: str, cold: bool) -> dict[str, float]:
    """One run of every measurement for the checkout at `root` (None: this one)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["MLKATA_HOME"] = home
    if root is not None:
        env["PYTHONPATH"] = str(root)
    cmd = command(root)
    figures = {
        "mlkata --help": time_help(cmd, env, root),
        "quiz: first question": time_first_question(cmd, ["quiz", "-n", "1"], env, root),
        "interview: first question": time_first_question(cmd, ["interview"], env, root),
    }
    if cold:
        with tempfile.TemporaryDirectory(prefix="mlkata-bench-") as empty:
            figures[COLD] = time_first_question(
                cmd, ["quiz", "-n", "1"], {**env, "MLKATA_HOME": empty}, root
            )
    return figures


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", type=Path, metavar="DIR", help="also time this checkout")
    parser.add_argument("--cold", action="store_true", help="also time a quiz with no cache")
    args = parser.parse_args()
    roots: dict[str, Path | None] = {"this checkout": HERE if args.compare else None}
    if args.compare:
        roots[str(args.compare)] = args.compare.resolve()
    homes = {name: tempfile.mkdtemp(prefix="mlkata-bench-") for name in roots}
    print(f"load average before: {load_average()} ({os.cpu_count()} CPUs)")
    results: dict[str, dict[str, list[float]]] = {name: {} for name in roots}
    try:
        for name, root in roots.items():  # warm-up: file cache, bytecode, bank cache
            measure(root, homes[name], cold=False)
        for _ in range(args.runs):
            for name, root in roots.items():
                for key, seconds in measure(root, homes[name], args.cold).items():
                    results[name].setdefault(key, []).append(seconds)
    finally:
        for home in homes.values():
            shutil.rmtree(home, ignore_errors=True)
    print(f"load average after:  {load_average()}")
    print(f"median of {args.runs} runs (min in brackets), bytecode cached")
    failed = False
    for name, figures in results.items():
        print(f"{name}:")
        for key, times in figures.items():
            median, target = statistics.median(times), TARGETS.get(key)
            verdict = "" if target is None else ("ok" if median <= target else "SLOW")
            limit = f"(<= {target} s)" if target else ""
            print(f"  {key:<34} {median:.3f} s ({min(times):.3f}) {limit} {verdict}".rstrip())
            failed |= name == "this checkout" and target is not None and median > target
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
