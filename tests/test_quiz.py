from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Rating

from grader import quiz
from grader.bank import load_banks

GOOD = Path(__file__).parent / "fixtures" / "banks" / "good"
QUESTIONS = {q.id: q for q in load_banks([GOOD]).questions}
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def kinds(question_id: str, answers: list[str]) -> list[str]:
    return [quiz.check(QUESTIONS[question_id], a).kind for a in answers]


CASES = {  # question: (right, wrong, unreadable)
    "basics-choice": (["B", "b", "2", " B) "], ["A", "3"], ["", "4", "E", "A,B", "sixty"]),
    "basics-multi": (
        ["A,C", "c, a", "1,3", "A C", "ac", "Ａ，Ｃ"],
        ["A", "A,B,C"],
        ["Z", "A,9"],
    ),
    "basics-truefalse": (
        ["false", "F", "no", "n", "0", "错", "否"],
        ["true", "y", "1", "对", "是"],
        ["maybe", ""],
    ),
    "basics-numeric": (
        ["320", " 320 ", "3.2e2", "320 parameters", "320.0", "３２０"],
        ["321", "1,234", "32"],
        ["", "abc", "3,20", "about 320"],
    ),
    "basics-short": (
        ["relu", "  ReLU ", "ＲｅＬＵ", "Rectified   Linear  Unit", "线性整流函数", "max(0,x)"],
        ["sigmoid", "re lu"],
        ["", "   "],
    ),
}


@pytest.mark.parametrize("question_id", CASES)
def test_each_type_grades_right_wrong_and_unreadable_answers(question_id):
    right, wrong, unreadable = CASES[question_id]
    assert kinds(question_id, right) == ["right"] * len(right)
    assert kinds(question_id, wrong) == ["wrong"] * len(wrong)
    assert kinds(question_id, unreadable) == ["unreadable"] * len(unreadable)


def test_numbers_tolerate_thousands_separators_and_tolerance():
    assert quiz.parse_number("1,234") == 1234
    assert quiz.parse_number("60,000 images") == 60000
    assert quiz.parse_number("1,2") is None
    loose = QUESTIONS["basics-numeric"].__class__(
        **{**vars(QUESTIONS["basics-numeric"]), "tolerance": 5.0}
    )
    assert quiz.check(loose, "324").kind == "right"
    assert quiz.check(loose, "326").kind == "wrong"


def test_verdicts_map_to_fsrs_ratings():
    assert quiz.Verdict(quiz.RIGHT).rating == Rating.Good
    assert quiz.Verdict(quiz.WRONG).rating == Rating.Again
    assert quiz.Verdict(quiz.UNREADABLE).rating == Rating.Again
    assert quiz.check(QUESTIONS["basics-open"], "anything at all").rating is None


def test_open_questions_take_the_learners_own_rating():
    ratings = ["again", "Hard", "good", "EASY", "1", "4", "重来", "简单"]
    assert [quiz.parse_rating(r) for r in ratings] == [
        Rating.Again, Rating.Hard, Rating.Good, Rating.Easy, Rating.Again, Rating.Easy,
        Rating.Again, Rating.Easy,
    ]  # fmt: skip
    assert quiz.parse_rating("meh") is None
    assert quiz.parse_rating("5") is None


def test_due_reviews_come_first_then_new_questions():
    due = {
        "basics-short": NOW - timedelta(days=1),
        "basics-choice": NOW - timedelta(days=3),
        "basics-multi": NOW + timedelta(days=5),  # answered, not due yet
    }
    chosen = [
        q.id for q in quiz.select(QUESTIONS.values(), due, NOW, n=5, topics=["basics"], seed=1)
    ]
    assert chosen[:2] == ["basics-choice", "basics-short"]
    assert set(chosen[2:]) == {"basics-truefalse", "basics-numeric", "basics-open"}


def test_questions_not_yet_due_fill_in_only_when_nothing_else_is_left():
    due = {qid: NOW + timedelta(days=i + 1) for i, qid in enumerate(QUESTIONS)}
    chosen = quiz.select(QUESTIONS.values(), due, NOW, n=2)
    assert [q.id for q in chosen] == list(QUESTIONS)[:2]


def test_filters_and_seed():
    pick = quiz.select(QUESTIONS.values(), {}, NOW, n=10, tags=["cnn"])
    assert {q.id for q in pick} == {"basics-multi", "basics-numeric"}
    pick = quiz.select(QUESTIONS.values(), {}, NOW, n=10, difficulty="easy", topics=["basics"])
    assert {q.difficulty for q in pick} == {"easy"} and len(pick) == 3
    assert quiz.select(QUESTIONS.values(), {}, NOW, topics=["extra"])[0].id == "extra-english-only"
    first = [q.id for q in quiz.select(QUESTIONS.values(), {}, NOW, n=4, seed=7)]
    again = [q.id for q in quiz.select(QUESTIONS.values(), {}, NOW, n=4, seed=7)]
    assert first == again and len(first) == 4
