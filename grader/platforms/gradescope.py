"""Gradescope: the autograder zip (`mlkata export gradescope`) and what it runs for each
submission (`python -m grader.platforms.gradescope ROOT`), writing results.json.

Format: Gradescope's autograder specification (results.json: score, execution_time,
output, output_format, visibility, stdout_visibility, extra_data, tests[] with name,
number, score, max_score, status, output, output_format, tags, visibility). The bundle
works on Gradescope's default image (Ubuntu 22.04, Python 3.10) and on Ubuntu 24.04.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grader.exercises import Exercise
from grader.grading.verdict import Verdict
from grader.platforms import bundle
from grader.platforms.common import SETTINGS_NAME, Settings, find_submission, grade, words

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image. It works on
# the default image (Ubuntu 22.04, Python 3.10) and on Ubuntu 24.04 (Python 3.12).
# To try it elsewhere: AUTOGRADER_ROOT=DIR (default /autograder) holds source/, and
# MLKATA_SETUP_PYTHON=/path/to/python3 uses that interpreter instead of apt's.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${MLKATA_SETUP_PYTHON:-}"
if [ -z "$PYTHON" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap
  PYTHON=python3
fi
"$PYTHON" -c 'import sys; v = sys.version_info; sys.exit(
    v < (3, 10) and "mlkata needs Python 3.10 or newer; this image has %d.%d" % v[:2])'
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --no-cache-dir -r "$ROOT/source/requirements.txt"
PYTHONPATH="$ROOT/source/mlkata" "$ROOT/venv/bin/python" -c 'import grader.cli'
# Where bubblewrap cannot start, a submission runs as an unprivileged uid that can read
# what is world-readable: it may use the venv (Python, numpy, TensorFlow) but never read
# the grader, its checks or its held-back data.
chmod -R go-rwx "$ROOT/source"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${MLKATA_PYTHON:-$ROOT/venv/bin/python3}"
[ -x "$PYTHON" ] || PYTHON=python3
export PYTHONPATH="$ROOT/source/mlkata"
exec "$PYTHON" -m grader.platforms.gradescope "$ROOT"
"""


@dataclass(frozen=True)
class Bundle:
    path: Path
    files: tuple[str, ...]  # names inside the zip


def export(exercise: Exercise, output: Path, settings: Settings) -> Bundle:
    """Write the autograder zip for `exercise` to `output` (atomically)."""
    members: dict[str, bytes] = {
        "setup.sh": SETUP_SH.encode(),
        "run_autograder": RUN_AUTOGRADER.encode(),
        "requirements.txt": bundle.requirements(exercise.tensorflow).encode(),
        **bundle.settings_file(settings),
        **bundle.grader_files(exercise, "mlkata/"),
    }
    bundle.refuse_solution(exercise, members)
    bundle.write_zip(output, members)
    return Bundle(Path(output), tuple(members))


# -- results.json --------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md_text(text: str) -> str:
    """Plain text shown as itself in Markdown: specials escaped, lines kept."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "  \n".join(_MD_SPECIAL.sub(r"\\\1", line) for line in text.splitlines())


def results(verdict: Verdict, settings: Settings, hints: dict[str, str] | None = None) -> dict:
    """Gradescope's results.json for `verdict`, in the export's language."""
    say = words(settings.lang)
    hints = hints or {}
    tests = []
    for number, check in enumerate(verdict.checks, 1):
        mark = f"**✓ {say['passed']}**" if check.passed else f"**✗ {say['failed']}**"
        lines = [f"{mark} · {check.score}/{check.max_score}", "", md_text(check.message)]
        if not check.passed and hints.get(check.name):
            lines += ["", f"**{say['hint']}:** {md_text(hints[check.name])}"]
        tests.append(
            {
                "name": check.name,
                "number": str(number),
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.passed else "failed",
                "output": "\n".join(lines),
                "output_format": "md",
                "tags": [verdict.exercise],
                "visibility": settings.visibility_of(check.name),
            }
        )
    summary = f"**{verdict.exercise}: {verdict.score}/{verdict.max_score}**"
    if verdict.error:
        summary += f" ({say['error']}: {verdict.error})"
    summary += f"  \n{say['sandbox']}: {verdict.sandbox_tier}"
    return {
        "score": verdict.score,
        "execution_time": round(verdict.duration_s, 3),
        "output": summary,
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": settings.stdout_visibility,
        "extra_data": {
            "sandbox": verdict.sandbox_tier,
            "sandbox_note": verdict.sandbox,
            "error": verdict.error,
        },  # fmt: skip
        "tests": tests,
    }


def not_graded(problem: str, settings: Settings, started: float) -> dict:
    """results.json when there is no verdict: 0 points and why, for the student."""
    say = words(settings.lang)
    return {
        "score": 0,
        "execution_time": round(time.monotonic() - started, 3),
        "output": f"{say['not_graded']}: {md_text(problem)}",
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": settings.stdout_visibility,
        "extra_data": {"sandbox": "", "error": "not graded"},
        "tests": [],
    }


def stdout_report(data: dict) -> str:
    """What run_autograder prints (Gradescope keeps it as results/stdout for instructors)."""
    lines = [f"score {data['score']} · sandbox {data['extra_data'].get('sandbox') or '-'}"]
    for test in data["tests"]:
        lines.append(f"  {test['status']:6} {test['score']}/{test['max_score']}  {test['name']}")
    if not data["tests"]:
        lines.append("  " + data["output"])
    return "\n".join(lines)


def main(root: Path) -> int:
    """Grade $ROOT/submission and write $ROOT/results/results.json; always writes one."""
    started = time.monotonic()
    source = root / "source"
    settings = Settings.read(source / SETTINGS_NAME)
    course = source / "mlkata"
    try:
        file = find_submission(root / "submission", settings.exercise, settings.lang)
        outcome = grade(settings, course, file)
        if outcome.verdict is None:
            data = not_graded(outcome.problem, settings, started)
        else:
            data = results(outcome.verdict, settings, _hints(course, settings))
    except Exception as exc:  # noqa: BLE001 - the student must always get a readable result
        data = not_graded(str(exc), settings, started)
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target)
    print(stdout_report(data))
    return 0


def _hints(course: Path, settings: Settings) -> dict[str, str]:
    from grader.authoring import Root

    exercise = Root(course).exercise(settings.exercise)
    return {c.name: c.hint(settings.lang) for c in exercise.checks}


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/autograder")))
