"""The exercise manifest: its tracks, and which exercises exist, their files, checks, points
and limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

try:  # libyaml's loader, where PyYAML has it: parses the manifest ten times faster
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - pure-Python PyYAML
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from grader import paths
from grader.errors import UserError
from grader.text import Text

MANIFEST_NAME = "exercises.yaml"
# An exercise id names files and a Python test module: lowercase letters and digits,
# words joined by single underscores (normalize, softmax_ce).
EXERCISE_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
ID_RULE = "must be lowercase letters and digits, words joined by _ (like softmax_ce)"
FORMAT_VERSION = 1
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Track:
    """An ordered group of exercises (`tracks:` in the manifest), e.g. `classic`."""

    id: str
    title: Text
    description: Text


@dataclass(frozen=True)
class Check:
    name: str  # a test function in grader/checks/test_<exercise>.py
    points: int
    hint: Text
    visibility: str = ""  # Gradescope: visible | hidden | after_due_date | after_published


@dataclass(frozen=True)
class Exercise:
    id: str
    title: Text
    function: str
    tensorflow: bool
    wall_seconds: float
    memory_mb: int
    hints: tuple[Text, ...]
    checks: tuple[Check, ...]
    exercises_dir: Path
    solutions_dir: Path
    # The checks' own work on what the submission returned (loading, predicting,
    # training) runs in a bounded process: this much time after the learner's code,
    # and this much memory.
    checks_seconds: float = 120
    checks_memory_mb: int = 3072
    scratch_mb: int = 1024  # the files the submission may write in its scratch folder
    track: str | None = None  # a track id from the manifest's `tracks:`, if it has any
    difficulty: str | None = None  # easy | medium | hard

    @property
    def stub_path(self) -> Path:
        return self.exercises_dir / f"{self.id}.py"

    @property
    def solution_path(self) -> Path:
        return self.solutions_dir / f"{self.id}.py"

    @property
    def checks_path(self) -> Path:
        return paths.checks_dir() / f"test_{self.id}.py"

    @property
    def max_score(self) -> int:
        return sum(check.points for check in self.checks)

    @property
    def preload(self) -> list[str]:
        """Modules the worker imports before the learner's file arrives."""
        return ["numpy", "keras"] if self.tensorflow else ["numpy"]

    def worker_limits(self):
        """The sandboxed worker's `Limits` for this exercise."""
        from grader.sandbox.bounded import Limits

        return Limits(wall_seconds=self.wall_seconds, memory_mb=self.memory_mb,
                      max_disk_bytes=self.scratch_mb << 20)  # fmt: skip


class ManifestError(UserError):
    pass


def _say(en: str, zh: str) -> str:
    from grader.messages import say

    return say(en=en, zh=zh)


def load_manifest(path: Path | None = None) -> list[Exercise]:
    """The manifest's exercises in course order: track by track in the order of `tracks:`,
    each track's exercises in manifest order (exercises without a track last).
    Raises ManifestError naming the bad field."""
    path, data = _read(path)
    solutions_dir = path.parent.parent / "solutions"
    if path.parent == paths.content_dir("exercises"):
        solutions_dir = paths.content_dir("solutions")
    exercises = [_exercise(entry, path, solutions_dir) for entry in data.get("exercises") or []]
    order = {track.id: i for i, track in enumerate(_tracks(data, path))}
    return sorted(exercises, key=lambda e: order.get(e.track, len(order)))


def load_tracks(path: Path | None = None) -> list[Track]:
    """The manifest's tracks, in order (empty when it declares none)."""
    path, data = _read(path)
    return _tracks(data, path)


def track_exercises(track_id: str, manifest: list[Exercise], tracks: list[Track]) -> list[Exercise]:
    """The exercises of one track, in order; UnknownTrack when no track has that id."""
    if track_id not in {t.id for t in tracks}:
        raise UnknownTrack(track_id, tracks)
    return [e for e in manifest if e.track == track_id]


class UnknownTrack(UserError):
    """`--track` names no track of the manifest; the message lists the tracks there are."""

    def __init__(self, track_id: str, tracks: list[Track]):
        self.track_id, self.known = track_id, tuple(t.id for t in tracks)
        known = ", ".join(self.known)
        super().__init__(
            _say(en=f"unknown track {track_id!r} (tracks: {known or 'none'})",
                 zh=f"没有名为“{track_id}”的路线（现有：{known or '无'}）")
        )  # fmt: skip


def _read(path: Path | None) -> tuple[Path, dict]:
    path = path or paths.content_dir("exercises") / MANIFEST_NAME
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(_say(en=f"{path}: cannot read the exercise manifest: {exc}",
                                 zh=f"{path}：无法读取练习清单：{exc}")) from exc  # fmt: skip
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise ManifestError(_say(en=f"{path}: expected format_version: {FORMAT_VERSION}",
                                 zh=f"{path}：应为 format_version: {FORMAT_VERSION}"))  # fmt: skip
    return path, data


def _tracks(data: dict, path: Path) -> list[Track]:
    try:
        return [
            Track(
                id=str(entry["id"]),
                title=Text.of(entry["title"]),
                description=Text.of(entry.get("description") or ""),
            )
            for entry in data.get("tracks") or []
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        message = _say(
            en=f"{path}: tracks: missing or malformed field ({exc})",
            zh=f"{path}：tracks：字段缺失或格式错误（{exc}）",
        )
        raise ManifestError(message) from exc


def _exercise(entry: dict, path: Path, solutions_dir: Path) -> Exercise:
    where = f"{path}: exercise {entry.get('id', '?')!r}"
    try:
        limits = entry.get("limits") or {}
        checks = tuple(
            Check(
                name=str(c["name"]),
                points=int(c["points"]),
                hint=Text.of(c.get("hint", "")),
                visibility=str(c.get("visibility") or ""),
            )  # fmt: skip
            for c in entry["checks"]
        )
        return Exercise(
            id=str(entry["id"]),
            title=Text.of(entry["title"]),
            function=str(entry["function"]),
            tensorflow=bool(entry.get("tensorflow", True)),
            wall_seconds=float(limits.get("wall_seconds", 60)),
            memory_mb=int(limits.get("memory_mb", 2048)),
            hints=tuple(Text.of(h) for h in entry.get("hints") or []),
            checks=checks,
            exercises_dir=path.parent,
            solutions_dir=solutions_dir,
            checks_seconds=float(limits.get("checks_seconds", 120)),
            checks_memory_mb=int(limits.get("checks_memory_mb", 3072)),
            scratch_mb=int(limits.get("scratch_mb", 1024)),
            track=str(entry["track"]) if entry.get("track") is not None else None,
            difficulty=str(entry["difficulty"]) if entry.get("difficulty") is not None else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestError(_say(en=f"{where}: missing or malformed field ({exc})",
                                 zh=f"{where}：字段缺失或格式错误（{exc}）")) from exc  # fmt: skip


def get_exercise(exercise_id: str, manifest: list[Exercise] | None = None) -> Exercise:
    """The exercise with this id (case and British spelling forgiven: `Normalise` is
    `normalize`), or a UserError naming the closest one and listing those that exist."""
    from grader.messages import say
    from grader.suggest import did_you_mean, same

    exercises = manifest if manifest is not None else load_manifest()
    ids = [e.id for e in exercises]
    match = exercise_id if exercise_id in ids else same(exercise_id, ids)
    for exercise in exercises:
        if exercise.id == match:
            return exercise
    known = ", ".join(ids) or "none"
    raise UserError(
        say(en=f"unknown exercise {exercise_id!r} (known: {known}).",
            zh=f"没有名为“{exercise_id}”的练习（现有：{known}）。")
        + did_you_mean(exercise_id, ids)
    )  # fmt: skip
