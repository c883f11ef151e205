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
from grader.messages import say

# One module per group of commands; order is the order in `mlkata --help`.
COMMANDS = {
    "grader.cli.quiz": ("quiz", "stats", "topics"),
    "grader.cli.interview": ("interview",),
    "grader.cli.grade": ("grade",),
    "grader.cli.workspace": ("init", "list", "next", "hint", "watch", "reset"),
    "grader.cli.author": ("validate", "new", "import"),
    "grader.cli.classroom": ("verify", "batch", "export"),
}
COMMAND_MODULES = tuple(COMMANDS)


class Parser(argparse.ArgumentParser):
    """argparse, speaking the learner's language and suggesting what they meant.

    Subcommands get this class too (argparse makes subparsers of the parent's type). Its
    help texts are chosen when the parser is built, once the language is known; argparse's
    own words ("usage:", "options", the -h line) are replaced here in Chinese.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from grader.cli.helptext import localize_parser

        localize_parser(self)

    def format_usage(self) -> str:
        return _localized_usage(super().format_usage())

    def format_help(self) -> str:
        return _localized_usage(super().format_help())

    def error(self, message: str):  # type: ignore[override]
        from grader.cli.arguments import explain

        self.print_usage(sys.stderr)
        print(f"{self.prog}: {explain(self, message)}", file=sys.stderr)
        sys.exit(2)


def _localized_usage(usage: str) -> str:
    from grader.messages import language

    return "用法： " + usage.removeprefix("usage: ") if language() == "zh" else usage


def build_parser(modules: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The parser with the commands of `modules` (all of them unless told)."""
    parser = Parser(
        prog="mlkata",
        description=say(
            en="Practise for machine-learning interviews in the terminal: "
            "a spaced-repetition quiz and auto-graded Keras exercises.",
            zh="在终端里练习机器学习面试：间隔重复的问答，以及自动评分的 Keras 编程练习。",
        ),
        epilog=say(en="Example: ", zh="示例：") + "mlkata quiz -n 5 --lang zh",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"mlkata {__version__}",
        help=say(en="show program's version number and exit", zh="显示版本号并退出"),
    )
    parser.add_argument(
        "--lang",
        dest="global_lang",
        choices=("en", "zh"),
        help=say(
            en="language of everything mlkata prints (default: from the locale)",
            zh="mlkata 输出的语言（默认：按系统语言环境）",
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    for name, sub in subparsers.choices.items():
        _remember_parser(sub, name)
    return parser


def _modules_for(argv: list[str]) -> tuple[str, ...]:
    """Only the module of the command named, when it is named exactly: importing every
    command's module costs ~40 ms, on every start. Anything else (help, a typo to
    suggest a command for) gets them all."""
    for i, arg in enumerate(argv):
        if arg in ("-h", "--help", "--version"):
            break
        if arg.startswith("-") or argv[i - 1 : i] == ["--lang"]:
            continue
        for module, commands in COMMANDS.items():
            if arg in commands:
                return (module,)
        break
    return COMMAND_MODULES


def _remember_parser(parser: argparse.ArgumentParser, command: str) -> None:
    """Each (sub)command records its own parser, to print its usage for a bad flag."""
    parser.set_defaults(_parser=parser, _command=command)
    if "--lang" not in parser._option_string_actions:
        parser.add_argument(
            "--lang", choices=("en", "zh"), help=say(en="language of the output", zh="输出的语言")
        )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _remember_parser(sub, command)


def main(argv: list[str] | None = None) -> int:
    from grader import messages
    from grader.cli.arguments import command_named, language_in

    argv = list(sys.argv[1:] if argv is None else argv)
    messages.use(language_in(argv))
    parser = build_parser(_modules_for(argv))
    argv = command_named(argv, parser)
    args, extras = parser.parse_known_args(argv)
    if extras:
        getattr(args, "_parser", parser).error(f"unrecognized arguments: {' '.join(extras)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from grader.cli.output import language

    messages.use(language(args))
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
