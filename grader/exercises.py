"""The exercise manifest: which exercises exist, their files, checks, points and limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from grader import paths
from grader.errors import UserError
from grader.text import Text

MANIFEST_NAME = "exercises.yaml"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Check:
    name: str  # a test function in grader/checks/test_<exercise>.py
    points: int
    hint: Text


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


class ManifestError(UserError):
    pass


def load_manifest(path: Path | None = None) -> list[Exercise]:
    """Read and check the manifest; raises ManifestError naming the bad field."""
    path = path or paths.content_dir("exercises") / MANIFEST_NAME
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(f"{path}: cannot read the exercise manifest: {exc}") from exc
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise ManifestError(f"{path}: expected format_version: {FORMAT_VERSION}")
    solutions_dir = path.parent.parent / "solutions"
    if path.parent == paths.content_dir("exercises"):
        solutions_dir = paths.content_dir("solutions")
    return [_exercise(entry, path, solutions_dir) for entry in data.get("exercises") or []]


def _exercise(entry: dict, path: Path, solutions_dir: Path) -> Exercise:
    where = f"{path}: exercise {entry.get('id', '?')!r}"
    try:
        limits = entry.get("limits") or {}
        checks = tuple(
            Check(name=str(c["name"]), points=int(c["points"]), hint=Text.of(c.get("hint", "")))
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
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestError(f"{where}: missing or malformed field ({exc})") from exc


def get_exercise(exercise_id: str, manifest: list[Exercise] | None = None) -> Exercise:
    """The exercise with this id, or a UserError listing the ones that exist."""
    exercises = manifest if manifest is not None else load_manifest()
    for exercise in exercises:
        if exercise.id == exercise_id:
            return exercise
    known = ", ".join(e.id for e in exercises) or "none"
    raise UserError(f"unknown exercise {exercise_id!r} (known: {known})")
