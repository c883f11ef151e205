"""Question banks: load and validate `questions/*.yaml` into frozen dataclasses.

Validation never stops at the first problem: `load_banks` returns every valid
bank (a question with errors is left out, the rest of its bank kept) together
with every `BankError`, each naming file, line and field.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import yamlsource
from grader.text import LANGUAGES, Text

FORMAT_VERSION = 1
TYPES = ("choice", "multi", "truefalse", "numeric", "short", "open")
DIFFICULTIES = ("easy", "medium", "hard")
LETTERS = "ABCDEFGH"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

BANK_KEYS = ("format_version", "topic", "title", "questions")
COMMON_KEYS = ("id", "type", "difficulty", "tags", "prompt", "explanation", "source")
TYPE_KEYS = {
    "choice": ("options", "answer"),
    "multi": ("options", "answer"),
    "truefalse": ("answer",),
    "numeric": ("answer", "tolerance", "unit", "recipe"),
    "short": ("answers",),
    "open": ("answer", "key_points"),
}
REQUIRED = ("id", "type", "difficulty", "tags", "prompt", "explanation")
TYPE_REQUIRED = {
    "choice": ("options", "answer"),
    "multi": ("options", "answer"),
    "truefalse": ("answer",),
    "numeric": ("answer",),
    "short": ("answers",),
    "open": ("answer",),
}


@dataclass(frozen=True)
class BankError:
    """One problem in a bank, printed as `file:line: field: message`."""

    path: Path
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        parts = [_display(self.path) + (f":{self.line}" if self.line else "")]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class Question:
    """One question; only the fields of its `type` are set."""

    id: str
    topic: str
    type: str
    difficulty: str
    tags: tuple[str, ...]
    prompt: Text
    explanation: Text
    source: Text | None = None
    options: tuple[Text, ...] = ()  # choice, multi
    correct: tuple[int, ...] = ()  # choice, multi: 0-based option indexes
    truth: bool | None = None  # truefalse
    value: int | float | None = None  # numeric
    tolerance: float = 0.0  # numeric
    unit: Text | None = None  # numeric
    recipe: str | None = None  # numeric
    answers: tuple[str, ...] = ()  # short
    reference: Text | None = None  # open
    key_points: tuple[Text, ...] = ()  # open
    path: Path = field(default=Path(), compare=False)
    line: int = field(default=0, compare=False)

    def texts(self) -> list[Text]:
        """Every translatable text of the question (for language coverage)."""
        found = [self.prompt, self.explanation, *self.options, *self.key_points]
        return found + [t for t in (self.unit, self.reference) if t is not None]


@dataclass(frozen=True)
class Bank:
    path: Path
    topic: str
    title: Text
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Loaded:
    banks: tuple[Bank, ...]
    errors: tuple[BankError, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for bank in self.banks for q in bank.questions]


@dataclass(frozen=True)
class BankCounts:
    """What `mlkata topics` shows for one bank."""

    topic: str
    title: Text
    path: Path
    questions: int
    by_type: dict[str, int]
    by_difficulty: dict[str, int]
    by_language: dict[str, int]  # questions readable in that language without fallback


def default_paths() -> list[Path]:
    from grader.paths import content_dir

    return [content_dir("questions")]


def bank_files(paths: Iterable[Path]) -> tuple[list[Path], list[BankError]]:
    """Expand folders to their `*.yaml` / `*.yml` files, in name order."""
    files: list[Path] = []
    errors: list[BankError] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(BankError(path, None, "", "no such file or folder"))
    return files, errors


def load_banks(paths: Iterable[Path] | None = None) -> Loaded:
    """Load every bank under `paths` (default: the shipped `questions/`)."""
    files, errors = bank_files(default_paths() if paths is None else paths)
    banks: list[Bank] = []
    seen: dict[str, tuple[Path, int]] = {}
    for path in files:
        bank, bank_errors = load_bank(path, seen)
        errors += bank_errors
        if bank is not None:
            banks.append(bank)
    return Loaded(tuple(banks), tuple(errors))


def load_bank(path: Path, seen: dict[str, tuple[Path, int]] | None = None):
    """One bank and its errors; `seen` (id -> where) finds duplicates across files."""
    seen = {} if seen is None else seen
    try:
        data = yamlsource.load(path)
    except yamlsource.SourceError as exc:
        return None, [BankError(exc.path, exc.line, "", exc.message)]
    return _BankReader(Path(path), seen).read(data)


def counts(bank: Bank) -> BankCounts:
    qs = bank.questions
    return BankCounts(
        topic=bank.topic,
        title=bank.title,
        path=bank.path,
        questions=len(qs),
        by_type={t: n for t in TYPES if (n := sum(q.type == t for q in qs))},
        by_difficulty=dict(Counter(q.difficulty for q in qs)),
        by_language={
            lang: sum(all(t.has(lang) for t in q.texts()) for q in qs) for lang in LANGUAGES
        },
    )


class _BankReader:
    def __init__(self, path: Path, seen: dict[str, tuple[Path, int]]) -> None:
        self.path = path
        self.seen = seen
        self.errors: list[BankError] = []

    def error(self, line: int | None, field: str, message: str) -> None:
        self.errors.append(BankError(self.path, line, field, message))

    def read(self, data: Any) -> tuple[Bank | None, list[BankError]]:
        if not isinstance(data, yamlsource.LineDict):
            self.error(1, "", "a bank is a mapping with format_version, topic, title, questions")
            return None, self.errors
        self.unknown_keys(data, BANK_KEYS, "")
        before = len(self.errors)
        version = data.get("format_version")
        if "format_version" not in data:
            self.error(
                data.line, "format_version", f"missing (write format_version: {FORMAT_VERSION})"
            )
        elif version != FORMAT_VERSION or isinstance(version, bool):
            self.error(
                data.lines["format_version"],
                "format_version",
                f"{version!r} is not supported; this mlkata reads format_version {FORMAT_VERSION}",
            )
        topic = self.slug(data, "topic")
        title = self.required_text(data, "title")
        questions = data.get("questions")
        if "questions" not in data:
            self.error(data.line, "questions", "missing")
        elif not isinstance(questions, yamlsource.LineList):
            self.error(data.lines["questions"], "questions", "must be a list of questions")
        if len(self.errors) > before:
            return None, self.errors
        read = [
            self.question(item, line, topic)
            for item, line in zip(questions, questions.lines, strict=True)
        ]
        return Bank(self.path, topic, title, tuple(q for q in read if q)), self.errors

    # -- one question -------------------------------------------------------------

    def question(self, q: Any, line: int, topic: str) -> Question | None:
        if not isinstance(q, yamlsource.LineDict):
            self.error(line, "questions", "each question must be a mapping (id: ..., type: ...)")
            return None
        before = len(self.errors)
        qtype = q.get("type")
        if "type" in q and qtype not in TYPES:
            self.error(q.lines["type"], "type", f"unknown type {qtype!r}; use one of {_or(TYPES)}")
            qtype = None
        allowed = COMMON_KEYS + TYPE_KEYS.get(qtype, ()) if qtype else None
        if allowed:
            self.unknown_keys(q, allowed, "", f"for a {qtype} question")
        for key in REQUIRED + TYPE_REQUIRED.get(qtype, ()):
            if key not in q:
                self.error(
                    q.line,
                    key,
                    "missing"
                    + (f" (required for {qtype})" if key in TYPE_KEYS.get(qtype, ()) else ""),
                )
        qid = self.slug(q, "id") if "id" in q else None
        if qid:
            if qid in self.seen:
                where_path, where_line = self.seen[qid]
                self.error(
                    q.lines["id"],
                    "id",
                    f"duplicate id {qid!r} (also at {_display(where_path)}:{where_line})",
                )
            else:
                self.seen[qid] = (self.path, q.lines["id"])
        difficulty = q.get("difficulty")
        if "difficulty" in q and difficulty not in DIFFICULTIES:
            self.error(
                q.lines["difficulty"],
                "difficulty",
                f"unknown difficulty {difficulty!r}; use one of {_or(DIFFICULTIES)}",
            )
        tags = self.strings(q, "tags", allow_empty=True)
        prompt = self.required_text(q, "prompt")
        explanation = self.required_text(q, "explanation")
        source = self.text(q["source"], q.lines["source"], "source") if "source" in q else None
        fields = self.answer_fields(q, qtype) if qtype else {}
        if len(self.errors) > before:
            return None
        return Question(
            id=qid,
            topic=topic,
            type=qtype,
            difficulty=difficulty,
            tags=tuple(tags),
            prompt=prompt,
            explanation=explanation,
            source=source,
            path=self.path,
            line=line,
            **fields,
        )

    def answer_fields(self, q: yamlsource.LineDict, qtype: str) -> dict[str, Any]:
        answer, line = q.get("answer"), q.lines.get("answer", q.line)
        if qtype in ("choice", "multi"):
            options = self.texts(q, "options")
            if options is not None and not 2 <= len(options) <= len(LETTERS):
                self.error(
                    q.lines["options"],
                    "options",
                    f"give 2 to {len(LETTERS)} options, not {len(options)}",
                )
            letters = [answer] if qtype == "choice" else answer
            if qtype == "multi" and not isinstance(answer, list):
                self.error(line, "answer", "a multi answer is a list of letters, e.g. [A, C]")
                return {}
            if qtype == "multi" and not answer:
                self.error(line, "answer", "give at least one correct letter")
            correct = [self.letter(x, line, len(options or ())) for x in letters]
            if len(set(correct)) < len(correct):
                self.error(line, "answer", "a letter is repeated")
            return {
                "options": tuple(options or ()),
                "correct": tuple(c for c in correct if c is not None),
            }
        if qtype == "truefalse":
            if "answer" in q and not isinstance(answer, bool):
                self.error(line, "answer", f"must be true or false, not {answer!r}")
            return {"truth": answer}
        if qtype == "numeric":
            if "answer" in q and not _is_number(answer):
                self.error(line, "answer", f"a numeric question needs a number, not {answer!r}")
            tolerance = q.get("tolerance", 0)
            if not _is_number(tolerance) or tolerance < 0:
                self.error(
                    q.lines.get("tolerance"),
                    "tolerance",
                    f"must be a number >= 0, not {tolerance!r}",
                )
            recipe = q.get("recipe")
            if recipe is not None and not isinstance(recipe, str):
                self.error(
                    q.lines["recipe"], "recipe", "must be Python source text (use recipe: |)"
                )
            unit = self.text(q["unit"], q.lines["unit"], "unit") if "unit" in q else None
            return {
                "value": answer,
                "tolerance": float(tolerance) if _is_number(tolerance) else 0.0,
                "unit": unit,
                "recipe": recipe,
            }
        if qtype == "short":
            answers = self.strings(q, "answers", numbers=True)
            return {"answers": tuple(answers)}
        # open
        reference = self.text(answer, line, "answer") if "answer" in q else None
        key_points = self.texts(q, "key_points") if "key_points" in q else []
        return {"reference": reference, "key_points": tuple(key_points or ())}

    # -- field helpers ---------------------------------------------------------------

    def unknown_keys(
        self, data: yamlsource.LineDict, allowed: tuple[str, ...], prefix: str, why: str = ""
    ) -> None:
        for key in data:
            if key not in allowed:
                hint = f"; allowed {why + ': ' if why else ''}{', '.join(allowed)}"
                self.error(data.lines[key], prefix + str(key), f"unknown key{hint}")

    def slug(self, data: yamlsource.LineDict, key: str) -> str | None:
        value = data.get(key)
        if key not in data:
            self.error(data.line, key, "missing")
        elif not isinstance(value, str) or not SLUG.match(value):
            self.error(
                data.lines[key],
                key,
                f"{value!r} is not a slug (lowercase letters, digits, single dashes: cnn-pooling)",
            )
        else:
            return value
        return None

    def required_text(self, data: yamlsource.LineDict, key: str) -> Text | None:
        if key not in data:
            if key not in REQUIRED:
                self.error(data.line, key, "missing")
            return None
        return self.text(data[key], data.lines[key], key)

    def text(self, value: Any, line: int, name: str) -> Text | None:
        if isinstance(value, str) and value.strip():
            return Text.of(value)
        if isinstance(value, yamlsource.LineDict):
            ok = True
            for lang, text in value.items():
                if lang not in LANGUAGES:
                    self.error(
                        value.lines[lang],
                        f"{name}.{lang}",
                        f"unknown language; use {_or(LANGUAGES)}",
                    )
                    ok = False
                elif not isinstance(text, str) or not text.strip():
                    self.error(value.lines[lang], f"{name}.{lang}", "must be non-empty text")
                    ok = False
            if not value:
                self.error(line, name, "give at least one of en, zh")
                ok = False
            return Text.of(value) if ok else None
        self.error(line, name, f"must be text or {{en: ..., zh: ...}}, not {_kind(value)}")
        return None

    def texts(self, data: yamlsource.LineDict, key: str) -> list[Text] | None:
        items = data.get(key)
        if key not in data:
            return None
        if not isinstance(items, yamlsource.LineList) or not items:
            self.error(data.lines[key], key, "must be a non-empty list")
            return None
        return [
            self.text(x, ln, f"{key}[{i}]")
            for i, (x, ln) in enumerate(zip(items, items.lines, strict=True))
        ]

    def strings(
        self, data: yamlsource.LineDict, key: str, allow_empty: bool = False, numbers: bool = False
    ) -> list[str]:
        items = data.get(key)
        if key not in data:
            return []
        if not isinstance(items, yamlsource.LineList) or (not items and not allow_empty):
            self.error(
                data.lines[key], key, "must be a " + ("list" if allow_empty else "non-empty list")
            )
            return []
        out = []
        for i, (x, ln) in enumerate(zip(items, items.lines, strict=True)):
            if numbers and isinstance(x, int) and not isinstance(x, bool):
                x = str(x)
            if not isinstance(x, str) or not x.strip():
                self.error(ln, f"{key}[{i}]", f'must be text, not {_kind(x)} (quote it: "{x}")')
            else:
                out.append(x)
        return out

    def letter(self, value: Any, line: int, n_options: int) -> int | None:
        if not isinstance(value, str) or len(value) != 1 or value.upper() not in LETTERS:
            self.error(line, "answer", f"{value!r} is not an option letter (A, B, C, ...)")
            return None
        index = LETTERS.index(value.upper())
        if n_options and index >= n_options:
            self.error(
                line,
                "answer",
                f"{value!r} is out of range: the options are A-{LETTERS[n_options - 1]}",
            )
            return None
        return index


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    return {bool: "true/false", int: "a number", float: "a number", str: "empty text"}.get(
        type(value),
        "a "
        + (
            "list"
            if isinstance(value, list)
            else "mapping"
            if isinstance(value, dict)
            else type(value).__name__
        ),
    )


def _or(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + " or " + choices[-1]


def _display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
