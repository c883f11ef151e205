"""Start a sandboxed worker in the best tier this machine has, and talk to it.

The worker (`worker.py`) runs the learner's code; this side sends it requests and reads
its answers over private pipes. Limits, the watchdog and the kill live in `bounded.py`,
what the sandbox can see in `allowlist.py`, which tier runs in `tiers.py`.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import select
import shutil
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path

from grader.sandbox import tiers
from grader.sandbox.allowlist import TMPFS_MOUNTS, WORKER_INSIDE, bwrap_arguments
from grader.sandbox.bounded import BoundedProcess, Limits, WorkerDied, leftover_processes

__all__ = [
    "Limits", "WorkerDied", "WorkerProcess", "leftover_processes", "sandbox_tier", "start_worker",
]  # fmt: skip

WORKER_SCRIPT = Path(__file__).with_name("worker.py")


def reachable_temp_dir() -> str:
    """The usual temporary folder, unless a worker running as another uid could not pass
    through it (e.g. a TMPDIR under a 0700 folder): then /tmp."""
    base = tempfile.gettempdir()
    if os.geteuid() != 0:
        return base
    for folder in [Path(base), *Path(base).parents]:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return "/tmp"
    return base


@functools.cache
def readable_worker_script() -> Path:
    """A copy of worker.py that any uid may read but none may change: the platform
    bundles make the grader itself unreadable to others (0700), and the worker's uid
    must still start the worker. One copy per grader process, removed at exit."""
    if os.geteuid() != 0:
        return WORKER_SCRIPT
    folder = Path(tempfile.mkdtemp(prefix="mlkata-worker-", dir=reachable_temp_dir()))
    copy = folder / "worker.py"
    shutil.copyfile(WORKER_SCRIPT, copy)
    os.chmod(copy, 0o444)
    os.chmod(folder, 0o755)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return copy


_MAX_ANSWER_BYTES = 1 << 20
_TMPFS_BYTES = 64 << 20  # the sandbox's /tmp and /dev/shm, each


def sandbox_tier() -> tiers.Tier:
    return tiers.current()


def _command(tier: tiers.Tier, scratch: Path, preload: list[str], worker_args: list[str],
             uid: int):  # fmt: skip
    """The command line and the Popen extras that start the worker in `tier` as `uid`."""
    popen = tiers.as_user(uid) if tier.drops_privileges else {}
    if tier.name == "bubblewrap":
        script = readable_worker_script()
        cmd = [tier.bwrap, *bwrap_arguments(scratch, script, tuple(preload), _TMPFS_BYTES)]
        cmd += ["--bind", str(scratch), str(scratch)]
        cmd += ["--chdir", str(scratch), *tiers.namespaces(tier), "--remount-ro", "/"]
        cmd += ["--die-with-parent", "--new-session", "--"]
        cmd += tiers.setpriv(uid) if tier.drop == "inside" else []
        cmd += [sys.executable, "-I", WORKER_INSIDE, *worker_args]
        return cmd, popen
    return [sys.executable, "-I", str(readable_worker_script()), *worker_args], popen


class WorkerProcess:
    """One worker: started once, asked questions over pipes, killed at the end."""

    def __init__(self, scratch: Path, preload: list[str], limits: Limits):
        self.limits = limits
        self.scratch = scratch
        self._sent = 0
        self._pending = bytearray()
        tier = tiers.current()
        self.sandbox = tier.name
        req_r, self._req_w = os.pipe()
        self._ans_r, ans_w = os.pipe()
        prog_r, prog_w = os.pipe()
        self.on_progress = None  # set to a callable to receive training progress dicts
        worker_limits = {
            "file_bytes": limits.max_disk_bytes,
            "processes": limits.max_processes,
            "address_space": None if "keras" in preload else (limits.memory_mb << 20) + (1 << 30),
            # nobody's processes across concurrent gradings: generous, the watchdog is exact
            "user_processes": limits.max_processes * 8 if tier.name == "unprivileged" else None,
        }
        worker_args = ["--in-fd", str(req_r), "--out-fd", str(ans_w), "--preload",
                       ",".join(preload), "--limits", json.dumps(worker_limits),
                       "--progress-fd", str(prog_w)]  # fmt: skip
        uid = tiers.worker_uid() if os.geteuid() == 0 and tier.name != "none" else os.geteuid()
        cmd, popen = _command(tier, scratch, preload, worker_args, uid)
        if os.geteuid() == 0:
            os.chown(scratch, uid, uid)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(scratch),
            "TMPDIR": str(scratch),
            "LANG": "C.UTF-8",
            "USER": "mlkata",  # the worker's uid has no account to look up
            "LOGNAME": "mlkata",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            # One OpenBLAS thread: its idle threads spin after every BLAS call (numpy's
            # import makes one), CPU the learner's code is measured by and never used.
            "OPENBLAS_NUM_THREADS": "1",
            "KERAS_BACKEND": "tensorflow",
            "MPLCONFIGDIR": str(scratch),
            "XDG_CACHE_HOME": str(scratch),
        }
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if name in os.environ:
                env[name] = os.environ[name]
        self._process = BoundedProcess(
            cmd, limits=limits, scratch=scratch, env=env, pass_fds=(req_r, ans_w, prog_w),
            popen=popen, tmpfs_mounts=tiers_tmpfs(tier),
            owner_uid=uid if uid != os.geteuid() else None,
        )  # fmt: skip
        for fd in (req_r, ans_w, prog_w):
            os.close(fd)
        self.started = self._process.started
        threading.Thread(target=self._relay_progress, args=(prog_r,), daemon=True).start()

    @property
    def died(self) -> WorkerDied | None:
        return self._process.died

    @property
    def output(self) -> str:
        """What the learner's code printed (the first few kilobytes)."""
        return self._process.output

    def cpu_seconds(self) -> float:
        return self._process.cpu_seconds()

    def confine(self) -> None:
        """Move the (still idle) worker into its cgroups before untrusted code runs."""
        self._process.confine()

    def kill(self, reason: str = "stopped", detail: str = "") -> None:
        self._process.kill(reason, detail)

    # -- asking -------------------------------------------------------------
    def request(self, message: dict, timeout: float) -> dict:
        """Send one request and wait for its answer, at most `timeout` seconds."""
        if self.died:
            raise self.died
        self._sent += 1
        message = {**message, "id": f"{self._process.token}-{self._sent}"}
        try:
            os.write(self._req_w, (json.dumps(message) + "\n").encode())
        except OSError:
            raise self._process.exit_reason() from None
        deadline = time.monotonic() + timeout
        while True:  # skip stale or forged answers to earlier requests
            answer = self.receive(max(deadline - time.monotonic(), 0.001), shown=timeout)
            if answer.get("id") == message["id"]:
                return answer

    def request_ready(self, timeout: float) -> dict:
        """Wait for the worker's first line, sent once its imports are done."""
        if self.died:
            raise self.died
        return self.receive(timeout)

    def receive(self, timeout: float, shown: float | None = None) -> dict:
        deadline = time.monotonic() + timeout
        answer = self._pending
        while b"\n" not in answer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill("timeout", f"no answer within {shown or timeout:.0f} s")
                raise self.died
            ready, _, _ = select.select([self._ans_r], [], [], min(left, 0.2))
            if self.died:
                raise self.died
            if not ready:
                continue
            chunk = os.read(self._ans_r, 65536)
            if not chunk:
                raise self._process.exit_reason()
            answer += chunk
            if len(answer) > _MAX_ANSWER_BYTES:
                self.kill("crashed", "the worker sent an oversized answer")
                raise self.died
        line, _, rest = bytes(answer).partition(b"\n")
        self._pending = bytearray(rest)
        try:
            parsed = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.kill("crashed", "something wrote garbage to the grader's private channel")
            raise self.died from None
        if not isinstance(parsed, dict):
            self.kill("crashed", "the worker sent an answer the grader cannot read")
            raise self.died
        return parsed

    def _relay_progress(self, fd: int) -> None:
        """Pass training progress on to `on_progress`; it is display-only data."""
        with os.fdopen(fd, "rb") as stream:
            for line in stream:
                callback = self.on_progress
                if callback is None or len(line) > 4096:
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    with contextlib.suppress(Exception):
                        callback(event)

    def close(self) -> None:
        self.kill("stopped", "grading finished")
        for fd in (self._req_w, self._ans_r):
            with contextlib.suppress(OSError):
                os.close(fd)


def start_worker(preload: list[str], limits: Limits) -> WorkerProcess:
    """A fresh worker in a fresh scratch folder, already importing `preload`."""
    scratch = Path(tempfile.mkdtemp(prefix="mlkata-scratch-", dir=reachable_temp_dir()))
    os.chmod(scratch, 0o700)
    return WorkerProcess(scratch, preload, limits)


def tiers_tmpfs(tier: tiers.Tier) -> tuple[str, ...]:
    """The private tmpfs mounts whose contents count against the worker's memory."""
    return TMPFS_MOUNTS if tier.name == "bubblewrap" else ()
