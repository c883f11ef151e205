"""`--lang zh` gives a Chinese product: every command, run the way a learner or an
instructor runs it, prints no line of mlkata's own words in English only.

The check is mechanical, so it covers commands, exercises and banks added later: a line
fails when it holds no Chinese and still has English words once code is taken out
(anything in backticks, paths, flags, identifiers, numbers, words in capitals such as
metavars, and the names of exercises,
functions, checks and topics, which are typed as they are in both languages).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader import bank
from grader.exercises import load_manifest

REPO = Path(__file__).resolve().parent.parent
GOOD = str(REPO / "tests" / "fixtures" / "banks" / "good")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # and ，。：
_STRINGS = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")  # literals in a call: train_bpe(['low lower'])
_CODE = re.compile(
    r"`[^`]*`"  # code spans
    r"|\S*[/\\._=()\[\]{}<>@#$%^*+|~:'\"`-]\S*"  # paths, identifiers, calls, flags, ids
    r"|\S*\d\S*"  # numbers and anything with a digit (float32, 3x3, 2e-4)
)
# Proper names and notation that read the same in Chinese text.
NAMES = {
    "mlkata", "keras", "tensorflow", "numpy", "mnist", "python", "pytest", "fsrs", "sqlite",
    "bubblewrap", "gradescope", "github", "ctrl", "enter", "relu", "softmax", "adam", "sgd",
    "cnn", "conv", "dense", "lora", "epoch", "epochs", "nan", "inf", "true", "false", "yes",
    "json", "csv", "yaml", "junit", "png", "todo", "ok", "en", "zh", "usage", "none",
    "skip", "sandbox", "zip", "anki", "markdown", "english", "lambda", "dtype", "flatten",
    "dropout", "pooling", "notimplementederror", "valueerror", "typeerror",
}  # fmt: skip


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Wide tables: a cell cut into 20-column pieces would split code from its Chinese."""
    monkeypatch.setenv("COLUMNS", "240")


def _known_names() -> set[str]:
    names = set(NAMES)
    for exercise in load_manifest():
        names |= {exercise.id, exercise.function.lower()}
        for check in exercise.checks:
            names |= set(check.name.lower().split("_"))
    for loaded in bank.load_banks(bank.default_paths()).banks:
        names |= set(loaded.topic.split("-"))
    for fixture in (REPO / "tests" / "fixtures" / "banks").rglob("*.yaml"):  # the banks used here
        names |= set(re.findall(r"^topic: ([a-z]+)", fixture.read_text(encoding="utf-8"), re.M))
    return names


NAMES_HERE = _known_names()


def english_only(line: str) -> bool:
    """A line of English prose with no Chinese in it: mlkata forgot to translate it."""
    if _HAN.search(line):
        return False
    prose = _CODE.sub(" ", _STRINGS.sub(" ", line))
    words = [w for w in re.findall(r"[A-Za-z]{2,}", prose) if w.lower() not in NAMES_HERE]
    return any(not w.isupper() for w in words)  # FILE, PATH: metavars and acronyms


def assert_chinese(result, what: str) -> None:
    lines = (result.stdout + result.stderr).splitlines()
    # "> ..." echoes what the learner typed in a piped quiz: their words, not mlkata's.
    english = [line for line in lines if english_only(line) and not line.startswith("> ")]
    assert not english, f"{what} printed English-only lines with --lang zh:\n" + "\n".join(english)
    assert any(_HAN.search(line) for line in lines), f"{what} printed no Chinese at all"


def test_the_detector_catches_english_and_lets_code_through():
    assert english_only("Could not read your answer; type a number.")
    assert english_only("Grading normalize ...")
    assert not english_only("正在评分 normalize ...")
    assert not english_only("  normalize.py  `mlkata watch`  preprocess_image(array(28, 28))")
    assert not english_only("cnn                28    6    4")
    assert not english_only("--lang {en,zh} [--json]")
    assert not english_only("│   │      │ `raise                │")  # a code span cut by wrapping
    assert not english_only("│ ✗ │ 0/1 │ train_bpe(['low lower lowest'], │")


LEARNER_RUNS = [
    ("quiz", ["quiz", "--no-shipped", "--bank", GOOD, "-n", "7", "--seed", "1"],
     "B\nzz\n\n2,5\nskip\na, c\nno\n320\nrelu\nanything\ngood\n"),
    ("quiz, nothing due", ["quiz", "--no-shipped", "--bank", GOOD, "--due-only"], ""),
    ("quiz, unknown topic", ["quiz", "--topic", "cnnn"], ""),
    ("quiz, bad flag", ["quiz", "--lnag", "zh"], ""),
    ("unknown command", ["stat"], ""),
    ("stats", ["stats"], ""),
    ("topics", ["topics"], ""),
    ("list", ["list"], ""),
    ("next", ["next"], ""),
    ("grade, unknown exercise", ["grade", "normalise2"], ""),
    ("grade, bad flag", ["grade", "--jsn"], ""),
    ("hint", ["hint", "normalize"], ""),
    ("hint outside a workspace", ["reset", "normalize"], ""),
]  # fmt: skip


@pytest.mark.parametrize(("what", "args", "stdin"), LEARNER_RUNS, ids=[r[0] for r in LEARNER_RUNS])
def test_learner_commands_speak_chinese(mlkata, what, args, stdin):
    result = mlkata(*args, "--lang", "zh", input=stdin)
    assert "Traceback" not in result.stderr
    assert_chinese(result, what)


def test_a_chinese_locale_gives_chinese_without_the_flag(mlkata, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    result = mlkata("stats")
    assert "已答" in result.stdout
    assert_chinese(result, "stats in a zh_CN locale")


def test_the_workspace_loop_speaks_chinese(mlkata, tmp_path):
    space = tmp_path / "ws"
    created = mlkata("init", str(space), "--lang", "zh")
    assert_chinese(created, "init")
    # The stubs init copies explain the task in Chinese too.
    for stub in space.glob("*.py"):
        docstring = ast.get_docstring(ast.parse(stub.read_text(encoding="utf-8"))) or ""
        assert len(_HAN.findall(docstring)) >= 50, f"{stub.name}: no Chinese contract"


@pytest.mark.parametrize(
    "exercise", [e for e in load_manifest() if not e.tensorflow], ids=lambda e: e.id
)
def test_grading_a_stub_speaks_chinese(mlkata, exercise):
    """The machinery's own messages (the stub's NotImplementedError) and the verdict."""
    result = mlkata("grade", exercise.id, "--lang", "zh")
    assert result.returncode == 1
    assert_chinese(result, f"grade {exercise.id}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "exercise", [e for e in load_manifest() if e.tensorflow], ids=lambda e: e.id
)
def test_grading_a_tensorflow_stub_speaks_chinese(mlkata, exercise):
    result = mlkata("grade", exercise.id, "--lang", "zh", timeout=300)
    assert result.returncode == 1
    assert_chinese(result, f"grade {exercise.id}")


INSTRUCTOR_RUNS = [
    ("validate, broken banks", ["validate", "tests/fixtures/banks/broken"]),
    ("validate, good banks", ["validate", GOOD]),
    ("batch, no such folder", ["batch", "normalize", "no-such-folder"]),
    ("export, unknown exercise", ["export", "gradescope", "nope"]),
]


@pytest.mark.parametrize(("what", "args"), INSTRUCTOR_RUNS, ids=[r[0] for r in INSTRUCTOR_RUNS])
def test_instructor_commands_speak_chinese(mlkata, what, args):
    result = mlkata(*args, "--lang", "zh")
    assert "Traceback" not in result.stderr
    assert_chinese(result, what)


def test_watch_introduces_the_exercise_in_chinese(mlkata, tmp_path):
    space = tmp_path / "ws"
    mlkata("init", str(space))
    result = subprocess.run(
        [sys.executable, "-m", "grader", "watch", "--manual", "--lang", "zh"],
        input="q\n", capture_output=True, text=True, encoding="utf-8", cwd=space,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in result.stderr
    assert_chinese(result, "watch")
