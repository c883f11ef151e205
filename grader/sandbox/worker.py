"""The untrusted side: imports a learner's file and calls its function on request.

This script runs inside the sandbox as `python -I worker.py ...`. It imports
nothing from mlkata (so the learner's code never shares a process with the
grader) and knows nothing of checks or verdicts: it only answers requests.

Protocol: one JSON object per line; each answer echoes its request's "id".
Requests arrive on --in-fd, answers leave on --out-fd; the learner's own prints
go to stdout/stderr, which the grader captures separately, and training
progress (display only) leaves on --progress-fd. The grader sends `load` once,
then any number of `call`s:

    -> {"op": "load", "path": "submission.py", "function": "preprocess_image"}
    <- {"ok": true}
    -> {"op": "call", "args": [VALUE...], "kwargs": {"name": VALUE}, "return_args": false,
        "function": NAME (optional: another function of the same file),
        "seed": INT (optional: seed Python's, numpy's and Keras' generators first),
        "count_lines": true (optional: count the lines of the learner's file that ran)}
    <- {"ok": true, "value": VALUE, "args_after": [VALUE...] | null, "lines": INT | null}
    <- {"ok": false, "kind": "syntax|missing|exception|unreadable", "message": "..."}

A VALUE is plain JSON data: {"t": "none"}, {"t": "bool"|"int"|"float"|"str", "v": ...},
{"t": "list"|"tuple", "items": [VALUE...]}, {"t": "dict", "items": [[key, VALUE]...]},
{"t": "ndarray", "file": NAME} (a .npy file, never pickled) or {"t": "keras", "file": NAME}
(a .keras file). Files live in this process's working directory. Nothing that
can carry code ever crosses the boundary, so whatever this process says, the
grader only ever receives data.
"""

import argparse
import importlib
import importlib.util
import json
import math
import os
import sys
import traceback

_counter = 0


def _new_name(suffix):
    global _counter
    _counter += 1
    return f"out-{_counter}{suffix}"


def _is_keras_model(value):
    return any(
        cls.__name__ in ("Model", "Sequential", "Functional") and cls.__module__.startswith("keras")
        for cls in type(value).__mro__
    )


class Unreadable(Exception):
    """The learner's function returned something the grader cannot receive."""


def encode(value, depth=0):
    if depth > 20:
        raise Unreadable("the value is nested too deeply")
    import numpy as np

    if value is None:
        return {"t": "none"}
    if isinstance(value, (bool, np.bool_)):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, (int, np.integer)):
        return {"t": "int", "v": int(value)}
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return {"t": "float", "v": f if math.isfinite(f) else repr(f)}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, (list, tuple)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {"t": kind, "items": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Unreadable("a dict with keys that are not strings")
        return {"t": "dict", "items": [[k, encode(v, depth + 1)] for k, v in value.items()]}
    if _is_keras_model(value):
        name = _new_name(".keras")
        value.save(name)
        return {"t": "keras", "file": name}
    if not isinstance(value, np.ndarray) and hasattr(value, "__array__"):
        value = np.asarray(value)  # e.g. a TensorFlow tensor
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise Unreadable("a numpy array of Python objects (dtype=object)")
        name = _new_name(".npy")
        with open(name, "xb") as stream:  # never through a planted link
            np.save(stream, value, allow_pickle=False)
        return {"t": "ndarray", "file": name}
    raise Unreadable(f"a value of type {type(value).__module__}.{type(value).__qualname__}")


def decode(data):
    """Decode the grader's arguments (written by the trusted side)."""
    t = data["t"]
    if t == "none":
        return None
    if t in ("bool", "int", "str"):
        return data["v"]
    if t == "float":
        return float(data["v"])
    if t in ("list", "tuple"):
        items = [decode(v) for v in data["items"]]
        return tuple(items) if t == "tuple" else items
    if t == "dict":
        return {k: decode(v) for k, v in data["items"]}
    if t == "ndarray":
        import numpy as np

        return np.load(data["file"], allow_pickle=False)
    if t == "keras":
        import keras

        return keras.saving.load_model(data["file"])
    raise ValueError(f"unknown value type {t!r}")


def _learner_traceback(exc, path):
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    lines = [f"  line {f.lineno}, in {f.name}: {(f.line or '').strip()}" for f in frames[-3:]]
    head = f"{type(exc).__name__}: {exc}"
    return "\n".join([head, *lines]) if lines else head


class Worker:
    def __init__(self):
        self.module = None
        self.path = None
        self.function = None

    def load(self, request):
        self.path = os.path.abspath(request["path"])
        try:
            with open(self.path, "rb") as f:
                source = f.read()
            compile(source, request["path"], "exec")
        except SyntaxError as exc:
            return {
                "ok": False,
                "kind": "syntax",
                "message": f"line {exc.lineno}: {exc.msg}",
                "line": exc.lineno,
            }
        spec = importlib.util.spec_from_file_location("submission", self.path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["submission"] = module
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything
            return {
                "ok": False,
                "kind": "exception",
                "where": "import",
                "message": _learner_traceback(exc, self.path),
            }
        function = getattr(module, request["function"], None)
        if not callable(function):
            return {"ok": False, "kind": "missing", "message": request["function"]}
        self.module, self.function = module, function
        return {"ok": True}

    def call(self, request):
        if self.function is None:
            return {"ok": False, "kind": "missing", "message": "no file loaded"}
        function = self.function
        if request.get("function"):  # a second function of the same contract
            function = getattr(self.module, request["function"], None)
            if not callable(function):
                return {"ok": False, "kind": "missing", "message": request["function"]}
        args = [decode(a) for a in request["args"]]
        kwargs = {k: decode(v) for k, v in request["kwargs"].items()}
        counter = _LineCounter(self.path) if request.get("count_lines") else None
        try:
            if isinstance(request.get("seed"), int):
                _seed_everything(request["seed"])
            if counter is not None:
                sys.settrace(counter.enter)
            try:
                value = function(*args, **kwargs)
            finally:
                sys.settrace(None)
        except BaseException as exc:  # noqa: BLE001
            return {
                "ok": False,
                "kind": "exception",
                "where": "call",
                "message": _learner_traceback(exc, self.path),
            }
        try:
            lines = counter.lines if counter is not None else None
            answer = {"ok": True, "value": encode(value), "args_after": None, "lines": lines}
            if request.get("return_args"):
                answer["args_after"] = [encode(a) for a in args]
        except Unreadable as exc:
            return {"ok": False, "kind": "unreadable", "message": str(exc)}
        except BaseException as exc:  # noqa: BLE001 - e.g. model.save() failing
            return {
                "ok": False,
                "kind": "unreadable",
                "message": f"saving it failed: {type(exc).__name__}: {exc}",
            }
        return answer


class _LineCounter:
    """Counts the lines of the learner's own file that run during a call (a loop over a
    million elements runs millions; whole-array numpy code a few dozen). What it reports
    is the learner's process speaking: the grader uses it only to explain a failure."""

    def __init__(self, path):
        self.path, self.lines = path, 0

    def enter(self, frame, event, arg):
        return self.count if frame.f_code.co_filename == self.path else None

    def count(self, frame, event, arg):
        if event == "line":
            self.lines += 1
        return self.count


def _seed_everything(seed):
    """The same seed before two calls makes an unseeded learner's code repeat itself:
    Python's and numpy's generators, and Keras' (with TensorFlow's) where loaded."""
    import random

    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed % 2**32)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed % 2**32)


def _import_quietly(names):
    """Import the exercise's libraries with stdout/stderr closed: TensorFlow's start-up
    lines are not the learner's output."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        for name in names:
            importlib.import_module(name)
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def _report_training(fd):
    """Send an epoch/step progress line for every Keras fit() (display only)."""
    import time

    import keras

    stream = os.fdopen(fd, "w", encoding="utf-8")

    def send(event):
        try:
            stream.write(json.dumps(event) + "\n")
            stream.flush()
        except (OSError, ValueError, TypeError):
            pass

    def numbers(logs):
        return {
            k: float(v)
            for k, v in (logs or {}).items()
            if isinstance(v, (int, float)) or hasattr(v, "__float__")
        }

    class Progress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.epoch, self.last = 0, 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() - self.last > 0.25:
                self.last = time.monotonic()
                send(
                    {
                        "epoch": self.epoch + 1,
                        "epochs": self.params.get("epochs"),
                        "step": batch + 1,
                        "steps": self.params.get("steps"),
                        "logs": numbers(logs),
                    }
                )

        def on_epoch_end(self, epoch, logs=None):
            send(
                {
                    "epoch": epoch + 1,
                    "epochs": self.params.get("epochs"),
                    "logs": numbers(logs),
                    "end": True,
                }
            )

    original_fit = keras.Model.fit

    def fit(self, *args, callbacks=None, **kwargs):
        callbacks = [*(callbacks or []), Progress()]
        return original_fit(self, *args, callbacks=callbacks, **kwargs)

    keras.Model.fit = fit


def _apply_limits(limits):
    """Hard limits, set before any learner code runs; it cannot raise them again."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.get("file_bytes"):
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"],) * 2)
    if limits.get("address_space"):
        resource.setrlimit(resource.RLIMIT_AS, (limits["address_space"],) * 2)
    if limits.get("user_processes"):  # without namespaces or cgroups: a fork bomb's cap
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["user_processes"],) * 2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--in-fd", type=int, required=True)
    parser.add_argument("--out-fd", type=int, required=True)
    parser.add_argument("--preload", default="")
    parser.add_argument("--limits", default="{}")
    parser.add_argument("--progress-fd", type=int)
    options = parser.parse_args()
    requests = os.fdopen(options.in_fd, "r", encoding="utf-8")
    answers = os.fdopen(options.out_fd, "w", encoding="utf-8")
    _import_quietly(filter(None, options.preload.split(",")))
    if options.progress_fd is not None and "keras" in sys.modules:
        _report_training(options.progress_fd)
    _apply_limits(json.loads(options.limits))
    worker = Worker()

    def send(obj):
        answers.write(json.dumps(obj) + "\n")
        answers.flush()

    send({"ok": True, "ready": True})
    for line in requests:
        request = json.loads(line)
        handler = {"load": worker.load, "call": worker.call}[request["op"]]
        answer = handler(request)
        answer["id"] = request.get("id")
        send(answer)
        sys.stdout.flush()
        sys.stderr.flush()


if __name__ == "__main__":
    main()
