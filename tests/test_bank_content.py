"""Content checks over every shipped bank: answer spread, both languages, clean Chinese text."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from grader.bank import LETTERS, Bank, Question, load_banks
from grader.text import Text

QUESTIONS_DIR = Path(__file__).resolve().parent.parent / "questions"
MIN_CHOICE = 4  # fewer choice questions than this cannot show a pattern

# CJK ideographs, CJK symbols and punctuation (、。「」), full-width forms (，：（）).
CJK = "[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
STRAY_SPACE = re.compile(f"{CJK}[ \t]+{CJK}")
# "option B", "options A and C", "选项 D", "(A, B)", "（A、B）". Word edges are spelt out because
# Python counts CJK characters as word characters; a bracket must not follow a Latin letter,
# digit or closing bracket, so calls and indexing such as f(A) or x[0](B) are not reported.
LETTER_REFERENCE = re.compile(
    r"(?<![A-Za-z])[Oo]ptions? [A-H](?![A-Za-z0-9_])|选项 ?[A-H]"
    r"|(?<![A-Za-z0-9_)\]])[(（][A-H](?:\s*[,，、]\s*[A-H])*[)）]"
)


def lopsided_answer(bank: Bank) -> str | None:
    """Why a bank's choice answers are guessable (one letter for over half of them), or None."""
    letters = Counter(LETTERS[q.correct[0]] for q in bank.questions if q.type == "choice")
    total = sum(letters.values())
    if total < MIN_CHOICE:
        return None
    letter, count = letters.most_common(1)[0]
    if count * 2 <= total:
        return None
    return f"{bank.topic}: {letter} is the answer of {count} of {total} choice questions"


def named_texts(q: Question) -> list[tuple[str, Text]]:
    """Every translatable text of a question with the field it comes from."""
    named = [("prompt", q.prompt), ("explanation", q.explanation)]
    named += [(f"options[{i}]", t) for i, t in enumerate(q.options)]
    named += [(f"key_points[{i}]", t) for i, t in enumerate(q.key_points)]
    named += [("unit", q.unit), ("answer", q.reference)]
    return [(name, t) for name, t in named if t is not None]


def missing_languages(q: Question) -> list[str]:
    """Fields without both en and zh; `source` (a citation) and short `answers` may be plain."""
    return [f"{q.id}: {name}" for name, t in named_texts(q) if not (t.en and t.zh)]


def stray_spaces(q: Question) -> list[str]:
    """Chinese fields with a space between two CJK characters (often a folded YAML line)."""
    found = []
    for name, t in named_texts(q):
        found += [f"{q.id}: {name}: {m.group()!r}" for m in STRAY_SPACE.finditer(t.zh or "")]
    return found


def letter_references(q: Question) -> list[str]:
    """Explanation passages that name an option by its letter, which reordering would break."""
    texts = (q.explanation.en or "", q.explanation.zh or "", q.explanation.plain or "")
    return [f"{q.id}: {m.group()!r}" for s in texts for m in LETTER_REFERENCE.finditer(s)]


@pytest.fixture(scope="module")
def banks() -> tuple[Bank, ...]:
    loaded = load_banks([QUESTIONS_DIR])
    assert [str(e) for e in loaded.errors] == []
    assert loaded.banks, f"no banks in {QUESTIONS_DIR}"
    return loaded.banks


def test_no_letter_answers_most_choice_questions_of_a_bank(banks):
    assert any(sum(q.type == "choice" for q in b.questions) >= MIN_CHOICE for b in banks)
    assert [why for b in banks if (why := lopsided_answer(b))] == []


def test_every_question_text_has_english_and_chinese(banks):
    assert [m for b in banks for q in b.questions for m in missing_languages(q)] == []
    assert [b.topic for b in banks if not (b.title.en and b.title.zh)] == []


def test_chinese_text_has_no_space_between_cjk_characters(banks):
    assert [s for b in banks for q in b.questions for s in stray_spaces(q)] == []
    assert [b.topic for b in banks if STRAY_SPACE.search(b.title.zh or "")] == []


def test_explanations_never_name_an_option_by_letter(banks):
    assert [r for b in banks for q in b.questions for r in letter_references(q)] == []


# The checks themselves: each must report the mistake it exists for.


def _choice(answer: int, **texts: Text) -> Question:
    both = Text(en="text", zh="文本")
    fields = {"prompt": both, "explanation": both} | texts
    return Question(id=f"q{answer}", topic="t", type="choice", difficulty="easy", tags=(),
                    options=(both, both, both, both), correct=(answer,), **fields)  # fmt: skip


def test_lopsided_answer_reports_a_letter_over_half():
    always_a = Bank(Path("t.yaml"), "t", Text(plain="t"), tuple(_choice(i) for i in (0, 0, 0, 1)))
    spread = Bank(Path("t.yaml"), "t", Text(plain="t"), tuple(_choice(i) for i in (0, 0, 1, 2)))
    assert lopsided_answer(always_a) == "t: A is the answer of 3 of 4 choice questions"
    assert lopsided_answer(spread) is None


def test_missing_languages_reports_english_only_and_plain_text():
    q = _choice(0, prompt=Text(en="Which?"), explanation=Text(plain="Because."))
    assert missing_languages(q) == ["q0: prompt", "q0: explanation"]


@pytest.mark.parametrize(
    ("zh", "bad"),
    [("卷积 层", True), ("参数量， 为", True), ("（可训练） 的", True),
     ("Conv2D 层", False), ("32 个通道", False), ("卷积层", False)],
)  # fmt: skip
def test_stray_spaces_only_between_two_cjk_characters(zh, bad):
    assert bool(stray_spaces(_choice(0, prompt=Text(en="x", zh=zh)))) is bad


@pytest.mark.parametrize(
    ("text", "bad"),
    [("Option D is wrong", True), ("options B and C", True), ("statistics (A, B) leak", True),
     ("代价恰恰是选项 D", True), ("见option C的说明", True), ("统计量（A、B）属于前者", True),
     ("calls f(A) twice", False), ("C channels (Lin et al.)", False), ("A 1x1 kernel", False)],
)  # fmt: skip
def test_letter_references_are_found_and_formulas_are_not(text, bad):
    assert bool(letter_references(_choice(0, explanation=Text(en=text, zh=text)))) is bad
