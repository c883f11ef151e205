"""The checks' only way to reach a submission: a proxy into the sandboxed worker.

Arguments go out as .npy / .keras / JSON files written by the grader; values
come back only in data-only forms (.npy without pickle, JSON, .keras loaded with
safe_mode=True). Nothing the submission does can run code in this process.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from grader.sandbox import launch
from grader.sandbox.launch import WorkerDied, WorkerProcess

if TYPE_CHECKING:
    from grader.exercises import Exercise

_RESULT_FILE = re.compile(r"out-\d+\.(npy|keras)")
_SANDBOX_COPY = re.compile(r"\S*mlkata-scratch-[^/\s]+/submission\.py")
_MAX_RESTARTS = 2
_READY_SECONDS = 60  # importing TensorFlow in the worker; not counted against the learner


class SubmissionFailed(AssertionError):
    """The submission could not answer; the message is written for the learner."""


def describe(value) -> str:
    """A short, learner-readable description of a value (for messages)."""
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "dtype"):
        return f"array(shape={tuple(shape)}, dtype={value.dtype})"
    if type(value).__name__ in ("Sequential", "Functional", "Model"):
        return "a Keras model"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Submission:
    """A learner's file, loaded in a sandboxed worker, called on the checks' behalf."""

    def __init__(
        self, exercise: Exercise, file: Path, worker: WorkerProcess | None = None, on_progress=None
    ):
        self.exercise = exercise
        self.file = Path(file)
        self.error: str | None = None  # the first fatal reason: timeout, memory, crashed, ...
        self._fatal: SubmissionFailed | None = None
        self._restarts = 0
        self._budget = exercise.wall_seconds
        self._keras_dir = Path(tempfile.mkdtemp(prefix="mlkata-received-"))
        self._on_progress = on_progress
        self._worker = worker or self._start_worker()
        self._worker.on_progress = on_progress
        self._loaded = False
        self.sandbox = self._worker.sandbox
        self.outputs: list[str] = []
        self._argument_files = itertools.count(1)  # names for arguments sent as files
        # What this grading decodes from the worker: each answer file once, and at most
        # half the checks process's memory in all.
        self._decoded: set[Path] = set()
        self.decode_limit = (exercise.checks_memory_mb << 20) // 2
        self._decode_budget = self.decode_limit
        # Weights, gradients and Adam's two moments: 16 bytes a parameter in float32.
        self.max_model_parameters = (exercise.checks_memory_mb << 20) // 16
        # CPU seconds the worker used during the last call, measured from /proc by
        # the grader: steadier than wall time on a busy machine, and unforgeable.
        self.last_call_cpu_s: float | None = None
        self.last_call_python_lines: int | None = None

    # -- lifecycle ------------------------------------------------------------
    def _start_worker(self) -> WorkerProcess:
        worker = start_worker(self.exercise)
        worker.on_progress = getattr(self, "_on_progress", None)
        return worker

    def _ensure_loaded(self):
        if self._fatal:
            raise self._fatal
        if self._worker is None:
            if self._restarts >= _MAX_RESTARTS:
                raise self._fail("crashed", "the worker running your code kept dying; gave up")
            self._restarts += 1
            self._worker = self._start_worker()
        if self._loaded:
            return
        worker = self._worker
        shutil.copyfile(self.file, worker.scratch / "submission.py")
        self._ask({"op": "ready"}, _READY_SECONDS, during="starting", counted=False)
        worker.confine()
        answer = self._ask(
            {"op": "load", "path": "submission.py", "function": self.exercise.function},
            self._budget,
            during="importing your file",
        )
        if not answer.get("ok"):
            kind = answer.get("kind")
            message = str(answer.get("message", ""))[:2000]
            if kind == "syntax":
                raise self._fail("syntax", f"your file has a syntax error at {message}")
            if kind == "missing":
                raise self._fail(
                    "missing",
                    f"your file does not define "
                    f"{self.exercise.function}(). Did you misname it or forget "
                    "to define it?",
                )
            raise self._fail("crashed", f"importing your file raised {message}")
        self._loaded = True

    def _ask(self, request: dict, timeout: float, during: str, counted: bool = True) -> dict:
        worker = self._worker
        if request["op"] == "ready":
            # The worker announces itself unprompted: read that first line.
            return self._read_ready(worker, timeout)
        started = time.monotonic()
        try:
            answer = worker.request(request, timeout=max(timeout, 0.01))
        except WorkerDied as died:
            answer = died
        if counted:
            self._budget -= time.monotonic() - started
        if isinstance(answer, WorkerDied):
            self._discard(worker)
            self._worker, self._loaded = None, False
            raise self._died(answer, during)
        return answer

    def _read_ready(self, worker: WorkerProcess, timeout: float) -> dict:
        try:
            return worker.request_ready(timeout)
        except WorkerDied as died:
            self._discard(worker)
            self._worker = None
            raise self._fail(  # before the learner's file is read: the grader's fault
                "sandbox",
                f"the sandbox could not start: {died.detail}\n{worker.output.strip()[-500:]}",
            ) from None

    def _died(self, died: WorkerDied, during: str) -> SubmissionFailed:
        output = self.outputs[-1].strip()
        tail = f"\nIts last output:\n{output[-800:]}" if output else ""
        if died.reason == "timeout" and self._budget <= 0:
            message = (
                f"{during} did not finish in time: your code used up this exercise's "
                f"time limit ({self.exercise.wall_seconds:.0f} s in all)"
            )
        elif died.reason == "timeout":
            message = f"{during} did not finish in time ({died.detail})"
        elif died.reason in ("memory", "processes", "output"):
            message = f"{during}: your code {died.detail}"
        elif "private channel" in died.detail:
            message = f"{during}: {died.detail}"
        else:
            message = (
                f"the process running your code ended unexpectedly while {during} "
                f"({died.detail}). Do not call exit() or os._exit() in a submission."
            )
        # Only a plain crash is worth a fresh worker: abuse of a limit would repeat.
        fatal = (
            during == "importing your file"
            or self._budget <= 0
            or died.reason in ("memory", "processes", "output")
        )
        failure = SubmissionFailed(message + tail)
        if self.error is None:
            self.error = died.reason if died.reason != "stopped" else "crashed"
        if fatal:
            self._fatal = failure
        return failure

    def _fail(self, reason: str, message: str) -> SubmissionFailed:
        self.error = self.error or reason
        self._fatal = SubmissionFailed(message)
        return self._fatal

    def close(self):
        if self._worker is not None:
            self._discard(self._worker)
            self._worker = None
        shutil.rmtree(self._keras_dir, ignore_errors=True)

    def _discard(self, worker: WorkerProcess) -> None:
        """Keep what it printed, kill it and all it started, then delete its scratch
        folder in the background (tens of MB after a big call): the verdict need not wait."""
        self.outputs.append(worker.output)
        worker.close()
        threading.Thread(target=shutil.rmtree, args=(worker.scratch,),
                         kwargs={"ignore_errors": True}).start()  # fmt: skip

    @property
    def output(self) -> str:
        """What the learner's code printed, naming their own file, not the sandbox's copy."""
        text = "\n".join(o for o in self.outputs if o)
        if self._worker is not None:
            text += self._worker.output
        return _SANDBOX_COPY.sub(self.file.name, text)

    # -- calling --------------------------------------------------------------
    def call(self, *args, timeout: float | None = None, return_args: bool = False,
             run_seed: int | None = None, count_lines: bool = False, **kwargs):  # fmt: skip
        """Call the learner's function; returns its value (and the args after, if asked).
        `run_seed`: seed the worker's random generators (Python, numpy, Keras) just
        before the call, so that calls with the same seed and data can be compared.
        `count_lines`: have the worker count the lines of the learner's file that ran
        (`last_call_python_lines`; the learner's process says it, so it may only ever
        explain a failure, never make a check pass)."""
        return self._call(self.exercise.function, args, kwargs, timeout, return_args, run_seed,
                          count_lines)  # fmt: skip

    def call_other(self, function: str, *args, timeout: float | None = None, **kwargs):
        """Call another function of the same file (a contract with two, such as
        train_bpe and bpe_encode), in the same worker."""
        return self._call(function, args, kwargs, timeout, False)

    def _call(self, name: str, args: tuple, kwargs: dict, timeout, return_args: bool,
              run_seed: int | None = None, count_lines: bool = False):  # fmt: skip
        self._ensure_loaded()
        shown = ", ".join(
            [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
        )
        during = f"{name}({shown})"
        scratch = self._worker.scratch
        request = {
            "op": "call",
            "function": name if name != self.exercise.function else None,
            "return_args": return_args,
            "args": [self._encode(a, scratch) for a in args],
            "kwargs": {k: self._encode(v, scratch) for k, v in kwargs.items()},
        }
        if run_seed is not None:
            request["seed"] = int(run_seed)
        if count_lines:
            request["count_lines"] = True
        limit = self._budget if timeout is None else min(timeout, self._budget)
        cpu_before = self._worker.cpu_seconds()
        answer = self._ask(request, limit, during=during)
        if self._worker is not None:
            self.last_call_cpu_s = self._worker.cpu_seconds() - cpu_before
        lines = answer.get("lines")
        self.last_call_python_lines = lines if type(lines) is int and lines >= 0 else None
        if not answer.get("ok"):
            kind, message = answer.get("kind"), str(answer.get("message", ""))[:2000]
            if kind == "missing":
                raise SubmissionFailed(
                    f"your file does not define {name}(). Did you misname it or forget to "
                    "define it?"
                )
            if kind == "unreadable":
                raise SubmissionFailed(
                    f"{during} returned {message}, which the grader "
                    "cannot receive: return numpy arrays, numbers, "
                    "tuples or Keras models"
                )
            if message.startswith("MemoryError"):
                self.error = self.error or "memory"
                raise SubmissionFailed(
                    f"{during} ran out of memory (limit {self.exercise.memory_mb} MB)"
                )
            if message.startswith("NotImplementedError"):
                raise SubmissionFailed(
                    f"{during} raised NotImplementedError: the exercise "
                    "is not done yet (replace the `raise "
                    "NotImplementedError` with your code)"
                )
            raise SubmissionFailed(f"{during} raised {message}")
        try:
            value = self._decode(answer.get("value"), scratch)
            if not return_args:
                return value
            after = answer.get("args_after")
            if not isinstance(after, list) or len(after) != len(args):
                raise ValueError("arguments missing")
            return value, tuple(self._decode(a, scratch) for a in after)
        except (ValueError, TypeError, KeyError, OSError) as exc:
            raise SubmissionFailed(
                f"{during} sent back something the grader cannot read ({exc})"
            ) from None

    def _encode(self, value, scratch: Path) -> dict:
        import numpy as np

        if value is None:
            return {"t": "none"}
        if isinstance(value, bool | np.bool_):
            return {"t": "bool", "v": bool(value)}
        if isinstance(value, int | np.integer):
            return {"t": "int", "v": int(value)}
        if isinstance(value, float | np.floating):
            return {"t": "float", "v": float(value)}
        if isinstance(value, str):
            return {"t": "str", "v": value}
        if isinstance(value, list | tuple):
            return {
                "t": "tuple" if isinstance(value, tuple) else "list",
                "items": [self._encode(v, scratch) for v in value],
            }
        if isinstance(value, dict):
            return {
                "t": "dict",
                "items": [[str(k), self._encode(v, scratch)] for k, v in value.items()],
            }
        if isinstance(value, np.ndarray):
            name = f"in-{next(self._argument_files)}.npy"
            np.save(scratch / name, value, allow_pickle=False)
            return {"t": "ndarray", "file": name}
        if hasattr(value, "save") and hasattr(value, "layers"):
            name = f"in-{next(self._argument_files)}.keras"
            value.save(scratch / name)
            return {"t": "keras", "file": name}
        raise TypeError(f"the grader cannot send a {type(value).__name__} to the sandbox")

    def _decode(self, data, scratch: Path, depth: int = 0):
        if not isinstance(data, dict) or depth > 20:
            raise ValueError("malformed value")
        kind = data.get("t")
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            value = data["v"]
            expected = {"bool": bool, "int": int, "str": str}[kind]
            if type(value) is not expected:
                raise ValueError(f"malformed {kind}")
            return value
        if kind == "float":
            value = data["v"]
            if value in ("nan", "inf", "-inf"):
                return float(value)
            if type(value) not in (int, float):
                raise ValueError("malformed float")
            return float(value)
        if kind in ("list", "tuple"):
            items = [self._decode(v, scratch, depth + 1) for v in data["items"]]
            return tuple(items) if kind == "tuple" else items
        if kind == "dict":
            return {str(k): self._decode(v, scratch, depth + 1) for k, v in data["items"]}
        if kind in ("ndarray", "keras"):
            name = data.get("file")
            if not isinstance(name, str) or not _RESULT_FILE.fullmatch(name):
                raise ValueError("a file name the grader does not accept")
            path = scratch / name
            if path in self._decoded:
                raise ValueError("it named the same answer file twice")
            self._decoded.add(path)
            if kind == "ndarray":
                return self._load_array(path)
            return self._load_model(path)
        raise ValueError(f"unknown value type {kind!r}")

    @contextlib.contextmanager
    def _open_result_file(self, path: Path):
        """Open a file the worker wrote, refusing links, devices and files past what is
        left of this grading's decoding budget (each file counts once)."""
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as stream:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ValueError("not a regular file")
            if info.st_size > self._decode_budget:
                mb = self.decode_limit >> 20
                raise ValueError(f"its answers add up to more than {mb} MB")
            self._decode_budget -= info.st_size
            yield stream

    def _load_array(self, path: Path):
        import numpy as np

        with self._open_result_file(path) as stream:
            size = os.fstat(stream.fileno()).st_size
            version = np.lib.format.read_magic(stream)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f".npy format version {version}, which the grader does not read")
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)  # fmt: skip
            shape, _, dtype = read_header(stream)
            if dtype.hasobject:
                raise ValueError("an array of Python objects")
            # The header's shape must match the data that is really there, before
            # numpy allocates what the header claims.
            if math.prod(shape) * dtype.itemsize != size - stream.tell():
                raise ValueError("an .npy file whose header does not match its data")
            stream.seek(0)
            array = np.load(stream, allow_pickle=False)  # read straight into the array
        if not isinstance(array, np.ndarray):
            raise ValueError("not an array")
        return array

    def _load_model(self, path: Path):
        import keras

        from grader.grading.model_size import declared_parameters

        copy = self._keras_dir / f"{path.stem}-{time.monotonic_ns()}.keras"
        with self._open_result_file(path) as stream:
            copy.write_bytes(stream.read())
        try:
            declared = declared_parameters(copy, self._decode_budget)
        except ValueError as exc:
            raise SubmissionFailed(f"the returned Keras model could not be read: {exc}") from None
        if declared > self.max_model_parameters:
            raise SubmissionFailed(
                f"the returned Keras model declares {declared:,} parameters; the grader "
                f"accepts at most {self.max_model_parameters:,} (it is refused before "
                "any weight is built)"
            )
        try:
            return keras.saving.load_model(copy, compile=False, safe_mode=True)
        except Exception as exc:  # noqa: BLE001 - any refusal is the submission's problem
            reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            raise SubmissionFailed(
                "the returned Keras model could not be loaded safely: use built-in Keras "
                "layers only (Lambda layers and custom classes are refused). "
                f"Keras said: {reason}"
            ) from None


def start_worker(exercise: Exercise) -> WorkerProcess:
    """A fresh worker in a fresh scratch folder, already importing what the exercise needs."""
    return launch.start_worker(exercise.preload, exercise.worker_limits())
