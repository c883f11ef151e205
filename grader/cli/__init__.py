"""The `mlkata` command line: argument parsing and dispatch, nothing else.

Each command group lives in its own module with a `register(subparsers)`
function that adds its commands and sets `func` to a `run(args) -> int`.
Modules import their heavy dependencies (rich, numpy, TensorFlow) inside
`run`, so `mlkata --help` and the quiz start instantly.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from grader import __version__
from grader.errors import UserError

# One module per group of commands; order is the order in `mlkata --help`.
COMMAND_MODULES = (
    "grader.cli.quiz",  # quiz, stats, topics
    "grader.cli.interview",  # interview
    "grader.cli.grade",  # grade
    "grader.cli.workspace",  # init, list, next, hint, watch, reset
    "grader.cli.author",  # validate, new, verify, batch, export, import
    "grader.cli.classroom",  # verify, batch, export
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlkata",
        description="Practise for machine-learning interviews in the terminal: "
        "a spaced-repetition quiz and auto-graded Keras exercises.",
        epilog="Example: mlkata quiz -n 5 --lang zh",
    )
    parser.add_argument("--version", action="version", version=f"mlkata {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"mlkata: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nmlkata: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
