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
import ctypes
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

_MAX_FDS = 8
_MAX_REQUEST = 1 << 20
_PRELOAD_SECONDS = 180  # the first fork waits for Keras' import
_PR_SET_PDEATHSIG = 1

_FORKABLE_OPTIONS = {"cwd", "env", "stdin", "stdout", "stderr", "pass_fds", "start_new_session"}

_enabled = False
_zygotes: dict[tuple, Zygote] = {}


def enable() -> None:
    """Fork this process's checks processes from warm zygotes from now on."""
    global _enabled
    _enabled = True


def for_environment(env: dict[str, str], keras: bool) -> Zygote | None:
    """The zygote (with Keras imported, or not) started under `env`, started on first
    use; None when zygotes are not enabled, or this one died before its first fork."""
    if not _enabled:
        return None
    key = (keras, *sorted((k, v) for k, v in env.items() if not _per_grading(k)))
    zygote = _zygotes.get(key)
    if zygote is not None and not zygote.alive:
        zygote.close()
        if zygote.forked == 0:
            return None  # it cannot even import: fresh processes from now on
        zygote = None
    if zygote is None:
        try:
            zygote = _zygotes[key] = Zygote(env, keras)
        except OSError:
            return None
    return zygote


def _per_grading(variable: str) -> bool:
    """Read by the grader's own modules, which each child imports afresh (and by pytest
    while it runs), never by what a zygote imports: a zygote serves any value of these."""
    return variable.startswith("MLKATA_") or variable == "PYTEST_CURRENT_TEST"


class Zygote:
    """The grader's handle on one zygote process."""

    def __init__(self, env: dict[str, str], keras: bool = True):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        preload = ["--keras"] if keras else []
        # -P and /: nothing of the folder the grader runs in (a class folder of student
        # files, say) is importable; each child puts its own working folder first, as
        # `python -m` does for a fresh process.
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-m", "grader.grading.zygote", str(theirs.fileno()), *preload],
            cwd="/", env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
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
                    self._handle(json.loads(line))
        self.alive = False
        self._replies.put(None)
        with self._exited:
            self._exited.notify_all()

    def _handle(self, message: dict) -> None:
        with self._exited:
            if "pid" in message:
                # A new child may reuse the pid of one reaped before: its exit is not ours.
                self._exits.pop(int(message["pid"]), None)
                self._replies.put(int(message["pid"]))
            else:
                self._exits[int(message["exit"])] = int(message["code"])
                self._exited.notify_all()

    def exit_code(self, pid: int, timeout: float | None) -> int | None:
        """`pid`'s exit code once reaped (waits up to `timeout`, None: for ever); None
        also once the zygote is gone (its children die with it)."""
        with self._exited:
            self._exited.wait_for(lambda: pid in self._exits or not self.alive, timeout)
            return self._exits.get(pid)

    def close(self) -> None:
        self.alive = False
        with contextlib.suppress(OSError):
            self._socket.close()
        with contextlib.suppress(OSError):
            self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)


class ForkedProcess:
    """What `BoundedProcess` uses of a Popen, for a child of a zygote."""

    def __init__(self, zygote: Zygote, pid: int, args: list[str]):
        self._zygote, self.pid, self.args = zygote, pid, args
        self.returncode: int | None = None
        # This process and no other, whatever reuses its pid later: seen if its zygote dies.
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except OSError:  # already gone and reaped: its exit code is on its way
            self._pidfd = None

    def poll(self) -> int | None:
        return self._ended(0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._ended(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return code

    def _ended(self, timeout: float | None) -> int | None:
        if self.returncode is not None:
            return self.returncode
        deadline = None if timeout is None else time.monotonic() + timeout
        code = self._zygote.exit_code(self.pid, timeout)
        if code is None and not self._zygote.alive:
            # Its zygote is gone and took it along (PR_SET_PDEATHSIG): the code is lost.
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if self._pidfd is None or select.select([self._pidfd], [], [], left)[0]:
                code = -signal.SIGKILL
        if code is not None:
            self.returncode = code
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None
        return code


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
            zygote = os.getpid()
            pid = os.fork()
            if pid == 0:
                os.close(wake_r)
                os.close(wake_w)
                _become_child(channel, json.loads(line), fds, zygote)
                # The module returned. Leaving by SystemExit ends this child as a fresh
                # process ends (atexit handlers run, a failure prints its traceback).
                sys.exit(0)
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


def _become_child(channel: socket.socket, request: dict, fds: list[int], zygote: int) -> None:
    """In the forked child: what Popen(start_new_session=True, cwd, env, stdin=DEVNULL,
    stdout=stderr=fds[0], pass_fds=keep) would have set up; then run the module."""
    # It dies with its zygote, so none outlives it unseen (ForkedProcess sees it end).
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != zygote:
        os._exit(1)
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
    # The grader's own modules are imported afresh, under this grading's environment,
    # and the working folder comes first on the path, as `python -m` puts it.
    for name in [name for name in sys.modules if name.partition(".")[0] == "grader"]:
        del sys.modules[name]
    sys.path.insert(0, request["cwd"])
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # each child its own global state
    sys.argv = list(request["argv"])
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)


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
