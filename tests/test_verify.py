"""`mlkata verify`: reference solutions score full marks, stubs fail, checks speak."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def course(mlkata, tmp_path: Path) -> Path:
    """A course folder with one scaffolded exercise, `sumup` (function `solve`)."""
    assert mlkata("new", "exercise", "sumup", "--root", str(tmp_path)).returncode == 0
    return tmp_path


def test_shipped_normalize_is_proved(mlkata):
    result = mlkata("verify", "normalize", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[1/1] normalize: solution 12/12, stub 0/12 fails  ok" in result.stdout
    assert "All 1 exercise(s) verified." in result.stdout


def test_a_relative_root_works_as_the_scaffold_suggests(mlkata_home, tmp_path):
    """`new exercise` ends with "run: mlkata verify X --root DIR" as typed: often relative.
    bubblewrap needs absolute paths to hide the solutions; a relative one broke every grading."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "grader", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    (tmp_path / "course").mkdir()
    assert run("new", "exercise", "sumup", "--root", "course").returncode == 0
    result = run("verify", "sumup", "--root", "course")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sumup: solution 2/2, stub 0/2 fails  ok" in result.stdout


def test_a_wrong_solution_fails_verification(mlkata, course):
    (course / "solutions" / "sumup.py").write_text("def solve(numbers):\n    return 0\n")
    result = mlkata("verify", "--root", str(course))
    assert result.returncode == 1
    assert "sumup: solution 1/2, stub 0/2 fails  FAILED" in result.stdout
    assert "the reference solution scores 1/2" in result.stdout
    assert "test_sums_a_short_list: solve([1, 2, 3]) returned 0; expected 6" in result.stdout
    assert "Verification failed." in result.stdout


def test_a_stub_that_passes_or_lacks_a_todo_fails_verification(mlkata, course):
    (course / "exercises" / "sumup.py").write_text("def solve(numbers):\n    return sum(numbers)\n")
    result = mlkata("verify", "--root", str(course))
    assert result.returncode == 1
    assert "stub 2/2 PASSES" in result.stdout
    assert "the stub passes every check: learners would score full marks for nothing" in (
        result.stdout.replace("\n  ", " ")
    )
    assert "the stub sumup.py has no TODO marker" in result.stdout


def test_a_check_without_docstring_or_points_fails_verification(mlkata, course):
    checks = course / "grader" / "checks" / "test_sumup.py"
    checks.write_text(checks.read_text().replace('    """solve([]) returns 0."""\n', ""))
    manifest = course / "exercises" / "exercises.yaml"
    manifest.write_text(manifest.read_text().replace("points: 1", "points: 0", 1))
    result = mlkata("verify", "--root", str(course))
    assert result.returncode == 1
    out = result.stdout.replace("\n", " ")
    assert "checks[1].name: test_empty_list_gives_zero has no docstring" in out
    assert "checks[0].points: must be a whole number > 0, not 0" in out
    assert "check test_empty_list_gives_zero has no message (give its test a docstring)" in out
    assert "check test_sums_a_short_list has no points" in out


def test_a_crashing_solution_is_reported_not_raised(mlkata, course):
    (course / "solutions" / "sumup.py").write_text("import os\nos._exit(0)\n")
    result = mlkata("verify", "--root", str(course))
    assert result.returncode == 1
    assert "the reference solution scores 0/2" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-exercise"], "unknown exercise 'no-such-exercise'"),
        (["--root", "/no/such/folder"], "no such folder: /no/such/folder"),
    ],
)
def test_usage_errors(mlkata, args, message):
    result = mlkata("verify", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_folder_without_manifest_is_a_usage_error(mlkata, tmp_path):
    result = mlkata("verify", "--root", str(tmp_path))
    assert result.returncode == 2
    assert "no exercise manifest at" in result.stderr


def test_grade_and_validate_take_a_course_folder_too(mlkata, course):
    """An instructor regrades one student, or validates the course, without a clone."""
    graded = mlkata("grade", "sumup", str(course / "solutions" / "sumup.py"),
                    "--root", str(course), "--json")  # fmt: skip
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert json.loads(graded.stdout)["score"] == 2
    assert mlkata("grade", "sumup", str(course / "solutions" / "sumup.py")).returncode == 2
    checked = mlkata("validate", "--root", str(course), "--json")
    assert checked.returncode == 0
    assert [e["id"] for e in json.loads(checked.stdout)["exercises"]] == ["sumup"]


def test_exporting_an_unfinished_scaffold_warns(mlkata, course, tmp_path):
    bundle = tmp_path / "autograder.zip"
    result = mlkata("export", "gradescope", "sumup", "--root", str(course), "-o", str(bundle))
    assert result.returncode == 0 and bundle.is_file()
    assert "sumup's title still says TODO" in result.stderr
    shipped = mlkata("export", "gradescope", "normalize", "-o", str(tmp_path / "n.zip"))
    assert shipped.returncode == 0 and "TODO" not in shipped.stderr
