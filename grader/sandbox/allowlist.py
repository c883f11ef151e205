"""What a sandboxed worker may see: an allowlist, turned into a bubblewrap command line.

Read-only: the system's programs and libraries (/usr and its /bin, /lib links), the
dynamic loader's cache, the Python interpreter, the site-packages entries of the
libraries the exercise needs (numpy; keras, TensorFlow and what they require) and
the worker script. Read-write: the scratch folder holding a copy of the one
submission. Everything else of the host is absent: no home folders, no /run, no
/etc beyond the loader's files, no checkout, no mlkata package, no other site-packages
entry, no batch folder. /tmp and /dev/shm are small private tmpfs mounts.
"""

from __future__ import annotations

import functools
import re
import site
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import importlib.metadata

WORKER_INSIDE = "/opt/mlkata/worker.py"
TMPFS_MOUNTS = ("/tmp", "/dev/shm")
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_LOADER_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d")
_OWN_DISTRIBUTION = "mlkata"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _installed(name: str) -> importlib.metadata.Distribution | None:
    import importlib.metadata  # 30 ms: only where the allowlist is worked out

    try:
        return importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _requirement_names(dist: importlib.metadata.Distribution) -> list[str]:
    """The distributions `dist` needs, leaving out optional extras."""
    names = []
    for requirement in dist.requires or []:
        spec, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        if match:
            names.append(_canonical(match.group(1)))
    return names


@functools.cache
def distributions_for(modules: tuple[str, ...]) -> tuple[str, ...]:
    """The installed distributions that the modules need, with everything they require."""
    todo = [_canonical(m) for m in modules]  # numpy and keras are their own distributions
    if "keras" in modules:  # Keras runs on TensorFlow here, which it does not require
        todo += ["tensorflow", "tensorflow-cpu"]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name == _OWN_DISTRIBUTION or _installed(name) is None:
            continue
        seen.add(name)
        todo.extend(_requirement_names(_installed(name)))
    return tuple(sorted(seen))


def _top_level_entries(dist: importlib.metadata.Distribution) -> set[Path]:
    """The files and folders a distribution put directly in its site-packages folder
    (read from its RECORD as text: TensorFlow's lists some 20,000 files)."""
    base = Path(dist.locate_file(""))
    names = set()
    for line in (dist.read_text("RECORD") or "").splitlines():
        names.add(line.split(",", 1)[0].split("/", 1)[0])
    names = {n for n in names if n and n not in ("..", "__pycache__") and not n.endswith(".pth")}
    return {base / n for n in names if (base / n).exists()}


_KNOWN_ENTRIES: dict[tuple[str, ...], tuple[Path, ...]] = {}


def site_entries(modules: tuple[str, ...]) -> tuple[Path, ...]:
    """Every site-packages entry the sandbox binds for these modules."""
    if modules not in _KNOWN_ENTRIES:
        entries: set[Path] = set()
        for name in distributions_for(modules):
            entries |= _top_level_entries(_installed(name))
        _KNOWN_ENTRIES[modules] = tuple(sorted(entries))
    return _KNOWN_ENTRIES[modules]


def adopt_site_entries(modules: tuple[str, ...], entries: tuple[Path, ...]) -> None:
    """Use entries the parent process worked out (the checks process does not read every
    distribution's metadata again)."""
    _KNOWN_ENTRIES[modules] = entries


def site_folders() -> list[Path]:
    """Every site-packages (or dist-packages) folder this interpreter could read."""
    folders = {Path(p) for p in site.getsitepackages() if Path(p).is_dir()}
    folders |= {Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    for system in ("/usr/lib/python3/dist-packages", "/usr/local/lib"):
        folders |= {p for p in Path(system).glob("python3*/*-packages") if p.is_dir()}
    if Path("/usr/lib/python3/dist-packages").is_dir():
        folders.add(Path("/usr/lib/python3/dist-packages"))
    return sorted(f for f in folders if f.is_dir())


def _bind_system(cmd: list[str]) -> None:
    for path in map(Path, _SYSTEM):
        if path.is_symlink():  # merged /usr: /bin -> usr/bin
            cmd += ["--symlink", str(path.readlink()), str(path)]
        elif path.is_dir():
            cmd += ["--ro-bind", str(path), str(path)]


def _interpreter_paths() -> list[Path]:
    """The interpreter and its standard library, outside /usr where it is elsewhere."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    paths: list[Path] = []
    base = Path(sys.base_prefix)
    paths += [base / "bin", base / "lib" / version]
    paths += list((base / "lib").glob("libpython3*.so*"))
    prefix = Path(sys.prefix)
    if prefix != base:  # a virtual environment: its config and its python links
        paths += [prefix / "pyvenv.cfg", *(prefix / "bin").glob("python*")]
    paths.append(Path(sys.executable))
    return [p for p in paths if p.exists() and not p.resolve().is_relative_to("/usr")]


def _parent_folders(destinations: list[Path]) -> list[str]:
    """`--dir` options for the folders above the bind targets: passable but not listable,
    even by the worker's uid where bwrap ran as it and so owns them (0111; a root-started
    bwrap would make them 0700, which the worker could not pass through). /root then
    shows nothing of what leads to Python."""
    targets = set(destinations)
    parents: set[Path] = set()
    for path in destinations:
        for parent in path.parents:
            # Inside a bind target (the parent or one of its own parents is one): bound.
            if parent == Path("/") or targets.intersection((parent, *parent.parents)):
                continue
            if str(parent) in TMPFS_MOUNTS:  # a tmpfs of its own, mounted first
                continue
            parents.add(parent)
    options: list[str] = []
    for parent in sorted(parents, key=lambda p: (len(p.parts), p)):
        options += ["--perms", "0111", "--dir", str(parent)]
    return options


def bwrap_arguments(
    scratch: Path, worker_script: Path, modules: tuple[str, ...], tmpfs_bytes: int
) -> list[str]:
    """bwrap options (without the program) for a worker importing `modules`, with a private
    /tmp and /dev/shm of `tmpfs_bytes` each (writes past it fail with ENOSPC).

    Order matters: bwrap mounts in the order given, so each tmpfs goes first and what is
    bound beneath it comes after (an interpreter or a venv under /tmp, as in a CI job or
    a test of a Gradescope layout, would otherwise vanish under the fresh /tmp)."""
    cmd: list[str] = []
    _bind_system(cmd)
    cmd += _tmpfs("/tmp", tmpfs_bytes)
    interpreter = _interpreter_paths()
    loader = [Path(name) for name in _LOADER_FILES if Path(name).exists()]
    cmd += _parent_folders([*interpreter, *loader, *site_folders(), scratch, Path(WORKER_INSIDE)])
    for path in loader:
        cmd += ["--ro-bind", str(path), str(path)]
    for path in interpreter:
        cmd += ["--ro-bind", str(path), str(path)]
    # Hide every site-packages folder the binds above exposed (a system-wide install of
    # mlkata would sit in one), then bring back only what the exercise needs.
    for folder in site_folders():
        cmd += ["--tmpfs", str(folder)]
    for entry in site_entries(modules):
        cmd += ["--ro-bind", str(entry), str(entry)]
    for folder in site_folders():
        cmd += ["--remount-ro", str(folder)]
    cmd += ["--ro-bind", str(worker_script), WORKER_INSIDE]
    cmd += ["--dev", "/dev", "--proc", "/proc", *_tmpfs("/dev/shm", tmpfs_bytes)]
    return cmd


def _tmpfs(mount: str, size_bytes: int) -> list[str]:
    return ["--size", str(size_bytes), "--perms", "1777", "--tmpfs", mount]
