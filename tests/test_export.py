"""`mlkata export gradescope` and the GitHub Classroom workflow, run locally without network."""

from __future__ import annotations

import ast
import base64
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "normalize.py"
STUB = REPO / "exercises" / "normalize.py"
GRADESCOPE_TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "autograder.zip"
    env = {**os.environ, "MLKATA_HOME": str(out.parent / "home")}
    result = subprocess.run(
        [sys.executable, "-m", "grader", "export", "gradescope", "normalize", "-o", str(out)],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"Wrote {out} (" in result.stdout
    return out


def autograde(bundle: Path, root: Path, submission: Path | None) -> tuple[dict, str]:
    """Unpack like Gradescope (/autograder/source), run run_autograder, read results.json."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    if submission is not None:
        shutil.copy(submission, root / "submission" / "normalize.py")
    runner = root / "source" / "run_autograder"
    runner.chmod(runner.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "MLKATA_PYTHON": sys.executable}
    env.pop("MLKATA_HOME", None)
    done = subprocess.run([str(runner)], capture_output=True, text=True, cwd=root, env=env,
                          timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text()), done.stderr


def test_bundle_holds_the_grader_and_checks_but_no_solution(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        contents = [archive.read(n) for n in names]
    for required in (
        "setup.sh",
        "run_autograder",
        "mlkata/grader/grading/runner.py",
        "mlkata/grader/checks/test_normalize.py",
        "mlkata/exercises/exercises.yaml",
    ):
        assert required in names  # fmt: skip
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not any("solutions" in n for n in names)
    assert SOLUTION.read_bytes() not in contents
    defines = [n for n, c in zip(names, contents, strict=True) if n.endswith(".py")
               and "preprocess_image" in {f.name for f in ast.walk(ast.parse(c))
                                          if isinstance(f, ast.FunctionDef)}]  # fmt: skip
    assert defines == ["mlkata/exercises/normalize.py"]  # the stub, which raises
    assert not any(n.startswith("mlkata/grader/checks/test_") and "normalize" not in n
                   for n in names)  # fmt: skip
    manifest = yaml.safe_load(contents[names.index("mlkata/exercises/exercises.yaml")])
    assert [e["id"] for e in manifest["exercises"]] == ["normalize"]


def test_run_autograder_grades_a_solution_in_gradescope_format(bundle, tmp_path):
    results, stderr = autograde(bundle, tmp_path / "autograder", SOLUTION)
    assert (
        f"mlkata grader from {tmp_path / 'autograder' / 'source' / 'mlkata' / 'grader'}" in stderr
    )
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0
    assert len(results["tests"]) == 8
    for test in results["tests"]:
        assert set(test) == GRADESCOPE_TEST_KEYS
        assert test["status"] == "passed" and test["score"] == test["max_score"]
    assert isinstance(results["execution_time"], float)


def test_run_autograder_fails_the_stub_and_explains(bundle, tmp_path):
    results, _ = autograde(bundle, tmp_path / "autograder", STUB)
    assert results["score"] == 0
    assert {t["status"] for t in results["tests"]} == {"failed"}
    assert "NotImplementedError" in results["tests"][0]["output"]


def test_run_autograder_without_a_submission_still_writes_results(bundle, tmp_path):
    results, _ = autograde(bundle, tmp_path / "autograder", None)
    assert results["score"] == 0
    assert results["output"] == "Not graded: upload normalize.py (found: no .py file)"


def test_export_of_a_course_exercise_bundles_its_own_checks(mlkata, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    assert mlkata("new", "exercise", "sumup", "--root", str(course)).returncode == 0
    out = tmp_path / "sumup.zip"
    result = mlkata("export", "gradescope", "sumup", "--root", str(course), "-o", str(out))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        checks = archive.read("mlkata/grader/checks/test_sumup.py")
    assert checks == (course / "grader" / "checks" / "test_sumup.py").read_bytes()
    right = tmp_path / "right.py"
    right.write_text("def solve(numbers):\n    return sum(numbers)\n")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    shutil.copy(right, root / "submission" / "sumup.py")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "MLKATA_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert (results["score"], [t["status"] for t in results["tests"]]) == (2, ["passed"] * 2)


def test_export_usage_errors(mlkata, tmp_path):
    unknown = mlkata("export", "gradescope", "nope", "-o", str(tmp_path / "a.zip"))
    assert unknown.returncode == 2 and "unknown exercise 'nope'" in unknown.stderr
    target = mlkata("export", "moodle", "normalize")
    assert target.returncode == 2 and "invalid choice: 'moodle'" in target.stderr
    assert not (tmp_path / "a.zip").exists()


def test_github_classroom_workflow_grades_and_reports(tmp_path):
    workflow = yaml.safe_load((REPO / "docs" / "github-classroom.yml").read_text())
    steps = workflow["jobs"]["autograding"]["steps"]
    grading = next(s for s in steps if s.get("id") == "mlkata")
    reporter = steps[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "mlkata"
    assert "steps.mlkata.outputs.result" in reporter["env"]["MLKATA_RESULTS"]
    shutil.copy(SOLUTION, tmp_path / workflow["env"]["SUBMISSION"])
    output = tmp_path / "github_output"
    env = {**os.environ, **workflow["env"], "GITHUB_OUTPUT": str(output),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "MLKATA_HOME": str(tmp_path / "home")}  # fmt: skip
    done = subprocess.run(["bash", "-e", "-c", grading["run"]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    key, _, value = output.read_text().strip().partition("=")
    result = json.loads(base64.b64decode(value))
    assert key == "result"
    assert result["version"] == 1 and result["max_score"] > 0
    failed = {t["name"]: t.get("message") for t in result["tests"] if t["status"] != "pass"}
    assert not failed, failed  # the reference solution passes every check
    assert result["status"] == "pass"
    assert sum(t["score"] for t in result["tests"]) == result["max_score"]
