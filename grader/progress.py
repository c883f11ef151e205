"""The learner's progress in `$MLKATA_HOME/progress.sqlite3`: the only module that opens it.

Every function opens the database, does one transaction and closes it, so an
answer is on disk the moment it is given (WAL journal; `kill -9` loses at most
the question on screen) and two quizzes at once simply take turns
(`BEGIN IMMEDIATE` plus a busy timeout). The schema grows by numbered
migrations; `PRAGMA user_version` records how many have run.

Scheduling is py-fsrs with one ten-minute (re)learning step: a missed question
is due again ten minutes later (so, in the next quiz), a new question answered
right graduates at once and comes back in a few days.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from grader import paths
from grader.errors import UserError
from grader.messages import say

UTC = timezone.utc  # (datetime has its own UTC only from 3.11; Gradescope runs 3.10)

FILENAME = "progress.sqlite3"
STEP = timedelta(minutes=10)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: quiz cards and reviews, exercise grades and revealed hints
        """CREATE TABLE cards (
            question_id TEXT PRIMARY KEY, card_id INTEGER NOT NULL, topic TEXT NOT NULL,
            card_json TEXT NOT NULL, due TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX cards_due ON cards (due)",
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY, question_id TEXT NOT NULL, topic TEXT NOT NULL,
            rating INTEGER NOT NULL, log_json TEXT NOT NULL, reviewed_at TEXT NOT NULL)""",
        "CREATE INDEX reviews_question ON reviews (question_id)",
        """CREATE TABLE grades (
            id INTEGER PRIMARY KEY, exercise TEXT NOT NULL, content_hash TEXT NOT NULL,
            score REAL NOT NULL, max_score REAL NOT NULL, passed INTEGER NOT NULL,
            error TEXT, duration_s REAL, graded_at TEXT NOT NULL)""",
        "CREATE INDEX grades_exercise ON grades (exercise)",
        """CREATE TABLE hints (
            exercise TEXT NOT NULL, hint_index INTEGER NOT NULL, revealed_at TEXT NOT NULL,
            PRIMARY KEY (exercise, hint_index))""",
    ),
    (  # 2: how many checks a grade passed, for "failing k of n checks"
        "ALTER TABLE grades ADD COLUMN checks_passed INTEGER",
        "ALTER TABLE grades ADD COLUMN checks_total INTEGER",
    ),
    (  # 3: which key points an open answer covered, by the learner's own self-check
        """CREATE TABLE key_points (
            review_id INTEGER NOT NULL, question_id TEXT NOT NULL, point INTEGER NOT NULL,
            covered INTEGER NOT NULL, PRIMARY KEY (review_id, point))""",
        "CREATE INDEX key_points_question ON key_points (question_id)",
    ),
    (  # 4: which variant of a parametrised question was asked (JSON of its params)
        "ALTER TABLE reviews ADD COLUMN variant TEXT",
    ),
)


@dataclass(frozen=True)
class Review:
    """What one answer did to its question's schedule."""

    question_id: str
    rating: int
    due: datetime


@dataclass(frozen=True)
class TopicStats:
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Stats:
    answered: int  # answers given, all time
    correct: int  # answers rated Hard, Good or Easy
    seen: int  # distinct questions answered at least once
    due_now: int
    due_today: int  # due before the end of the local day (including due_now)
    due_week: int  # due within seven days (including due_today)
    topics: dict[str, TopicStats]


@dataclass(frozen=True)
class MissedPoint:
    """A key point of an open question, and how often self-checks left it out."""

    question_id: str
    point: int  # 0-based index into the question's key_points
    missed: int
    checked: int


@dataclass(frozen=True)
class Grade:
    exercise: str
    content_hash: str
    score: float
    max_score: float
    passed: bool
    error: str | None
    duration_s: float | None
    graded_at: datetime
    checks_passed: int | None = None  # None for grades recorded before migration 2
    checks_total: int | None = None


def database_path() -> Path:
    return paths.home() / FILENAME


def card_id(question_id: str) -> int:
    """A stable positive int64 for fsrs: the first 8 bytes of sha256(id)."""
    digest = hashlib.sha256(question_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


def due_dates() -> dict[str, datetime]:
    """When each question answered so far is due again."""
    with _connect() as db:
        return {qid: _parse(due) for qid, due in db.execute("SELECT question_id, due FROM cards")}


def record_review(
    question_id: str,
    topic: str,
    rating: int,
    now: datetime | None = None,
    duration_ms: int | None = None,
    covered: Sequence[bool] | None = None,
    variant: str | None = None,
) -> Review:
    """Schedule `question_id` after an answer rated 1-4 (fsrs Again..Easy) and store it.

    A review answered before it was due and not forgotten (rating above Again) never
    brings the due date forward: practising early must not cost a learner time.
    `covered`: an open question's self-check, one flag per key point in bank order.
    `variant`: which variant of a parametrised question was asked; the schedule belongs
    to the question, whatever its variant."""
    from fsrs import Card, Rating

    now = _utc(now)
    with _transaction() as db:
        row = db.execute(
            "SELECT card_json FROM cards WHERE question_id = ?", (question_id,)
        ).fetchone()
        card = Card.from_json(row[0]) if row else Card(card_id=card_id(question_id), due=now)
        was_due = card.due
        card, log = _scheduler().review_card(card, Rating(rating), now, duration_ms)
        if row and was_due > now and rating > 1 and card.due < was_due:
            card.due = was_due
        due = _stamp(card.due)
        db.execute(
            """INSERT INTO cards (question_id, card_id, topic, card_json, due, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (question_id) DO UPDATE SET
                 topic = excluded.topic, card_json = excluded.card_json,
                 due = excluded.due, updated_at = excluded.updated_at""",
            (question_id, card.card_id, topic, card.to_json(), due, _stamp(now)),
        )
        db.execute(
            """INSERT INTO reviews (question_id, topic, rating, log_json, reviewed_at, variant)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (question_id, topic, int(rating), log.to_json(), _stamp(now), variant),
        )
        review_id = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        db.executemany(
            "INSERT INTO key_points (review_id, question_id, point, covered) VALUES (?, ?, ?, ?)",
            [(review_id, question_id, i, int(bool(c))) for i, c in enumerate(covered or ())],
        )
    return Review(question_id, int(rating), card.due)


def stats(now: datetime | None = None) -> Stats:
    now = _utc(now)
    local = now.astimezone()
    end_of_day = local.replace(hour=23, minute=59, second=59, microsecond=999999).astimezone(UTC)
    with _connect() as db:
        answered, correct = db.execute(
            "SELECT count(*), coalesce(sum(rating > 1), 0) FROM reviews"
        ).fetchone()
        seen, due_now, due_today, due_week = db.execute(
            "SELECT count(*), coalesce(sum(due <= ?), 0), coalesce(sum(due <= ?), 0),"
            " coalesce(sum(due <= ?), 0) FROM cards",
            (_stamp(now), _stamp(end_of_day), _stamp(now + timedelta(days=7))),
        ).fetchone()
        topics = {
            topic: TopicStats(n, ok)
            for topic, n, ok in db.execute(
                "SELECT topic, count(*), sum(rating > 1) FROM reviews GROUP BY topic ORDER BY topic"
            )
        }
    return Stats(answered, correct, seen, due_now, due_today, due_week, topics)


def missed_key_points(limit: int = 5) -> list[MissedPoint]:
    """The key points self-checks left out most often, most misses first.

    Every self-check counts, not only the latest: a point missed twice and then covered
    once was still hard to recall. Points never missed are not listed."""
    with _connect() as db:
        rows = db.execute(
            """SELECT question_id, point, sum(covered = 0) AS missed, count(*) FROM key_points
               GROUP BY question_id, point HAVING missed > 0
               ORDER BY missed DESC, 1.0 * missed / count(*) DESC, question_id, point
               LIMIT ?""",
            (limit,),
        )
        return [MissedPoint(*row) for row in rows]


# -- the exercise side -------------------------------------------------------------


def record_grade(
    exercise: str,
    content_hash: str,
    score: float,
    max_score: float,
    passed: bool,
    error: str | None = None,
    duration_s: float | None = None,
    now: datetime | None = None,
    checks_passed: int | None = None,
    checks_total: int | None = None,
) -> Grade:
    grade = Grade(exercise, content_hash, score, max_score, passed, error, duration_s,
                  _utc(now), checks_passed, checks_total)  # fmt: skip
    with _transaction() as db:
        db.execute(
            """INSERT INTO grades (exercise, content_hash, score, max_score, passed, error,
               duration_s, graded_at, checks_passed, checks_total)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (exercise, content_hash, score, max_score, int(passed), error, duration_s,
             _stamp(grade.graded_at), checks_passed, checks_total),
        )  # fmt: skip
    return grade


def grade_history(exercise: str | None = None) -> list[Grade]:
    """Every grade, oldest first; only `exercise`'s when given."""
    query = """SELECT exercise, content_hash, score, max_score, passed, error, duration_s,
               graded_at, checks_passed, checks_total FROM grades"""
    args: tuple[str, ...] = ()
    if exercise is not None:
        query, args = query + " WHERE exercise = ?", (exercise,)
    with _connect() as db:
        return [_grade(row) for row in db.execute(query + " ORDER BY id", args)]


def best_grades() -> dict[str, Grade]:
    """Each exercise's best grade (highest score; the earliest such attempt)."""
    best: dict[str, Grade] = {}
    for grade in grade_history():
        current = best.get(grade.exercise)
        if current is None or grade.score > current.score:
            best[grade.exercise] = grade
    return best


def reveal_next_hint(exercise: str, total: int, now: datetime | None = None) -> int | None:
    """Reveal the next of `total` hints and return its 0-based index; None when all are shown."""
    with _transaction() as db:
        (shown,) = db.execute(
            "SELECT count(*) FROM hints WHERE exercise = ?", (exercise,)
        ).fetchone()
        if shown >= total:
            return None
        db.execute(
            "INSERT INTO hints (exercise, hint_index, revealed_at) VALUES (?, ?, ?)",
            (exercise, shown, _stamp(_utc(now))),
        )
        return shown


def revealed_hints(exercise: str) -> list[int]:
    with _connect() as db:
        rows = db.execute(
            "SELECT hint_index FROM hints WHERE exercise = ? ORDER BY hint_index", (exercise,)
        )
        return [index for (index,) in rows]


# -- the database ----------------------------------------------------------------


@contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    path = database_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise UserError(
            say(
                en=f"cannot open the progress database {path}: {exc}",
                zh=f"无法打开进度数据库 {path}：{exc}",
            )
        ) from None
    with closing(db):
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            _use_wal(db)
            _migrate(db)
        except sqlite3.DatabaseError as exc:
            raise UserError(
                say(
                    en=f"the progress database {path} is unreadable: {exc}",
                    zh=f"进度数据库 {path} 无法读取：{exc}",
                )
            ) from None
        yield db


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch a new database to WAL (it then stays so). The switch needs the file to
    itself and SQLite does not wait for that, so two quizzes starting on a fresh
    database at once retry here instead of failing with "database is locked"."""
    for attempt in range(100):
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)


@contextmanager
def _transaction() -> Iterator[sqlite3.Connection]:
    """One write transaction, taken up front so concurrent writers wait instead of failing."""
    with _connect() as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _migrate(db: sqlite3.Connection) -> None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version == len(MIGRATIONS):
        return
    if version > len(MIGRATIONS):
        raise UserError(
            say(
                en=f"{database_path()} was written by a newer mlkata; upgrade mlkata",
                zh=f"{database_path()} 由更新版本的 mlkata 写入；请升级 mlkata",
            )
        )
    db.execute("BEGIN IMMEDIATE")
    (version,) = db.execute("PRAGMA user_version").fetchone()  # another process may have won
    for number in range(version + 1, len(MIGRATIONS) + 1):
        for statement in MIGRATIONS[number - 1]:
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute("COMMIT")


_SCHEDULER = None


def _scheduler():
    global _SCHEDULER
    if _SCHEDULER is None:
        from fsrs import Scheduler

        _SCHEDULER = Scheduler(learning_steps=(STEP,), relearning_steps=(STEP,))
    return _SCHEDULER


def _grade(row: tuple) -> Grade:
    exercise, content_hash, score, max_score, passed, error, duration_s, graded_at, *checks = row
    return Grade(exercise, content_hash, score, max_score, bool(passed), error, duration_s,
                 _parse(graded_at), *checks)  # fmt: skip


def _utc(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    """A fixed-width UTC timestamp, so text order is time order in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
