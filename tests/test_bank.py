from pathlib import Path

import pytest

from grader import bank
from grader.bank import BankError, load_banks

BANKS = Path(__file__).parent / "fixtures" / "banks"
GOOD = BANKS / "good"
BROKEN = BANKS / "broken"


def located(errors) -> set[tuple[str, int | None, str]]:
    return {(Path(e.path).name, e.line, e.field) for e in errors}


def test_good_banks_load_every_type_in_both_languages():
    loaded = load_banks([GOOD])
    assert loaded.errors == ()
    assert [b.topic for b in loaded.banks] == ["basics", "extra"]
    by_id = {q.id: q for q in loaded.questions}
    assert {q.type for q in loaded.questions} == set(bank.TYPES)
    assert by_id["basics-choice"].correct == (1,)
    assert by_id["basics-multi"].correct == (0, 2)
    assert by_id["basics-truefalse"].truth is False
    assert (by_id["basics-numeric"].value, by_id["basics-numeric"].unit("zh")) == (320, "个参数")
    assert by_id["basics-short"].answers[2] == "线性整流函数"
    assert by_id["basics-open"].key_points[1]("en") == "small learning rate"
    assert by_id["basics-choice"].line == 5


def test_every_mistake_in_a_bank_is_reported_with_file_line_and_field():
    loaded = load_banks([BROKEN / "many.yaml"])
    assert located(loaded.errors) == {
        ("many.yaml", 18, "hint"),  # unknown key
        ("many.yaml", 24, "prompt"),  # wrong type: a list
        ("many.yaml", 28, "answers"),  # missing required field
        ("many.yaml", 40, "answer"),  # choice letter out of range
        ("many.yaml", 48, "answer"),  # multi letter out of range
        ("many.yaml", 50, "answer"),  # numeric without a value
        ("many.yaml", 62, "answer"),  # numeric with text for a value
        ("many.yaml", 65, "type"),  # unknown type
        ("many.yaml", 72, "difficulty"),  # unknown difficulty
        ("many.yaml", 77, "id"),  # not a slug
        ("many.yaml", 89, "options"),  # empty options
        ("many.yaml", 92, "id"),  # duplicate id in the same file
        ("many.yaml", 104, "answer"),  # truefalse answer that is not a boolean
        ("many.yaml", 110, "prompt.fr"),  # unknown language
        ("many.yaml", 113, "explanation"),  # missing common field
        ("many.yaml", 116, "tags"),  # a string where a list belongs
        ("many.yaml", 118, "answers[0]"),  # `yes` is a YAML boolean, not text
    }
    assert len(loaded.errors) == 17  # one message per mistake
    messages = {(e.line, e.field): e.message for e in loaded.errors}
    assert messages[40, "answer"] == "'D' is out of range: the options are A-C"
    assert messages[50, "answer"] == "missing (required for numeric)"
    assert messages[92, "id"].startswith("duplicate id 'many-fine' (also at ")
    assert messages[92, "id"].endswith("many.yaml:5)")
    # the bank still serves its one good question
    assert [q.id for q in loaded.questions] == ["many-fine"]


def test_duplicate_ids_across_files_name_both_places():
    loaded = load_banks([GOOD / "basics.yaml", BROKEN / "dupe.yaml"])
    (error,) = loaded.errors
    assert (Path(error.path).name, error.line, error.field) == ("dupe.yaml", 5, "id")
    assert error.message.endswith("good/basics.yaml:5)")
    assert "basics-choice" in {q.id for q in loaded.questions}


def test_file_level_errors_drop_the_bank_but_not_the_others():
    loaded = load_banks([GOOD, BROKEN / "syntax.yaml", BROKEN / "version.yaml"])
    assert located(loaded.errors) == {
        ("syntax.yaml", 8, ""),
        ("version.yaml", 1, "format_version"),
    }
    assert "format_version 1" in next(e.message for e in loaded.errors if e.field)
    assert [b.topic for b in loaded.banks] == ["basics", "extra"]


def test_bytes_that_are_not_utf8_are_a_bank_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"format_version: 1\ntopic: x\ntitle: Caf\xe9\nquestions: []\n")
    (error,) = load_banks([path]).errors
    assert str(error) == f"{path}:3: not UTF-8 (byte 0xe9); save the file as UTF-8"


def test_a_missing_path_is_reported():
    (error,) = load_banks([BANKS / "nowhere"]).errors
    assert error.message == "no such file or folder"


def test_errors_print_as_file_line_field_message(monkeypatch):
    monkeypatch.chdir(BANKS)
    error = BankError(BROKEN / "many.yaml", 40, "answer", "out of range")
    assert str(error) == "broken/many.yaml:40: answer: out of range"


def test_counts_per_type_difficulty_and_language():
    loaded = load_banks([GOOD])
    basics, extra = (bank.counts(b) for b in loaded.banks)
    assert basics.questions == 6
    assert basics.by_type == dict.fromkeys(bank.TYPES, 1)
    assert basics.by_difficulty == {"easy": 3, "medium": 2, "hard": 1}
    assert basics.by_language == {"en": 6, "zh": 6}
    assert extra.by_language == {"en": 1, "zh": 0}


def test_shipped_banks_load_without_errors():
    loaded = load_banks()
    if not loaded.banks and not loaded.errors:
        pytest.skip("no shipped question banks yet")
    assert [str(e) for e in loaded.errors] == []
    assert len(loaded.questions) >= 40
