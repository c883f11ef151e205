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
BROKEN_COURSE = str(REPO / "tests" / "fixtures" / "instructor" / "broken-course")
CLASS = str(REPO / "tests" / "fixtures" / "instructor" / "class")

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
    ("validate, broken course", ["validate", BROKEN_COURSE]),
    ("verify, broken course", ["verify", "--root", BROKEN_COURSE]),
    ("batch, manifest errors", ["batch", "sumup", CLASS, "--root", BROKEN_COURSE]),
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


def _help_commands() -> list[list[str]]:
    """The top level, every command and every sub-command, as typed before `--help`."""
    import argparse

    from grader.cli import build_parser

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> list[list[str]]:
        found = [path]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += walk(sub, [*path, name])
        return found

    return walk(build_parser(), [])


HELP_COMMANDS = _help_commands()


def test_every_command_has_help_to_check():
    named = {" ".join(path) for path in HELP_COMMANDS}
    assert {"", "quiz", "grade", "new question", "import markdown", "export"} <= named
    assert len(named) >= 20


@pytest.mark.parametrize("path", HELP_COMMANDS, ids=lambda p: " ".join(p) or "mlkata")
def test_help_speaks_chinese(mlkata, path):
    """`--help` for each command, argparse's own words ("usage:", "options") included."""
    result = mlkata("--lang", "zh", *path, "--help")
    assert result.returncode == 0, result.stderr
    assert_chinese(result, f"mlkata {' '.join(path)} --help")
    assert "用法：" in result.stdout
    for argparse_word in ("usage:", "options:", "positional arguments", "show this help"):
        assert argparse_word not in result.stdout, argparse_word


@pytest.mark.parametrize("path", [[], ["quiz"], ["new", "exercise"], ["export"]], ids=str)
def test_help_stays_english_with_lang_en(mlkata, path):
    result = mlkata(*path, "--help", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: mlkata")
    assert "show this help message and exit" in result.stdout
    assert not _HAN.search(result.stdout), "Chinese in the English help"
    assert sum(english_only(line) for line in result.stdout.splitlines()) >= 3


def test_a_chinese_locale_gives_chinese_help(mlkata, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    result = mlkata("quiz", "--help")
    assert_chinese(result, "quiz --help in a zh_CN locale")


def test_help_does_not_import_tensorflow():
    code = (
        "import sys, contextlib, io\n"
        "from grader.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--lang', 'zh', 'export', '--help'])\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_chinese_help_wraps_by_display_width(mlkata, monkeypatch):
    """A Chinese character takes two columns: help wrapped by character count would run
    off an 80-column terminal at twice the width."""
    from grader.cli.helptext import cells

    monkeypatch.setenv("COLUMNS", "60")
    result = mlkata("--lang", "zh", "export", "--help")
    chinese = [line for line in result.stdout.splitlines() if _HAN.search(line)]
    assert len(chinese) > 10
    too_wide = [line for line in chinese if cells(line) > 60 and not line.startswith("用法")]
    assert not too_wide, "\n".join(too_wide)


# A manifest with the newer instructor mistakes: tracks, placement and check visibility.
TRACK_MISTAKES = """\
format_version: 1
tracks:
  - id: Basics
    title: {en: Basics, zh: 基础}
    description: 7
  - id: warmup
    title: Warm-up
    description: First steps
  - id: warmup
    title: Again
    description: Again
  - name: nameless
exercises:
  - id: demo
    title: {en: Sum a list, zh: 列表求和}
    function: solve
    track: nowhere
    difficulty: extreme
    limits: {wall_seconds: 30, memory_mb: 1024}
    hints: ["Use sum()."]
    checks:
      - {name: test_sums_a_short_list, points: 1, hint: x, visibility: secret}
      - {name: test_empty_list_gives_zero, points: 1, hint: x}
"""


@pytest.fixture
def course(mlkata, tmp_path):
    """A course of one scaffolded exercise, `demo`, that validates and exports."""
    root = tmp_path / "course"
    root.mkdir()
    made = mlkata("new", "exercise", "demo", "--root", str(root))
    assert made.returncode == 0, made.stderr
    return root


def test_manifest_mistakes_are_reported_in_chinese(mlkata, course):
    (course / "exercises" / "exercises.yaml").write_text(TRACK_MISTAKES, encoding="utf-8")
    result = mlkata("validate", str(course), "--lang", "zh")
    assert result.returncode == 1
    assert_chinese(result, "validate, track and visibility mistakes")
    for field in ("tracks[0].id", "tracks[0].description", "tracks[2].id", "tracks[3].id",
                  "track", "difficulty", "checks[0].visibility"):  # fmt: skip
        assert f": {field}：" in result.stdout or f": {field}: " in result.stdout, field
    english = mlkata("validate", str(course), "--lang", "en")
    assert "duplicate track id 'warmup'" in english.stdout


def test_export_errors_speak_chinese(mlkata, course):
    manifest = course / "exercises" / "exercises.yaml"
    good = manifest.read_text(encoding="utf-8")
    manifest.write_text(TRACK_MISTAKES, encoding="utf-8")
    out = str(course / "autograder.zip")
    broken = mlkata("export", "gradescope", "demo", "--root", str(course), "-o", out,
                    "--lang", "zh")  # fmt: skip
    assert broken.returncode == 1
    assert "练习清单有错误" in broken.stderr
    assert_chinese(broken, "export from a manifest with errors")

    manifest.write_text(good, encoding="utf-8")
    solution = (course / "solutions" / "demo.py").read_bytes()
    (course / "exercises" / "demo.py").write_bytes(solution)  # the stub is the answer
    leaking = mlkata("--lang", "zh", "export", "gradescope", "demo", "--root", str(course),
                     "-o", out)  # fmt: skip
    assert leaking.returncode == 2
    assert "拒绝导出" in leaking.stderr
    assert_chinese(leaking, "export that would ship the solution")
    assert not Path(out).exists()


def test_a_chinese_locale_exports_for_english_students(mlkata, course, monkeypatch):
    """The locale chooses the instructor's language; what students read stays --lang's."""
    import json
    import zipfile

    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    out = course / "autograder.zip"
    result = mlkata("export", "gradescope", "demo", "--root", str(course), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert_chinese(result, "export in a zh_CN locale")
    with zipfile.ZipFile(out) as bundle:
        assert json.loads(bundle.read("mlkata-export.json"))["lang"] == "en"
