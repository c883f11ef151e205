"""A timed mock interview: a seeded plan (theory questions rising in difficulty, then one
coding exercise), its state saved after every answer, and the report at the end.

The state is one JSON file per session in `$MLKATA_HOME/interviews/`, replaced atomically
after each answer, so closing the terminal loses at most the question on screen and
`mlkata interview --resume` continues where it stopped, with the clock where it was.
Each theory answer is also an fsrs review (grader.progress), like a quiz answer.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}
SECONDS_PER_QUESTION = 150  # planning figure: 60% of the time goes to theory
THEORY_SHARE = 0.6
# The banks behind each exercise track; without --track every bank takes part.
TRACK_TOPICS = {
    "mnist-keras": ("mnist-data", "preprocessing", "cnn", "keras-api", "training", "evaluation",
                    "regularisation", "optimisation", "fine-tuning", "spot-the-bug"),
    "llm": ("llm-fundamentals", "attention-transformers", "sequence-models", "decoding-serving",
            "fine-tuning", "alignment", "rag", "llm-evaluation", "quantization-distributed"),
    "classic": ("classical-ml", "evaluation", "class-imbalance", "regularisation", "optimisation",
                "preprocessing", "ab-testing-system-design"),
}  # fmt: skip


@dataclass
class Answer:
    question_id: str
    topic: str
    difficulty: str
    rating: int  # fsrs 1-4; above 1 counts as right
    seconds: float
    variant: str | None = None
    missed_points: list[int] = field(default_factory=list)  # 0-based, open questions


@dataclass
class Session:
    id: str
    started: str
    minutes: int
    seed: int
    lang: str
    track: str | None
    questions: list[str]  # question ids, in the order asked
    exercise: str | None  # None until the theory part is over (see plan)
    answers: list[Answer] = field(default_factory=list)
    elapsed: float = 0.0  # seconds on the clock (paused time does not count)
    exercise_result: dict[str, Any] | None = None  # verdict summary, or {"skipped": True}
    finished: bool = False

    @property
    def left(self) -> float:
        return max(0.0, self.minutes * 60 - self.elapsed)

    @property
    def next_question(self) -> int:
        return len(self.answers)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Session:
        data = json.loads(text)
        data["answers"] = [Answer(**a) for a in data["answers"]]
        return cls(**data)


def folder() -> Path:
    from grader import paths

    return paths.home() / "interviews"


def plan(questions, exercises, minutes: int, track: str | None, seed: int, lang: str) -> Session:
    """A new session: theory questions across topics, easy to hard, then one exercise.

    `exercises` None leaves the exercise to be chosen when its turn comes (the manifest
    takes a while to read, and the first question should not wait for it)."""
    import random

    rng = random.Random(seed)
    topics = TRACK_TOPICS.get(track) if track else None
    pool = [q for q in questions if not q.unfinished and (topics is None or q.topic in topics)]
    count = max(3, round(minutes * 60 * THEORY_SHARE / SECONDS_PER_QUESTION))
    by_topic: dict[str, list] = {}
    for q in sorted(pool, key=lambda q: q.id):
        by_topic.setdefault(q.topic, []).append(q)
    order = sorted(by_topic)
    rng.shuffle(order)
    chosen: list = []
    # Thirds of the interview ask easy, then medium, then hard questions, cycling topics.
    levels = [("easy", count // 3), ("medium", count // 3), ("hard", count - 2 * (count // 3))]
    turn = 0
    for level, wanted in levels:
        for _ in range(wanted):
            for _ in range(len(order)):
                topic = order[turn % len(order)]
                turn += 1
                options = [q for q in by_topic[topic] if q.difficulty == level and q not in chosen]
                if options:
                    chosen.append(rng.choice(options))
                    break
    chosen.sort(key=lambda q: DIFFICULTY_ORDER[q.difficulty])  # stable: topics stay mixed
    exercise = choose_exercise(exercises, track, seed) if exercises is not None else None
    now = datetime.now(timezone.utc)
    return Session(id=now.strftime("%Y%m%d-%H%M%S"), started=now.isoformat(timespec="seconds"),
                   minutes=minutes, seed=seed, lang=lang, track=track,
                   questions=[q.id for q in chosen], exercise=exercise)  # fmt: skip


def choose_exercise(exercises, track: str | None, seed: int) -> str | None:
    """The session's coding exercise: seeded, from the track, numpy-only when there is one
    (so grading does not wait for TensorFlow)."""
    import random

    numpy_only = [e for e in exercises if not e.tensorflow and (track is None or e.track == track)]
    candidates = numpy_only or [e for e in exercises if track is None or e.track == track]
    if not candidates:
        return None
    return random.Random(f"exercise:{seed}").choice(sorted(candidates, key=lambda e: e.id)).id


def save(session: Session) -> Path:
    """Write the session's state atomically: a reader never sees half a file."""
    path = folder() / f"{session.id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(session.to_json(), encoding="utf-8")
    os.replace(temporary, path)
    return path


def latest_unfinished() -> Session | None:
    if not folder().is_dir():
        return None
    for path in sorted(folder().glob("*.json"), reverse=True):
        try:
            session = Session.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if not session.finished:
            return session
    return None


def workspace_file(session: Session) -> Path:
    """Where the learner writes the exercise: a copy of its stub, private to this session."""
    return folder() / session.id / f"{session.exercise}.py"


@dataclass(frozen=True)
class Report:
    topics: dict[str, tuple[int, int]]  # topic -> (right, asked)
    times: list[tuple[str, str, float, bool]]  # (question id, topic, seconds, right)
    missed: list[tuple[str, int]]  # (question id, 0-based key point) not covered
    unanswered: list[str]  # questions the clock ran out on
    exercise: dict[str, Any] | None
    review: list[str]  # topics to review next, weakest first
    score: tuple[int, int]
    elapsed: float


def report(session: Session) -> Report:
    topics: dict[str, tuple[int, int]] = {}
    for a in session.answers:
        right, asked = topics.get(a.topic, (0, 0))
        topics[a.topic] = (right + (a.rating > 1), asked + 1)
    weak = sorted((t for t, (r, n) in topics.items() if r < n),
                  key=lambda t: (topics[t][0] / topics[t][1], t))  # fmt: skip
    missed_topics = [a.topic for a in session.answers if a.missed_points and a.topic not in weak]
    review = weak + sorted(set(missed_topics))
    return Report(
        topics=dict(sorted(topics.items())),
        times=[(a.question_id, a.topic, a.seconds, a.rating > 1) for a in session.answers],
        missed=[(a.question_id, p) for a in session.answers for p in a.missed_points],
        unanswered=session.questions[len(session.answers) :],
        exercise=session.exercise_result,
        review=review,
        score=(sum(a.rating > 1 for a in session.answers), len(session.questions)),
        elapsed=session.elapsed,
    )
