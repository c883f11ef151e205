"""What every command shares for output: the rich console and the learner's language."""

from __future__ import annotations


def console():
    """A rich console on today's stdout (grading redirects sys.stdout while checks run)."""
    import sys

    from rich.console import Console

    return Console(highlight=False, file=sys.stdout)


def language(args) -> str:
    """`--lang` when given, else the locale's language (zh or en)."""
    from grader.text import default_language

    return getattr(args, "lang", None) or default_language()
