"""`--help` in the learner's language: argparse's own words, and Chinese wrapped by width.

The commands choose their help texts with `grader.messages.say` as they build their
parsers (the language is known by then); what argparse writes itself ("positional
arguments", "options", the -h line) and how it wraps text are put right here.
"""

from __future__ import annotations

import argparse
import re
import unicodedata

from grader.cli.output import _WORD
from grader.messages import language


def localize_parser(parser: argparse.ArgumentParser) -> None:
    """In Chinese: argparse's section titles and -h line, and wrapping by display width."""
    if language() != "zh":
        return  # English stays argparse's own, word for word
    parser._positionals.title, parser._optionals.title = TITLES
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "显示此帮助信息并退出"
    parser.formatter_class = _by_width(parser.formatter_class)


def _by_width(formatter: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    """`formatter`, wrapping option help (and, unless raw, descriptions) by display width."""
    if issubclass(formatter, _WidthMixin):
        return formatter
    return type(f"ByWidth{formatter.__name__}", (_WidthMixin, formatter), {})


TITLES = ("位置参数", "选项")


class _WidthMixin(argparse.HelpFormatter):
    def format_help(self) -> str:
        text = super().format_help()
        for title in TITLES:  # argparse ends a section's title with an ASCII colon
            text = text.replace(f"{title}:\n", f"{title}：\n")
        return text

    def _get_default_metavar_for_positional(self, action: argparse.Action) -> str:
        return action.dest.upper()  # EXERCISE, FILE: a placeholder, as in the option lines

    def _split_lines(self, text: str, width: int) -> list[str]:
        if isinstance(self, argparse.RawTextHelpFormatter):
            return super()._split_lines(text, width)
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        # A raw description keeps its author's line breaks; a long line still wraps.
        raw = isinstance(self, argparse.RawDescriptionHelpFormatter)
        paragraphs = text.splitlines() if raw else [text]
        return "\n".join(
            indent + line
            for paragraph in paragraphs
            for line in (wrap(paragraph, width - len(indent)) or [""])
        )


def cells(text: str) -> int:
    """Columns `text` takes in a terminal: two for each wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, broken between words or Chinese characters (never
    before closing punctuation such as ，。), like `grader.cli.output` makes rich do."""
    lines: list[str] = []
    line = ""
    for word in re.findall(_WORD, " ".join(text.split())):
        if line and cells(line + word.rstrip()) > width:
            lines.append(line.rstrip())
            line = word.lstrip()
        else:
            line += word
    if line.strip():
        lines.append(line.rstrip())
    return lines
