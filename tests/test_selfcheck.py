"""Key-point self-checks after an open question, driven through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from grader.selfcheck import parse_covered, suggested_rating

BANKS = Path(__file__).parent / "fixtures" / "banks"
OPEN = ["quiz", "--no-shipped", "--bank", str(BANKS / "good"), "--tag", "finetuning"]


def stored(home: Path) -> tuple[list, list]:
    with sqlite3.connect(home / "progress.sqlite3") as db:
        ratings = db.execute("SELECT question_id, rating FROM reviews ORDER BY id").fetchall()
        points = db.execute(
            "SELECT review_id, question_id, point, covered FROM key_points"
            " ORDER BY review_id, point"
        ).fetchall()
    return ratings, points


@pytest.mark.parametrize(
    ("raw", "covered"),
    [("1,3", (True, False, True)), ("3 1", (True, False, True)), ("2、3", (False, True, True)),
     ("all", (True, True, True)), ("全部", (True, True, True)), ("none", (False, False, False)),
     ("0", (False, False, False)), ("4", None), ("1,x", None), ("", None), ("good", None)],
)  # fmt: skip
def test_covered_key_points_are_read_from_numbers_and_words(raw, covered):
    assert parse_covered(raw, 3) == covered


def test_the_share_covered_suggests_the_rating():
    assert suggested_rating((False, False, False)) == 1  # again
    assert suggested_rating((True, False, False)) == 2  # hard: under half
    assert suggested_rating((True, True, False)) == 3  # good: half or more
    assert suggested_rating((True, False)) == 3
    assert suggested_rating((True, True, True)) == 3  # easy only when the learner says so


def test_enter_keeps_the_suggested_rating_and_coverage_is_stored(mlkata, mlkata_home):
    result = mlkata(*OPEN, "--lang", "en", input="pretrained weights\n1\n\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "  1. starts from pretrained weights" in out and "  2. small learning rate" in out
    assert "Which key points did your answer cover? (numbers such as 1,3; all; none):" in out
    assert "You covered 1 of 2 key points: suggested rating good." in out
    assert "Kept the suggestion: good." in out
    assert stored(mlkata_home) == ([("basics-open", 3)], [(1, "basics-open", 0, 1),
                                                          (1, "basics-open", 1, 0)])  # fmt: skip


def test_the_learner_overrides_the_suggestion(mlkata, mlkata_home):
    result = mlkata(*OPEN, "--lang", "en", input="no idea\nnone\neasy\n")
    assert "You covered 0 of 2 key points: suggested rating again." in result.stdout
    assert stored(mlkata_home) == ([("basics-open", 4)], [(1, "basics-open", 0, 0),
                                                          (1, "basics-open", 1, 0)])  # fmt: skip


def test_a_rating_typed_at_once_still_works_without_a_self_check(mlkata, mlkata_home):
    result = mlkata(*OPEN, "--lang", "en", input="no idea\nhard\n")
    assert "suggested rating" not in result.stdout
    assert stored(mlkata_home) == ([("basics-open", 2)], [])


def test_an_unreadable_self_check_counts_as_nothing_covered_when_piped(mlkata, mlkata_home):
    result = mlkata(*OPEN, "--lang", "en", input="x\n7\n\n")
    assert "Could not read that; type key point numbers such as 1,3, or all, or none." in (
        result.stdout
    )
    assert "Counted as none covered." in result.stdout
    assert stored(mlkata_home)[0] == [("basics-open", 1)]


def test_chinese_self_check(mlkata, mlkata_home):
    result = mlkata(*OPEN, "--lang", "zh", input="预训练\n全部\n\n")
    out = result.stdout
    assert "你的答案覆盖了哪些要点？（编号，例如 1,3；全部；无）：" in out
    assert "你覆盖了 2 个要点中的 2 个：建议评分为“良好”。" in out
    assert "采用建议评分：良好。" in out


def test_stats_names_the_key_points_missed_most(mlkata, mlkata_home):
    for covered in ("1", "1", "2"):
        mlkata(*OPEN, "--lang", "en", input=f"answer\n{covered}\n\n")
    result = mlkata("stats")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("Key points missed most often:")
    assert lines[start + 1].startswith("  basics-open #2: missed 2 of 3 times — ")
    assert lines[start + 2].startswith("  basics-open #1: missed 1 of 3 times — ")
    data = json.loads(mlkata("stats", "--json").stdout)
    assert [(m["question_id"], m["point"], m["missed"], m["checked"])
            for m in data["missed_key_points"]] == [("basics-open", 2, 2, 3),
                                                    ("basics-open", 1, 1, 3)]  # fmt: skip


def test_stats_names_a_shipped_key_point_by_its_text(mlkata, mlkata_home):
    from grader import bank, progress

    question = next(q for q in bank.load_banks().questions if len(q.key_points) >= 2)
    progress.record_review(question.id, question.topic, 2, covered=[True, False])
    result = mlkata("stats")
    assert f"  {question.id} #2: missed 1 of 1 times — {question.key_points[1]('en')}" in (
        result.stdout
    )
