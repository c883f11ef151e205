"""Watch mode: noticing saves, the warm worker, and `mlkata watch` with real file edits."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grader import progress
from grader.exercises import load_manifest
from grader.watcher import WarmWorker, Watcher, wait_for_enter

REPO = Path(__file__).resolve().parent.parent
SOLUTION = (REPO / "solutions" / "normalize.py").read_text()
WRONG = "import numpy as np\n\n\ndef preprocess_image(image):\n    return np.asarray(image) / 255\n"


# -- noticing saves ---------------------------------------------------------------


def test_watcher_returns_a_change_of_content(tmp_path):
    file = tmp_path / "a.py"
    file.write_text("one\n")
    watcher = Watcher([file], interval=0.01, settle=0.02)
    file.write_text("two\n")
    change = watcher.wait(timeout=5)
    assert change is not None and change.path == file
    assert watcher.wait(timeout=0.2) is None  # handled once


def test_watcher_ignores_a_touch_that_changes_nothing(tmp_path):
    file = tmp_path / "a.py"
    file.write_text("same\n")
    watcher = Watcher([file], interval=0.01, settle=0.02)
    os.utime(file, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert watcher.wait(timeout=0.3) is None


def test_watcher_waits_for_a_burst_of_writes_to_settle(tmp_path):
    file = tmp_path / "a.py"
    file.write_text("v0\n")
    watcher = Watcher([file], interval=0.01, settle=0.15)

    def editor():
        for n in range(1, 4):
            file.write_text(f"v{n}\n")
            time.sleep(0.04)

    thread = threading.Thread(target=editor)
    thread.start()
    change = watcher.wait(timeout=5)
    thread.join()
    assert file.read_text() == "v3\n"
    assert change is not None and watcher.wait(timeout=0.3) is None  # one grading, not three


def test_watcher_takes_a_save_by_rename_at_once(tmp_path):
    file = tmp_path / "a.py"
    file.write_text("old\n")
    watcher = Watcher([file], interval=0.01, settle=5.0)
    (tmp_path / "a.py.swp").write_text("new\n")
    (tmp_path / "a.py.swp").replace(file)
    started = time.monotonic()
    assert watcher.wait(timeout=10).path == file
    assert time.monotonic() - started < 2.0  # a rename is a whole file: no settling


def test_watcher_survives_a_file_replaced_by_rename(tmp_path):
    file = tmp_path / "a.py"
    file.write_text("old\n")
    watcher = Watcher([file], interval=0.01, settle=0.02)
    file.unlink()
    assert watcher.wait(timeout=0.1) is None
    (tmp_path / "a.py.tmp").write_text("new\n")
    (tmp_path / "a.py.tmp").replace(file)
    assert watcher.wait(timeout=5).path == file


def test_manual_mode_grades_on_enter_and_stops_on_q_or_end_of_input():
    assert wait_for_enter(io.StringIO("\n")) is True
    assert wait_for_enter(io.StringIO("q\n")) is False
    assert wait_for_enter(io.StringIO("")) is False


class FakeWorker:
    def __init__(self, exercise):
        self.exercise, self.died = exercise, None

    def close(self):
        self.died = "stopped"


def test_the_warm_worker_is_used_once_and_only_for_its_exercise():
    normalize, cnn = load_manifest()[:2]
    started = []
    warm = WarmWorker(start=lambda exercise: started.append(FakeWorker(exercise)) or started[-1])
    warm.warm(normalize)
    warm.warm(normalize)
    assert len(started) == 1  # already warm: no second worker
    worker = warm.take(normalize)
    assert worker is started[0] and worker.died is None
    assert warm.take(normalize) is None  # used once: the next save needs a fresh one
    warm.warm(normalize)
    assert warm.take(cnn) is None and started[1].died  # wrong imports: discarded
    warm.warm(cnn)
    warm.close_all()
    assert all(w.died for w in started)  # even the one taken but never graded
    assert warm.take(cnn) is None


# -- mlkata watch through the real CLI --------------------------------------------


class Watch:
    """`mlkata watch` as a subprocess whose output is read as it comes."""

    def __init__(self, *args: str, cwd: Path, home: Path, stdin: bool = False):
        self.tmp = cwd.parent / "tmp"
        self.tmp.mkdir(exist_ok=True)
        env = {**os.environ, "MLKATA_HOME": str(home), "TMPDIR": str(self.tmp),
               "PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8", "COLUMNS": "160"}  # fmt: skip
        env.pop("LC_ALL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader", "watch", *args], cwd=cwd, env=env,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8",
        )  # fmt: skip
        self.output = ""
        self._seen = 0
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def expect(self, needle: str, timeout: float = 180) -> str:
        """Wait until `needle` appears in output not yet matched; returns that output."""
        deadline = time.monotonic() + timeout
        while needle not in self.output[self._seen :]:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                line = ""
            if line is None or time.monotonic() > deadline:
                raise AssertionError(f"never saw {needle!r}; output so far:\n{self.output}")
            self.output += line
        start, self._seen = self._seen, self.output.index(needle, self._seen) + len(needle)
        return self.output[start : self._seen]

    def finish(self, timeout: float = 30) -> int:
        code = self.proc.wait(timeout=timeout)
        while (line := self._lines.get(timeout=5)) is not None:
            self.output += line
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def space(tmp_path: Path, mlkata_home: Path) -> Path:
    env = {**os.environ, "MLKATA_HOME": str(mlkata_home)}
    subprocess.run([sys.executable, "-m", "grader", "init", "kata"], cwd=tmp_path, env=env,
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    return tmp_path / "kata"


def _pass_all_but_normalize():
    for exercise in load_manifest():
        if exercise.id != "normalize":
            progress.record_grade(exercise.id, "x", exercise.max_score, exercise.max_score, True,
                                  now=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip


def _save(file: Path, text: str) -> None:
    """Save as editors do: a new file renamed over the old one."""
    temporary = file.with_suffix(".swp")
    temporary.write_text(text)
    temporary.replace(file)


def test_watch_regrades_each_save_and_ends_when_everything_passes(space, mlkata_home):
    _pass_all_but_normalize()
    watch = Watch(cwd=space, home=mlkata_home)
    try:
        intro = watch.expect("Save normalize.py to grade it")
        assert "Write preprocess_image() in normalize.py" in intro
        _save(space / "normalize.py", WRONG)
        failed = watch.expect("Save normalize.py to grade it")
        assert "Total: " in failed and "each_image_scaled_on_its_own" in failed
        assert "Its worker was ready before your save." in failed  # started ahead of the save
        _save(space / "normalize.py", SOLUTION)
        watch.expect("Every exercise passes")
        assert watch.finish() == 0
    finally:
        watch.kill()
    grades = progress.grade_history("normalize")
    assert [g.passed for g in grades] == [False, True]
    assert "Traceback" not in watch.output


def test_watch_moves_on_after_a_pass_and_ctrl_c_leaves_nothing_behind(space, mlkata_home):
    following = load_manifest()[1]
    watch = Watch(cwd=space, home=mlkata_home)
    try:
        watch.expect("Save normalize.py to grade it")
        _save(space / "normalize.py", SOLUTION)
        moved = watch.expect(f"Save {following.id}.py to grade it")
        assert f"✓ normalize passes. Moving on to {following.id}." in moved
        assert f"Write {following.function}() in {following.id}.py" in moved
        watch.proc.send_signal(signal.SIGINT)
        assert watch.finish(timeout=30) == 0
    finally:
        watch.kill()
    assert "Stopped watching." in watch.output
    assert "Traceback" not in watch.output
    assert list(watch.tmp.iterdir()) == []  # every worker's scratch folder is gone


def test_watch_manual_grades_when_enter_is_pressed(space, mlkata_home):
    _pass_all_but_normalize()
    watch = Watch("normalize", "--manual", cwd=space, home=mlkata_home, stdin=True)
    try:
        watch.expect("Press Enter to grade normalize.py")
        (space / "normalize.py").write_text(SOLUTION)
        watch.proc.stdin.write("\n")
        watch.proc.stdin.flush()
        watch.expect("Every exercise passes")
        assert watch.finish() == 0
    finally:
        watch.kill()
    assert [g.passed for g in progress.grade_history("normalize")] == [True]


def test_watch_outside_a_workspace_says_how_to_make_one(tmp_path, mlkata_home):
    watch = Watch(cwd=tmp_path, home=mlkata_home)
    try:
        assert watch.finish() == 2
    finally:
        watch.kill()
    assert "not inside an mlkata workspace" in watch.output


@pytest.mark.slow
def test_watch_shows_the_epochs_of_a_training_exercise_and_plots_its_curve(space, mlkata_home):
    """finetune trains its head for real (seconds; the shortest of the training exercises,
    once the shared pretrained base is built)."""
    plot = space.parent / "curve.png"
    watch = Watch("finetune", "--plot", str(plot), cwd=space, home=mlkata_home)
    try:
        watch.expect("Save finetune.py to grade it")
        _save(space / "finetune.py", (REPO / "solutions" / "finetune.py").read_text())
        graded = watch.expect("Total: ", timeout=300)
        assert "epoch 1/" in graded and "loss" in graded
        after = watch.expect("Learning curve saved to", timeout=60)
        assert "epoch" in after and "▁" in after  # the chart and the sparklines
    finally:
        watch.kill()
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_watch_manual_says_when_the_file_is_gone_and_q_quits(space, mlkata_home):
    watch = Watch("normalize", "--manual", cwd=space, home=mlkata_home, stdin=True)
    try:
        watch.expect("Press Enter to grade normalize.py")
        (space / "normalize.py").unlink()
        watch.proc.stdin.write("\n")
        watch.proc.stdin.flush()
        assert "cannot read normalize.py" in watch.expect("Press Enter to grade normalize.py")
        watch.proc.stdin.write("q\n")
        watch.proc.stdin.flush()
        assert watch.finish() == 0
    finally:
        watch.kill()
    assert "Stopped watching." in watch.output and "Traceback" not in watch.output
    assert progress.grade_history("normalize") == []
