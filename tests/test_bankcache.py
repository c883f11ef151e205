"""The parsed-bank cache (grader.bankcache) gives exactly what parsing gives, and never
keeps a result for files that have changed since."""

import ast
import dataclasses
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import bank, bankcache, paths

FIXTURES = Path(__file__).parent / "fixtures" / "banks"
LONG_AGO = time.time() - 3600  # well before bankcache.RACY_SECONDS


def settled(*files: Path) -> None:
    """Date files an hour back, as banks are that were not just saved."""
    for path in files:
        os.utime(path, (LONG_AGO, LONG_AGO))


def everything(value):
    """`value` with every field, including those a dataclass leaves out of ==, and parsed
    expressions as their full syntax trees (ast nodes compare by identity)."""
    if dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        return (type(value).__name__, *(everything(getattr(value, f.name)) for f in fields))
    if isinstance(value, ast.AST):
        return ast.dump(value, include_attributes=True)
    if isinstance(value, list | tuple):
        return tuple(everything(x) for x in value)
    if isinstance(value, dict):
        return tuple((k, everything(v)) for k, v in value.items())
    return value


def slots() -> list[Path]:
    return sorted((paths.cache_dir() / "banks").glob("*.pickle"))


@pytest.fixture
def banks(tmp_path) -> list[Path]:
    """The shipped banks and every fixture bank (valid, broken, with variants, pictures
    and ids duplicated across files), copied and settled."""
    folders = [paths.content_dir("questions"), *sorted(p for p in FIXTURES.iterdir())]
    copies = []
    for i, folder in enumerate(folders):
        copy = shutil.copytree(folder, tmp_path / f"{i}-{folder.name}")
        settled(*copy.iterdir())
        copies.append(copy)
    return copies


def test_a_cached_load_is_exactly_what_parsing_gives(banks, monkeypatch):
    first = bank.load_banks(banks)
    assert len(slots()) == 1 and first.errors and len(first.questions) > 500
    monkeypatch.setattr(bank, "parse_banks", lambda files: pytest.fail("parsed, not cached"))
    cached = bank.load_banks(banks)
    files, _ = bank.bank_files(banks)
    monkeypatch.undo()
    assert everything(cached) == everything(bank.parse_banks(files)) == everything(first)
    assert any(q.variants for q in cached.questions) and any(q.picture for q in cached.questions)


def test_a_changed_bank_file_is_read_again_even_at_the_same_size_and_mtime(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text("format_version: 1\ntopic: tiny\ntitle: Before\nquestions: []\n")
    assert bank.load_banks([path]).banks[0].title.plain == "Before"
    assert slots() == []  # just saved: its next change might not move its mtime
    settled(path)
    assert bank.load_banks([path]).banks[0].title.plain == "Before"
    assert len(slots()) == 1
    path.write_text("format_version: 1\ntopic: tiny\ntitle: Change\nquestions: []\n")
    settled(path)  # same size, same mtime: the ctime still moved
    assert bank.load_banks([path]).banks[0].title.plain == "Change"


def test_a_file_added_to_a_bank_folder_is_loaded(tmp_path):
    folder = tmp_path / "banks"
    shutil.copytree(FIXTURES / "good", folder)
    settled(*folder.iterdir())
    before = len(bank.load_banks([folder]).questions)
    shutil.copy(FIXTURES / "variants" / "conv.yaml", folder / "conv.yaml")
    settled(folder / "conv.yaml")
    assert len(bank.load_banks([folder]).questions) > before


def test_a_broken_or_foreign_slot_is_ignored_and_rewritten(banks, monkeypatch):
    expected = everything(bank.load_banks(banks))
    (slot,) = slots()
    slot.write_bytes(b"not a pickle")
    assert everything(bank.load_banks(banks)) == expected
    assert slot.read_bytes().startswith(b"\x80")  # a pickle again
    slot.chmod(0o666)  # writable by anyone: not to be trusted
    monkeypatch.setattr(bankcache, "_write", lambda *_: None)
    monkeypatch.setattr(bank, "parse_banks", lambda files: bank.Loaded((), ()))
    assert bank.load_banks(banks).questions == []


def test_cached_errors_speak_the_language_of_the_run_that_reads_them(mlkata, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURES / "broken", broken)
    settled(*broken.iterdir())
    args = ["topics", "--no-shipped", "--bank", str(broken)]
    english = mlkata(*args, "--lang", "en")
    assert slots(), "the first run keeps its result"
    chinese = mlkata(*args, "--lang", "zh")
    assert "problem(s) in the question banks" in english.stderr
    assert "题库中有" in chinese.stderr and "缺少" in chinese.stderr
    shutil.rmtree(paths.cache_dir())
    assert mlkata(*args, "--lang", "zh").stderr == chinese.stderr  # as parsing says it


def test_a_quiz_from_the_cache_parses_no_yaml(mlkata, tmp_path):
    """What makes the first question quick: a quiz after any bank load (here `topics`)
    does not even import PyYAML."""
    good = tmp_path / "good"
    shutil.copytree(FIXTURES / "good", good)
    settled(*good.iterdir())
    assert mlkata("topics", "--no-shipped", "--bank", str(good)).returncode == 0
    quiz = ["quiz", "--no-shipped", "--bank", str(good), "-n", "1", "--lang", "en"]
    code = f"import sys; from grader.cli import main; main({quiz!r}); "
    code += "print('YAML', 'yaml' in sys.modules)"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    shown = subprocess.run([sys.executable, "-c", code], input="B\n", capture_output=True,
                           text=True, encoding="utf-8", env=env, check=True).stdout  # fmt: skip
    assert "Question 1/1" in shown and shown.endswith("YAML False\n")
