"""The grader's side of the checks process: start it, hand it a file, bound it, read it.

The checks run in a child (`checks_child.py`) under a memory cap and a wall-clock
limit of their own, so that a submission whose arrays or models would exhaust the
grader (decoding, loading, predicting, training) costs only its own verdict.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from grader.exercises import Exercise
from grader.grading.zygote import for_environment
from grader.sandbox.bounded import BoundedProcess, Limits, WorkerDied

_READY_SECONDS = 180  # imports, and in watch the warm-up: not the learner's time
_MAX_EVENT_BYTES = 4 << 20


class ChecksProcess:
    """One grading's checks process; `warm=True` also warms Keras and collects the checks
    before `run()` (watch starts one ahead of the next save)."""

    def __init__(self, exercise: Exercise, warm: bool = False):
        self.exercise = exercise
        self.scratch = Path(tempfile.mkdtemp(prefix="mlkata-checks-"))
        control_r, self._control_w = os.pipe()
        self._events_r, events_w = os.pipe()
        limits = Limits(
            wall_seconds=exercise.wall_seconds + exercise.checks_seconds,
            memory_mb=exercise.checks_memory_mb,
            max_processes=1024,  # the worker's threads are capped on their own
            max_disk_bytes=4 << 30,
        )
        cmd = [sys.executable, "-m", "grader.grading.checks_child",
               "--control-fd", str(control_r), "--events-fd", str(events_w)]  # fmt: skip
        # The same grader as this process, even one run from a checkout without installing.
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        # One OpenBLAS thread, as in the worker: an idle OpenBLAS thread spins after each
        # BLAS call, which cost a numpy grading about a tenth of its CPU.
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": path,
               "OPENBLAS_NUM_THREADS": "1"}  # fmt: skip
        # Where zygotes are enabled (batch, verify, the test suite), the checks process is
        # forked from one that imported numpy, pytest and (for TensorFlow) Keras once.
        # Watch starts its next one ahead of the save instead, and warms it up.
        zygote = None if warm else for_environment(env, keras=exercise.tensorflow)
        self._process = BoundedProcess(
            cmd,
            limits=limits,
            scratch=self.scratch,
            env=env,
            pass_fds=(control_r, events_w),
            whole_tree=False,
            launcher=zygote.spawn if zygote else subprocess.Popen,
        )
        os.close(control_r)
        os.close(events_w)
        from grader.sandbox import tiers
        from grader.sandbox.allowlist import site_entries

        preload = exercise.preload
        setup = pickle.dumps({
            "tier": tiers.current(), "preload": preload, "limits": exercise.worker_limits(),
            "site_entries": site_entries(tuple(preload)),
            "exercise": pickle.dumps(exercise), "warm": warm,
        })  # fmt: skip
        self._send(f"{len(setup)}\n".encode() + setup)
        self._buffer = bytearray()
        self._ready = False

    @property
    def died(self) -> WorkerDied | None:
        return self._process.died

    def run(self, file: Path, on_progress: Callable[[object], None] | None = None) -> dict:
        """Grade `file`; the child's result, or {"died": WorkerDied, ...} if it was killed.
        Partial results are never trusted: a check passes only in a full result."""
        try:
            self._wait_ready()
            self._process.confine()
            self._send((json.dumps({"file": str(file)}) + "\n").encode())
            deadline = time.monotonic() + self._process.limits.wall_seconds
            while True:
                message = self._next(deadline)
                if "result" in message:
                    return message["result"]
                _relay(message, on_progress)
        except WorkerDied as died:
            return {"died": died, "output": self._process.output}

    def _send(self, data: bytes) -> None:
        """To the child's control pipe; if it is already dead (a memory bound below what
        its imports take kills it at once), reading its events says why."""
        with contextlib.suppress(BrokenPipeError):
            os.write(self._control_w, data)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _READY_SECONDS
        while not self._ready:
            self._ready = bool(self._next(deadline).get("ready"))

    def _next(self, deadline: float) -> dict:
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                limit = self._process.limits.wall_seconds
                self._process.kill("timeout", f"grading took longer than {limit:.0f} s")
            if self._process.died:
                raise self._process.died
            ready, _, _ = select.select([self._events_r], [], [], min(max(left, 0), 0.2))
            if ready:
                chunk = os.read(self._events_r, 65536)
                if not chunk:
                    raise self._process.exit_reason()
                self._buffer += chunk
                if len(self._buffer) > _MAX_EVENT_BYTES:
                    self._process.kill("output", "the checks process sent too much")
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        try:
            message = json.loads(line)
        except ValueError:
            message = {}
        return message if isinstance(message, dict) else {}

    def close(self) -> None:
        self._process.kill("stopped", "grading finished")
        for fd in (self._control_w, self._events_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.scratch, ignore_errors=True)


def _relay(message: dict, on_progress: Callable[[object], None] | None) -> None:
    if on_progress is None:
        return
    from grader.curves import Stage
    from grader.grading.timing import CheckTimed

    with contextlib.suppress(Exception):
        if isinstance(message.get("stage"), str):
            on_progress(Stage(message["stage"]))
        elif isinstance(message.get("timed"), list):
            name, seconds = message["timed"]
            on_progress(CheckTimed(str(name), float(seconds)))
        elif isinstance(message.get("progress"), dict):
            on_progress(message["progress"])
