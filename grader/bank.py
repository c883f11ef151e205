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
from grader.messages import say
from grader.paths import shown
from grader.text import LANGUAGES, Text
from grader.yamlsource import LineDict, LineList


def MISSING() -> str:  # noqa: N802 (a word, in the current language)
    return say(en="missing", zh="缺少")


def MUST_BE_LIST() -> str:  # noqa: N802
    return say(en="must be a list", zh="必须是列表")


def MUST_BE_NON_EMPTY_LIST() -> str:  # noqa: N802
    return say(en="must be a non-empty list", zh="必须是非空列表")


FORMAT_VERSION = 1
TYPES = ("choice", "multi", "truefalse", "numeric", "short", "open")
DIFFICULTIES = ("easy", "medium", "hard")
LETTERS = "ABCDEFGH"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

BANK_KEYS = ("format_version", "topic", "title", "questions")
COMMON_KEYS = ("id", "type", "difficulty", "tags", "prompt", "explanation", "source",
               "params", "derived", "picture")  # fmt: skip
TYPE_KEYS = {
    "choice": ("options", "answer"),
    "multi": ("options", "answer"),
    "truefalse": ("answer",),
    "numeric": ("answer", "tolerance", "unit", "recipe"),
    "short": ("answers",),
    # guid: the note's id in the deck it was imported from (Anki), so a re-import skips it
    "open": ("answer", "key_points", "guid"),
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
        parts = [shown(self.path) + (f":{self.line}" if self.line else "")]
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
    variants: Any = field(default=None, compare=False)  # a grader.variants.Spec, from params
    variant: str | None = None  # which variant this is, once posed (JSON of the params)
    picture: Any = field(default=None, compare=False)  # a grader.pictures.Picture to show
    path: Path = field(default=Path(), compare=False)
    line: int = field(default=0, compare=False)

    def texts(self) -> list[Text]:
        """Every translatable text of the question (for language coverage)."""
        found = [self.prompt, self.explanation, *self.options, *self.key_points]
        return found + [t for t in (self.unit, self.reference) if t is not None]

    @property
    def unfinished(self) -> bool:
        """Whether a `TODO:` placeholder (as `mlkata new question` writes) is left in it:
        valid, so the bank keeps loading while it is filled in, but not for learners."""
        strings = [s for t in self.texts() for s in (t.en, t.zh, t.plain) if s]
        return any(s.lstrip().startswith("TODO") for s in [*strings, *self.answers])


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
        try:
            if path.is_dir():
                found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            elif path.is_file():
                found = [path]
            else:
                errors.append(
                    BankError(
                        path, None, "", say(en="no such file or folder", zh="没有这个文件或文件夹")
                    )
                )
                continue
        except OSError as exc:
            errors.append(
                BankError(
                    path,
                    None,
                    "",
                    say(
                        en=f"cannot read: {exc.strerror or exc}",
                        zh=f"无法读取：{exc.strerror or exc}",
                    ),
                )
            )
            continue
        known = {g.resolve() for g in files}
        files += [f for f in found if f.resolve() not in known]
    return files, errors


def load_banks(paths: Iterable[Path] | None = None) -> Loaded:
    """Load every bank under `paths` (default: the shipped `questions/`).

    What the files held when they were last parsed comes from grader.bankcache, which
    returns exactly what parsing them again would."""
    from grader import bankcache

    files, errors = bank_files(default_paths() if paths is None else paths)
    parsed = bankcache.load(files, lambda: parse_banks(files))
    return Loaded(parsed.banks, tuple(errors) + parsed.errors)


def parse_banks(files: Iterable[Path]) -> Loaded:
    """Parse and validate bank files, in order, without the cache."""
    banks: list[Bank] = []
    errors: list[BankError] = []
    seen: dict[str, tuple[Path, int]] = {}
    for path in files:
        bank, bank_errors = load_bank(path, seen)
        errors += bank_errors
        if bank is not None:
            banks.append(bank)
    return Loaded(tuple(banks), tuple(errors))


def load_bank(
    path: Path, seen: dict[str, tuple[Path, int]] | None = None
) -> tuple[Bank | None, list[BankError]]:
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
    """Reads one bank's data, collecting every error instead of stopping at the first."""

    def __init__(self, path: Path, seen: dict[str, tuple[Path, int]]) -> None:
        self.path = path
        self.seen = seen
        self.errors: list[BankError] = []

    def error(self, line: int | None, field: str, message: str) -> None:
        self.errors.append(BankError(self.path, line, field, message))

    def at(self, data: LineDict, key: str, message: str) -> None:
        """An error about `data[key]`, at its line (the mapping's line when it is missing)."""
        self.error(data.lines.get(key, data.line), key, message)

    def read(self, data: Any) -> tuple[Bank | None, list[BankError]]:
        if not isinstance(data, LineDict):
            self.error(
                1,
                "",
                say(
                    en="a bank is a mapping: format_version, topic, title, questions",
                    zh="题库是一个映射：format_version、topic、title、questions",
                ),
            )
            return None, self.errors
        self.unknown_keys(data, BANK_KEYS)
        before = len(self.errors)
        version = data.get("format_version")
        if version != FORMAT_VERSION or isinstance(version, bool):
            found = (
                MISSING()
                if version is None
                else say(en=f"{version!r} is not supported", zh=f"不支持 {version!r}")
            )
            self.at(
                data,
                "format_version",
                found
                + say(
                    en=f"; this mlkata reads format_version {FORMAT_VERSION}",
                    zh=f"；这个 mlkata 读取 format_version {FORMAT_VERSION}",
                ),
            )
        topic = self.slug(data, "topic")
        title = self.text(data, "title")
        if "title" not in data:
            self.at(data, "title", MISSING())
        questions = data.get("questions")
        if not isinstance(questions, LineList):
            self.at(data, "questions", MISSING() if questions is None else MUST_BE_LIST())
        if len(self.errors) > before:
            return None, self.errors
        read = [self.question(q, line, topic) for q, line in _items(questions)]
        return Bank(self.path, topic, title, tuple(q for q in read if q)), self.errors

    def question(self, q: Any, line: int, topic: str) -> Question | None:
        if not isinstance(q, LineDict):
            self.error(
                line,
                "questions",
                say(
                    en="each question is a mapping (id: ..., type: ...)",
                    zh="每道题是一个映射（id: ...，type: ...）",
                ),
            )
            return None
        before = len(self.errors)
        qtype = q.get("type")
        if "type" in q and qtype not in TYPES:
            self.at(
                q,
                "type",
                say(
                    en=f"unknown type {qtype!r}; use {_or(TYPES)}",
                    zh=f"未知类型 {qtype!r}；可用：{_or(TYPES)}",
                ),
            )
        if qtype in TYPES:
            self.unknown_keys(
                q,
                COMMON_KEYS + TYPE_KEYS[qtype],
                say(en=f" for a {qtype} question", zh=f"（{qtype} 题）"),
            )
        for key in REQUIRED + TYPE_REQUIRED.get(qtype, ()):
            if key not in q:
                why = (
                    say(en=f" (required for {qtype})", zh=f"（{qtype} 题必填）")
                    if key in TYPE_REQUIRED.get(qtype, ())
                    else ""
                )
                self.at(q, key, MISSING() + why)
        qid = self.slug(q, "id") if "id" in q else None
        if qid in self.seen:
            other, other_line = self.seen[qid]
            self.at(
                q,
                "id",
                say(
                    en=f"duplicate id {qid!r} (also at {shown(other)}:{other_line})",
                    zh=f"重复的 id {qid!r}（另见 {shown(other)}:{other_line}）",
                ),
            )
        elif qid:
            self.seen[qid] = (self.path, q.lines["id"])
        difficulty = q.get("difficulty")
        if "difficulty" in q and difficulty not in DIFFICULTIES:
            self.at(
                q,
                "difficulty",
                say(
                    en=f"unknown difficulty {difficulty!r}; use {_or(DIFFICULTIES)}",
                    zh=f"未知难度 {difficulty!r}；可用：{_or(DIFFICULTIES)}",
                ),
            )
        tags = self.strings(q, "tags", allow_empty=True)
        prompt, explanation = self.text(q, "prompt"), self.text(q, "explanation")
        source = self.text(q, "source") if "source" in q else None
        if "guid" in q and not (isinstance(q["guid"], str) and q["guid"].strip()):
            self.at(q, "guid", "must be the note's id as text")
        fields = self.answer_fields(q, qtype) if qtype in TYPES else {}
        if "params" in q or "derived" in q:
            fields["variants"] = self.variant_space(q, qtype)
        if "picture" in q:
            from grader import pictures

            fields["picture"], problems = pictures.read(q["picture"])
            for message in problems:
                self.at(q, "picture", message)
        if len(self.errors) > before:
            return None
        return Question(qid, topic, qtype, difficulty, tuple(tags), prompt, explanation, source,
                        path=self.path, line=line, **fields)  # fmt: skip

    def answer_fields(self, q: LineDict, qtype: str) -> dict[str, Any]:
        answer, has_answer = q.get("answer"), "answer" in q
        if qtype in ("choice", "multi"):
            options = self.texts(q, "options")
            if not 2 <= len(options) <= len(LETTERS) and options:
                self.at(
                    q,
                    "options",
                    say(
                        en=f"give 2 to {len(LETTERS)} options, not {len(options)}",
                        zh=f"需要 2 到 {len(LETTERS)} 个选项，而不是 {len(options)} 个",
                    ),
                )
            letters = [answer] if qtype == "choice" else answer
            if qtype == "multi" and (not isinstance(answer, list) or not answer):
                self.at(
                    q,
                    "answer",
                    say(
                        en="a multi answer is a non-empty list of letters, e.g. [A, C]",
                        zh="多选题的答案是非空的字母列表，例如 [A, C]",
                    ),
                )
                return {}
            correct = [self.letter(q, x, len(options)) for x in letters] if has_answer else []
            if len(set(correct)) < len(correct):
                self.at(q, "answer", say(en="a letter is repeated", zh="有字母重复"))
            correct = [c for c in correct if c is not None]
            return {"options": tuple(options), "correct": tuple(correct)}
        if qtype == "truefalse":
            if has_answer and not isinstance(answer, bool):
                self.at(
                    q,
                    "answer",
                    say(
                        en=f"must be true or false, not {answer!r}",
                        zh=f"必须是 true 或 false，而不是 {answer!r}",
                    ),
                )
            return {"truth": answer}
        if qtype == "numeric":
            if (
                has_answer
                and not _is_number(answer)
                and not ("params" in q and isinstance(answer, str))
            ):
                quoted = isinstance(answer, str) and _is_numeric_text(answer)
                self.at(
                    q,
                    "answer",
                    say(
                        en=f"a numeric question needs a number, not {answer!r}",
                        zh=f"数值题需要一个数，而不是 {answer!r}",
                    )
                    + (say(en=": remove the quotes", zh="：去掉引号") if quoted else ""),
                )
            tolerance = q.get("tolerance", 0)
            if not _is_number(tolerance) or tolerance < 0:
                self.at(
                    q,
                    "tolerance",
                    say(
                        en=f"must be a number >= 0, not {tolerance!r}",
                        zh=f"必须是 >= 0 的数，而不是 {tolerance!r}",
                    ),
                )
                tolerance = 0
            recipe = q.get("recipe")
            if recipe is not None and not isinstance(recipe, str):
                self.at(
                    q,
                    "recipe",
                    say(
                        en="must be Python source text (write recipe: |)",
                        zh="必须是 Python 源代码文本（写作 recipe: |）",
                    ),
                )
            unit = self.text(q, "unit") if "unit" in q else None
            value = answer if _is_number(answer) else None  # an expression: set when posed
            return {"value": value, "tolerance": float(tolerance), "unit": unit, "recipe": recipe}
        if qtype == "short":
            return {"answers": tuple(self.strings(q, "answers", numbers=True))}
        reference = self.text(q, "answer") if has_answer else None  # open
        return {"reference": reference, "key_points": tuple(self.texts(q, "key_points"))}

    def variant_space(self, q: LineDict, qtype: str) -> Any:
        """A parametrised question's Spec (grader.variants); its problems as errors."""
        from grader import variants

        if "params" not in q:
            self.at(q, "derived", "needs params to derive from")
            return None
        answer = q.get("answer") if qtype == "numeric" else None
        if qtype == "numeric" and _is_number(answer):
            answer = None  # a fixed answer: the params only vary the wording
        spec, problems = variants.read(q["params"], q.get("derived"), answer)
        for key, message in problems:
            self.at(q, key.split(".")[0], f"{key}: {message}" if "." in key else message)
        return spec

    # -- one field ---------------------------------------------------------------------

    def unknown_keys(self, data: LineDict, allowed: tuple[str, ...], why: str = "") -> None:
        for key in data:
            if key not in allowed:
                self.at(
                    data,
                    key,
                    say(
                        en=f"unknown key; allowed{why}: {', '.join(allowed)}",
                        zh=f"未知的键；允许的键{why}：{', '.join(allowed)}",
                    ),
                )

    def slug(self, data: LineDict, key: str) -> str | None:
        value = data.get(key)
        if isinstance(value, str) and SLUG.match(value):
            return value
        found = (
            MISSING()
            if value is None
            else say(en=f"{value!r} is not a slug", zh=f"{value!r} 不是合法的 slug")
        )
        self.at(
            data,
            key,
            found
            + say(
                en=" (lowercase letters, digits, single dashes: cnn-pooling)",
                zh="（小写字母、数字和单个短横线，例如 cnn-pooling）",
            ),
        )
        return None

    def text(self, data: LineDict | LineList, key: Any, name: str = "") -> Text | None:
        """`data[key]` as Text: a non-empty string or {en: ..., zh: ...}."""
        if isinstance(data, LineDict) and key not in data:
            return None  # reported as missing where it is required
        value, name = data[key], name or key
        line = data.lines[key] if isinstance(data, LineList) else data.lines.get(key, data.line)
        if isinstance(value, str) and value.strip():
            return Text.of(value)
        if not isinstance(value, LineDict):
            self.error(
                line,
                name,
                say(
                    en=f"must be text or {{en: ..., zh: ...}}, not {_kind(value)}",
                    zh=f"必须是文本或 {{en: ..., zh: ...}}，而不是 {_kind(value)}",
                ),
            )
            return None
        before = len(self.errors)
        for lang, text in value.items():
            if lang not in LANGUAGES:
                where = value.lines[lang]
                self.error(
                    where,
                    f"{name}.{lang}",
                    say(
                        en=f"unknown language; use {_or(LANGUAGES)}",
                        zh=f"未知语言；可用：{_or(LANGUAGES)}",
                    ),
                )
            elif not isinstance(text, str) or not text.strip():
                self.error(
                    value.lines[lang],
                    f"{name}.{lang}",
                    say(en="must be non-empty text", zh="必须是非空文本"),
                )
        if not value:
            self.error(line, name, say(en="give at least one of en, zh", zh="至少给出 en、zh 之一"))
        return Text.of(value) if len(self.errors) == before else None

    def texts(self, data: LineDict, key: str) -> list[Text]:
        items = data.get(key)
        if key in data and (not isinstance(items, LineList) or not items):
            self.at(data, key, MUST_BE_NON_EMPTY_LIST())
        if not isinstance(items, LineList):
            return []
        return [self.text(items, i, f"{key}[{i}]") for i in range(len(items))]

    def strings(self, data: LineDict, key: str, allow_empty=False, numbers=False) -> list[str]:
        if key not in data:
            return []
        items = data[key]
        if not isinstance(items, LineList) or not (items or allow_empty):
            self.at(data, key, MUST_BE_LIST() if allow_empty else MUST_BE_NON_EMPTY_LIST())
            return []
        out = []
        for i, (x, line) in enumerate(_items(items)):
            if numbers and _is_number(x) and isinstance(x, int):
                x = str(x)
            if isinstance(x, str) and x.strip():
                out.append(x)
            else:
                self.error(
                    line,
                    f"{key}[{i}]",
                    say(
                        en=f"must be text, not {_kind(x)}; put it in quotes",
                        zh=f"必须是文本，而不是 {_kind(x)}；请加上引号",
                    ),
                )
        return out

    def letter(self, q: LineDict, value: Any, count: int) -> int | None:
        if not isinstance(value, str) or value.upper() not in LETTERS[: count or len(LETTERS)]:
            last = f"A-{LETTERS[count - 1]}" if count else "A, B, C, ..."
            self.at(
                q,
                "answer",
                say(
                    en=f"{value!r} is out of range: the options are {last}",
                    zh=f"{value!r} 超出范围：选项是 {last}",
                ),
            )
            return None
        return LETTERS.index(value.upper())


def _items(items: LineList) -> zip:
    return zip(items, items.lines, strict=True)


def _is_numeric_text(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "empty text"}
    names |= {type(None): "empty", LineList: "a list", LineDict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def _or(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + " or " + choices[-1]
