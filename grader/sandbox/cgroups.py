"""Kernel-enforced caps for one grading's processes, where we may create cgroups (root).

Two controllers: `pids` caps how many processes and threads exist at once, `memory`
caps what the processes use *including* what the kernel holds for them (tmpfs files in
the sandbox's /tmp and /dev/shm, page cache). cgroup v1 (one hierarchy per controller)
and v2 (one unified hierarchy) are both handled; where neither can be written, the
watchdog in `bounded.py` is the only limit, and it still counts tmpfs usage.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_STALE_AFTER_S = 600


def _writable(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


class Cgroups:
    """The cgroups of one process tree; every method is safe to call when none exist."""

    def __init__(self, name: str, max_tasks: int, memory_bytes: int | None):
        self.paths: list[Path] = []
        self._memory: Path | None = None
        if os.geteuid() != 0:
            return
        if (ROOT / "cgroup.controllers").is_file():  # v2: one hierarchy
            self._make(ROOT / name, {"pids.max": max_tasks, "memory.max": memory_bytes,
                                     "memory.swap.max": 0 if memory_bytes else None})  # fmt: skip
            if self.paths and memory_bytes:
                self._memory = self.paths[0]
            return
        self._make(ROOT / "pids" / name, {"pids.max": max_tasks})
        if memory_bytes and self._make(
            ROOT / "memory" / name,
            {"memory.limit_in_bytes": memory_bytes, "memory.memsw.limit_in_bytes": memory_bytes},
        ):
            self._memory = self.paths[-1]

    def _make(self, path: Path, settings: dict[str, int | None]) -> bool:
        if not _writable(path.parent):
            return False
        _remove_stale(path.parent)
        try:
            path.mkdir()
        except OSError:
            return False
        for key, value in settings.items():
            if value is not None:
                with contextlib.suppress(OSError):  # e.g. memsw absent without swap accounting
                    (path / key).write_text(str(value))
        self.paths.append(path)
        return True

    def add(self, pids: list[int]) -> None:
        """Move processes in (before untrusted code runs: what they start stays in)."""
        for path in self.paths:
            for pid in pids:
                with contextlib.suppress(OSError):
                    (path / "cgroup.procs").write_text(str(pid))

    def members(self) -> set[int]:
        found: set[int] = set()
        for path in self.paths:
            with contextlib.suppress(OSError, ValueError):
                found |= {int(p) for p in (path / "cgroup.procs").read_text().split()}
        return found

    def memory_bytes(self) -> int:
        """What the kernel charges to the tree (0 without a memory cgroup)."""
        if self._memory is None:
            return 0
        for name in ("memory.current", "memory.usage_in_bytes"):
            with contextlib.suppress(OSError, ValueError):
                return int((self._memory / name).read_text())
        return 0

    def out_of_memory(self) -> bool:
        """Whether the kernel killed something here for passing the memory cap."""
        if self._memory is None:
            return False
        for name in ("memory.events", "memory.oom_control"):
            with contextlib.suppress(OSError, ValueError):
                for line in (self._memory / name).read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and int(value) > 0:
                        return True
        return False

    def remove(self) -> None:
        """rmdir each cgroup once its last process has gone (retries briefly)."""
        for path in self.paths:
            for _ in range(50):
                try:
                    path.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:  # still busy: its last processes are exiting
                    time.sleep(0.02)
                    continue
                break
        self.paths, self._memory = [], None


def _remove_stale(parent: Path) -> None:
    """Remove empty cgroups left by graders that were killed before cleaning up.
    rmdir refuses a cgroup that still holds a process, so a live grading keeps its own."""
    now = time.time()
    for path in parent.glob("mlkata-*"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > _STALE_AFTER_S:
                path.rmdir()
