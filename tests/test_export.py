"""`mlkata export gradescope`: the bundle, run locally in an /autograder-like folder."""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "solutions" / "normalize.py"
STUB = REPO / "exercises" / "normalize.py"
GRADESCOPE_TEST_KEYS = {"name", "number", "score", "max_score", "status", "output", "output_format",
                        "tags", "visibility"}  # fmt: skip


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


def autograde(
    bundle: Path, root: Path, submission: Path | None, name: str = "normalize.py"
) -> tuple[dict, str]:
    """Unpack like Gradescope (/autograder/source), run run_autograder, read results.json."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    if submission is not None:
        shutil.copy(submission, root / "submission" / name)
    runner = root / "source" / "run_autograder"
    runner.chmod(runner.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "MLKATA_PYTHON": sys.executable}
    env.pop("MLKATA_HOME", None)
    done = subprocess.run([str(runner)], capture_output=True, text=True, cwd=root, env=env,
                          timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text()), done.stdout


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
    results, stdout = autograde(bundle, tmp_path / "autograder", SOLUTION)
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0
    assert len(results["tests"]) == 8
    for number, test in enumerate(results["tests"], 1):
        assert set(test) == GRADESCOPE_TEST_KEYS
        assert test["status"] == "passed" and test["score"] == test["max_score"]
        assert (test["number"], test["tags"], test["output_format"]) == (
            str(number), ["normalize"], "md")  # fmt: skip
        assert test["visibility"] == "visible"
    assert isinstance(results["execution_time"], float)
    assert (results["output_format"], results["stdout_visibility"]) == ("md", "hidden")
    tier = results["extra_data"]["sandbox"]
    assert tier in ("bubblewrap", "unprivileged") and f"Sandbox: {tier}" in results["output"]
    assert f"sandbox {tier}" in stdout.splitlines()[0]  # what Gradescope keeps as stdout


def test_run_autograder_fails_the_stub_and_explains(bundle, tmp_path):
    results, _ = autograde(bundle, tmp_path / "autograder", STUB)
    assert results["score"] == 0
    assert {t["status"] for t in results["tests"]} == {"failed"}
    first = results["tests"][0]["output"]
    assert first.startswith("**✗ failed** · 0/2")
    assert "NotImplementedError" in first and "**Hint:**" in first


def test_run_autograder_without_a_submission_still_writes_results(bundle, tmp_path):
    results, _ = autograde(bundle, tmp_path / "autograder", None)
    assert results["score"] == 0
    assert results["output"] == "Not graded: upload normalize.py (found: no .py file)"
    assert results["tests"] == []


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
    bad = mlkata("export", "gradescope", "normalize", "--visibility", "sometimes")
    assert bad.returncode == 2 and "invalid choice: 'sometimes'" in bad.stderr
    assert not (tmp_path / "a.zip").exists()


def test_visibility_comes_from_the_manifest_then_the_export_flags(mlkata, course, tmp_path):
    manifest = course / "exercises" / "exercises.yaml"
    manifest.write_text(manifest.read_text().replace(
        "      - name: test_empty_list_gives_zero\n",
        "      - name: test_empty_list_gives_zero\n        visibility: hidden\n", 1))  # fmt: skip
    assert mlkata("validate", str(course)).returncode == 0
    out = tmp_path / "sumup.zip"
    made = mlkata("export", "gradescope", "sumup", "--root", str(course), "-o", str(out),
                  "--visibility", "after_due_date", "--stdout-visibility", "visible")  # fmt: skip
    assert made.returncode == 0, made.stderr
    right = tmp_path / "right.py"
    right.write_text("def solve(numbers):\n    return sum(numbers)\n")
    results, _ = autograde(out, tmp_path / "autograder", right, name="sumup.py")
    assert [t["visibility"] for t in results["tests"]] == ["after_due_date", "hidden"]
    assert results["stdout_visibility"] == "visible"
    manifest.write_text(manifest.read_text().replace("visibility: hidden", "visibility: later"))
    invalid = mlkata("validate", str(course))
    assert invalid.returncode == 1 and "visibility: 'later': use visible, hidden" in invalid.stdout


def test_gradescope_in_chinese(mlkata, course, tmp_path):
    out = tmp_path / "sumup.zip"
    made = mlkata("export", "gradescope", "sumup", "--root", str(course), "-o", str(out),
                  "--lang", "zh")  # fmt: skip
    assert made.returncode == 0, made.stderr
    wrong = tmp_path / "wrong.py"
    wrong.write_text("def solve(numbers):\n    return 6\n")
    results, _ = autograde(out, tmp_path / "autograder", wrong, name="sumup.py")
    assert "沙箱" in results["output"]
    assert results["tests"][1]["output"].startswith("**✗ 未通过** · 0/1")
    missing, _ = autograde(out, tmp_path / "empty", None, name="sumup.py")
    assert missing["output"] == "未评分: 请上传 sumup.py（找到：没有 .py 文件）"


def test_where_no_sandbox_starts_gradescope_refuses_to_grade(bundle, tmp_path, monkeypatch):
    monkeypatch.setenv("MLKATA_SANDBOX", "none")
    results, _ = autograde(bundle, tmp_path / "autograder", SOLUTION)
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("Not graded:")
    assert "--unsafe-no-sandbox" in results["output"]


def test_unsafe_no_sandbox_reaches_mlkata_grade_only_when_exported_with_it(monkeypatch, tmp_path):
    from grader.platforms import common

    seen = []

    def fake_run(command, **kwargs):
        seen.append(command)
        return subprocess.CompletedProcess(command, 2, "", "mlkata: refused")

    monkeypatch.setattr(common.subprocess, "run", fake_run)
    file = tmp_path / "normalize.py"
    common.grade(common.Settings("normalize"), None, file)
    common.grade(common.Settings("normalize", unsafe_no_sandbox=True), None, file)
    assert ["--unsafe-no-sandbox" in command for command in seen] == [False, True]
    assert common.grade(common.Settings("normalize"), None, file).problem == "refused"


def test_exported_with_unsafe_no_sandbox_it_grades_without_one(mlkata, course, tmp_path,
                                                                monkeypatch):  # fmt: skip
    out = tmp_path / "sumup.zip"
    made = mlkata("export", "gradescope", "sumup", "--root", str(course), "-o", str(out),
                  "--unsafe-no-sandbox")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "student code will run unconfined" in made.stderr
    right = tmp_path / "right.py"
    right.write_text("def solve(numbers):\n    return sum(numbers)\n")
    monkeypatch.setenv("MLKATA_SANDBOX", "none")
    results, stdout = autograde(out, tmp_path / "autograder", right, name="sumup.py")
    assert (results["score"], results["extra_data"]["sandbox"]) == (2, "none")
    assert "Sandbox: none" in results["output"] and "sandbox none" in stdout


def test_requirements_let_python_3_10_pick_releases_that_support_it():
    from grader.platforms.bundle import requirements

    lines = dict(line.split(">=", 1) for line in requirements(tensorflow=True).splitlines())
    assert set(lines) == {"fsrs", "numpy", "platformdirs", "pytest", "pyyaml", "rich",
                          "tensorflow", "keras"}  # fmt: skip
    for name, bounds in lines.items():
        oldest, newest = bounds.split(",<=")
        assert newest == version(name)  # exactly what this machine grades with, at most
    assert lines["numpy"].startswith("1.26,")  # numpy 2.2 (the last for Python 3.10) fits


def test_the_grader_has_nothing_python_3_10_cannot_run():
    """Gradescope's default image has Python 3.10: no 3.11-only syntax or names."""
    eleven = ("tomllib", "ExceptionGroup", "except*", "datetime.UTC", "from datetime import UTC",
              "typing import Self", "StrEnum", "TaskGroup", "asyncio.timeout(",
              "hashlib.file_digest", "add_note(")  # fmt: skip
    for file in sorted((REPO / "grader").rglob("*.py")):
        source = file.read_text(encoding="utf-8")
        ast.parse(source, filename=str(file), feature_version=(3, 10))
        found = [name for name in eleven if name in source]
        assert not found, f"{file.relative_to(REPO)} uses {found} (Python 3.11+)"
