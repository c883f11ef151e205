"""The workspace core: init, learner_file, reset and status, on a small manifest of its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader import progress, workspace
from grader.errors import UserError
from grader.exercises import load_manifest

MANIFEST = """\
format_version: 1
exercises:
  - id: alpha
    title: {en: Alpha, zh: 甲}
    function: f
    tensorflow: false
    hints: [first, second]
    checks:
      - {name: test_one, points: 1}
      - {name: test_two, points: 1}
      - {name: test_three, points: 1}
  - id: beta
    title: Beta
    function: g
    tensorflow: false
    checks:
      - {name: test_one, points: 2}
      - {name: test_two, points: 3}
"""


@pytest.fixture
def manifest(tmp_path: Path):
    content = tmp_path / "content" / "exercises"
    content.mkdir(parents=True)
    (content / "exercises.yaml").write_text(MANIFEST)
    (content / "alpha.py").write_text("def f():\n    raise NotImplementedError\n")
    (content / "beta.py").write_text("def g():\n    raise NotImplementedError\n")
    return load_manifest(content / "exercises.yaml")


@pytest.fixture
def space(tmp_path: Path, manifest, monkeypatch: pytest.MonkeyPatch) -> workspace.Workspace:
    root = tmp_path / "kata"
    workspace.init(root, manifest)
    monkeypatch.chdir(root)
    return workspace.require()


def test_init_copies_every_stub_and_names_them_in_the_marker(tmp_path, manifest):
    result = workspace.init(tmp_path / "kata", manifest)
    root = tmp_path / "kata"
    assert [p.name for p in result.created] == ["alpha.py", "beta.py"]
    assert (root / "alpha.py").read_text() == manifest[0].stub_path.read_text()
    marker = json.loads((root / workspace.MARKER).read_text())
    assert marker["format_version"] == 1
    assert marker["exercises"] == ["alpha", "beta"]
    assert marker["stubs"]["alpha"] == workspace.digest(manifest[0].stub_path)


def test_init_again_keeps_the_learners_files(tmp_path, manifest):
    root = tmp_path / "kata"
    workspace.init(root, manifest)
    (root / "alpha.py").write_text("mine\n")
    (root / "beta.py").unlink()
    result = workspace.init(root, manifest)
    assert (root / "alpha.py").read_text() == "mine\n"
    assert [p.name for p in result.kept] == ["alpha.py"]
    assert [p.name for p in result.created] == ["beta.py"]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, manifest):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("x")
    with pytest.raises(UserError, match="not empty"):
        workspace.init(tmp_path / "busy", manifest)


def test_init_refuses_a_folder_inside_a_workspace(space, manifest):
    with pytest.raises(UserError, match="inside the workspace"):
        workspace.init(space.root / "nested", manifest)


def test_learner_file_is_the_copy_inside_a_workspace_only(space, manifest, tmp_path, monkeypatch):
    (space.root / "sub").mkdir()
    monkeypatch.chdir(space.root / "sub")
    assert workspace.learner_file(manifest[0]) == space.root / "alpha.py"
    monkeypatch.chdir(tmp_path)
    assert workspace.learner_file(manifest[0]) is None


def test_learner_file_says_how_to_restore_a_deleted_copy(space, manifest):
    (space.root / "alpha.py").unlink()
    with pytest.raises(UserError, match="mlkata reset alpha"):
        workspace.learner_file(manifest[0])


def test_a_damaged_marker_is_named(space):
    (space.root / workspace.MARKER).write_text("{not json")
    with pytest.raises(UserError, match=r"\.mlkata-workspace\.json is damaged"):
        workspace.find()


def test_reset_restores_the_stub_and_keeps_a_timestamped_backup(space, manifest):
    (space.root / "alpha.py").write_text("my attempt\n")
    backup = workspace.reset(space, manifest[0], now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert (space.root / "alpha.py").read_text() == manifest[0].stub_path.read_text()
    assert backup.parent == space.root / workspace.BACKUPS
    assert backup.read_text() == "my attempt\n"
    assert backup.name.startswith("alpha-2026010")
    (space.root / "alpha.py").write_text("second attempt\n")
    again = workspace.reset(space, manifest[0], now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert again != backup and again.read_text() == "second attempt\n"


def _grade(exercise, file: Path, score, max_score, at):
    progress.record_grade(
        exercise, workspace.digest(file), score, max_score, score == max_score, now=at
    )


def test_status_follows_the_latest_grade(space, manifest):
    alpha = space.root / "alpha.py"
    start = datetime(2026, 11, 1, tzinfo=UTC)
    assert [s.state for s in workspace.statuses(space, manifest)] == ["not started"] * 2

    alpha.write_text("def f():\n    return 1\n")
    _grade("alpha", alpha, 1, 3, start)
    _grade("alpha", alpha, 2, 3, start + timedelta(minutes=1))
    status = workspace.statuses(space, manifest)[0]
    assert (status.state, status.failing_checks, status.total_checks) == ("failing", 1, 3)
    assert (status.best_score, status.attempts) == (2, 2)
    assert status.last_attempt == start + timedelta(minutes=1)
    assert not status.edited

    alpha.write_text("def f():\n    return 2\n")
    assert workspace.statuses(space, manifest)[0].edited
    _grade("alpha", alpha, 3, 3, start + timedelta(minutes=2))
    assert workspace.statuses(space, manifest)[0].state == "passed"


def test_failing_checks_are_unknown_when_points_differ(space, manifest):
    _grade("beta", space.root / "beta.py", 2, 5, datetime(2026, 11, 1, tzinfo=UTC))
    (space.root / "beta.py").write_text("def g():\n    return 0\n")
    beta = workspace.statuses(space, manifest)[1]
    assert (beta.state, beta.failing_checks, beta.best_score) == ("failing", None, 2)
    assert beta.to_dict()["failing_checks"] is None


def test_next_unfinished_looks_after_the_current_one_first(space, manifest):
    alpha = space.root / "alpha.py"
    alpha.write_text("done\n")
    _grade("alpha", alpha, 3, 3, datetime(2026, 11, 1, tzinfo=UTC))
    items = workspace.statuses(space, manifest)
    assert workspace.next_unfinished(items).exercise.id == "beta"
    assert workspace.next_unfinished(items, after="beta") is None
    _grade("beta", space.root / "beta.py", 5, 5, datetime(2026, 11, 1, tzinfo=UTC))
    assert workspace.next_unfinished(workspace.statuses(space, manifest)) is None


def test_summary_is_plain_data_for_stats(space, manifest, monkeypatch):
    monkeypatch.setattr(workspace, "load_manifest", lambda: manifest)
    _grade("alpha", space.root / "alpha.py", 3, 3, datetime(2026, 11, 1, tzinfo=UTC))
    data = workspace.summary("zh")
    assert (data["exercises"], data["passed"], data["attempts"]) == (2, 1, 1)
    assert [item["status"] for item in data["items"]] == ["passed", "not started"]
    assert data["items"][0]["title"] == "甲"
    json.dumps(data)  # plain data all the way down
