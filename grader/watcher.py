"""Waiting for the learner's next save: polled files, Enter, and a worker warmed up early.

Polling works everywhere file events do not (network and WSL mounts): a stat
per file every `interval` seconds costs nothing measurable. A file written in
place counts once it has stopped changing for `settle` seconds (it may be
mid-write); one renamed over the old (a new inode: how most editors save) is
complete at once. Either way its content must differ from what was last graded
(a bare touch is not a save).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from grader.errors import UserError
from grader.exercises import Exercise
from grader.messages import say


@dataclass(frozen=True)
class Change:
    path: Path
    digest: str


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None  # missing, or mid-rename: wait for it to come back
    return info.st_mtime_ns, info.st_size, info.st_ino


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class Watcher:
    """Polls a few files; `wait()` returns the next real change to one of them."""

    def __init__(self, paths: Iterable[Path], interval: float = 0.05, settle: float = 0.06):
        self.interval = interval
        self.settle = settle
        self._signatures: dict[Path, tuple[int, int, int] | None] = {}
        self._digests: dict[Path, str | None] = {}
        for path in paths:
            self.mark(Path(path))

    def mark(self, path: Path) -> None:
        """Take `path`'s current content as handled: only a later change will count."""
        self._signatures[path] = _signature(path)
        self._digests[path] = _digest(path)

    def wait(self, timeout: float | None = None) -> Change | None:
        """The next saved change, or None after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while deadline is None or time.monotonic() < deadline:
            for path, seen in self._signatures.items():
                now = _signature(path)
                if now is None or now == seen:
                    continue
                if seen is not None and now[2] == seen[2]:  # written in place: may be mid-write
                    now = self._settled(path, now)
                self._signatures[path] = now
                content = _digest(path)
                if content is not None and content != self._digests[path]:
                    self._digests[path] = content
                    return Change(path, content)
            time.sleep(self.interval)
        return None

    def _settled(self, path: Path, signature: tuple[int, int, int]):
        """Wait until `path` has not changed for `settle` seconds (at most a few seconds)."""
        quiet_since = time.monotonic()
        give_up = quiet_since + max(2.0, 20 * self.settle)
        while time.monotonic() < give_up:
            time.sleep(min(self.interval, self.settle))
            again = _signature(path)
            if again != signature:
                signature, quiet_since = again, time.monotonic()
            elif time.monotonic() - quiet_since >= self.settle:
                break
        return signature


def wait_for_enter(stream: IO[str] | None = None) -> bool:
    """`--manual`: block until the learner presses Enter; False on end of input or `q`."""
    line = (stream or sys.stdin).readline()
    return bool(line) and line.strip().lower() not in ("q", "quit", "exit")


class WarmWorker:
    """At most one checks process (with its sandboxed worker), started ahead of the next
    save so that it pays the imports, Keras' warm-up and the checks' collection.

    `take(exercise)` hands it over (each one grades once, then is discarded) and
    a fresh one must be started with `warm()` for the save after that.
    """

    def __init__(self, start: Callable[[Exercise], object] | None = None):
        if start is None:
            from grader.grading.checks_process import ChecksProcess

            def start(exercise: Exercise):
                return ChecksProcess(exercise, warm=True)

        self._start = start
        self._exercise: Exercise | None = None
        self._worker = None
        self._started: list = []  # every worker started, so that close() misses none

    def warm(self, exercise: Exercise) -> None:
        if self._worker is not None and self._exercise == exercise:
            return
        self.close()
        self._started = [w for w in self._started if getattr(w, "died", None) is None]
        self._worker, self._exercise = self._start(exercise), exercise
        self._started.append(self._worker)

    def take(self, exercise: Exercise):
        """The warm worker if it was started for `exercise`, else None (grade starts one)."""
        if self._worker is None or self._exercise != exercise:
            self.close()
            return None
        worker, self._worker, self._exercise = self._worker, None, None
        return worker

    def close(self) -> None:
        """Discard the waiting worker (grading closes the ones it was handed)."""
        if self._worker is not None:
            self._worker.close()
            _remove(getattr(self._worker, "scratch", None))
        self._worker, self._exercise = None, None

    def close_all(self) -> None:
        """At exit: also any worker a Ctrl-C caught between `take()` and grading."""
        self.close()
        for worker in self._started:
            if getattr(worker, "died", None) is None:
                worker.close()
            _remove(getattr(worker, "scratch", None))
        self._started.clear()


def _remove(folder: Path | None) -> None:
    import shutil

    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Graded:
    """One grading done in watch mode."""

    exercise: Exercise
    file: Path  # the learner's file (what was graded is a snapshot of it)
    digest: str  # sha256 of the snapshot
    verdict: object  # grader.grading.verdict.Verdict
    warm: bool  # a worker started in advance did the work


class Session:
    """Which exercise watch mode is on, grading it, and moving on when it passes."""

    def __init__(self, workspace, exercise: Exercise, manifest: list[Exercise], warm: WarmWorker):
        self.workspace = workspace
        self.current = exercise
        self.warm = warm
        self._by_file = {
            workspace.file(e.id).resolve(): e for e in manifest if e.id in workspace.exercises
        }

    @property
    def files(self) -> list[Path]:
        return list(self._by_file)

    def exercise_for(self, path: Path) -> Exercise:
        return self._by_file[Path(path).resolve()]

    def prepare(self) -> None:
        """Start the worker for the next save of the current exercise, if not running yet."""
        self.warm.warm(self.current)

    def grade(self, exercise: Exercise, on_progress: Callable[[dict], None] | None = None):
        """Grade a snapshot of the learner's file for `exercise` (which becomes current)."""
        import tempfile

        from grader.grading.runner import grade

        self.current = exercise
        file = self.workspace.file(exercise.id)
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise UserError(
                say(
                    en=f"cannot read {file.name}: {exc.strerror or exc}",
                    zh=f"无法读取 {file.name}：{exc.strerror or exc}",
                )
            ) from None
        worker = self.warm.take(exercise)
        with tempfile.TemporaryDirectory(prefix="mlkata-watch-") as folder:
            snapshot = Path(folder) / file.name
            snapshot.write_bytes(content)
            verdict = grade(exercise, snapshot, checks=worker, on_progress=on_progress)
        return Graded(
            exercise=exercise,
            file=file,
            digest=hashlib.sha256(content).hexdigest(),
            verdict=verdict,
            warm=worker is not None,
        )

    def record(self, graded: Graded) -> None:
        graded.verdict.record(graded.digest)

    def advance(self) -> Exercise | None:
        """Move to the next exercise that does not pass yet; None when all pass."""
        from grader import workspace

        upcoming = workspace.next_unfinished(
            workspace.statuses(self.workspace), after=self.current.id
        )
        if upcoming is not None:
            self.current = upcoming.exercise
        return upcoming.exercise if upcoming else None

    def untouched(self, exercise: Exercise) -> bool:
        """The learner's file is still the stub as copied (nothing to grade yet)."""
        file = self.workspace.file(exercise.id)
        stub = self.workspace.stubs.get(exercise.id)
        return _digest(file) == stub if stub else False
