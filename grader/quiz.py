"""The quiz's rules: which questions come next, whether an answer is right, what fsrs hears.

From verdict to fsrs rating (py-fsrs `Rating`):

- a right answer to an auto-graded question (choice, multi, truefalse, numeric,
  short) is Good;
- a wrong one is Again, and so is an answer the quiz could not read when input
  is piped (in a terminal it asks again instead);
- an `open` question shows its reference answer and key points, and the learner
  rates their own recall: Again (forgot), Hard, Good or Easy.

Ratings other than Again count as correct in the score and in `mlkata stats`.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from grader.bank import LETTERS, Question

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4  # fsrs.Rating values
RATING_NAMES = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}
RATING_WORDS = {
    **{name: value for value, name in RATING_NAMES.items()},
    **{str(value): value for value in RATING_NAMES},
    "重来": AGAIN, "忘了": AGAIN, "困难": HARD, "良好": GOOD, "简单": EASY,
}  # fmt: skip
TRUE_WORDS = {"true", "t", "yes", "y", "1", "对", "是", "正确", "真"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "错", "否", "错误", "假"}

SKIP_WORDS = {"skip", "s", "跳过", "?", "？"}

RIGHT, WRONG, UNREADABLE, RECALL = "right", "wrong", "unreadable", "recall"

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_AROUND_PUNCTUATION = re.compile(r" ?([^\w\s]) ?")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one answer.

    `kind` is right, wrong, unreadable (the CLI asks again, or counts it wrong
    when input is piped) or recall (an open question: the learner rates it next).
    """

    kind: str

    @property
    def rating(self) -> int | None:
        """The fsrs rating this verdict implies; None for recall (the learner decides)."""
        return {RIGHT: GOOD, WRONG: AGAIN, UNREADABLE: AGAIN}.get(self.kind)


@dataclass(frozen=True)
class Plan:
    """The questions a quiz will ask, and where they come from."""

    questions: list[Question]
    due: int  # reviews due now, asked first
    new: int  # questions never answered
    ahead: int  # reviews not due yet, asked early because nothing else was left


def plan(
    questions: Iterable[Question],
    due: Mapping[str, datetime],
    now: datetime,
    n: int = 10,
    topics: Iterable[str] = (),
    tags: Iterable[str] = (),
    difficulty: str | None = None,
    seed: int | None = None,
    due_only: bool = False,
) -> Plan:
    """Up to `n` questions: due reviews (most overdue first), then new ones (shuffled).

    When fewer than `n` are due or new, the ones coming due soonest fill the rest, so
    a learner who asks to practise always gets questions; `ahead` counts them, so the
    quiz can say so. `due_only` asks due reviews and nothing else.
    """
    topics, tags = set(topics), set(tags)
    pool = [
        q
        for q in questions
        if (not topics or q.topic in topics)
        and (not tags or tags & set(q.tags))
        and (difficulty is None or q.difficulty == difficulty)
        and not q.unfinished
    ]
    rng = random.Random(seed)
    fresh = [q for q in pool if q.id not in due]
    rng.shuffle(fresh)
    seen = sorted((q for q in pool if q.id in due), key=lambda q: due[q.id])
    reviews = [q for q in seen if due[q.id] <= now][:n]
    if due_only:
        return Plan(reviews, len(reviews), 0, 0)
    fresh = fresh[: n - len(reviews)]
    ahead = [q for q in seen if due[q.id] > now][: n - len(reviews) - len(fresh)]
    return Plan(reviews + fresh + ahead, len(reviews), len(fresh), len(ahead))


def select(
    questions: Iterable[Question],
    due: Mapping[str, datetime],
    now: datetime,
    n: int = 10,
    topics: Iterable[str] = (),
    tags: Iterable[str] = (),
    difficulty: str | None = None,
    seed: int | None = None,
) -> list[Question]:
    """The questions of `plan`, for callers that need only those."""
    return plan(questions, due, now, n, topics, tags, difficulty, seed).questions


def check(question: Question, raw: str) -> Verdict:
    """Whether `raw` (one typed line) answers `question`."""
    text = _normalize(raw)
    if question.type == "open":
        return Verdict(RECALL)
    if not text:
        return Verdict(UNREADABLE)
    if question.type in ("choice", "multi"):
        picked = _options(text, len(question.options), many=question.type == "multi")
        if picked is None:
            return Verdict(UNREADABLE)
        return _verdict(picked == set(question.correct))
    if question.type == "truefalse":
        if text in TRUE_WORDS or text in FALSE_WORDS:
            return _verdict((text in TRUE_WORDS) == question.truth)
        return Verdict(UNREADABLE)
    if question.type == "numeric":
        value = parse_number(text)
        if value is None:
            return Verdict(UNREADABLE)
        slack = question.tolerance + 1e-9 * max(1.0, abs(question.value))
        return _verdict(abs(value - question.value) <= slack)
    return _verdict(text in {_normalize(a) for a in question.answers})


def why_unreadable(question: Question, raw: str) -> str | None:
    """What was wrong with an answer `check` could not read, when it can be told:
    `empty` (nothing typed) or `decimal_comma` ("2,4" for 2.4 in a numeric answer)."""
    text = _normalize(raw)
    if not text:
        return "empty"
    if question.type == "numeric" and re.fullmatch(r"[+-]?\d+,\d+", text):
        return "decimal_comma"
    return None


def is_skip(raw: str) -> bool:
    """Whether the learner asked to leave this question for later."""
    return _normalize(raw) in SKIP_WORDS


def parse_rating(raw: str) -> int | None:
    """again / hard / good / easy (or 1-4, or 重来 / 困难 / 良好 / 简单) -> 1-4."""
    return RATING_WORDS.get(_normalize(raw))


def parse_number(text: str) -> float | None:
    """A number at the start of `text`, tolerating "1,234", "3.2e2" and a unit after it."""
    text = _THOUSANDS.sub("", _normalize(text)).replace("_", "")
    match = _NUMBER.match(text)
    if not match:
        return None
    rest = text[match.end() :].strip()
    if rest[:1] in (".", ",") or any(c.isdigit() for c in rest):
        return None
    return float(match.group())


def _options(text: str, count: int, many: bool) -> set[int] | None:
    parts = [p for p in re.split(r"[\s,;、/]+", text) if p]
    if many and len(parts) == 1 and parts[0].isalpha() and len(parts[0]) > 1:
        parts = list(parts[0])  # "ac" means A and C
    if not parts or (not many and len(parts) > 1):
        return None
    picked = set()
    for part in (p.rstrip(".)") for p in parts):
        if part.isdigit() and 1 <= int(part) <= count:
            picked.add(int(part) - 1)
        elif len(part) == 1 and part.upper() in LETTERS[:count]:
            picked.add(LETTERS.index(part.upper()))
        else:
            return None
    return picked


def _verdict(right: bool) -> Verdict:
    return Verdict(RIGHT if right else WRONG)


def _normalize(text: str) -> str:
    """Case, full-/half-width, runs of whitespace and spaces around punctuation do not matter."""
    text = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return _AROUND_PUNCTUATION.sub(r"\1", text)
