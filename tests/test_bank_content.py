"""Content checks over every shipped bank: answer spread, both languages, clean Chinese text."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from grader.bank import LETTERS, Bank, Question, load_banks
from grader.text import Text

QUESTIONS_DIR = Path(__file__).resolve().parent.parent / "questions"
DIFFICULTY_GUIDE = QUESTIONS_DIR.parent / "docs" / "difficulty.md"
MIN_CHOICE = 4  # fewer choice questions than this cannot show a pattern
# A learner who always picks the longest option would score this share of a bank's choice
# questions without reading them; a quarter is chance with four options, so a third is a
# ceiling that leaves room for an answer that is honestly the most detailed now and then.
MAX_LONGEST_RIGHT = 0.35

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
    """Why a bank's choice answers are guessable (one letter for over half of them), or None.

    Half is the bound because it must hold for a bank of four questions: letters drawn at
    random put three of four on one letter about one time in five (52 of 256), so a tighter
    bound would fail honest small banks. Above half, always answering one letter beats
    knowing half the bank.
    """
    letters = Counter(LETTERS[q.correct[0]] for q in bank.questions if q.type == "choice")
    total = sum(letters.values())
    if total < MIN_CHOICE:
        return None
    letter, count = letters.most_common(1)[0]
    if count * 2 <= total:
        return None
    return f"{bank.topic}: {letter} is the answer of {count} of {total} choice questions"


def english(text: Text) -> str:
    """The English wording of a text (a plain string counts as English)."""
    return (text.en or text.plain or "").strip()


def right_option_is_longest(q: Question) -> bool:
    """Whether a choice question's right option is its longest in English; a tie counts."""
    lengths = [len(english(option)) for option in q.options]
    return lengths[q.correct[0]] == max(lengths)


def answered_by_length(bank: Bank) -> str | None:
    """Why a bank's choice answers can be found by picking the longest option, or None."""
    choice = [q for q in bank.questions if q.type == "choice"]
    longest = [q.id for q in choice if right_option_is_longest(q)]
    if len(longest) <= MAX_LONGEST_RIGHT * len(choice):
        return None
    return (
        f"{bank.topic}: the right option is the longest in {len(longest)} of {len(choice)} "
        f"choice questions (at most {MAX_LONGEST_RIGHT:.0%}): {', '.join(longest)}"
    )


def guide_examples(markdown: str) -> list[tuple[str, str]]:
    """(question id, difficulty) for each "- `id`:" line under an "Easy:", "Medium:" or "Hard:"."""
    examples, label = [], None
    for line in markdown.splitlines():
        if line.rstrip(":") in ("Easy", "Medium", "Hard"):
            label = line.rstrip(":").lower()
        elif label and (m := re.match(r"- `([a-z0-9-]+)`", line)):
            examples.append((m.group(1), label))
        elif line.startswith("#"):
            label = None
    return examples


def length_rank(q: Question) -> int:
    """How many options of a choice question are longer (in English) than the right one."""
    lengths = [len(english(option)) for option in q.options]
    return sum(length > lengths[q.correct[0]] for length in lengths)


def answered_by_length_rank(bank: Bank) -> str | None:
    """Why a bank's right options share one length rank (e.g. second longest), or None.

    Shortening right answers until something else is longer only moves the tell to "pick the
    second longest"; like letters, ranks must be spread: none holds over half of the questions.
    """
    ranks = Counter(length_rank(q) for q in bank.questions if q.type == "choice")
    total = sum(ranks.values())
    if total < MIN_CHOICE:
        return None
    rank, count = ranks.most_common(1)[0]
    if count * 2 <= total:
        return None
    return (
        f"{bank.topic}: the right option has {rank} longer option(s) in {count} of {total} "
        f"choice questions"
    )


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


def test_the_longest_option_is_rarely_the_right_one(banks):
    assert any(q.type == "choice" for b in banks for q in b.questions)
    assert [why for b in banks if (why := answered_by_length(b))] == []


def test_the_difficulty_guide_examples_carry_the_label_they_illustrate(banks):
    examples = guide_examples(DIFFICULTY_GUIDE.read_text(encoding="utf-8"))
    labels = {q.id: q.difficulty for b in banks for q in b.questions}
    assert {label for _, label in examples} == {"easy", "medium", "hard"}
    assert [
        (qid, label, labels.get(qid)) for qid, label in examples if labels.get(qid) != label
    ] == []


def test_no_length_rank_answers_most_choice_questions_of_a_bank(banks):
    assert [why for b in banks if (why := answered_by_length_rank(b))] == []


def test_every_question_text_has_english_and_chinese(banks):
    assert [m for b in banks for q in b.questions for m in missing_languages(q)] == []
    assert [b.topic for b in banks if not (b.title.en and b.title.zh)] == []


def test_chinese_text_has_no_space_between_cjk_characters(banks):
    assert [s for b in banks for q in b.questions for s in stray_spaces(q)] == []
    assert [b.topic for b in banks if STRAY_SPACE.search(b.title.zh or "")] == []


def test_explanations_never_name_an_option_by_letter(banks):
    assert [r for b in banks for q in b.questions for r in letter_references(q)] == []


# The checks themselves: each must report the mistake it exists for.


def _choice(answer: int, **texts: Text | tuple[Text, ...]) -> Question:
    both = Text(en="text", zh="文本")
    fields = {"prompt": both, "explanation": both, "options": (both, both, both, both)} | texts
    return Question(id=f"q{answer}", topic="t", type="choice", difficulty="easy", tags=(),
                    correct=(answer,), **fields)  # fmt: skip


def test_lopsided_answer_reports_a_letter_over_half():
    always_a = Bank(Path("t.yaml"), "t", Text(plain="t"), tuple(_choice(i) for i in (0, 0, 0, 1)))
    spread = Bank(Path("t.yaml"), "t", Text(plain="t"), tuple(_choice(i) for i in (0, 0, 1, 2)))
    assert lopsided_answer(always_a) == "t: A is the answer of 3 of 4 choice questions"
    assert lopsided_answer(spread) is None


def test_answered_by_length_reports_a_bank_that_rewards_the_longest_option():
    long, short = Text(en="a long and careful answer", zh="长"), Text(en="short", zh="短")
    right_longest = _choice(0, options=(long, short, short))
    right_shorter = _choice(1, options=(long, short, short))
    tie = _choice(1, options=(short, short, short))  # a tie counts as longest

    def bank(*questions: Question) -> Bank:
        return Bank(Path("t.yaml"), "t", Text(plain="t"), questions)

    assert answered_by_length(bank(right_longest, right_shorter, right_shorter)) is None
    assert answered_by_length(bank(tie, right_shorter, right_shorter)) is None
    assert answered_by_length(bank(right_longest, tie, right_shorter)) == (
        "t: the right option is the longest in 2 of 3 choice questions (at most 35%): q0, q1"
    )


def test_answered_by_length_rank_reports_a_bank_where_one_rank_wins():
    long, mid, short = (Text(en="x" * n, zh="长") for n in (30, 20, 10))
    second = _choice(1, options=(long, mid, short))  # one longer option
    shortest = _choice(2, options=(long, mid, short))
    longest = _choice(0, options=(long, mid, short))

    def bank(*questions: Question) -> Bank:
        return Bank(Path("t.yaml"), "t", Text(plain="t"), questions)

    assert answered_by_length_rank(bank(second, second, second, shortest)) == (
        "t: the right option has 1 longer option(s) in 3 of 4 choice questions"
    )
    assert answered_by_length_rank(bank(second, second, shortest, longest)) is None
    assert answered_by_length_rank(bank(second, second, second)) is None  # too few to tell


def test_guide_examples_are_read_under_their_heading_only():
    text = "Easy:\n- `a-b`: x\n\nHard:\n- `c`: y\n## Next\n- `d`: z\n"
    assert guide_examples(text) == [("a-b", "easy"), ("c", "hard")]


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
