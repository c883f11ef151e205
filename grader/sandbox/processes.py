"""What /proc says about a tree of processes: members, memory, threads, CPU time."""

from __future__ import annotations

import os
import signal
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_table() -> dict[int, int]:
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


def _children(pid: int) -> list[int] | None:
    """The children of `pid` from /proc/PID/task/*/children; None where the kernel does
    not offer that file."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for task in tasks:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except FileNotFoundError:
            return None if task == tasks[0] and not found else found
        except (OSError, ValueError):
            continue
    return found


def descendants(root: int) -> list[int]:
    """`root` and every process below it that is still alive. Walks down from `root`
    (a few files) rather than reading every process on the machine, where it can."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        children = _children(pid)
        if children is None:
            return _descendants_from_table(root)
        if Path(f"/proc/{pid}").exists():
            found.append(pid)
        todo.extend(children)
    return found


def _descendants_from_table(root: int) -> list[int]:
    table = process_table()
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


def threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its reaped children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def with_token(token: str) -> list[int]:
    """Every live process whose environment carries MLKATA_WORKER_TOKEN=token, orphans
    that left the tree included."""
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


def inside_root(pids: list[int]) -> int | None:
    """A process of `pids` whose root folder is not the host's (one inside the sandbox)."""
    host = os.stat("/")
    for pid in pids:
        try:
            root = os.stat(f"/proc/{pid}/root/")
        except OSError:
            continue
        if (root.st_dev, root.st_ino) != (host.st_dev, host.st_ino):
            return pid
    return None


def tmpfs_used_bytes(pid: int | None, mounts: tuple[str, ...]) -> int:
    """Bytes held by the tmpfs mounts a sandboxed process sees (its /tmp, /dev/shm):
    kernel memory that its RSS does not show. Read through /proc/PID/root."""
    if pid is None:
        return 0
    used = 0
    for mount in mounts:
        try:
            info = os.statvfs(f"/proc/{pid}/root{mount}")
        except OSError:
            continue
        used += (info.f_blocks - info.f_bfree) * info.f_frsize
    return used


def folder_usage(folder: Path, max_entries: int) -> tuple[int, int]:
    """(bytes, entries) under `folder`, links not followed; stops counting after
    `max_entries` entries (so a flood of empty files costs the count, not the scan)."""
    total, seen, todo = 0, 0, [str(folder)]
    while todo and seen < max_entries:
        try:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
        except OSError:
            continue
    return total, seen


def describe_exit(code: int | None) -> str:
    if code is None:
        return "the worker stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the process was killed by {name}"
    return f"the process exited with status {code}"


SHARED_TEMP = ("/tmp", "/var/tmp", "/dev/shm")


def owned_entries(uid: int, folders: tuple[str, ...] = SHARED_TEMP) -> list[os.DirEntry]:
    """What `uid` left directly in the host's shared temporary folders."""
    found = []
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                found += [e for e in entries if e.stat(follow_symlinks=False).st_uid == uid]
        except OSError:
            continue
    return found


def remove_owned(uid: int) -> None:
    """Delete what `uid` (a worker's own uid, never reused while it lives) left in the
    shared temporary folders."""
    import shutil

    for entry in owned_entries(uid):
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            continue
