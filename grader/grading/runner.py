"""Grade one file: run the hidden checks in this (trusted) process, build the verdict.

The verdict is built from the manifest's list of checks. A check counts as
passed only if this process saw its test function run to the end without an
exception; an exit code, a printed "12 passed" or anything else the submission
says has no say in it.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from grader.exercises import Exercise
from grader.grading.verdict import CheckResult, Verdict
from grader.sandbox.launch import WorkerProcess, bubblewrap


def grade(
    exercise: Exercise,
    file: Path,
    worker: WorkerProcess | None = None,
    on_progress: Callable[[dict], None] | None = None,
) -> Verdict:
    """Run `exercise`'s hidden checks against `file` and return the verdict.

    `worker`: a pre-warmed worker from `start_worker(exercise)` (used once, closed).
    `on_progress`: called from another thread with display-only training progress,
    e.g. {"epoch": 3, "epochs": 6, "logs": {"loss": 0.2, "accuracy": 0.95}} from the
    sandbox (untrusted: see curves.clean_event), or a curves.Stage from the checks.
    """
    started = time.monotonic()
    sandbox = _sandbox_note()
    problem = _unreadable(file)
    if problem:
        if worker is not None:
            worker.close()
        return _verdict(
            exercise, started, {}, set(), {}, problem[0], sandbox, "", default_message=problem[1]
        )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from grader.grading.proxy import Submission

    submission = None
    try:
        # Start the worker first: it imports numpy/TensorFlow while this process
        # imports pytest.
        submission = Submission(exercise, file, worker=worker, on_progress=on_progress)
        if exercise.tensorflow:
            import_keras_quietly()
        from grader.grading.fixtures import ChecksPlugin

        plugin = ChecksPlugin(submission, on_progress)
        _run_pytest(exercise, plugin)
    finally:
        if submission is not None:
            submission.close()
        elif worker is not None:
            worker.close()
    messages = {name: _message(exc) for name, exc in plugin.failures.items()}
    collection = messages.get("<collection>")
    return _verdict(
        exercise,
        started,
        {**plugin.docs, **plugin.notes},
        plugin.finished,
        messages,
        submission.error,
        sandbox,
        submission.output,
        default_message=collection and f"the checks could not load: {collection}",
    )


def _run_pytest(exercise: Exercise, plugin, *extra: str) -> None:
    import pytest

    from grader.grading import fixtures

    with tempfile.TemporaryDirectory(prefix="mlkata-pytest-") as config_dir:
        ini = Path(config_dir) / "pytest.ini"
        ini.write_text("[pytest]\n")
        args = [
            str(exercise.checks_path),
            "-c",
            str(ini),
            "--rootdir",
            config_dir,
            "--noconftest",
            "--import-mode=importlib",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:stepwise",
            # These two end every session with a full gc.collect(), which in a
            # process holding TensorFlow costs about 0.15 s each time.
            "-p",
            "no:unraisableexception",
            "-p",
            "no:threadexception",
            "-q",
            "-W",
            "ignore",
            # Capture at the sys level only: a progress bar drawn on the real
            # terminal keeps drawing while the checks run.
            "--capture=sys",
            # Messages come from the exceptions themselves; rendering tracebacks
            # nobody reads costs every failing check time.
            "--tb=no",
            *extra,
        ]
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            pytest.main(args, plugins=[fixtures, plugin])


def prepare_checks(exercise: Exercise) -> None:
    """For a process that will grade `exercise` again and again (watch): collect its
    checks once, so the first grading does not pay pytest's and the checks' imports."""
    from grader.grading.fixtures import ChecksPlugin

    _run_pytest(exercise, ChecksPlugin(None), "--collect-only")


def prepare_tensorflow() -> None:
    """For a process that will grade TensorFlow exercises again and again (watch):
    import Keras and train and run a tiny model once, so that the first check that
    trains or predicts does not pay TensorFlow's one-time set-up (about 0.2 s)."""
    import_keras_quietly()
    import keras
    import numpy as np

    images, labels = np.zeros((2, 8, 8, 1), np.float32), np.zeros(2, np.int64)
    tiny = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                             keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                             keras.layers.Dense(2, activation="softmax")])  # fmt: skip
    optimizer = keras.optimizers.Adam()
    tiny.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    optimizer.build(tiny.trainable_variables)  # as test_cnn does
    tiny.train_on_batch(images, labels)
    tiny.predict(images, verbose=0)
    with tempfile.TemporaryDirectory(prefix="mlkata-warm-") as folder:
        path = Path(folder) / "tiny.keras"
        tiny.save(path)
        keras.saving.load_model(path, compile=False, safe_mode=True)


def import_keras_quietly() -> None:
    """Import Keras with stderr closed: TensorFlow's C++ start-up chatter ("Could not
    find cuda drivers...") is noise in a learner's terminal."""
    import sys

    if "keras" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _unreadable(file: Path) -> tuple[str, str] | None:
    """(error, message) when the file cannot even be compiled; compiling runs nothing."""
    try:
        source = Path(file).read_bytes()
        compile(source, str(file), "exec", dont_inherit=True)
    except SyntaxError as exc:
        return "syntax", f"your file has a syntax error at line {exc.lineno}: {exc.msg}"
    except (OSError, ValueError) as exc:
        return "crashed", f"the grader cannot read your file: {exc}"
    return None


def _message(exc: BaseException | str) -> str:
    if isinstance(exc, str):
        return exc
    if isinstance(exc, AssertionError):
        text = str(exc)
        # pytest's assertion rewriting appends "assert <expr>" details: keep the sentence.
        text = text.split("\nassert ")[0].strip()
        return text or "the check's expectation was not met"
    return (
        f"the check could not use what your code returned: {type(exc).__name__}: {str(exc)[:300]}"
    )


def _verdict(
    exercise, started, docs, finished, messages, error, sandbox, output, default_message=None
) -> Verdict:
    results = []
    for check in exercise.checks:
        passed = check.name in finished and check.name not in messages
        if passed:
            message = docs.get(check.name, check.name)
        else:
            message = (
                messages.get(check.name)
                or default_message
                or ("this check did not run (it is missing from the checks file)")
            )
        results.append(
            CheckResult(
                name=check.name,
                passed=passed,
                score=check.points if passed else 0,
                max_score=check.points,
                message=message,
                hint=check.hint,
            )
        )
    score = sum(r.score for r in results)
    return Verdict(
        exercise=exercise.id,
        passed=bool(results) and score == exercise.max_score,
        score=score,
        max_score=exercise.max_score,
        duration_s=time.monotonic() - started,
        checks=tuple(results),
        error=error,
        sandbox=sandbox,
        output=output,
    )


def _sandbox_note() -> str:
    path, note = bubblewrap()
    if path:
        return note
    return f"no sandbox ({note}): ran in a plain limited subprocess"
