"""A cache of loaded question banks, so a quiz starts without parsing YAML again.

`bank.load_banks` hands `load(files, parse)` its bank files and the function that parses
and validates them. The result is kept (pickled) in `paths.cache_dir()/banks/`, one slot
per list of files, under a key made of each file's path, device, inode, size, mtime and
ctime, and of the loader's own version (the source files of the modules that read banks,
PyYAML's, Python's). A later load with the same key returns what was kept, which is
exactly what parsing returned, errors included: an error's words depend on the language
and, for a duplicate id, on the current folder, so those two are part of the key of a
result that has errors.

What is not kept, and always parsed: a file that is not a regular file (a pipe, a
device) or whose stat fails, and a file changed in the last RACY_SECONDS (its mtime
might not move on the next change, on a file system with coarse timestamps). A slot
that is unreadable, stale, not ours or writable by others is ignored and rewritten;
writes are atomic, and a cache that cannot be written costs nothing but the time.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1  # of a slot's contents
RACY_SECONDS = 2.0
MAX_SLOTS = 16
# The modules whose code decides what a bank file loads into.
LOADER_MODULES = ("bank.py", "bankcache.py", "yamlsource.py", "variants.py", "safe_expr.py",
                  "pictures.py", "text.py", "messages.py")  # fmt: skip

Stamp = tuple[str, int, int, int, int, int]  # path as given, dev, ino, size, mtime, ctime


@dataclass(frozen=True)
class _Slot:
    key: tuple[Any, ...]
    context: tuple[str, str]  # (language, current folder): compared when there are errors
    loaded: Any  # a grader.bank.Loaded


def folder() -> Path:
    from grader import paths

    return paths.cache_dir() / "banks"


def load(files: Sequence[Path], parse: Callable[[], Any]) -> Any:
    """What `parse()` returns for `files`, from the cache when it holds it for them as
    they are now; else parsed, and kept when every file can be trusted to stay put."""
    stamps = _stamps(files)
    if stamps is None:
        return parse()
    key = (FORMAT, loader_version(), stamps)
    context = _context()
    slot_path = folder() / f"{_slot_name(files)}.pickle"
    slot = _read(slot_path)
    if slot is not None and slot.key == key and (not slot.loaded.errors or slot.context == context):
        return slot.loaded
    loaded = parse()
    settled = time.time_ns() - int(RACY_SECONDS * 1e9)
    if _stamps(files) == stamps and all(s[4] < settled for s in stamps):
        _write(slot_path, _Slot(key, context, loaded))
    return loaded


def loader_version() -> tuple[Any, ...]:
    """What changes when the code that reads banks changes: its files' sizes and mtimes
    (a reinstall or an edit moves them), PyYAML's package file likewise, and Python's."""
    from grader.paths import PACKAGE_DIR

    files = [PACKAGE_DIR / name for name in LOADER_MODULES]
    for entry in sys.path:  # PyYAML without importing it: that is what the cache saves
        candidate = Path(entry or ".") / "yaml" / "__init__.py"
        if candidate.is_file():
            files.append(candidate)
            break
    version: list[Any] = [sys.version, sys.implementation.cache_tag]
    for path in files:
        try:
            info = path.stat()
        except OSError:
            version.append((str(path), None))
        else:
            version.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(version)


def _stamps(files: Sequence[Path]) -> tuple[Stamp, ...] | None:
    """Each file's identity and state, or None when one cannot be trusted to have one."""
    stamps = []
    for path in files:
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        stamps.append((str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns,
                       info.st_ctime_ns))  # fmt: skip
    return tuple(stamps)


def _context() -> tuple[str, str]:
    from grader.messages import language

    try:
        here = os.getcwd()
    except OSError:  # the current folder was deleted
        here = ""
    return language(), here


def _slot_name(files: Sequence[Path]) -> str:
    import hashlib

    joined = "\0".join(str(path) for path in files)
    return hashlib.sha256(joined.encode("utf-8", "surrogateescape")).hexdigest()[:24]


def _read(path: Path) -> _Slot | None:
    """The slot at `path`, or None when it is missing, unreadable or not safely ours."""
    import pickle

    try:
        with open(path, "rb") as f:
            info = os.fstat(f.fileno())
            shared = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            if hasattr(os, "getuid") and (info.st_uid != os.getuid() or shared):
                return None  # (POSIX: Windows reports every writable file as 0o666)
            slot = pickle.load(f)
    except Exception:  # noqa: BLE001 - any broken slot is simply rebuilt
        return None
    return slot if isinstance(slot, _Slot) else None


def _write(path: Path, slot: _Slot) -> None:
    """Replace the slot atomically; a reader sees the old one or the new one, whole."""
    import pickle
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as f:
                pickle.dump(slot, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(path.parent)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower
        return


def _prune(where: Path) -> None:
    """Keep the MAX_SLOTS most recently written slots (one per set of bank files)."""
    slots = sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in slots[MAX_SLOTS:]:
        old.unlink(missing_ok=True)
