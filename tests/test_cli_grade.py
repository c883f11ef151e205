"""`mlkata grade` through the real CLI: output, exit codes and report files."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from grader.exercises import get_exercise

REPO = Path(__file__).resolve().parent.parent
NORMALIZE = get_exercise("normalize")


def test_reference_solution_passes_with_exit_0(mlkata):
    result = mlkata("grade", "normalize", "solutions/normalize.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{NORMALIZE.max_score}/{NORMALIZE.max_score}" in result.stdout
    assert "✓" in result.stdout and "✗" not in result.stdout


def test_stub_fails_with_exit_1_and_a_hint(mlkata):
    result = mlkata("grade", "normalize", "--lang", "en")
    assert result.returncode == 1
    assert "NotImplementedError" in result.stdout
    assert "Hint:" in result.stdout
    assert f"0/{NORMALIZE.max_score}" in result.stdout


def test_json_has_the_documented_fields(mlkata):
    result = mlkata("grade", "normalize", "exercises/normalize.py", "--json")
    assert result.returncode == 1
    verdict = json.loads(result.stdout)
    assert {"exercise", "passed", "score", "max_score", "duration_s", "checks", "error"} <= set(
        verdict
    )
    assert verdict["exercise"] == "normalize" and verdict["passed"] is False
    assert verdict["score"] == 0 and verdict["max_score"] == NORMALIZE.max_score
    assert verdict["error"] is None
    assert [c["name"] for c in verdict["checks"]] == [c.name for c in NORMALIZE.checks]
    for check in verdict["checks"]:
        assert set(check) == {"name", "passed", "score", "max_score", "message", "duration_s"}
        assert check["passed"] is False and check["message"]
        assert isinstance(check["duration_s"], float) and check["duration_s"] >= 0


def test_syntax_error_is_reported_as_such(mlkata, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("def preprocess_image(image)\n    return image\n")
    result = mlkata("grade", "normalize", str(broken), "--json")
    assert result.returncode == 1
    verdict = json.loads(result.stdout)
    assert verdict["error"] == "syntax"
    assert "line 1" in verdict["checks"][0]["message"]
    shown = "".join(mlkata("grade", "normalize", str(broken), "--lang", "zh").stdout.split())
    # (whitespace dropped: rich wraps the lines)
    assert "Python无法读取你的文件" in shown  # the hint is about the syntax error,
    assert "".join(NORMALIZE.checks[0].hint("zh").split()) not in shown  # not the exercise


def test_junit_and_gradescope_files(mlkata, tmp_path):
    junit, gradescope = tmp_path / "out" / "junit.xml", tmp_path / "results.json"
    result = mlkata("grade", "normalize", "solutions/normalize.py",
                    "--junit", str(junit), "--gradescope", str(gradescope))  # fmt: skip
    assert result.returncode == 0
    suite = ElementTree.parse(junit).getroot()
    assert suite.tag == "testsuite" and suite.get("failures") == "0"
    assert len(suite.findall("testcase")) == len(NORMALIZE.checks)
    results = json.loads(gradescope.read_text())
    assert results["score"] == NORMALIZE.max_score
    assert isinstance(results["execution_time"], float)
    for test in results["tests"]:
        assert set(test) == {"name", "number", "score", "max_score", "status", "output",
                             "output_format", "tags", "visibility"}  # fmt: skip
        assert test["status"] == "passed" and test["output_format"] == "md"
    # One name per check everywhere: the table, JUnit, Gradescope (and --json) say the
    # manifest's name, so a learner can find a check from any of them.
    names = [check.name for check in NORMALIZE.checks]
    assert [case.get("name") for case in suite.findall("testcase")] == names
    assert [test["name"] for test in results["tests"]] == names
    table = result.stdout
    assert all(f" {name} " in table for name in names), table
    assert results["extra_data"]["sandbox"] in ("bubblewrap", "unprivileged", "none")
    assert float(suite.find("testcase").get("time")) > 0


def test_unknown_exercise_is_a_usage_error(mlkata):
    result = mlkata("grade", "no-such-exercise", "x.py")
    assert result.returncode == 2
    assert "unknown exercise 'no-such-exercise'" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_a_usage_error(mlkata):
    result = mlkata("grade", "normalize", "does/not/exist.py")
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_grade_is_recorded(mlkata, mlkata_home, monkeypatch):
    mlkata("grade", "normalize", "solutions/normalize.py", "--json")
    monkeypatch.setenv("MLKATA_HOME", str(mlkata_home))
    from grader import progress

    [attempt] = progress.grade_history("normalize")
    assert attempt.passed and attempt.score == NORMALIZE.max_score


def test_plot_without_training_says_so_and_keeps_the_verdict(mlkata, tmp_path):
    png = tmp_path / "curve.png"
    result = mlkata("grade", "normalize", "solutions/normalize.py", "--plot", str(png))
    assert result.returncode == 0
    assert "nothing was trained" in result.stderr
    assert not png.exists()


def test_printed_output_names_the_learners_file_not_the_sandbox_copy(mlkata):
    result = mlkata("grade", "normalize", "tests/wrong/norm_seed.py")
    assert result.returncode == 1
    assert "norm_seed.py:5: RuntimeWarning" in result.stdout
    assert "mlkata-scratch" not in result.stdout


def test_grading_normalize_never_imports_tensorflow(tmp_path):
    """Neither the grader nor the sandboxed worker pays for TensorFlow on normalize."""
    import subprocess
    import sys

    probe = tmp_path / "probe.py"
    probe.write_text("import sys\n\ndef preprocess_image(image):\n"
                     "    return sorted(m for m in sys.modules if m.split('.')[0] in "
                     "('tensorflow', 'keras'))\n")  # fmt: skip
    code = f"""
import sys
from pathlib import Path
from grader.exercises import get_exercise
from grader.grading.proxy import Submission
from grader.grading.runner import grade
assert grade(get_exercise("normalize"), Path("solutions/normalize.py")).passed
worker = Submission(get_exercise("normalize"), Path({str(probe)!r}))
print(worker.call(0), sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")))
worker.close()
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] []"


def test_lang_zh_reaches_the_checks_messages(mlkata):
    """--lang picks the language of what the checks say, not only of the table around it."""
    for lang, words in (("zh", "翻转了卷积核"), ("en", "flipped the kernel")):
        result = mlkata("grade", "conv2d", "tests/wrong/conv2d_flipped.py", "--json",
                        "--lang", lang)  # fmt: skip
        assert result.returncode == 1, result.stderr
        checks = {c["name"]: c["message"] for c in json.loads(result.stdout)["checks"]}
        assert words in checks["test_cross_correlation_not_flipped"], checks
