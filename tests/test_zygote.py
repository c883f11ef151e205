"""Checks processes forked from a warm zygote (grader/grading/zygote.py): each child is set
up as a freshly started one would be, its exits and deaths are seen, bounds still hold,
and a dead zygote costs nothing but the speed-up."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from grader.exercises import get_exercise
from grader.grading import zygote
from grader.grading.runner import grade
from grader.sandbox.launch import leftover_processes

pytestmark = pytest.mark.slow  # most of these zygotes import Keras

REPO = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().parent / "fixtures" / "zygote"


@pytest.fixture
def probe_zygote():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(PROBE)]),
           "OPENBLAS_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}  # fmt: skip
    started = zygote.Zygote(env, keras=False)  # Keras' own zygotes: the gradings below
    yield started, env
    started.close()


def _spawn(started: zygote.Zygote, env: dict, tmp_path: Path, *args: str, keep=()):
    out_r, out_w = os.pipe()
    child = started.spawn(
        [sys.executable, "-m", "zygote_probe", *args], cwd=tmp_path,
        env={**env, "PROBE_ONLY": "yes"}, stdin=subprocess.DEVNULL, stdout=out_w,
        stderr=out_w, pass_fds=keep, start_new_session=True,
    )  # fmt: skip
    os.close(out_w)
    return child, out_r


def _read_all(fd: int) -> str:
    with os.fdopen(fd, "rb") as stream:
        return stream.read().decode()


def test_a_forked_child_starts_as_a_fresh_process_would(probe_zygote, tmp_path):
    started, env = probe_zygote
    kept_r, kept_w = os.pipe()
    child, out = _spawn(started, env, tmp_path, "report", "3", str(kept_w), keep=(kept_w,))
    os.close(kept_w)

    assert isinstance(child, zygote.ForkedProcess)
    assert child.wait(timeout=60) == 3
    output = _read_all(out).splitlines()
    seen = json.loads(output[0])
    assert output[1:] == ["atexit handlers ran"]  # it ends as a fresh process ends
    assert _read_all(kept_r) == "kept\n"  # a passed descriptor keeps its number
    assert seen["argv"] == ["report", "3", str(kept_w)]
    assert seen["session_leader"] and seen["cwd"] == seen["path0"] == str(tmp_path)
    assert seen["grader_modules"] == []  # the grader's modules are imported afresh
    assert seen["environ"]["PROBE_ONLY"] == "yes" and seen["environ"] == {
        **env,
        "PROBE_ONLY": "yes",
    }
    # Nothing of the zygote's is left open: no socket back to it, no wake-up pipe.
    assert {int(fd) for fd in seen["fds"]} == {0, 1, 2, kept_w}, seen["fds"]
    assert seen["stdin"] == "/dev/null"
    assert seen["wakeup_fd"] == -1 and seen["sigchld_default"] and seen["sigint_raises"]
    assert not seen["keras_loaded"]  # a zygote without Keras has none to pass on


def test_children_do_not_share_the_zygotes_random_state(probe_zygote, tmp_path):
    started, env = probe_zygote
    draws = []
    for _ in range(2):
        child, out = _spawn(started, env, tmp_path, "none", "7")
        assert child.wait(timeout=60) == 0  # sys.exit(None) is success, as in Python
        draws.append(json.loads(_read_all(out).splitlines()[0])["random"])
    assert draws[0] != draws[1]


def test_nothing_in_the_folder_the_grader_runs_in_is_imported(tmp_path, monkeypatch):
    """An instructor may run `mlkata batch` inside a class folder: a student's numpy.py
    there must not be what the zygote, or a child, imports."""
    folder = tmp_path / "class"
    folder.mkdir()
    marker = tmp_path / "ran"
    (folder / "numpy.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.chdir(folder)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(PROBE)]),
           "OPENBLAS_NUM_THREADS": "1"}  # fmt: skip
    started = zygote.Zygote(env, keras=False)
    try:
        child, out = _spawn(started, env, tmp_path, "report", "0")
        assert child.wait(timeout=60) == 0
        seen = json.loads(_read_all(out).splitlines()[0])
    finally:
        started.close()
    assert not marker.exists()
    assert "site-packages" in seen["numpy_file"] and not seen["keras_loaded"]


def test_an_exit_code_seen_before_is_not_taken_for_a_new_childs(probe_zygote):
    """Pids are reused: a new child's pid may be one this zygote reaped earlier."""
    started, _ = probe_zygote
    started._handle({"exit": 4242, "code": 0})
    started._handle({"pid": 4242})  # a new child with that pid

    assert started._replies.get_nowait() == 4242
    assert started.exit_code(4242, 0) is None


def test_a_forked_checks_process_left_running_is_a_leftover(probe_zygote, tmp_path):
    """Its environment in /proc is the zygote's, so no token finds it: the grader keeps
    each top process until it has seen it end."""
    from grader.sandbox.bounded import BoundedProcess, Limits

    started, env = probe_zygote
    bounded = BoundedProcess(
        [sys.executable, "-m", "zygote_probe", "sleep", "0"], limits=Limits(wall_seconds=60),
        scratch=tmp_path, env=env, whole_tree=False, launcher=started.spawn,
    )  # fmt: skip
    assert isinstance(bounded.proc, zygote.ForkedProcess)
    assert bounded.proc.pid in leftover_processes()

    bounded.kill("stopped")

    assert bounded.proc.pid not in leftover_processes()
    assert bounded.proc.returncode == -signal.SIGKILL


def test_a_killed_child_is_reported_and_waiting_times_out(probe_zygote, tmp_path):
    started, env = probe_zygote
    child, out = _spawn(started, env, tmp_path, "sleep", "0")

    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(timeout=0.3)
    assert child.poll() is None
    os.killpg(child.pid, signal.SIGKILL)  # its own session: the group is its pid

    assert child.wait(timeout=10) == -signal.SIGKILL
    os.close(out)


def test_a_dead_zygote_takes_its_children_and_falls_back_to_fresh_processes(probe_zygote, tmp_path):
    started, env = probe_zygote
    sleeper, out = _spawn(started, env, tmp_path, "sleep", "0")
    os.kill(started._process.pid, signal.SIGKILL)
    started._process.wait()

    assert sleeper.wait(timeout=10) == -signal.SIGKILL  # it died with it, and is seen
    child, out2 = _spawn(started, env, tmp_path, "report", "5")
    assert isinstance(child, subprocess.Popen)  # a fresh process, as without a zygote
    assert child.wait(timeout=60) == 5
    for fd in (out, out2):
        os.close(fd)


@pytest.fixture
def zygotes(monkeypatch):
    """Zygotes enabled (as in batch) and fresh for this test."""
    monkeypatch.setattr(zygote, "_enabled", True)
    monkeypatch.setattr(zygote, "_zygotes", {})
    yield zygote._zygotes
    for started in zygote._zygotes.values():
        started.close()


def test_tensorflow_gradings_fork_from_one_zygote_and_stay_bounded(zygotes):
    """A forked checks process grades as a fresh one does; its memory bound holds (here
    below what a process holding Keras has resident), the verdict says so, nothing is
    left behind, and the zygote serves the next grading as before."""
    cnn = get_exercise("cnn")

    solved = grade(cnn, cnn.solution_path)
    starved = grade(dataclasses.replace(cnn, checks_memory_mb=150), cnn.solution_path)
    stub = grade(cnn, cnn.stub_path)

    assert solved.passed and solved.score == solved.max_score
    assert starved.error == "memory" and starved.score == 0
    assert stub.score == 0 and "NotImplementedError" in stub.checks[0].message
    [(key, started)] = zygotes.items()
    assert key[0] is True and started.forked == 3
    with open(f"/proc/{started._process.pid}/maps") as maps:
        assert "tensorflow" in maps.read()  # what this zygote is for: Keras imported once
    assert leftover_processes() == []


def test_numpy_gradings_fork_from_a_zygote_without_keras(zygotes):
    normalize = get_exercise("normalize")

    assert grade(normalize, normalize.solution_path).passed
    assert grade(normalize, normalize.stub_path).score == 0

    [(key, started)] = zygotes.items()
    assert key[0] is False and started.forked == 2
    with open(f"/proc/{started._process.pid}/maps") as maps:
        assert "tensorflow" not in maps.read()  # numpy and pytest only: a small parent
