"""`mlkata new question` and `mlkata new exercise`: templates that pass validate and verify."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import bank
from grader.authoring import append_to_list

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course folder holding a copy of a shipped bank, comments and all."""
    (tmp_path / "questions").mkdir()
    shutil.copy(REPO / "questions" / "mnist-data.yaml", tmp_path / "questions")
    return tmp_path


@pytest.mark.parametrize("qtype", bank.TYPES)
def test_new_question_appends_a_valid_template_and_keeps_the_file(mlkata, course, qtype):
    path = course / "questions" / "mnist-data.yaml"
    before = path.read_text(encoding="utf-8")
    result = mlkata("new", "question", "--topic", "mnist-data", "--type", qtype,
                    "--root", str(course))  # fmt: skip
    assert result.returncode == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n") + "\n"), "existing lines were changed"
    assert "TODO" in after[len(before) :]
    loaded = bank.load_banks([path])
    assert loaded.errors == ()
    new = loaded.questions[-1]
    assert (new.id, new.type) == ("mnist-data-new-question", qtype)
    lines = after.splitlines()
    line = next(
        i for i, x in enumerate(lines, 1) if x.startswith("  - id: mnist-data-new-question ")
    )
    assert f"question mnist-data-new-question at line {line}." in result.stdout
    assert mlkata("validate", str(path)).returncode == 0


def test_second_template_gets_a_fresh_id(mlkata, course):
    for _ in range(2):
        result = mlkata("new", "question", "--topic", "mnist-data", "--type", "open",
                        "--root", str(course))  # fmt: skip
        assert result.returncode == 0
    ids = [q.id for q in bank.load_banks([course / "questions"]).questions]
    assert ids[-2:] == ["mnist-data-new-question", "mnist-data-new-question-2"]


def test_new_question_creates_a_missing_bank(mlkata, tmp_path):
    result = mlkata("new", "question", "--topic", "attention", "--type", "short",
                    "--id", "attention-softmax-name", "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created" in result.stdout
    loaded = bank.load_banks([tmp_path / "questions"])
    assert loaded.errors == ()
    assert [(b.topic, [q.id for q in b.questions]) for b in loaded.banks] == [
        ("attention", ["attention-softmax-name"])
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "cnn", "--type", "essay"], "unknown type 'essay'"),
        (["--topic", "Not A Slug", "--type", "open"], "is not a slug"),
        (["--topic", "mnist-data", "--type", "open", "--id", "mnist-data-split-sizes"],
         "id 'mnist-data-split-sizes' is already used"),
    ],
)  # fmt: skip
def test_new_question_refuses_bad_input_without_writing(mlkata, course, args, message):
    before = (course / "questions" / "mnist-data.yaml").read_bytes()
    result = mlkata("new", "question", *args, "--root", str(course))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert (course / "questions" / "mnist-data.yaml").read_bytes() == before


def test_new_question_on_a_broken_bank_names_the_line_and_writes_nothing(mlkata, tmp_path):
    bank_file = tmp_path / "questions" / "cnn.yaml"
    bank_file.parent.mkdir()
    broken = "format_version: 1\ntopic: cnn\ntitle: [unclosed\n"
    bank_file.write_text(broken)
    result = mlkata("new", "question", "--topic", "cnn", "--type", "open", "--root", str(tmp_path))
    assert result.returncode == 1
    assert "cnn.yaml:4: invalid YAML" in result.stderr  # file:line: message, no empty field
    assert bank_file.read_text() == broken


def test_append_keeps_later_keys_comments_and_indentless_lists():
    text = "# head\nformat_version: 1\nquestions:\n- id: a\n  type: open\n# trailing\nextra: 1\n"
    out = append_to_list(text, "questions", "  - id: b\n    type: open\n")
    assert out == (
        "# head\nformat_version: 1\nquestions:\n- id: a\n  type: open\n\n"
        "- id: b\n  type: open\n# trailing\nextra: 1\n"
    )


def test_append_to_an_empty_flow_list():
    out = append_to_list("topic: x\nquestions: []\n", "questions", "  - id: b\n")
    assert out == "topic: x\nquestions:\n  - id: b\n"


def test_new_exercise_scaffold_passes_verify(mlkata, tmp_path):
    result = mlkata("new", "exercise", "dropout", "--function", "apply_dropout",
                    "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    stub = tmp_path / "exercises" / "dropout.py"
    for path in (stub, tmp_path / "solutions" / "dropout.py",
                 tmp_path / "grader" / "checks" / "test_dropout.py"):  # fmt: skip
        assert path.is_file()
        assert str(path) in result.stdout
    assert "TODO" in stub.read_text() and "def apply_dropout(numbers):" in stub.read_text()
    verified = mlkata("verify", "dropout", "--root", str(tmp_path))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "dropout: solution 2/2, stub 0/2 fails" in verified.stdout


def test_new_exercise_appends_to_an_existing_manifest(mlkata, tmp_path):
    (tmp_path / "exercises").mkdir()
    manifest = tmp_path / "exercises" / "exercises.yaml"
    manifest.write_text("# our course\nformat_version: 1\nexercises:  # in teaching order\n")
    assert mlkata("new", "exercise", "first", "--root", str(tmp_path)).returncode == 0
    assert mlkata("new", "exercise", "second", "--root", str(tmp_path)).returncode == 0
    text = manifest.read_text()
    assert text.startswith("# our course\nformat_version: 1\nexercises:  # in teaching order\n")
    assert text.index("id: first") < text.index("id: second")
    assert mlkata("validate", str(tmp_path)).returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad-Id"], "must be lowercase letters and digits"),
        (["ok", "--function", "not a name"], "is not a name a learner can `def` in Python"),
        (["ok", "--function", "class"], "is not a name a learner can `def` in Python"),
    ],
)
def test_new_exercise_refuses_bad_names(mlkata, tmp_path, args, message):
    result = mlkata("new", "exercise", *args, "--root", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "exercises").exists()


def test_new_exercise_never_overwrites(mlkata, tmp_path):
    assert mlkata("new", "exercise", "twice", "--root", str(tmp_path)).returncode == 0
    stub = tmp_path / "exercises" / "twice.py"
    stub.write_text("# the author's work\n")
    result = mlkata("new", "exercise", "twice", "--root", str(tmp_path))
    assert result.returncode == 2
    assert "exercise 'twice' is already in" in result.stderr
    assert stub.read_text() == "# the author's work\n"


def test_missing_root_is_a_usage_error(mlkata, tmp_path):
    result = mlkata("new", "exercise", "x", "--root", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "no such folder" in result.stderr
