"""The grader's own side cannot be exhausted by what a submission returns or builds:
the worst a submission can cause is its own failing verdict (memory, timeout), never an
OOM-killed or hung grader, in `grade` as in `batch`."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pytest

from grader.exercises import get_exercise
from grader.grading.runner import grade
from grader.sandbox.launch import leftover_processes

HOSTILE = Path(__file__).parent / "hostile"
REPO = Path(__file__).resolve().parent.parent


def _messages(verdict) -> str:
    return " | ".join(c.message for c in verdict.checks if not c.passed)


@pytest.mark.slow
def test_a_model_declaring_billions_of_weights_is_refused_unbuilt():
    """A few-KB .keras whose config declares Dense(2_000_000) after a 784-wide Flatten:
    refused from its config, before Keras allocates 6 GB."""
    cnn = dataclasses.replace(get_exercise("cnn"), checks_memory_mb=2048)

    verdict = grade(cnn, HOSTILE / "keras_declares_huge.py")

    assert not verdict.passed
    assert verdict.error is None  # the checks process survived to say why
    assert "declares 1,570,000,020 parameters" in _messages(verdict)
    assert "refused before any weight is built" in _messages(verdict)
    assert leftover_processes() == []


@pytest.mark.slow
def test_a_model_too_slow_for_the_checks_costs_its_own_timeout():
    """Eleven full-resolution Conv2D(256) layers: every prediction and gradient is slow.
    The grading stops at the exercise's limit (here 15 s for the learner's code and 1 s
    for the checks' own work), whatever the checks were doing."""
    cnn = dataclasses.replace(get_exercise("cnn"), wall_seconds=15, checks_seconds=1)

    verdict = grade(cnn, HOSTILE / "keras_slow_model.py")

    assert verdict.error == "timeout"
    assert "did not finish" in _messages(verdict)
    assert verdict.duration_s < 16 + 60  # the limit, plus the imports it does not count
    assert leftover_processes() == []


def test_answers_past_the_decoding_budget_are_refused():
    normalize = dataclasses.replace(get_exercise("normalize"), checks_memory_mb=150)

    verdict = grade(normalize, HOSTILE / "big_answers.py")

    assert not verdict.passed
    assert "its answers add up to more than 75 MB" in _messages(verdict)
    assert leftover_processes() == []


def test_the_checks_process_is_stopped_past_its_memory():
    """The bound itself: a checks process over its memory is killed, and the verdict says
    so for every check (here a limit below what Python, numpy and pytest need)."""
    normalize = dataclasses.replace(get_exercise("normalize"), checks_memory_mb=25)

    verdict = grade(normalize, normalize.solution_path)

    assert verdict.error == "memory"
    assert verdict.score == 0
    assert all("more than the grader's 25 MB of memory" in c.message for c in verdict.checks)
    assert leftover_processes() == []


def _normalize_class(tmp_path: Path, **students: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    for name, source in students.items():
        shutil.copy(source, folder / f"{name}.py")
    return folder


def test_batch_refuses_to_grade_without_a_sandbox_unless_told(mlkata, tmp_path, monkeypatch):
    solution = get_exercise("normalize").solution_path
    klass = _normalize_class(tmp_path, alice=solution)
    monkeypatch.setenv("MLKATA_SANDBOX", "none")

    refused = mlkata("batch", "normalize", str(klass), timeout=120)
    sheet = tmp_path / "grades.csv"
    allowed = mlkata("batch", "normalize", str(klass), "--unsafe-no-sandbox", "--csv",
                     str(sheet), timeout=120)  # fmt: skip

    assert refused.returncode == 2
    assert "refusing to grade a class without a sandbox" in refused.stderr
    assert "--unsafe-no-sandbox" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
    with sheet.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["student"], r["passed"], r["sandbox"]) for r in rows] == [("alice", "true", "none")]


def test_a_student_cannot_copy_a_classmate_in_batch(sandbox_tier, mlkata, tmp_path):
    """mallory searches every folder it can read for another preprocess_image; in the
    bubblewrap tier there is none to find. (The unprivileged tier can read what is
    world-readable: there the class folder must not be, see docs/instructors.md.)"""
    if sandbox_tier.name != "bubblewrap":
        pytest.skip("only the bubblewrap tier hides the class folder")
    solution = get_exercise("normalize").solution_path
    klass = _normalize_class(tmp_path, alice=solution, mallory=HOSTILE / "copy_a_classmate.py")
    sheet = tmp_path / "grades.csv"

    result = mlkata("batch", "normalize", str(klass), "--csv", str(sheet), timeout=180)

    assert result.returncode == 0, result.stderr
    with sheet.open(newline="") as stream:
        rows = {r["student"]: r for r in csv.DictReader(stream)}
    assert rows["alice"]["passed"] == "true"
    assert rows["mallory"]["passed"] == "false"
    assert "no classmate found" in rows["mallory"]["message"]
    assert rows["mallory"]["sandbox"] == "bubblewrap"
