"""The README's promises: CI runs its test command, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quickstart_commands() -> list[str]:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", quickstart)


def test_quickstart_is_exactly_two_commands():
    commands = _quickstart_commands()
    assert len(commands) == 2
    assert commands[0].endswith("mlkata quiz")
    assert "pytest" in commands[1]


def test_ci_runs_the_readmes_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _quickstart_commands()[1] in ci


def test_every_command_shown_in_the_readme_exists():
    from grader.cli import build_parser

    parser = build_parser()
    known = set(parser._subparsers._group_actions[0].choices)
    shown = set(re.findall(r"^\$ mlkata (\w+)", README, flags=re.M))
    assert shown, "the README shows no command"
    assert shown <= known


def test_readme_has_no_unfilled_placeholders():
    assert not re.search(r"^[A-Z_]{6,}$", README, flags=re.M)
