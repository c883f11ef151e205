"""`mlkata init`, `list`, `next`, `hint` and `reset`, driven through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import progress
from grader.exercises import get_exercise, load_manifest, load_tracks
from grader.workspace import BACKUPS, MARKER, digest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def run(mlkata_home: Path, tmp_path: Path):
    """`python -m grader ARGS` in `cwd` (default: a fresh folder), stdin piped."""

    def run(*args: str, cwd: Path | None = None, input: str = "") -> subprocess.CompletedProcess:
        env = {**os.environ, "MLKATA_HOME": str(mlkata_home), "PYTHONIOENCODING": "utf-8",
               "COLUMNS": "200", "LANG": "C.UTF-8"}  # fmt: skip
        env.pop("LC_ALL", None)
        return subprocess.run(
            [sys.executable, "-m", "grader", *args], cwd=cwd or tmp_path, env=env, input=input,
            capture_output=True, text=True, encoding="utf-8", timeout=120,
        )  # fmt: skip

    return run


@pytest.fixture
def space(run, tmp_path: Path) -> Path:
    result = run("init", "kata")
    assert result.returncode == 0, result.stderr
    return tmp_path / "kata"


def test_init_copies_every_stub_and_says_what_to_do_next(run, tmp_path):
    result = run("init", "kata")
    assert result.returncode == 0, result.stderr
    root = tmp_path / "kata"
    for exercise in load_manifest():
        assert (root / f"{exercise.id}.py").read_bytes() == exercise.stub_path.read_bytes()
        assert f"+ {exercise.id}.py" in result.stdout
    assert (root / MARKER).is_file()
    assert "cd kata && mlkata watch" in result.stdout


def test_init_again_keeps_the_learners_work(run, space):
    (space / "normalize.py").write_text("# my work\n")
    result = run("init", cwd=space)
    assert result.returncode == 0, result.stderr
    assert (space / "normalize.py").read_text() == "# my work\n"
    assert "= normalize.py" in result.stdout and "kept" in result.stdout


def test_init_refuses_a_busy_folder_without_a_traceback(run, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("x")
    result = run("init", "busy")
    assert result.returncode == 2
    assert "is not empty and is not an mlkata workspace" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_shows_each_exercise_and_follows_grades(run, space):
    ids = [e.id for e in load_manifest()]
    listed = json.loads(run("list", "--json", cwd=space).stdout)
    assert [item["exercise"] for item in listed] == ids
    assert {item["status"] for item in listed} == {"not started"}

    (space / "normalize.py").write_text((REPO / "solutions" / "normalize.py").read_text())
    graded = run("grade", "normalize", cwd=space)  # no FILE: the workspace copy is graded
    assert graded.returncode == 0, graded.stdout + graded.stderr
    listed = {
        item["exercise"]: item for item in json.loads(run("list", "--json", cwd=space).stdout)
    }
    normalize = listed["normalize"]
    assert normalize["status"] == "passed"
    assert normalize["best_score"] == normalize["max_score"] == get_exercise("normalize").max_score
    assert normalize["attempts"] == 1 and normalize["last_attempt"]

    table = run("list", cwd=space)
    assert table.returncode == 0
    assert "✓ passed" in table.stdout and "1/" in table.stdout
    assert f"Next: {ids[1]}" in table.stdout


@pytest.mark.slow  # the next unfinished exercise is cnn: its stub loads TensorFlow
def test_grade_without_an_exercise_grades_the_next_unfinished_one(run, space, tmp_path):
    first, second = load_manifest()[:2]
    (space / f"{first.id}.py").write_text((REPO / "solutions" / f"{first.id}.py").read_text())
    assert run("grade", cwd=space).returncode == 0  # the first, now solved
    graded = run("grade", "--json", cwd=space)  # then the second: its untouched stub fails
    assert graded.returncode == 1
    assert json.loads(graded.stdout)["exercise"] == second.id
    outside = run("grade", cwd=tmp_path)
    assert outside.returncode == 2
    assert "name the exercise to grade" in outside.stderr and "Traceback" not in outside.stderr


@pytest.mark.slow  # the cnn stub it grades imports Keras: TensorFlow loads in the sandbox
def test_grading_another_file_shows_its_verdict_but_leaves_the_status(run, space, tmp_path):
    (space / "normalize.py").write_text((REPO / "solutions" / "normalize.py").read_text())
    assert run("grade", "normalize", cwd=space).returncode == 0
    # The slip from issue 11: the cnn stub graded as normalize, from inside the workspace.
    slip = run("grade", "normalize", "cnn.py", cwd=space)
    assert slip.returncode == 1 and "0/" in slip.stdout  # its verdict is still shown
    assert "did not change normalize's status in your workspace" in slip.stderr
    stray = tmp_path / "attempt.py"
    stray.write_text("def preprocess_image(image):\n    return image\n")
    zh = run("grade", "normalize", str(stray), "--json", "--lang", "zh", cwd=space)
    assert json.loads(zh.stdout)["passed"] is False
    assert "没有改变工作区里 normalize 的状态" in zh.stderr
    listed = json.loads(run("list", "--json", cwd=space).stdout)[0]
    assert (listed["status"], listed["attempts"]) == ("passed", 1)
    assert "Next: normalize" not in run("next", cwd=space).stdout


def test_list_shows_the_latest_grade_and_whether_the_file_changed_since(run, space):
    graded = run("grade", "normalize", cwd=space)  # the untouched stub fails every check
    assert graded.returncode == 1
    (space / "normalize.py").write_text("import numpy as np\n\ndef preprocess_image(image):\n"
                                        "    return np.zeros(1)\n")  # fmt: skip
    listed = json.loads(run("list", "--json", cwd=space).stdout)[0]
    assert (listed["status"], listed["edited_since_last_attempt"]) == ("failing", True)
    run("grade", "normalize", cwd=space)
    listed = json.loads(run("list", "--json", cwd=space).stdout)[0]
    assert listed["status"] == "failing" and listed["latest_score"] < listed["max_score"]
    assert listed["edited_since_last_attempt"] is False


def test_next_names_the_first_unfinished_exercise_and_its_file(run, space):
    first = load_manifest()[0]
    result = run("next", cwd=space)
    assert result.returncode == 0
    assert f"Next: {first.id}" in result.stdout
    assert str(space / f"{first.id}.py") in result.stdout.replace("\n", "")


def test_hint_reveals_one_more_each_time_and_records_it(run, space):
    exercise = get_exercise("normalize")
    total = len(exercise.hints)
    assert total >= 2
    first = run("hint", "normalize", cwd=space)
    assert first.returncode == 0, first.stderr
    assert f"Hint 1/{total}" in first.stdout and f"Hint 2/{total}" not in first.stdout
    assert progress.revealed_hints("normalize") == [0]
    second = run("hint", "normalize", "--lang", "zh", cwd=space)
    assert f"提示 1/{total}" in second.stdout and f"提示 2/{total}" in second.stdout
    for _ in range(total):
        last = run("hint", "normalize", cwd=space)
    assert progress.revealed_hints("normalize") == list(range(total))
    assert f"all {total} are shown above" in last.stdout


def test_hint_without_an_exercise_uses_the_next_unfinished_one(run, space):
    result = run("hint", cwd=space)
    assert result.returncode == 0
    assert progress.revealed_hints(load_manifest()[0].id) == [0]


def test_hint_for_an_unknown_exercise_is_a_usage_error(run, space):
    result = run("hint", "nope", cwd=space)
    assert result.returncode == 2
    assert "unknown exercise 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_reset_asks_first_and_keeps_a_backup(run, space):
    learner = space / "normalize.py"
    learner.write_text("# attempt one\n")
    declined = run("reset", "normalize", cwd=space, input="n\n")
    assert declined.returncode == 1
    assert "Replace normalize.py with the original stub?" in declined.stdout
    assert learner.read_text() == "# attempt one\n"

    accepted = run("reset", "normalize", cwd=space, input="y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert digest(learner) == digest(get_exercise("normalize").stub_path)
    backups = list((space / BACKUPS).iterdir())
    assert [b.read_text() for b in backups] == ["# attempt one\n"]
    assert f"{BACKUPS}/normalize-" in accepted.stdout


def test_reset_yes_skips_the_question_and_no_input_means_no(run, space):
    learner = space / "normalize.py"
    learner.write_text("# attempt\n")
    unanswered = run("reset", "normalize", cwd=space)  # end of input: not reset
    assert unanswered.returncode == 1 and "add --yes" in unanswered.stdout
    assert learner.read_text() == "# attempt\n"
    assert run("reset", "normalize", "--yes", cwd=space).returncode == 0
    assert digest(learner) == digest(get_exercise("normalize").stub_path)
    again = run("reset", "normalize", "--yes", cwd=space)
    assert "already the original stub" in again.stdout


def test_reset_outside_a_workspace_says_how_to_make_one(run, tmp_path):
    result = run("reset", "normalize", "--yes", cwd=tmp_path)
    assert result.returncode == 2
    assert "not inside an mlkata workspace" in result.stderr
    assert "mlkata init" in result.stderr


@pytest.mark.parametrize("command", ["init", "list", "next", "hint", "watch", "reset"])
def test_every_command_has_help_with_an_example(run, command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "Example: mlkata" in result.stdout


def test_list_groups_exercises_under_their_track_in_course_order(run, space):
    tracks = load_tracks()
    table = run("list", cwd=space).stdout
    positions = []
    for track in tracks:
        members = [e.id for e in load_manifest() if e.track == track.id]
        if not members:
            continue
        heading = table.index(f"{track.title('en')} ({track.id})")
        rows = [table.index(f"│ {eid} ") for eid in members]
        assert heading < min(rows) and rows == sorted(rows), track.id
        positions.append(heading)
    assert positions == sorted(positions) and len(positions) >= 1
    chinese = run("list", "--lang", "zh", cwd=space).stdout
    assert tracks[0].title("zh") in chinese and "难度" in chinese
    listed = json.loads(run("list", "--json", cwd=space).stdout)
    assert [item["exercise"] for item in listed] == [e.id for e in load_manifest()]
    assert all(item["track"] and item["difficulty"] for item in listed)


def test_init_track_copies_only_that_track_and_next_stays_inside_it(run, tmp_path):
    manifest = load_manifest()
    track = manifest[-1].track  # the last track: `next` must not start from the first
    members = [e.id for e in manifest if e.track == track]
    result = run("init", "kata", "--track", track)
    assert result.returncode == 0, result.stderr
    copied = sorted(p.stem for p in (tmp_path / "kata").glob("*.py"))
    assert copied == sorted(members)
    assert f"Next: {members[0]}" in run("next", cwd=tmp_path / "kata").stdout
    listed = json.loads(run("list", "--json", cwd=tmp_path / "kata").stdout)
    assert [item["exercise"] for item in listed] == members


def test_next_follows_track_order_then_exercise_order(run, space):
    order = [e.id for e in load_manifest()]
    (space / f"{order[0]}.py").write_text((REPO / "solutions" / f"{order[0]}.py").read_text())
    assert run("grade", order[0], cwd=space).returncode == 0
    assert f"Next: {order[1]}" in run("next", cwd=space).stdout


def test_init_with_an_unknown_track_lists_the_tracks_in_both_languages(run, tmp_path):
    known = [t.id for t in load_tracks()]
    result = run("init", "kata", "--track", "nope")
    assert result.returncode == 2
    assert f"unknown track 'nope'; the tracks are: {', '.join(known)}" in result.stderr
    assert not (tmp_path / "kata").exists() and "Traceback" not in result.stderr
    chinese = run("init", "kata", "--track", "nope", "--lang", "zh")
    assert chinese.returncode == 2 and "现有路线：" + ", ".join(known) in chinese.stderr
