"""`mlkata batch`: a class graded in parallel, one row per student, cached by content."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RIGHT = "def solve(numbers):\n    return sum(numbers)\n"


@pytest.fixture
def klass(course: Path, tmp_path: Path) -> Path:
    """Ten students: right, stub, half right, four without a gradable file, a crash, a hang,
    a memory bomb."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.py").write_text(RIGHT)
    shutil.copy(course / "exercises" / "sumup.py", folder / "bob.py")
    (folder / "carol").mkdir()
    (folder / "carol" / "sumup.py").write_text("def solve(numbers):\n    return 6\n")
    (folder / "dave").mkdir()
    (folder / "dave" / "a.py").write_text(RIGHT)
    (folder / "dave" / "b.py").write_text(RIGHT)
    (folder / "erin").mkdir()
    (folder / "frank.py").write_text("import os\nos._exit(0)\n")
    (folder / "grace.py").write_text("while True:\n    pass\n")
    (folder / "heidi.py").symlink_to("/etc/passwd")
    (folder / "judy.py").write_text("hoard = [bytearray(1 << 30) for _ in range(64)]\n")
    (folder / "ivan.py").write_text("# padding\n" * 200_000)  # 2 MB
    (folder / "notes.txt").write_text("not a submission")
    (folder / ".hidden.py").write_text(RIGHT)
    return folder


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_each_student_gets_their_own_row(mlkata, course, klass, tmp_path):
    sheet, report = tmp_path / "out" / "grades.csv", tmp_path / "out" / "grades.json"
    result = mlkata("batch", "sumup", str(klass), "--root", str(course), "--jobs", "2",
                    "--csv", str(sheet), "--json", str(report), timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    rows = read_csv(sheet)
    assert list(rows) == [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"
    ]  # fmt: skip
    got = {name: (row["score"], row["passed"], row["error"]) for name, row in rows.items()}
    assert got == {
        "alice": ("2", "true", ""),
        "bob": ("0", "false", ""),
        "carol": ("1", "false", ""),
        "dave": ("0", "false", "missing"),
        "erin": ("0", "false", "missing"),
        "frank": ("0", "false", got["frank"][2]),
        "grace": ("0", "false", "timeout"),
        "heidi": ("0", "false", "missing"),
        "ivan": ("0", "false", "missing"),
        "judy": ("0", "false", got["judy"][2]),
    }
    # the sandbox kills the hoarder (memory) or its allocation fails first (crashed)
    assert got["judy"][2] in ("memory", "crashed")
    assert got["frank"][2] in ("crashed", "missing")
    assert rows["carol"]["test_sums_a_short_list"] == "1"
    assert rows["carol"]["test_empty_list_gives_zero"] == "0"
    assert "solve([]) returned 6; expected 0" in rows["carol"]["message"]
    assert "2 .py files and none named sumup.py in dave/" in rows["dave"]["message"]
    assert "no .py file in erin/" in rows["erin"]["message"]
    assert rows["heidi"]["message"] == "heidi.py is a symbolic link; submit the file itself"
    assert rows["ivan"]["message"] == "ivan.py is over 1024 KB"
    data = json.loads(report.read_text())
    assert (data["exercise"], data["students"], data["full_marks"]) == ("sumup", 10, 1)
    assert sorted(p.name for p in sheet.parent.iterdir()) == ["grades.csv", "grades.json"]
    summary = "10 submissions: 1 full marks, mean 0.3/2; 6 graded, 0 unchanged (cached), 4 without"
    assert summary in " ".join(result.stdout.split())


@pytest.mark.slow  # a class run end to end; the edit loop keeps one (above)
def test_rerun_skips_unchanged_submissions_unless_forced(mlkata, course, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("ann", "ben", "cat"):
        (folder / f"{name}.py").write_text(RIGHT + f"# {name}\n")
    args = (
        "batch",
        "sumup",
        str(folder),
        "--root",
        str(course),
        "--json",
        str(tmp_path / "g.json"),
    )
    first = mlkata(*args)
    assert "3 graded, 0 unchanged (cached)" in " ".join(first.stdout.split())
    (folder / "ben.py").write_text("def solve(numbers):\n    return 0\n")
    second = mlkata(*args)
    assert "1 graded, 2 unchanged (cached)" in " ".join(second.stdout.split())
    rows = {r["student"]: r for r in json.loads((tmp_path / "g.json").read_text())["rows"]}
    assert (rows["ann"]["cached"], rows["ben"]["cached"], rows["ben"]["score"]) == (True, False, 1)
    assert "3 graded, 0 unchanged" in mlkata(*args, "--force").stdout
    checks = course / "grader" / "checks" / "test_sumup.py"
    checks.write_text(checks.read_text() + "\n# the checks changed\n")
    assert "3 graded, 0 unchanged" in mlkata(*args).stdout


@pytest.mark.slow  # a class run end to end; the edit loop keeps one (above)
def test_a_submission_that_kills_the_grader_costs_only_its_row(mlkata, course, tmp_path):
    checks = course / "grader" / "checks" / "test_sumup.py"
    checks.write_text(checks.read_text().replace(
        "    got = submission.call([1, 2, 3])\n",
        "    got = submission.call([1, 2, 3])\n    if got == 666:\n        import os\n"
        "        os._exit(1)  # stands in for a grading process that dies\n", 1))  # fmt: skip
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "mallory.py").write_text("def solve(numbers):\n    return 666\n")
    for name in ("ann", "ben", "cat"):
        (folder / f"{name}.py").write_text(RIGHT + f"# {name}\n")
    sheet = tmp_path / "g.csv"
    result = mlkata("batch", "sumup", str(folder), "--root", str(course), "--jobs", "2",
                    "--csv", str(sheet), timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = read_csv(sheet)
    assert {n: (r["score"], r["error"]) for n, r in rows.items()} == {
        "ann": ("2", ""), "ben": ("2", ""), "cat": ("2", ""), "mallory": ("0", "grader"),
    }  # fmt: skip
    assert "the grader itself failed while checking this submission" in rows["mallory"]["message"]


def test_real_normalize_submissions(mlkata, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(REPO / "solutions" / "normalize.py", folder / "ref.py")
    shutil.copy(REPO / "exercises" / "normalize.py", folder / "stub.py")
    (folder / "seed.py").write_text(
        "import numpy as np\n\ndef preprocess_image(image):\n"
        "    image = np.asarray(image, dtype=np.float32)\n"
        "    return (image - image.min()) / max(image.max() - image.min(), 1)\n"
    )
    sheet = tmp_path / "g.json"
    result = mlkata("batch", "normalize", str(folder), "--json", str(sheet), timeout=180)
    assert result.returncode == 0, result.stderr
    rows = {r["student"]: r for r in json.loads(sheet.read_text())["rows"]}
    assert rows["ref"]["score"] == rows["ref"]["max_score"] > 0
    assert rows["stub"]["score"] == 0
    assert 0 < rows["seed"]["score"] < rows["seed"]["max_score"]
    assert rows["seed"]["checks"]["test_each_image_scaled_on_its_own"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["normalize", "no/such/dir"], "no such folder: no/such/dir"),
        (["normalize", "README.md"], "README.md is a file; give the folder that holds"),
        (["no-such-exercise", "."], "unknown exercise 'no-such-exercise'"),
        (["normalize", "docs", "--jobs", "0"], "--jobs must be at least 1"),
    ],
)
def test_usage_errors(mlkata, args, message):
    result = mlkata("batch", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_folder_is_a_usage_error(mlkata, tmp_path):
    result = mlkata("batch", "normalize", str(tmp_path))
    assert result.returncode == 2
    assert "holds no submissions" in result.stderr


def test_a_timeout_under_shared_cpus_is_confirmed_alone(monkeypatch, tmp_path):
    from grader import batch
    from grader.authoring import Root, new_exercise

    root = tmp_path / "course"
    root.mkdir()
    new_exercise(Root(root), "sumup")
    exercise = Root(root).exercise("sumup")
    for name in ("ann", "ben"):
        (tmp_path / f"{name}.py").write_text(RIGHT + f"# {name}\n")
    subs = [batch.Submission(n, tmp_path / f"{n}.py") for n in ("ann", "ben")]
    calls = []

    def fake_pool(exercise, files, jobs):
        calls.append((sorted(str(f.name) for f in files.values()), jobs))
        for sha, file in files.items():
            error = "timeout" if jobs > 1 and file.name == "ben.py" else None
            yield sha, batch.Row("", str(file), "", 0 if error else 2, 2, not error, error, 1.0)

    monkeypatch.setattr(batch, "_run_pool", fake_pool)
    rows = batch.grade_all(exercise, subs, jobs=2, force=True)
    assert calls == [(["ann.py", "ben.py"], 2), (["ben.py"], 1)]
    assert [(r.student, r.score, r.error) for r in rows] == [("ann", 2, None), ("ben", 2, None)]


def test_a_sandbox_that_cannot_start_is_no_grade_and_is_not_cached(
    mlkata, course, tmp_path, monkeypatch
):
    real = shutil.which("bwrap")
    if real is None:
        pytest.skip("needs bubblewrap (CI installs it)")
    # A bwrap that passes mlkata's start-up probe, then fails for real, as one that
    # cannot mount what it is asked to (the relative --root bug did exactly this).
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text(
        f'#!/bin/sh\nfor arg; do case "$arg" in /usr/bin/test) exec {real} "$@";; esac; done\n'
        "echo 'bwrap: cannot mount tmpfs: Operation not permitted' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "alice.py").write_text(RIGHT)
    sheet = tmp_path / "grades.csv"
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{path}")
    broken = mlkata("batch", "sumup", str(folder), "--root", str(course), "--csv", str(sheet))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "could not be graded because of the grader" in " ".join(broken.stdout.split())
    assert read_csv(sheet)["alice"]["error"] == "sandbox"

    monkeypatch.setenv("PATH", path)
    fixed = mlkata("batch", "sumup", str(folder), "--root", str(course), "--csv", str(sheet))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert read_csv(sheet)["alice"]["passed"] == "true"
    assert "1 graded, 0 unchanged (cached)" in " ".join(fixed.stdout.split())


def test_a_manifest_that_validate_rejects_grades_nobody(mlkata, course, tmp_path):
    checks = course / "grader" / "checks" / "test_sumup.py"
    text = checks.read_text()
    checks.write_text(text[: text.index("def test_empty_list_gives_zero")])  # listed, now gone
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "alice.py").write_text(RIGHT)
    sheet = tmp_path / "grades.csv"
    result = mlkata("batch", "sumup", str(folder), "--root", str(course), "--csv", str(sheet))
    assert result.returncode == 1
    assert "the exercise manifest has errors" in result.stderr
    assert "test_empty_list_gives_zero" in result.stderr and "Traceback" not in result.stderr
    assert not sheet.exists()
    bundle = tmp_path / "autograder.zip"
    exported = mlkata("export", "gradescope", "sumup", "--root", str(course), "-o", str(bundle))
    assert exported.returncode == 1 and "the exercise manifest has errors" in exported.stderr
    assert not bundle.exists()


# -- the grade sheets as other tools read them ------------------------------------------------


@pytest.mark.slow  # a class run end to end; the edit loop keeps one (above)
def test_sheets_are_safe_in_a_spreadsheet_and_typed_for_pandas(mlkata, course, tmp_path):
    import pandas as pd

    folder = tmp_path / "class"
    folder.mkdir()
    names = ["=HYPERLINK(1)", "+cmd", "-2+3", "@SUM(A1)", "plain"]
    for name in names:
        (folder / f"{name}.py").write_text(RIGHT + f"# {name}\n")
    (folder / "\tTAB").mkdir()  # a folder name starting with a tab: no file in it
    sheet, report = tmp_path / "g.csv", tmp_path / "g.json"
    result = mlkata("batch", "sumup", str(folder), "--root", str(course), "--csv", str(sheet),
                    "--json", str(report), timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = read_csv(sheet)
    assert sorted(rows) == sorted(["'=HYPERLINK(1)", "'+cmd", "'-2+3", "'@SUM(A1)", "plain",
                                   "'\tTAB"])  # fmt: skip
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert rows["'=HYPERLINK(1)"]["file"].endswith("=HYPERLINK(1).py")  # the path still names it
    frame = pd.read_csv(sheet)
    assert frame["passed"].dtype == bool
    assert frame["score"].dtype.kind == "i" and frame["max_score"].dtype.kind == "i"
    assert frame["passed"].sum() == 5 and set(frame["sandbox"].dropna()) <= {
        "bubblewrap", "unprivileged", "none"}  # fmt: skip
    assert list(frame.columns[:6]) == ["student", "score", "max_score", "passed", "error",
                                       "sandbox"]  # fmt: skip
    data = json.loads(report.read_text())
    assert {r["passed"] for r in data["rows"]} == {True, False}  # the same spelling, typed
    assert {r["sandbox"] for r in data["rows"] if r["file"] and not r["error"]} <= {
        "bubblewrap", "unprivileged", "none"}  # fmt: skip


def documented_keys(section: str) -> list[str]:
    """The `key` cells of the table under `section` in docs/instructors.md."""
    text = (REPO / "docs" / "instructors.md").read_text(encoding="utf-8")
    table = text.split(section, 1)[1].split("\n\n", 2)[1]
    return [line.split("|")[1].strip().strip("`") for line in table.splitlines()[2:]]


@pytest.mark.slow  # a class run end to end; the edit loop keeps one (above)
def test_the_json_sheet_has_exactly_the_documented_keys(mlkata, course, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ann.py").write_text(RIGHT)
    (folder / "bob").mkdir()
    report = tmp_path / "g.json"
    result = mlkata("batch", "sumup", str(folder), "--root", str(course), "--json", str(report))
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert list(data) == documented_keys("The JSON sheet's keys:")
    for row in data["rows"]:
        assert list(row) == documented_keys("Each row of `rows`:")
    assert data["checks"] == [{"name": "test_sums_a_short_list", "points": 1},
                              {"name": "test_empty_list_gives_zero", "points": 1}]  # fmt: skip
    ann, bob = data["rows"]
    assert (ann["passed"], ann["cached"]) == (True, False)
    assert (bob["error"], bob["sandbox"]) == ("missing", "")


@pytest.mark.slow
def test_a_tensorflow_class_is_graded_through_the_pool_processes_zygote(tmp_path, monkeypatch):
    """Each pool process forks its TensorFlow checks processes from one zygote (Keras
    imported once): the rows are what fresh checks processes give."""
    from grader import batch
    from grader.exercises import get_exercise
    from grader.grading import zygote

    cnn = get_exercise("cnn")
    subs = [batch.Submission("ann", cnn.solution_path), batch.Submission("ben", cnn.stub_path)]
    monkeypatch.setattr(zygote, "_enabled", False)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")  # restored after the test
    batch._start_pool_process()  # what each pool process runs first
    assert zygote._enabled

    rows = batch.grade_all(cnn, subs, jobs=1, force=True)

    assert [(r.student, r.score, r.error) for r in rows] == [
        ("ann", cnn.max_score, None), ("ben", 0, None),
    ]  # fmt: skip
    assert "NotImplementedError" in rows[1].message
