"""Every shipped exercise, from its manifest: the reference solution scores full
marks, the stub fails, and stub, solution, checks and manifest agree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.exercises import DIFFICULTIES, load_manifest, load_tracks
from grader.grading.runner import grade

EXERCISES = load_manifest()
IDS = [e.id for e in EXERCISES]


def _test_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: ast.get_docstring(node) for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}  # fmt: skip


def test_manifest_lists_the_design_cards_exercises():
    assert {"normalize", "cnn", "pipeline"} <= set(IDS)


def test_every_shipped_exercise_sits_in_a_track_with_a_difficulty():
    tracks = load_tracks()
    assert [t.id for t in tracks] == ["mnist-keras", "llm", "classic"]
    for track in tracks:
        assert track.title.has("en") and track.title.has("zh"), track.id
        assert track.description.has("en") and track.description.has("zh"), track.id
    for exercise in EXERCISES:
        assert exercise.track in {t.id for t in tracks}, exercise.id
        assert exercise.difficulty in DIFFICULTIES, exercise.id
    order = [t.id for t in tracks]
    assert [order.index(e.track) for e in EXERCISES] == sorted(
        order.index(e.track) for e in EXERCISES
    )


def test_readme_exercise_table_lists_every_exercise_with_its_track_and_level():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    titles = {t.id: t.title("en") for t in load_tracks()}
    for exercise in EXERCISES:
        row = f"| {titles[exercise.track]} | `{exercise.id}` | {exercise.difficulty} | "
        assert row in readme, row


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_files_mirror_each_other(exercise):
    assert exercise.stub_path.is_file()
    assert exercise.solution_path.is_file()
    stub = exercise.stub_path.read_text(encoding="utf-8")
    assert "TODO" in stub and "raise NotImplementedError" in stub
    assert f"def {exercise.function}(" in stub
    functions = _test_functions(exercise.checks_path)
    assert set(functions) == {c.name for c in exercise.checks}
    for check in exercise.checks:
        assert check.points > 0, check.name
        assert functions[check.name], f"{check.name} has no docstring"
        assert check.hint("en") and check.hint("zh"), f"{check.name} lacks a hint"
    assert "solutions" not in exercise.checks_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_reference_solution_scores_full_marks(exercise):
    verdict = grade(exercise, exercise.solution_path)
    failed = [(c.name, c.message) for c in verdict.checks if not c.passed]
    assert verdict.passed and verdict.score == exercise.max_score, failed
    assert verdict.error is None


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_stub_fails(exercise):
    verdict = grade(exercise, exercise.stub_path)
    assert not verdict.passed
    assert verdict.score < exercise.max_score
