"""Bilingual text: a plain string or `{en, zh}`, shown with language fallback."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


@dataclass(frozen=True)
class Shown:
    """Text picked for a language; `fallback` names the language used instead, if any."""

    text: str
    fallback: str | None = None


@dataclass(frozen=True)
class Text:
    """One text field of a bank.

    A plain string in YAML is language-neutral (a formula, a name like "ReLU"):
    it is stored in `plain` and shown as is in every language.
    """

    en: str | None = None
    zh: str | None = None
    plain: str | None = None

    @classmethod
    def of(cls, value: str | Mapping[str, str]) -> Text:
        if isinstance(value, str):
            return cls(plain=value)
        return cls(en=value.get("en"), zh=value.get("zh"))

    def has(self, lang: str) -> bool:
        """Whether this text reads in `lang` without falling back."""
        return self.plain is not None or getattr(self, lang) is not None

    def show(self, lang: str) -> Shown:
        if self.plain is not None:
            return Shown(self.plain)
        wanted = getattr(self, lang)
        if wanted is not None:
            return Shown(wanted)
        for other in LANGUAGES:
            if other != lang and getattr(self, other) is not None:
                return Shown(getattr(self, other), fallback=other)
        return Shown("")

    def __call__(self, lang: str) -> str:
        return self.show(lang).text


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """`zh` when the locale says Chinese (LC_ALL, LC_MESSAGES, then LANG), else `en`."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def fallback_note(shown: Shown, lang: str) -> str:
    """The note a renderer prints under fallback text, in the learner's language."""
    if shown.fallback is None:
        return ""
    if lang == "zh":
        return f"（{LANGUAGE_NAMES[shown.fallback]}：暂无中文翻译）"
    return f"({LANGUAGE_NAMES[shown.fallback]}: no English translation yet)"
