"""A warm parent for checks processes: imports paid once, each grading forked from it.

Importing TensorFlow costs a checks process 3 to 4.5 s of CPU, numpy and pytest about
0.35 s. Where one grader process grades many submissions (a `batch` pool process,
`verify`, the test suite), it starts a zygote once per kind of exercise: a trusted
process that imports numpy and pytest (and Keras, for TensorFlow exercises), starts no
thread and runs no TensorFlow operation, then forks one child per grading. Each child sets up
what a freshly started checks process would have (its own session, working folder,
environment, standard streams and pipes) and runs `python -m MODULE ARGS` in place.
`BoundedProcess` bounds it as before: it walks, measures, confines and kills by pid.

Only trusted code runs in a zygote and its children; the sandboxed worker is still
started fresh (bubblewrap cannot be forked into), so the sandbox is unchanged.

Protocol on a Unix socket pair: the grader sends one JSON line per child with its file
descriptors (stdout, then the ones to keep); the zygote answers `{"pid": N}`, and
`{"exit": N, "code": C}` (Popen's convention: -signal when killed) once it has reaped N.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import queue
import runpy
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback

_MAX_FDS = 8
_MAX_REQUEST = 1 << 20
_PRELOAD_SECONDS = 180  # the first fork waits for Keras' import

_FORKABLE_OPTIONS = {"cwd", "env", "stdin", "stdout", "stderr", "pass_fds", "start_new_session"}

_enabled = False
_zygotes: dict[tuple, Zygote] = {}


def enable() -> None:
    """Fork this process's checks processes from warm zygotes from now on."""
    global _enabled
    _enabled = True


def for_environment(env: dict[str, str], keras: bool) -> Zygote | None:
    """The zygote (with Keras imported, or not) whose imports saw `env`'s PYTHONPATH and
    library settings, started on first use; None when zygotes are not enabled or this
    one cannot start."""
    if not _enabled:
        return None
    key = (keras, *sorted((k, v) for k, v in env.items() if k in _IMPORT_SETTINGS))
    zygote = _zygotes.get(key)
    if zygote is None or not zygote.alive:
        try:
            zygote = _zygotes[key] = Zygote(env, keras)
        except OSError:
            return None
    return zygote


# What the imports in the zygote read from the environment: a zygote serves only
# checks processes that would have imported under the same values.
_IMPORT_SETTINGS = frozenset({
    "PYTHONPATH", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "TF_CPP_MIN_LOG_LEVEL",
    "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND", "KERAS_HOME", "CUDA_VISIBLE_DEVICES",
})  # fmt: skip


class Zygote:
    """The grader's handle on one zygote process."""

    def __init__(self, env: dict[str, str], keras: bool = True):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        preload = ["--keras"] if keras else []
        self._process = subprocess.Popen(
            [sys.executable, "-m", "grader.grading.zygote", str(theirs.fileno()), *preload],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(theirs.fileno(),), start_new_session=True,
        )  # fmt: skip
        theirs.close()
        self._socket = ours
        self._lock = threading.Lock()
        self._replies: queue.Queue[int | None] = queue.Queue()
        self._exits: dict[int, int] = {}
        self._exited = threading.Condition()
        self.alive = True
        self.forked = 0
        threading.Thread(target=self._read, daemon=True).start()
        atexit.register(self.close)

    def spawn(self, cmd: list[str], **popen):
        """Popen(cmd, **popen) for `python -m MODULE ARGS` started in a new session with
        stdin from /dev/null and stderr into stdout, as a child of this zygote; anything
        else, or with the zygote gone, a fresh process as before."""
        forkable = (
            cmd[:2] == [sys.executable, "-m"] and set(popen) <= _FORKABLE_OPTIONS
            and popen.get("start_new_session") is True
            and popen.get("stdin") == subprocess.DEVNULL
            and isinstance(popen.get("stdout"), int) and popen.get("stderr") == popen["stdout"]
            and len(popen.get("pass_fds", ())) < _MAX_FDS
        )  # fmt: skip
        pid = self._fork(cmd, popen) if forkable and self.alive else None
        if pid is None:
            return subprocess.Popen(cmd, **popen)
        self.forked += 1
        return ForkedProcess(self, pid, cmd)

    def _fork(self, cmd: list[str], popen: dict) -> int | None:
        request = {"argv": cmd[2:], "cwd": str(popen["cwd"]), "env": popen["env"],
                   "keep": list(popen.get("pass_fds", ()))}  # fmt: skip
        line = json.dumps(request).encode() + b"\n"
        with self._lock:
            try:
                socket.send_fds(self._socket, [line], [popen["stdout"], *request["keep"]])
                return self._replies.get(timeout=_PRELOAD_SECONDS)
            except (OSError, queue.Empty):
                self.close()
                return None

    def _read(self) -> None:
        buffer = b""
        with contextlib.suppress(OSError):
            while chunk := self._socket.recv(65536):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    message = json.loads(line)
                    if "pid" in message:
                        self._replies.put(int(message["pid"]))
                    else:
                        with self._exited:
                            self._exits[int(message["exit"])] = int(message["code"])
                            self._exited.notify_all()
        self.alive = False
        self._replies.put(None)
        with self._exited:
            self._exited.notify_all()

    def exit_code(self, pid: int, timeout: float | None) -> int | None:
        """`pid`'s exit code once reaped (waits up to `timeout`, None: for ever)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._exited:
            self._exited.wait_for(lambda: pid in self._exits or not self.alive, timeout)
            if pid in self._exits:
                return self._exits[pid]
        # Orphaned by a dead zygote: its end is seen in /proc (its exit code is lost).
        while not self.alive and _running(pid):
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(0.02)
        return None if self.alive else -signal.SIGKILL

    def close(self) -> None:
        self.alive = False
        with contextlib.suppress(OSError):
            self._socket.close()
        with contextlib.suppress(OSError):
            self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except (OSError, IndexError):
        return False


class ForkedProcess:
    """What `BoundedProcess` uses of a Popen, for a child of a zygote."""

    def __init__(self, zygote: Zygote, pid: int, args: list[str]):
        self._zygote, self.pid, self.args = zygote, pid, args
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._zygote.exit_code(self.pid, 0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = self._zygote.exit_code(self.pid, timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode


# -- the zygote process -------------------------------------------------------------------
def _serve(channel: socket.socket) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    buffer, fds = b"", []
    while True:
        ready, _, _ = select.select([channel, wake_r], [], [])
        if wake_r in ready:
            os.read(wake_r, 4096)
            _report_exits(channel)
        if channel not in ready:
            continue
        data, more, _, _ = socket.recv_fds(channel, _MAX_REQUEST, _MAX_FDS)
        if not data:
            return  # the grader is gone; its children end when their pipes close
        buffer, fds = buffer + data, fds + more
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            pid = os.fork()
            if pid == 0:
                os.close(wake_r)
                os.close(wake_w)
                _become_child(channel, json.loads(line), fds)
            for fd in fds:
                os.close(fd)
            fds = []
            channel.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def _report_exits(channel: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = os.waitstatus_to_exitcode(status)
        channel.sendall(json.dumps({"exit": pid, "code": code}).encode() + b"\n")


def _become_child(channel: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: what Popen(start_new_session=True, cwd, env, stdin=DEVNULL,
    stdout=stderr=fds[0], pass_fds=keep) would have set up; then run the module."""
    status = 1
    try:
        channel.close()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        # Move the received descriptors above every target number, then onto their numbers.
        keep = [int(fd) for fd in request["keep"]]
        floor = max([2, *keep]) + 1
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, floor) for fd in fds]
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(high[0], 1)
        os.dup2(high[0], 2)
        for target, fd in zip(keep, high[1:], strict=True):
            os.dup2(fd, target)
        for entry in os.listdir("/proc/self/fd"):
            if int(entry) not in {0, 1, 2, *keep}:
                with contextlib.suppress(OSError):
                    os.close(int(entry))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # each child its own global state
        sys.argv = list(request["argv"])
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported as a crashed checks process would be
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _preload(keras: bool) -> None:
    """numpy, pytest and Keras (quietly, as a checks process imports it). The grader's
    own modules are imported fresh in each child."""
    import numpy  # noqa: F401
    import pytest  # noqa: F401

    if keras:
        from grader.grading.checks_child import import_keras_quietly

        import_keras_quietly()


def main() -> None:
    channel = socket.socket(fileno=int(sys.argv[1]))
    _preload(keras="--keras" in sys.argv[2:])
    sys.stdout.flush()
    sys.stderr.flush()
    _serve(channel)


if __name__ == "__main__":
    main()
