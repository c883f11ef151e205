"""`mlkata import csv|markdown`: question/answer lists become validated `open` questions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import bank
from grader.errors import UserError
from grader.importers import parse_csv, parse_markdown

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "instructor"
REPO = Path(__file__).resolve().parent.parent


def imported(root: Path, topic: str) -> list[bank.Question]:
    loaded = bank.load_banks([root / "questions" / f"{topic}.yaml"])
    assert loaded.errors == ()
    return loaded.questions


def test_anki_export_becomes_open_questions(mlkata, tmp_path):
    result = mlkata("import", "csv", str(FIXTURES / "anki-notes.txt"), "--topic", "anki",
                    "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Imported 3 open questions into" in result.stdout
    questions = imported(tmp_path, "anki")
    assert [q.id for q in questions] == [
        "anki-what-does-relu-compute",
        "anki-why-split-off-a-validation-set",
        "anki-how-many-classes-does-mnist-have",
    ]
    relu, validation, classes = questions
    assert {q.type for q in questions} == {"open"}
    assert relu.reference("en") == (
        "max(0, x), element-wise\nIt is cheap and does not saturate for x > 0."
    )
    assert relu.tags == ("imported", "activations", "cnn")
    assert validation.prompt("en") == "Why split off a validation set?"  # HTML tags stripped
    assert validation.reference("en").endswith("stop early\nwithout touching the test set.")
    assert classes.reference("en") == "10 (the digits 0-9)"  # &nbsp; decoded
    assert relu.source("en") == "anki-notes.txt, line 4"


def test_comma_csv_without_header_in_chinese(tmp_path):
    text = "问题,答案\n什么是过拟合？,在训练集上表现好、在新数据上表现差。\n"
    cards = parse_csv(text, tmp_path / "x.csv")
    assert [(c.front, c.back, c.line) for c in cards] == [
        ("问题", "答案", 1),
        ("什么是过拟合？", "在训练集上表现好、在新数据上表现差。", 2),
    ]


def test_chinese_questions_get_fallback_ids_and_zh_text(mlkata, tmp_path):
    deck = tmp_path / "deck.csv"
    deck.write_text(
        "什么是过拟合？,在训练集上表现好、在新数据上表现差。\n什么是 dropout？,随机丢弃激活。\n"
    )
    result = mlkata("import", "csv", str(deck), "--topic", "zh-notes", "--lang", "zh",
                    "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    first, second = imported(tmp_path, "zh-notes")
    assert (first.id, second.id) == ("zh-notes-question", "zh-notes-dropout")
    assert first.prompt.zh == "什么是过拟合？" and first.prompt.en is None
    assert first.explanation.zh


def test_markdown_headings_and_bullets(mlkata, tmp_path):
    result = mlkata("import", "markdown", str(FIXTURES / "notes.md"), "--topic", "notes",
                    "--difficulty", "easy", "--tag", "seed", "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    questions = imported(tmp_path, "notes")
    assert [q.prompt("en") for q in questions] == [
        "What is overfitting?",
        "What does dropout do?",
        "Why use batch normalisation?",
        "Which loss for integer labels?",
    ]
    overfitting, dropout, batchnorm, loss = questions
    assert [k("en") for k in overfitting.key_points] == [
        "Training loss keeps falling while validation loss rises",
        "Fix it with more data, regularisation or early stopping",
    ]
    assert (
        dropout.reference("en") == "Zeroes a random fraction of activations during training only."
    )
    assert batchnorm.reference("en").splitlines()[1] == "which steadies and speeds up training."
    assert "# not a heading" in loss.reference("en")  # a comment in a code fence stays put
    assert {q.difficulty for q in questions} == {"easy"}
    assert all(q.tags == ("seed",) for q in questions)


def test_import_appends_to_an_existing_bank_with_unique_ids(mlkata, tmp_path):
    (tmp_path / "questions").mkdir()
    shipped = REPO / "questions" / "mnist-data.yaml"
    shutil.copy(shipped, tmp_path / "questions")
    notes = tmp_path / "notes.md"
    notes.write_text(
        "- What is split sizes?\n  60,000 and 10,000.\n- What is split sizes?\n  Same.\n"
    )
    result = mlkata("import", "markdown", str(notes), "--topic", "mnist-data",
                    "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    path = tmp_path / "questions" / "mnist-data.yaml"
    assert path.read_text().startswith(shipped.read_text().rstrip("\n"))
    ids = [q.id for q in imported(tmp_path, "mnist-data")]
    assert ids[-2:] == ["mnist-data-what-is-split-sizes", "mnist-data-what-is-split-sizes-2"]
    assert len(ids) == len(set(ids))


def test_dry_run_prints_yaml_and_writes_nothing(mlkata, tmp_path):
    result = mlkata("import", "csv", str(FIXTURES / "anki-notes.txt"), "--topic", "anki",
                    "--dry-run", "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.startswith("  - id: anki-what-does-relu-compute\n    type: open\n")
    assert not (tmp_path / "questions").exists()


BAD_INPUT = [
    ("deck.txt", "#separator:tab\nfront\tback\nno answer\t\n", "deck.txt:3: the answer (back)"),
    ("deck.txt", "#separator:tab\n\tonly a back\n", "deck.txt:2: the question (front) is empty"),
    ("deck.txt", "#separator:weird\na\tb\n", "unknown #separator:weird"),
    ("notes.md", "- Has an answer?\n  Yes.\n- Has none?\n", "notes.md:3: the question 'Has none?'"),
    ("notes.md", "# Only a title\n\n## And a section\n", "found no questions with answers"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_INPUT)
def test_bad_input_is_named_and_nothing_is_written(mlkata, tmp_path, name, text, message):
    source = tmp_path / name
    source.write_text(text)
    kind = "csv" if name.endswith(".txt") else "markdown"
    result = mlkata("import", kind, str(source), "--topic", "t", "--root", str(tmp_path))
    assert result.returncode in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "questions").exists()


def test_usage_errors(mlkata, tmp_path):
    missing = mlkata("import", "csv", str(tmp_path / "nope.csv"), "--topic", "t",
                     "--root", str(tmp_path))  # fmt: skip
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad_topic = mlkata("import", "csv", str(FIXTURES / "anki-notes.txt"), "--topic", "Bad Topic")
    assert bad_topic.returncode == 2 and "is not a slug" in bad_topic.stderr
    binary = tmp_path / "deck.csv"
    binary.write_bytes(b"front,back\n\xff\xfe,x\n")
    result = mlkata("import", "csv", str(binary), "--topic", "t", "--root", str(tmp_path))
    assert result.returncode == 2 and "not UTF-8" in result.stderr


def test_markdown_parser_ignores_headings_in_code_fences(tmp_path):
    text = "## Q?\n\n```\n## not a question\n```\n"
    cards = parse_markdown(text, tmp_path / "n.md")
    assert [(c.front, c.line) for c in cards] == [("Q?", 1)]
    with pytest.raises(UserError):
        parse_markdown("just prose\n", tmp_path / "n.md")
