"""Start a sandboxed worker, enforce its limits, and kill its whole process tree."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PIDS_CGROUP = Path("/sys/fs/cgroup/pids")
_MAX_ANSWER_BYTES = 1 << 20
_KEPT_OUTPUT_BYTES = 16 << 10


_STARTED_TOKENS: list[str] = []


def leftover_processes() -> list[int]:
    """Processes still alive from any worker this process started (should be none)."""
    return [pid for token in _STARTED_TOKENS for pid in _processes_with_token(token)]


@dataclass(frozen=True)
class Limits:
    """What one worker may use. Exceeding any of them kills the worker."""

    wall_seconds: float = 60
    memory_mb: int = 2048
    max_processes: int = 256  # threads count too: TensorFlow starts dozens
    max_output_bytes: int = 10 << 20
    max_file_bytes: int = 1 << 30


class WorkerDied(Exception):
    """The worker is gone: `reason` is timeout, memory, processes, output or crashed."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@functools.cache
def bubblewrap() -> tuple[str | None, str]:
    """The bwrap executable if it works here, and a sentence saying why or why not."""
    if os.environ.get("MLKATA_SANDBOX") == "none":
        return None, "sandbox disabled by MLKATA_SANDBOX=none"
    path = shutil.which("bwrap")
    if path is None:
        return None, "bubblewrap (bwrap) is not installed"
    probe = [path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    try:
        subprocess.run(probe, capture_output=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"bubblewrap cannot start here ({exc})"
    return path, "bubblewrap"


def _bwrap_command(bwrap: str, scratch: Path, hidden: list[Path]) -> list[str]:
    cmd = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    # --tmpfs /tmp hides anything under /tmp, e.g. a virtual environment: bind back
    # what the interpreter and the worker script need, read-only.
    for path in {Path(sys.prefix), Path(sys.base_prefix), WORKER_SCRIPT.parent}:
        if path.resolve().is_relative_to("/tmp"):
            cmd += ["--ro-bind", str(path), str(path)]
    for path in hidden:  # reference solutions, the learner's progress database
        if path.is_dir() and not scratch.resolve().is_relative_to(path.resolve()):
            cmd += ["--tmpfs", str(path.resolve())]  # bwrap needs an absolute path
    cmd += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch)]
    cmd += ["--unshare-all", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"]
    cmd += ["--die-with-parent", "--new-session", "--"]
    return cmd


def _process_table() -> dict[int, int]:
    """pid -> parent pid for every process we can see."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            table[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return table


def _descendants(root: int) -> list[int]:
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _tasks(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _remove_stale_cgroups(older_than_s: float = 600) -> None:
    """Remove empty cgroups left by graders that were killed before cleaning up.
    rmdir refuses a cgroup that still holds a process, so a live grading keeps its own."""
    now = time.time()
    for path in _PIDS_CGROUP.glob("mlkata-*"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > older_than_s:
                path.rmdir()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its reaped children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def _processes_with_token(token: str) -> list[int]:
    """Every process carrying this worker's token, orphans that left the tree included."""
    marker = f"MLKATA_WORKER_TOKEN={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                # A dying process's environ can take long to read: skip zombies.
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
                if state not in "ZX" and marker in Path(f"/proc/{entry}/environ").read_bytes():
                    found.append(int(entry))
            except (OSError, IndexError):
                continue
    return found


class WorkerProcess:
    """One worker: started once, asked questions over pipes, killed at the end."""

    def __init__(self, scratch: Path, preload: list[str], limits: Limits, hidden: list[Path] = ()):
        self.limits = limits
        self.scratch = scratch
        self.died: WorkerDied | None = None
        self._token = secrets.token_hex(8)
        self._sent = 0
        self._pending = bytearray()
        _STARTED_TOKENS.append(self._token)
        self._output = bytearray()
        self._output_total = 0
        self._lock = threading.Lock()
        bwrap, self.sandbox = bubblewrap()
        req_r, self._req_w = os.pipe()
        self._ans_r, ans_w = os.pipe()
        out_r, out_w = os.pipe()
        prog_r, prog_w = os.pipe()
        self.on_progress = None  # set to a callable to receive training progress dicts
        worker_limits = {
            "file_bytes": limits.max_file_bytes,
            "processes": limits.max_processes,
            "address_space": None if "keras" in preload else (limits.memory_mb << 20) + (1 << 30),
        }
        cmd = [
            sys.executable,
            "-I",
            str(WORKER_SCRIPT),
            "--in-fd",
            str(req_r),
            "--out-fd",
            str(ans_w),
            "--preload",
            ",".join(preload),
            "--limits",
            json.dumps(worker_limits),
            "--progress-fd",
            str(prog_w),
        ]
        if bwrap:
            cmd = _bwrap_command(bwrap, scratch, list(hidden)) + cmd
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(scratch),
            "LANG": "C.UTF-8",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "KERAS_BACKEND": "tensorflow",
            "MPLCONFIGDIR": str(scratch),
            "XDG_CACHE_HOME": str(scratch),
            "MLKATA_WORKER_TOKEN": self._token,
        }
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if name in os.environ:
                env[name] = os.environ[name]
        self.started = time.monotonic()
        self._proc = subprocess.Popen(
            cmd,
            cwd=scratch,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out_w,
            stderr=out_w,
            pass_fds=(req_r, ans_w, prog_w),
            start_new_session=True,
        )
        for fd in (req_r, ans_w, out_w, prog_w):
            os.close(fd)
        self._cgroup = self._make_pids_cgroup()
        threading.Thread(target=self._drain_output, args=(out_r,), daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()
        threading.Thread(target=self._relay_progress, args=(prog_r,), daemon=True).start()

    # -- asking -------------------------------------------------------------
    def request(self, message: dict, timeout: float) -> dict:
        """Send one request and wait for its answer, at most `timeout` seconds."""
        if self.died:
            raise self.died
        self._sent += 1
        message = {**message, "id": f"{self._token}-{self._sent}"}
        try:
            os.write(self._req_w, (json.dumps(message) + "\n").encode())
        except OSError:
            self._confirm_death()
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
                self._confirm_death()
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

    def _confirm_death(self):
        try:
            code = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        if not self.died:
            self.kill("crashed", _describe_exit(code))
        raise self.died

    def cpu_seconds(self) -> float:
        """CPU time the worker's processes have used so far (measured here, not reported)."""
        return sum(_cpu_seconds(pid) for pid in self._tree())

    @property
    def output(self) -> str:
        """What the learner's code printed (the first few kilobytes)."""
        with self._lock:
            text = self._output.decode("utf-8", "replace")
            extra = self._output_total - len(self._output)
        return text + (f"\n... ({extra} more bytes of output not shown)" if extra > 0 else "")

    # -- limits -------------------------------------------------------------
    def _drain_output(self, fd: int):
        with os.fdopen(fd, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                with self._lock:
                    room = _KEPT_OUTPUT_BYTES - len(self._output)
                    if room > 0:
                        self._output += chunk[:room]
                    self._output_total += len(chunk)
                    total = self._output_total
                if total > self.limits.max_output_bytes and not self.died:
                    mb = self.limits.max_output_bytes >> 20
                    self.kill("output", f"printed more than {mb} MB")

    def _relay_progress(self, fd: int):
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

    def _watch(self):
        limit = self.limits.memory_mb << 20
        while self._proc.poll() is None and not self.died:
            pids = self._tree()
            rss = sum(_rss_bytes(pid) for pid in pids)
            tasks = sum(_tasks(pid) for pid in pids)
            if tasks > self.limits.max_processes:
                self.kill(
                    "processes",
                    f"started more than {self.limits.max_processes} processes or threads",
                )
            elif rss > limit:
                self.kill("memory", f"used more than {self.limits.memory_mb} MB of memory")
            time.sleep(0.05)

    def _tree(self) -> list[int]:
        if self._cgroup:
            try:
                text = (self._cgroup / "cgroup.procs").read_text()
                return [int(p) for p in text.split()] or _descendants(self._proc.pid)
            except OSError:
                pass
        return _descendants(self._proc.pid)

    def _make_pids_cgroup(self) -> Path | None:
        """A hard cap on processes where we may create cgroups (as root), else None."""
        if os.geteuid() != 0 or not os.access(_PIDS_CGROUP, os.W_OK):
            return None
        _remove_stale_cgroups()
        path = _PIDS_CGROUP / f"mlkata-{self._token}"
        try:
            path.mkdir()
            # A little above the watchdog's limit, so the watchdog names the reason.
            (path / "pids.max").write_text(str(self.limits.max_processes + 16))
            return path
        except OSError:
            return None

    def confine(self):
        """Move the (still idle) worker tree into its pids cgroup before untrusted code runs."""
        if not self._cgroup:
            return
        for pid in _descendants(self._proc.pid):
            with contextlib.suppress(OSError):
                (self._cgroup / "cgroup.procs").write_text(str(pid))

    # -- ending -------------------------------------------------------------
    def kill(self, reason: str = "stopped", detail: str = ""):
        """Kill the worker and everything it started; idempotent. Records why."""
        with self._lock:
            if self.died is None:
                self.died = WorkerDied(reason, detail)
        # Killing bwrap ends its PID namespace and every process in it; the process
        # group, the tree and (outside bwrap) the token catch the rest.
        with contextlib.suppress(OSError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        for round_ in range(20):
            pids = set(_descendants(self._proc.pid))
            if self._cgroup:
                with contextlib.suppress(OSError):
                    pids |= {int(p) for p in (self._cgroup / "cgroup.procs").read_text().split()}
            elif self.sandbox != "bubblewrap" and round_ == 0:
                pids |= set(_processes_with_token(self._token))
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            if not pids:
                break
            time.sleep(0.02)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)
        if self.sandbox != "bubblewrap" and not self._cgroup:
            for pid in _processes_with_token(self._token):  # orphans that escaped the group
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if self._cgroup:
            for _ in range(50):
                try:
                    self._cgroup.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:  # still busy: its last processes are exiting
                    time.sleep(0.02)
                    continue
                self._cgroup = None
                break

    def close(self):
        self.kill("stopped", "grading finished")
        for fd in (self._req_w, self._ans_r):
            with contextlib.suppress(OSError):
                os.close(fd)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "the worker stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the process was killed by {name}"
    return f"the process exited with status {code}"
