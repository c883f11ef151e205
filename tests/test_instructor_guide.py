"""The instructor's guide runs as written: every `$ command` in docs/instructors.md, in
order, in a fresh copy of the repository, with the exit status and output it shows.

Output is compared loosely: digits and runs of spaces are ignored (timings, counts
and table widths vary), `...` marks omitted lines, and every other line shown must
appear, in order, in what the command printed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "instructors.md"
COPIED = ("pyproject.toml", "questions", "exercises", "solutions", "grader", "tests/fixtures")
EXIT = re.compile(r"<!-- exit: (\d+) -->")


@dataclass
class Command:
    line: int  # in the guide
    text: str
    output: list[str]
    exit_code: int


def guide_commands(text: str) -> list[Command]:
    """`$ ` lines of ```console blocks, each with the output shown under it."""
    commands: list[Command] = []
    lines = text.splitlines()
    in_block, exit_code = False, 0
    for number, line in enumerate(lines, 1):
        if line.startswith("```console"):
            in_block = True
            marker = EXIT.search(lines[number - 2]) if number >= 2 else None
            exit_code = int(marker.group(1)) if marker else 0
        elif line.startswith("```") and in_block:
            in_block = False
        elif in_block and line.startswith("$ "):
            commands.append(Command(number, line[2:], [], exit_code))
        elif in_block and commands:
            commands[-1].output.append(line)
    return commands


def normalise(line: str) -> str:
    return " ".join(re.sub(r"\d+", "#", line).split())


def shown_in(expected: list[str], actual: str) -> str | None:
    """None if every shown line appears in order in `actual`, else the first missing one."""
    got = [normalise(x) for x in actual.splitlines() if x.strip()]
    position = 0
    for line in expected:
        want = normalise(line)
        if not want or want == "...":
            continue
        try:
            position = got.index(want, position) + 1
        except ValueError:
            return line
    return None


def fresh_copy(target: Path) -> Path:
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)
    return target


@pytest.fixture
def clone(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh copy of the content and grader, and an environment where `mlkata` runs it."""
    root = fresh_copy(tmp_path / "mlkata")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "mlkata"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m grader "$@"\n')
    shim.chmod(0o755)
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    env = {**os.environ, "PATH": path, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"}
    return root, env


def test_the_guide_has_commands_for_every_instructor_task():
    commands = " ".join(c.text for c in guide_commands(GUIDE.read_text(encoding="utf-8")))
    for needed in ("mlkata new question", "mlkata validate", "mlkata import markdown",
                   "mlkata import csv", "mlkata new exercise", "mlkata verify", "mlkata batch",
                   "mlkata export gradescope", "run_autograder", "mlkata export prairielearn",
                   "mlkata export github"):  # fmt: skip
        assert needed in commands


@pytest.mark.slow  # end to end: every command of the guide, batch and exports included
def test_every_command_in_the_guide_runs_as_written(clone):
    root, env = clone
    for command in guide_commands(GUIDE.read_text(encoding="utf-8")):
        done = subprocess.run(
            ["bash", "-c", "{ " + command.text + "\n} 2>&1"],
            cwd=root, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        where = f"docs/instructors.md:{command.line}: $ {command.text}"
        assert done.returncode == command.exit_code, f"{where}\n{done.stdout}{done.stderr}"
        missing = shown_in(command.output, done.stdout)
        assert missing is None, f"{where}\nnot in the output: {missing!r}\n---\n{done.stdout}"
