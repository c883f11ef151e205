"""The language the hidden checks speak, without importing numpy: the CLI sets it before
it starts the checks process, and every check message reads it."""

from __future__ import annotations

import os

LANGUAGE_VARIABLE = "MLKATA_CHECKS_LANG"


def language() -> str:
    """The language the learner reads check messages in: `MLKATA_CHECKS_LANG`, set by the
    runner from `--lang` or the locale (en or zh)."""
    return "zh" if os.environ.get(LANGUAGE_VARIABLE, "en") == "zh" else "en"


def use_language(lang: str) -> None:
    """Make the checks speak `lang` (en or zh) in this process and the ones it starts."""
    os.environ[LANGUAGE_VARIABLE] = "zh" if lang == "zh" else "en"
