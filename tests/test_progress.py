import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, State

from grader import progress
from grader.errors import UserError

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOMORROW = DAY0 + timedelta(days=1)


def is_due(question_id: str, now: datetime) -> bool:
    return progress.due_dates()[question_id] <= now


def test_a_new_question_answered_right_is_not_due_tomorrow():
    progress.record_review("q-good", "cnn", Rating.Good, now=DAY0)
    assert not is_due("q-good", TOMORROW)
    assert is_due("q-good", DAY0 + timedelta(days=30))


def test_a_question_answered_wrong_is_due_tomorrow_and_in_the_next_quiz():
    review = progress.record_review("q-again", "cnn", Rating.Again, now=DAY0)
    assert review.due - DAY0 == progress.STEP
    assert is_due("q-again", TOMORROW)
    assert is_due("q-again", DAY0 + timedelta(minutes=11))


def test_reviews_across_simulated_days_space_out_and_a_lapse_resets():
    now, intervals = DAY0, []
    for _ in range(4):
        due = progress.record_review("q", "cnn", Rating.Good, now=now).due
        intervals.append(due - now)
        now = due
    assert intervals == sorted(intervals) and intervals[-1] > timedelta(days=7)
    lapse = progress.record_review("q", "cnn", Rating.Again, now=now)
    assert lapse.due - now == progress.STEP


def test_cards_are_stored_as_fsrs_json_with_every_review_log(mlkata_home):
    progress.record_review("cnn-pooling", "cnn", Rating.Good, now=DAY0, duration_ms=1500)
    progress.record_review("cnn-pooling", "cnn", Rating.Again, now=DAY0 + timedelta(days=3))
    db = sqlite3.connect(mlkata_home / "progress.sqlite3")
    (card_json,) = db.execute("SELECT card_json FROM cards").fetchone()
    card = Card.from_json(card_json)
    assert card.card_id == progress.card_id("cnn-pooling") > 0
    assert card.state == State.Relearning
    logs = [json.loads(x) for (x,) in db.execute("SELECT log_json FROM reviews ORDER BY id")]
    assert [log["rating"] for log in logs] == [3, 1]
    assert logs[0]["review_duration"] == 1500


def test_card_ids_are_stable_positive_int64():
    assert progress.card_id("cnn-pooling") == progress.card_id("cnn-pooling")
    assert progress.card_id("cnn-pooling") != progress.card_id("cnn-padding")
    assert 0 <= progress.card_id("x") < 2**63


def test_schema_is_versioned_and_the_journal_is_wal(mlkata_home):
    progress.due_dates()
    db = sqlite3.connect(mlkata_home / "progress.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(progress.MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"cards", "reviews", "grades", "hints"} <= tables


def test_a_database_from_a_newer_mlkata_is_refused(mlkata_home):
    mlkata_home.mkdir()
    db = sqlite3.connect(mlkata_home / "progress.sqlite3")
    db.execute(f"PRAGMA user_version = {len(progress.MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(UserError, match="newer mlkata"):
        progress.due_dates()


def test_a_file_that_is_not_a_database_is_a_clear_error(mlkata_home):
    mlkata_home.mkdir()
    (mlkata_home / "progress.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(UserError, match="unreadable"):
        progress.due_dates()


def test_stats_count_answers_accuracy_and_what_is_due():
    progress.record_review("a", "cnn", Rating.Good, now=DAY0)
    progress.record_review("b", "cnn", Rating.Again, now=DAY0)
    progress.record_review("c", "mnist", Rating.Hard, now=DAY0)
    stats = progress.stats(now=DAY0 + timedelta(hours=1))
    assert (stats.answered, stats.correct, stats.seen) == (3, 2, 3)
    assert stats.due_now == 2  # the Again (10 min) and the Hard (15 min)
    assert stats.due_week == 3
    assert stats.topics["cnn"].accuracy == 0.5
    assert stats.topics["mnist"].answered == 1


def test_grades_keep_history_and_best():
    progress.record_grade("normalize", "h1", 1, 3, False, error="dtype", duration_s=0.5, now=DAY0)
    progress.record_grade("normalize", "h2", 3, 3, True, now=DAY0 + timedelta(hours=1))
    progress.record_grade("normalize", "h3", 2, 3, False, now=DAY0 + timedelta(hours=2))
    progress.record_grade("cnn", "h4", 0, 5, False, now=DAY0)
    assert [g.content_hash for g in progress.grade_history("normalize")] == ["h1", "h2", "h3"]
    assert progress.grade_history("normalize")[0].error == "dtype"
    best = progress.best_grades()
    assert (best["normalize"].content_hash, best["normalize"].passed) == ("h2", True)
    assert best["cnn"].score == 0


def test_hints_are_revealed_one_at_a_time_up_to_the_total():
    assert progress.revealed_hints("normalize") == []
    assert [progress.reveal_next_hint("normalize", 2) for _ in range(3)] == [0, 1, None]
    assert progress.revealed_hints("normalize") == [0, 1]
    assert progress.revealed_hints("cnn") == []


def test_due_today_ends_at_local_midnight(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")  # UTC+8: 15:55 UTC is 23:55 local
    time.tzset()
    late = DAY0.replace(hour=15, minute=55)
    try:
        progress.record_review("at-five", "cnn", Rating.Again, now=DAY0)  # due 17:10 local
        progress.record_review("at-midnight", "cnn", Rating.Again, now=late)  # due 00:05 local
        progress.record_review("in-two-days", "cnn", Rating.Good, now=DAY0)
        stats = progress.stats(now=late)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert (stats.due_now, stats.due_today, stats.due_week) == (1, 1, 3)


def test_a_version_1_database_is_migrated_and_keeps_its_grades(mlkata_home):
    """Migration 2 added checks_passed/checks_total; older grades read as unknown."""
    mlkata_home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(progress.database_path()) as db:
        for statement in progress.MIGRATIONS[0]:
            db.execute(statement)
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO grades (exercise, content_hash, score, max_score, passed, "
            "graded_at) VALUES ('normalize', 'abc', 5, 12, 0, '2026-11-01T10:00:00.000000Z')"
        )

    [old] = progress.grade_history()
    assert (old.score, old.checks_passed, old.checks_total) == (5, None, None)
    progress.record_grade("normalize", "def", 12, 12, True, checks_passed=8, checks_total=8)
    new = progress.grade_history()[-1]
    assert (new.checks_passed, new.checks_total) == (8, 8)
    with sqlite3.connect(progress.database_path()) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(progress.MIGRATIONS),)


def test_a_right_answer_before_the_due_date_never_brings_the_review_forward():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    moment = start
    for _ in range(2):  # a card that has earned an interval of about two weeks
        reviewed = moment
        review = progress.record_review("q-early", "t", 3, now=moment)
        moment = review.due
    scheduled = review.due
    halfway = reviewed + (scheduled - reviewed) / 100  # fsrs alone would move it earlier
    for rating in (2, 3):  # Hard or Good, well before it is due
        early = progress.record_review("q-early", "t", rating, now=halfway)
        assert early.due >= scheduled
        assert progress.due_dates()["q-early"] >= scheduled
    forgot = progress.record_review("q-early", "t", 1, now=halfway)  # Again: back soon
    assert forgot.due < scheduled
