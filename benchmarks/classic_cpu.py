"""CPU seconds the worker spends in the classic track's vectorisation checks, per answer.

For `metrics` and `conv2d`, grades the reference, the fairness answers (tests/fair) and
the wrong answers that loop (tests/wrong), a few times each, and prints the CPU time the
check measured in the sandbox (the figure in its message), min-max. The limits in
grader/checks/test_metrics.py and test_conv2d.py sit between the slowest vectorised
answer and the fastest loop, at least 1.5x from each. Timings on a shared machine are
noisy: run it when the machine is quiet, and read the spread, not one number.

Run: .venv/bin/python benchmarks/classic_cpu.py [--repeat N]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from grader.exercises import get_exercise
from grader.grading.runner import grade

ROOT = Path(__file__).resolve().parent.parent
CHECKS = {
    "metrics": "test_vectorised_on_a_million_labels",
    "conv2d": "test_vectorised_over_images_and_positions",
}
LOOPS = {
    "metrics": ["metrics_loop.py"],
    "conv2d": ["conv2d_loop_images.py", "conv2d_loop_positions.py"],
}
FIGURE = re.compile(r"(?:used |in )([0-9.]+) s of CPU")


def answers(exercise: str) -> list[Path]:
    fair = sorted((ROOT / "tests" / "fair").glob(f"{exercise}_*.py"))
    loops = [ROOT / "tests" / "wrong" / name for name in LOOPS[exercise]]
    return [ROOT / "solutions" / f"{exercise}.py", *fair, *loops]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for exercise, check in CHECKS.items():
        spec = get_exercise(exercise)
        print(f"{exercise} · {check}")
        for path in answers(exercise):
            figures = []
            for _ in range(args.repeat):
                verdict = grade(spec, path)
                [result] = [c for c in verdict.checks if c.name == check]
                figures += [float(f) for f in FIGURE.findall(result.message)]
            shown = f"{min(figures):.3f}-{max(figures):.3f} s" if figures else "no figure"
            print(f"  {path.relative_to(ROOT)}: {shown} ({len(figures)} calls)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
