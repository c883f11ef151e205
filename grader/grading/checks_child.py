"""The checks process: runs one grading's hidden checks under the grader's limits.

Started by `checks_process.ChecksProcess` as `python -m grader.grading.checks_child`.
It is trusted code, but it handles what the submission made (arrays, models it
predicts with and trains), so it runs in its own process with a memory and time bound:
the worst a submission can do to it is kill it, which costs the submission its verdict,
never the grader.

Protocol, on two private pipes: the parent writes one JSON line, `{"file": PATH}`, when
it wants the grading to start; this process writes JSON lines back: `{"ready": true}`
once its imports (and the sandboxed worker's) are done, `{"progress": EVENT}` and
`{"stage": TEXT}` and `{"timed": [CHECK, SECONDS]}` while the checks run, then
`{"result": {...}}`. Only what the sandbox sent travels under "progress".
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.exercises import Exercise

_PR_SET_CHILD_SUBREAPER = 36


def run_checks(exercise: Exercise, worker, wait_for_file, on_progress) -> dict | None:
    """Collect `exercise`'s checks, then ask `wait_for_file()` for the file to grade and
    run them on it; what they saw, as plain data (None when no file came).

    One pytest session: pytest, the checks and all they import are loaded while the
    worker starts and before the learner's time begins."""
    from grader.grading.fixtures import ChecksPlugin

    plugin = ChecksPlugin(None, on_progress)
    waiting = _WaitForFile(exercise, worker, wait_for_file, plugin)
    try:
        _run_pytest(exercise, plugin, waiting)
        if not waiting.asked:  # pytest stopped before collecting: the grading still reports
            waiting.pytest_collection_finish(None)
    finally:
        if waiting.submission is not None:
            waiting.submission.close()
    if waiting.submission is None:
        return None
    submission = waiting.submission
    return {
        "docs": {**plugin.docs, **plugin.notes},
        "finished": sorted(plugin.finished),
        "messages": {name: _message(exc) for name, exc in plugin.failures.items()},
        "error": submission.error,
        "output": submission.output,
    }


class _WaitForFile:
    """pytest plugin: between collecting the checks and running them, wait for the file."""

    def __init__(self, exercise: Exercise, worker, wait_for_file, plugin):
        self._exercise, self._worker, self._plugin = exercise, worker, plugin
        self._wait = wait_for_file
        self.submission = None
        self.asked = False

    def pytest_collection_finish(self, session) -> None:
        from grader.grading.proxy import Submission

        self.asked = True
        file = self._wait()
        if file is None:  # the grader went away: run nothing
            if session is not None:
                session.items.clear()
            return
        self.submission = Submission(self._exercise, file, worker=self._worker,
                                     on_progress=self._plugin.on_progress)  # fmt: skip
        if session is not None:
            self._plugin.attach(session.config, self.submission)


def _run_pytest(exercise: Exercise, *plugins) -> None:
    import pytest

    from grader.grading import fixtures

    with tempfile.TemporaryDirectory(prefix="mlkata-pytest-") as config_dir:
        ini = Path(config_dir) / "pytest.ini"
        ini.write_text("[pytest]\n")
        args = [
            str(exercise.checks_path), "-c", str(ini), "--rootdir", config_dir, "--noconftest",
            "--import-mode=importlib", "-p", "no:cacheprovider", "-p", "no:stepwise",
            # These two end every session with a full gc.collect(), which in a
            # process holding TensorFlow costs about 0.15 s each time.
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-q", "-W", "ignore",
            # Capture at the sys level only; messages come from the exceptions
            # themselves, so rendering tracebacks would only cost time.
            "--capture=sys", "--tb=no",
        ]  # fmt: skip
        # Only pytest's own plugins and ours: whatever else is installed (pytest-xdist in a
        # developer's venv, anything a course image adds) has no say in a verdict, and
        # loading it would cost time.
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            pytest.main(args, plugins=[fixtures, *plugins])


def prepare_tensorflow() -> None:
    """Train and run a tiny model once, so that the first check that trains or predicts
    does not pay TensorFlow's one-time set-up (about 0.2 s)."""
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


class _Events:
    """JSON lines to the parent; a Stage (from the checks) and a dict (from the sandbox)
    travel under different keys, so sandbox data can never become a grader note."""

    def __init__(self, fd: int):
        self._stream = os.fdopen(fd, "w", encoding="utf-8")

    def send(self, message: dict) -> None:
        with contextlib.suppress(OSError, ValueError, TypeError):
            # ASCII: a lone surrogate from a submission's message must not sink the line.
            self._stream.write(json.dumps(message) + "\n")
            self._stream.flush()

    def progress(self, event: object) -> None:
        from grader.curves import Stage
        from grader.grading.timing import CheckTimed

        if isinstance(event, Stage):
            self.send({"stage": event.text})
        elif isinstance(event, CheckTimed):
            self.send({"timed": [event.name, event.seconds]})
        elif isinstance(event, dict):
            self.send({"progress": event})


def main() -> None:
    # Nothing is imported before the worker starts but what starts it: the worker's
    # start-up (numpy, TensorFlow) is the longest, and everything else overlaps with it.
    control_fd, events_fd = (int(sys.argv[sys.argv.index(flag) + 1])
                             for flag in ("--control-fd", "--events-fd"))  # fmt: skip
    control = os.fdopen(control_fd, "rb")
    events = _Events(events_fd)
    # Orphans of the worker are re-parented here, so killing this tree kills them too.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    from grader.sandbox import allowlist, launch, tiers  # while the parent still probes

    # From the trusted parent: the worker's part is plain data, the exercise a pickle
    # of its own, unpacked once the worker is on its way.
    setup = pickle.loads(control.read(int(control.readline())))
    tiers.use(setup["tier"])
    allowlist.adopt_site_entries(tuple(setup["preload"]), setup["site_entries"])
    worker = launch.start_worker(setup["preload"], setup["limits"])
    exercise: Exercise = pickle.loads(setup["exercise"])
    # While the worker starts, and before the file arrives: Keras (warmed up in watch,
    # which has the time), then the checks, collected with everything they import.
    if exercise.tensorflow:
        (prepare_tensorflow if setup["warm"] else import_keras_quietly)()

    def wait_for_file() -> Path | None:
        events.send({"ready": True})
        line = control.readline()
        return Path(json.loads(line)["file"]) if line else None

    result = run_checks(exercise, worker, wait_for_file, events.progress)
    if result is None:
        worker.close()
        return
    _kill_adopted_orphans()
    events.send({"result": result})


def _kill_adopted_orphans() -> None:
    """What the worker left behind and was re-parented here (a daemon that left its
    process group and environment): killed before this process reports and exits."""
    import signal

    from grader.sandbox import processes

    for pid in processes.descendants(os.getpid()):
        if pid != os.getpid():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
