"""A child process under limits: a watchdog on its memory, threads, output and disk,
kernel caps where possible (cgroups), and a kill that takes its whole tree.

Used for the sandboxed worker (untrusted code) and for the checks process (trusted code
handling untrusted data): the worst either can cause is its own death, with a reason.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import processes
from grader.sandbox.cgroups import Cgroups

_KEPT_OUTPUT_BYTES = 16 << 10
_TICK_S = 0.05
_MAX_FILES = 10_000  # in the scratch folder, folders included

_STARTED_TOKENS: list[str] = []
_UNFINISHED: list = []  # the top process of each, until it is seen to end


def leftover_processes() -> list[int]:
    """Processes still alive from any bounded process this one started (should be none):
    those carrying a token in their environment, and each top process not yet ended (a
    checks process forked from a zygote shows the zygote's environment, not its own)."""
    tops = {proc.pid for proc in _UNFINISHED if proc.poll() is None}
    marked = {pid for token in _STARTED_TOKENS for pid in processes.with_token(token)}
    return sorted(tops | marked)


@dataclass(frozen=True)
class Limits:
    """What one process tree may use. Exceeding any of them kills the tree."""

    wall_seconds: float = 60
    memory_mb: int = 2048  # resident memory plus what its private tmpfs mounts hold
    max_processes: int = 256  # threads count too: TensorFlow starts dozens
    max_output_bytes: int = 10 << 20
    max_disk_bytes: int = 1 << 30  # files in its scratch folder, and any one file


class WorkerDied(Exception):
    """The process is gone: `reason` is timeout, memory, processes, output, disk,
    crashed or stopped."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class BoundedProcess:
    """Start `cmd` in its own session; watch it until `kill()`."""

    def __init__(self, cmd: list[str], *, limits: Limits, scratch: Path, env: dict[str, str],
                 pass_fds: tuple[int, ...] = (), popen: dict | None = None,
                 tmpfs_mounts: tuple[str, ...] = (), whole_tree: bool = True,
                 owner_uid: int | None = None, launcher=subprocess.Popen):  # fmt: skip
        self.limits = limits
        self.scratch = scratch
        self.died: WorkerDied | None = None
        self.token = secrets.token_hex(8)
        _STARTED_TOKENS.append(self.token)
        self._tmpfs_mounts = tmpfs_mounts
        # whole_tree=False: memory and threads are counted for the top process alone
        # (the checks process, whose worker has limits of its own); kill takes the tree.
        self._whole_tree = whole_tree
        # Without a mount namespace (the unprivileged tier) the worker's uid is its own:
        # what it leaves in the host's /tmp, /var/tmp and /dev/shm is found by owner,
        # counted (tmpfs is memory) and deleted at the end.
        self._owner_uid = owner_uid
        self._shared_bytes = 0
        self._output = bytearray()
        self._output_total = 0
        self._lock = threading.Lock()
        self._confined = False
        memory = (limits.memory_mb << 20) + (256 << 20)  # slack: the watchdog names it first
        self._cgroups = Cgroups(f"mlkata-{self.token}", limits.max_processes + 16, memory)
        out_r, out_w = os.pipe()
        self.started = time.monotonic()
        # `launcher`: Popen, or a zygote's spawn (grading/zygote.py) with Popen's interface.
        self.proc = launcher(
            cmd, cwd=scratch, env={**env, "MLKATA_WORKER_TOKEN": self.token},
            stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=pass_fds,
            start_new_session=True, **(popen or {}),
        )  # fmt: skip
        os.close(out_w)
        _UNFINISHED[:] = [proc for proc in _UNFINISHED if proc.poll() is None] + [self.proc]
        threading.Thread(target=self._drain_output, args=(out_r,), daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()

    # -- what it did ----------------------------------------------------------
    @property
    def output(self) -> str:
        """What the process printed (the first few kilobytes)."""
        with self._lock:
            text = self._output.decode("utf-8", "replace")
            extra = self._output_total - len(self._output)
        return text + (f"\n... ({extra} more bytes of output not shown)" if extra > 0 else "")

    def cpu_seconds(self) -> float:
        """CPU time its processes have used so far (measured here, not reported)."""
        return sum(processes.cpu_seconds(pid) for pid in self.tree())

    def tree(self) -> list[int]:
        members = self._cgroups.members()
        return sorted(members | set(processes.descendants(self.proc.pid)))

    def exit_reason(self) -> WorkerDied:
        """Why the process is gone, once it is (waits up to 2 s for its exit status)."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        if self.died is None and self._cgroups.out_of_memory():
            self.kill("memory", f"used more than {self.limits.memory_mb} MB of memory")
        if self.died is None:
            self.kill("crashed", processes.describe_exit(code))
        return self.died

    # -- limits -----------------------------------------------------------------
    def confine(self) -> None:
        """Move the (still idle) tree into its cgroups before untrusted work begins."""
        counted = self._counted()
        self._cgroups.add(counted)
        # A process cannot leave a cgroup (cgroup.procs is root's), and what it starts
        # from now on starts inside: once there, its members are everything this tree
        # can start, and the kill need not scan /proc for escapees.
        self._confined = bool(counted) and set(counted) <= self._cgroups.members()

    def _counted(self) -> list[int]:
        return self.tree() if self._whole_tree else [self.proc.pid]

    def _drain_output(self, fd: int) -> None:
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

    def _watch(self) -> None:
        memory = self.limits.memory_mb << 20
        ticks = 0
        while self.proc.poll() is None and not self.died:
            pids = self._counted()
            rss = sum(processes.rss_bytes(pid) for pid in pids)
            if self._tmpfs_mounts:
                inside = processes.inside_root(pids)
                rss += processes.tmpfs_used_bytes(inside, self._tmpfs_mounts)
            rss += self._shared_bytes
            tasks = sum(processes.threads(pid) for pid in pids)
            if tasks > self.limits.max_processes:
                self.kill(
                    "processes",
                    f"started more than {self.limits.max_processes} processes or threads",
                )
            elif rss > memory or self._cgroups.out_of_memory():
                self.kill("memory", f"used more than {self.limits.memory_mb} MB of memory")
            elif ticks % 10 == 0:
                self._check_disk()
            ticks += 1
            time.sleep(_TICK_S)
        if self.died is None and self._cgroups.out_of_memory():
            self.kill("memory", f"used more than {self.limits.memory_mb} MB of memory")

    def _check_disk(self) -> None:
        if self._owner_uid is not None:
            self._shared_bytes = sum(
                processes.folder_usage(Path(e.path), _MAX_FILES)[0] if e.is_dir() else
                e.stat().st_blocks * 512 for e in processes.owned_entries(self._owner_uid)
            )  # fmt: skip
        size, entries = processes.folder_usage(self.scratch, _MAX_FILES + 1)
        if size > self.limits.max_disk_bytes:
            self.kill("disk", f"wrote more than {self.limits.max_disk_bytes >> 20} MB of files")
        elif entries > _MAX_FILES:
            self.kill("disk", f"created more than {_MAX_FILES:,} files")

    # -- ending -----------------------------------------------------------------
    def kill(self, reason: str = "stopped", detail: str = "") -> None:
        """Kill the process and everything it started; idempotent. Records why."""
        with self._lock:
            if self.died is None:
                self.died = WorkerDied(reason, detail)
        # Killing bwrap ends its PID namespace and every process in it; the process
        # group, the tree, the cgroups and the token catch the rest.
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for round_ in range(20):
            self.proc.poll()  # reaped once dead: as a zombie it would still look alive here
            pids = set(self.tree())
            if round_ == 0:
                pids |= set(self._escaped())
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            if not pids:
                break
            time.sleep(0.02)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for pid in self._escaped():  # orphans that escaped the group
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if self._owner_uid is not None:
            self._kill_owned()
            processes.remove_owned(self._owner_uid)
        self._cgroups.remove()

    def _escaped(self) -> list[int]:
        """Processes of this tree that left its group and parentage: its cgroup's members
        once confined there, else every process carrying its token (a scan of /proc)."""
        if self._confined:
            return sorted(self._cgroups.members())
        return processes.with_token(self.token)

    def _kill_owned(self) -> None:
        """Every process still running as the worker's own uid (a daemon that left the
        tree and its environment behind)."""
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    if os.stat(f"/proc/{entry}").st_uid == self._owner_uid:
                        os.kill(int(entry), signal.SIGKILL)
