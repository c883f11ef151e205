"""What argparse cannot do for us: the language before parsing, forgiving command names,
and its error messages in the learner's language with a "did you mean"."""

from __future__ import annotations

import argparse
import re

from grader.messages import language, say
from grader.suggest import did_you_mean, same


def language_in(argv: list[str]) -> str:
    """`--lang X` from the raw arguments (argparse may fail before it knows), else the locale."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        elif arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        if value in ("en", "zh"):
            return value
    from grader.text import default_language

    return default_language()


def command_named(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """`mlkata Quiz` is `mlkata quiz`: the first word, matched without regard to case."""
    commands = _commands(parser)
    for i, arg in enumerate(argv):
        if arg.startswith("-"):
            if arg in ("-h", "--help", "--version"):
                return argv
            continue
        match = same(arg, commands)
        if match is not None and match != arg:
            return [*argv[:i], match, *argv[i + 1 :]]
        return argv
    return argv


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [o for action in parser._actions for o in action.option_strings if o.startswith("--")]


_UNRECOGNIZED = re.compile(r"unrecognized arguments: (?P<args>.+)")
_CHOICE = re.compile(
    r"argument (?P<arg>\S+): invalid choice: '(?P<value>[^']*)' \(choose from (?P<choices>.+)\)"
)
_REQUIRED = re.compile(r"the following arguments are required: (?P<args>.+)")
_ONE = re.compile(r"argument (?P<arg>\S+): expected one argument")
_INVALID = re.compile(r"argument (?P<arg>\S+): invalid (?P<type>\S+) value: (?P<value>.+)")
_ARGUMENT = re.compile(r"argument (?P<arg>\S+): (?P<rest>.+)")


def explain(parser: argparse.ArgumentParser, message: str) -> str:
    """argparse's `message` in the current language, with the closest flag or command."""
    if m := _UNRECOGNIZED.fullmatch(message):
        flags = [a for a in m["args"].split() if a.startswith("-")]
        hint = did_you_mean(flags[0].split("=")[0], _options(parser)) if flags else ""
        return (
            say(en=f"unrecognized arguments: {m['args']}.", zh=f"无法识别的参数：{m['args']}。")
            + hint
        )
    if m := _CHOICE.fullmatch(message):
        choices = [c.strip(" '") for c in m["choices"].split(",")]
        hint = did_you_mean(m["value"], choices)
        return (
            say(
                en=f"{message}.",  # argparse's own words: scripts and tests look for them
                zh=f"{m['arg']}：没有“{m['value']}”，可选：{'、'.join(choices)}。",
            )
            + hint
        )
    if m := _REQUIRED.fullmatch(message):
        return say(en=message, zh=f"缺少必需的参数：{m['args']}。")
    if m := _ONE.fullmatch(message):
        return say(en=message, zh=f"{m['arg']} 后面需要一个值。")
    if m := _INVALID.fullmatch(message):
        return say(en=message, zh=f"{m['arg']}：无效的值 {m['value']}。")
    if language() == "zh" and (m := _ARGUMENT.fullmatch(message)):
        return f"{m['arg']}：{m['rest']}"
    return message
