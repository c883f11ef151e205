"""What every command shares for output: the rich console and the learner's language."""

from __future__ import annotations


def console():
    """A rich console on today's stdout (grading redirects sys.stdout while checks run)."""
    import sys

    from rich.console import Console

    wrap_chinese_by_character()
    return Console(highlight=False, file=sys.stdout)


# Chinese has no spaces between words: a line may break after any character, but not
# before closing punctuation (，。：) nor after opening punctuation (（“).
_HAN = "\u2e80-\u2fdf\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_OPENING = "（「『【《〈“‘"
_CLOSING = "，。、；：！？）」』】》〉”’…"
_WORD = (
    rf"\s*(?:[{_OPENING}]*[{_HAN}][{_CLOSING}]*"
    rf"|[{_OPENING}]*[^\s{_HAN}{_OPENING}{_CLOSING}]+[{_CLOSING}]*"
    rf"|[{_OPENING}{_CLOSING}]+)\s*"
)


def wrap_chinese_by_character() -> None:
    """Make rich wrap Chinese by character width, not only at spaces.

    rich cuts a line into words at whitespace, so "用 Keras 训练时，……" breaks after
    "Keras" and leaves a ragged line. Here every Chinese character is a word of its own,
    with its punctuation kept beside it; text without Chinese is cut exactly as before.
    """
    import re

    from rich import _wrap

    if getattr(_wrap, "_mlkata", False):
        return
    _wrap.re_word = re.compile(_WORD)
    _wrap._mlkata = True


def language(args) -> str:
    """`--lang` when given (after the command, or before it), else the locale's (zh or en)."""
    from grader.text import default_language

    chosen = getattr(args, "lang", None) or getattr(args, "global_lang", None)
    return chosen if chosen in ("en", "zh") else default_language()
