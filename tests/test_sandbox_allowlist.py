"""What a submission sees from inside the bubblewrap sandbox: exactly its allowlist.

A probe (tests/probes/look_around.py) lists the filesystem, tries to read the grader's
secrets, to connect to sockets the test opens on the host and to write outside its
scratch folder; the test asserts the exact allowlist and that every attempt failed.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
from pathlib import Path

import pytest

import grader
from grader import paths
from grader.exercises import get_exercise
from grader.grading.proxy import Submission
from grader.sandbox import allowlist, tiers

PROBE = Path(__file__).parent / "probes" / "look_around.py"
REPO = Path(grader.__file__).resolve().parent.parent


@pytest.fixture
def bubblewrap(sandbox_tier):
    if sandbox_tier.name != "bubblewrap":
        pytest.skip("the allowlist is the bubblewrap tier's")
    return sandbox_tier


@pytest.fixture
def listeners(tmp_path):
    """A Unix socket in a folder of the host, an abstract one and a TCP port."""
    folder = tmp_path / "sockets"
    folder.mkdir()
    os.chmod(folder, 0o755)
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(folder / "grader.sock"))
    os.chmod(folder / "grader.sock", 0o777)
    abstract = socket.socket(socket.AF_UNIX)
    name = f"mlkata-test-{os.getpid()}"
    abstract.bind("\0" + name)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    for server in (unix, abstract, tcp):
        server.listen()
    yield [str(folder / "grader.sock")], name, tcp.getsockname()[1]
    for server in (unix, abstract, tcp):
        server.close()


def _look_around(exercise, listeners, secrets: list[str]) -> dict:
    sockets, abstract, port = listeners
    probe = dataclasses.replace(exercise, function="probe")
    submission = Submission(probe, PROBE)
    try:
        return submission.call(secrets, sockets, abstract, port)
    finally:
        submission.close()


def _secrets(home: Path) -> list[str]:
    home.mkdir(parents=True, exist_ok=True)
    (home / "progress.sqlite3").write_text("progress")
    return [
        str(REPO / ".git" / "HEAD"),
        str(paths.content_dir("solutions") / "normalize.py"),
        str(paths.checks_dir() / "test_normalize.py"),
        str(Path(grader.__file__).parent / "data" / "mnist-10k.npz"),
        str(home / "progress.sqlite3"),
        "/etc/shadow",
        "/etc/passwd",
        "/etc/hostname",
        "/root/.bashrc",
        sys.executable,
    ]


def _expected_root() -> set[str]:
    """/ holds the system's folders and links, /etc (the loader's files), /opt (the
    worker script), /tmp, and the first folder of the interpreter's and the venv's paths."""
    system = {p for p in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
              if Path("/", p).exists()}  # fmt: skip
    tops = {Path(p).resolve().parts[1] for p in (sys.prefix, sys.base_prefix)}
    tops |= {Path(p).parts[1] for p in (sys.prefix, sys.base_prefix)}
    return system | tops | {"dev", "proc", "etc", "opt", "tmp"}


@pytest.mark.parametrize("exercise_id", ["normalize", "cnn"])
def test_the_sandbox_sees_only_its_allowlist(bubblewrap, listeners, mlkata_home, exercise_id):
    exercise = get_exercise(exercise_id)
    report = _look_around(exercise, listeners, _secrets(mlkata_home))

    assert set(report["root"]) == _expected_root() - {"usr"} | {"usr"}
    assert set(report["etc"]) <= {"ld.so.cache", "ld.so.conf", "ld.so.conf.d"}
    # site-packages: the exercise's libraries and nothing else (no mlkata, pytest, yaml).
    expected = {p.name for p in allowlist.site_entries(tuple(exercise.preload))}
    assert set(report["site_packages"]) == expected
    assert not any(name.startswith(("mlkata", "grader", "pytest", "yaml", "_editable"))
                   for name in report["site_packages"])  # fmt: skip
    if exercise_id == "normalize":
        assert set(report["site_packages"]) == {n for n in expected if n.startswith("numpy")}
    # Nothing of mlkata, no home folder, no /run: only the scratch folder and the
    # folders that lead to the interpreter.
    words = ("grader", "solutions", ".git", "mlkata-home", "checks", "/run", "/home")
    leaks = [p for p in report["tree"] if any(word in p for word in words)]
    assert leaks == []
    assert report["read"] == [sys.executable]
    assert report["connected"] == []
    assert report["writable"] == []
    assert report["imports"] == (["rich"] if exercise_id == "cnn" else [])


def test_the_worker_is_not_root_on_the_host(bubblewrap, listeners, mlkata_home):
    """As root, the submission runs as a uid of its own, with no groups: a file only root
    may read, put in its own scratch folder, stays unreadable."""
    if os.geteuid() != 0:
        pytest.skip("the grader is not root here")
    exercise = get_exercise("normalize")
    probe = dataclasses.replace(exercise, function="probe")
    submission = Submission(probe, PROBE)
    try:
        secret = submission._worker.scratch / "root-only"
        secret.write_text("for root's eyes")
        os.chmod(secret, 0o600)
        os.chown(secret, 0, 0)
        sockets, abstract, port = listeners
        report = submission.call([str(secret)], sockets, abstract, port)
    finally:
        submission.close()
    assert report["uid"] >= 100_000 and report["gid"] == report["uid"]
    assert report["groups"] == [] or report["groups"] == [report["gid"]]
    assert report["read"] == []


def test_the_unprivileged_tier_runs_as_its_own_uid(sandbox_tier, listeners, mlkata_home):
    if sandbox_tier.name != "unprivileged":
        pytest.skip("checks the unprivileged tier")
    report = _look_around(get_exercise("normalize"), listeners, _secrets(mlkata_home))
    assert report["uid"] >= 100_000
    assert str(mlkata_home / "progress.sqlite3") not in report["read"] or os.geteuid() != 0
    assert report["writable"] == []


def test_setpriv_inside_a_root_started_bwrap(listeners, mlkata_home, monkeypatch):
    """Where the interpreter sits in a folder the worker's uid cannot pass (pyenv under a
    0700 /root), bwrap starts as root without a user namespace and setpriv drops."""
    if os.geteuid() != 0:
        pytest.skip("the grader is not root here")
    tiers.reset()
    if tiers.current().name != "bubblewrap":
        pytest.skip("bubblewrap is not available here")
    tiers.use(dataclasses.replace(tiers.current(), drop="inside"))
    try:
        report = _look_around(get_exercise("normalize"), listeners, _secrets(mlkata_home))
    finally:
        tiers.reset()
    assert report["uid"] >= 100_000
    assert set(report["root"]) == _expected_root()
    assert report["read"] == [sys.executable]
    assert report["connected"] == [] and report["writable"] == []


def test_each_private_tmpfs_is_mounted_before_what_is_bound_beneath_it(monkeypatch):
    """bwrap mounts in order: an interpreter (or a venv, or the scratch folder) under /tmp,
    bound before /tmp's tmpfs, would vanish under it. A Gradescope layout tried under /tmp
    lost its venv that way ("setpriv: failed to execute .../venv/bin/python3")."""
    venv_python = Path("/tmp/autograder.x/venv/bin/python3")
    monkeypatch.setattr(allowlist, "_interpreter_paths", lambda: [venv_python])
    scratch = Path("/tmp/mlkata-scratch-x")
    cmd = allowlist.bwrap_arguments(scratch, Path("/opt/w.py"), ("numpy",), 1 << 20)

    def position(*option: str) -> int:
        n = len(option)
        return next(i for i in range(len(cmd)) if tuple(cmd[i : i + n]) == option)

    tmp = position("--tmpfs", "/tmp")
    assert position("--ro-bind", str(venv_python), str(venv_python)) > tmp
    assert position("--dir", "/tmp/autograder.x") > tmp
    assert ("--dir", "/tmp") not in set(zip(cmd, cmd[1:], strict=False))  # stays 1777
    assert position("--tmpfs", "/dev/shm") > position("--dev", "/dev")
