"""Hostile submissions: each gets a failing verdict with a clear reason, leaves no
process behind and changes no file outside its scratch folder, under every sandbox
tier CI runs (bubblewrap, and the unprivileged tier as root)."""

from __future__ import annotations

import dataclasses
import hashlib
import site
import subprocess
import time
from pathlib import Path

import pytest

import grader
from grader.exercises import get_exercise
from grader.grading.runner import grade
from grader.sandbox import tiers
from grader.sandbox.launch import leftover_processes

HOSTILE = Path(__file__).parent / "hostile"
PACKAGE = Path(grader.__file__).parent

# (file, the verdict's error, words the first failing message must contain)
CASES = [
    ("exit_at_import.py", "crashed", "importing your file raised SystemExit"),
    ("os_exit_in_call.py", "crashed", "ended unexpectedly"),
    ("fake_pytest_output.py", None, None),
    ("patch_numpy_testing.py", None, None),
    ("pytest_plugin.py", None, "RuntimeError: wrong on purpose"),
    ("plant_conftest.py", None, "RuntimeError: wrong on purpose"),
    ("read_caller_frames.py", None, None),
    ("always_equal.py", None, "which the grader cannot receive"),
    ("infinite_loop.py", "timeout", "did not finish in time"),
    ("sleep_at_import.py", "timeout", "importing your file did not finish in time"),
    ("memory_bomb.py", "memory", "memory"),
    ("fork_bomb.py", None, None),
    ("huge_output.py", "output", "printed more than"),
    ("syntax_error.py", "syntax", "syntax error at line 5"),
    ("missing_function.py", "missing", "Did you misname it or forget to define it?"),
    ("keyboard_interrupt.py", None, "raised KeyboardInterrupt"),
    ("symlink_result.py", None, None),
    # Added with the trust model v2 (see docs/architecture.md, "Threat model").
    ("escape_codes.py", None, "OWNED"),
    ("forged_answer_twice.py", None, "named the same answer file twice"),
    ("npy_header_lies.py", None, "header does not match its data"),
    ("scratch_disk_bomb.py", "disk", "wrote more than 64 MB of files"),
    ("inode_flood.py", "disk", "created more than 10,000 files"),
    ("setsid_daemon.py", None, "wrong on purpose"),
    ("kill_everyone.py", None, "wrong on purpose"),
    ("progress_flood.py", None, "wrong on purpose"),
    ("deep_nesting.py", None, "nested too deeply"),
]

# Attacks only the bubblewrap tier stops: the unprivileged tier can read world-readable
# files (a checkout's .git, the installed grader), which is why the Gradescope bundle
# ships no solutions and makes the grader unreadable to the worker's uid.
BUBBLEWRAP_ONLY = [
    ("git_show_solution.py", None, "no checkout found"),
    ("import_grader.py", None, "could not reach the grader: ModuleNotFoundError"),
    ("fill_tmp_and_shm.py", None, "/dev/shm: stopped after 64 MB: No space left on device"),
]

# Where a planted file would change what a later grading or Python start does.
PLANTABLE = [
    PACKAGE / "checks" / "conftest.py",
    PACKAGE / "conftest.py",
    PACKAGE / "grading" / "conftest.py",
    PACKAGE.parent / "conftest.py",
    PACKAGE.parent / "pytest.ini",
    Path.cwd() / "conftest.py",
    Path.home() / "conftest.py",
    *(
        Path(p) / name
        for p in site.getsitepackages()
        for name in ("sitecustomize.py", "evil.pth", "mlkata_evil_plugin.py", "conftest.py")
    ),
]


@pytest.fixture(scope="module")
def exercise():
    """The real `normalize` checks, with limits small enough for a test suite."""
    return dataclasses.replace(
        get_exercise("normalize"), wall_seconds=3, memory_mb=600, scratch_mb=64
    )


def _package_digest() -> str:
    """Every file of the grader package, so that a changed check or module shows."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def _stray_processes() -> str:
    """Daemons a hostile submission tried to leave behind, found by their command. A
    grading running at the same time (pytest -n) may hold one for a few seconds before it
    kills it, so only one that is still there after 20 s counts as left behind."""
    deadline = time.monotonic() + 20
    while True:
        found = subprocess.run(["pgrep", "-af", "sleep 313.25"], capture_output=True, text=True)
        if not found.stdout.strip() or time.monotonic() > deadline:
            return found.stdout.strip()
        time.sleep(0.5)


def _assert_fails_cleanly(verdict, error, words, before, digest):
    assert not verdict.passed
    assert verdict.score < verdict.max_score
    if error is not None:
        assert verdict.error == error, verdict
    messages = " | ".join(c.message for c in verdict.checks if not c.passed)
    if words is not None:
        assert words in messages
    # Nothing a submission says reaches a terminal as control codes, or at length.
    for text in (messages, verdict.output):
        assert not any(ch in text for ch in "\x1b\x07\x9b"), text[:200]
    assert all(len(c.message) <= 2000 for c in verdict.checks)
    assert leftover_processes() == []
    assert _stray_processes() == ""
    assert {path: path.exists() for path in PLANTABLE} == before
    assert _package_digest() == digest


@pytest.mark.parametrize(("name", "error", "words"), CASES, ids=[c[0][:-3] for c in CASES])
def test_hostile_submission_fails_cleanly(sandbox_tier, exercise, name, error, words):
    before, digest = {path: path.exists() for path in PLANTABLE}, _package_digest()
    if error == "disk":  # the watchdog must see the files before the clock runs out
        exercise = dataclasses.replace(exercise, wall_seconds=30)

    verdict = grade(exercise, HOSTILE / name)

    _assert_fails_cleanly(verdict, error, words, before, digest)


@pytest.mark.parametrize(
    ("name", "error", "words"), BUBBLEWRAP_ONLY, ids=[c[0][:-3] for c in BUBBLEWRAP_ONLY]
)
def test_what_only_bubblewrap_stops(sandbox_tier, exercise, name, error, words):
    if sandbox_tier.name != "bubblewrap":
        pytest.skip("the unprivileged tier does not claim this (README, per tier)")
    if name == "fill_tmp_and_shm.py":  # the tmpfs size must stop it, not the file-size cap
        exercise = dataclasses.replace(exercise, scratch_mb=1024)
    before, digest = {path: path.exists() for path in PLANTABLE}, _package_digest()

    verdict = grade(exercise, HOSTILE / name)

    _assert_fails_cleanly(verdict, error, words, before, digest)


@pytest.mark.parametrize(
    "name",
    [
        "fake_pytest_output.py",
        "patch_numpy_testing.py",
        "exit_at_import.py",
        "read_caller_frames.py",
    ],
)
def test_no_value_check_passes_for_wrong_values(sandbox_tier, exercise, name):
    """Printing, patching or frame-walking earns nothing: wrong values fail every
    check that looks at values (leaving the input alone is the only thing such code
    may legitimately get right)."""
    verdict = grade(exercise, HOSTILE / name)
    passed = {c.name for c in verdict.checks if c.passed}
    assert passed <= {
        "test_input_is_not_modified",
        "test_output_is_float32",
        "test_batch_keeps_its_shape",
        "test_accepts_any_numeric_dtype",
        "test_vectorised_on_a_full_mnist_batch",
    }
    assert "test_single_image_exact_values" not in passed
    assert "test_each_image_scaled_on_its_own" not in passed


def test_the_verdict_names_the_tier(sandbox_tier, exercise):
    verdict = grade(exercise, HOSTILE / "missing_function.py")
    assert verdict.sandbox == sandbox_tier.name


def test_runs_without_a_sandbox_and_says_so(exercise, monkeypatch):
    monkeypatch.setenv("MLKATA_SANDBOX", "none")
    tiers.reset()
    try:
        verdict = grade(exercise, HOSTILE / "infinite_loop.py")
    finally:
        monkeypatch.delenv("MLKATA_SANDBOX")
        tiers.reset()
    assert verdict.sandbox == "none"
    assert verdict.error == "timeout"
    assert leftover_processes() == []


def test_nothing_outlives_its_grading_even_without_a_sandbox(exercise, monkeypatch):
    """A daemon that double-forks, leaves its session and execs with an empty environment
    is re-parented to the checks process (a child subreaper) and killed there."""
    monkeypatch.setenv("MLKATA_SANDBOX", "none")
    tiers.reset()
    try:
        verdict = grade(exercise, HOSTILE / "setsid_daemon.py")
    finally:
        monkeypatch.delenv("MLKATA_SANDBOX")
        tiers.reset()
    assert verdict.sandbox == "none"
    assert "wrong on purpose" in " | ".join(c.message for c in verdict.checks)
    assert _stray_processes() == ""
    assert leftover_processes() == []


def test_solution_still_passes_after_hostile_runs(exercise):
    """The hostile runs above left nothing behind that changes a later verdict."""
    verdict = grade(exercise, exercise.solution_path)
    assert verdict.passed, verdict


@pytest.mark.slow  # grades cnn: TensorFlow in the sandbox and in the checks
def test_keras_lambda_payload_is_refused_and_never_runs_here(sandbox_tier, tmp_path, monkeypatch):
    """A model carrying a Lambda layer is refused by safe_mode; its code never runs
    in the grader (it would write a marker into this test's MLKATA_HOME)."""
    monkeypatch.setenv("MLKATA_HOME", str(tmp_path))
    cnn = dataclasses.replace(get_exercise("cnn"), wall_seconds=60)

    verdict = grade(cnn, HOSTILE / "keras_lambda_payload.py")

    assert not verdict.passed
    messages = " | ".join(c.message for c in verdict.checks if not c.passed)
    assert "could not be loaded safely" in messages
    assert not (tmp_path / "pwned-by-lambda").exists()
    assert leftover_processes() == []
