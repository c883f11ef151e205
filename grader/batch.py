"""Grade a whole class: every submission in a folder, in parallel, cached by content hash.

Each submission runs in its own sandboxed worker (as with `mlkata grade`); the hidden
checks run in a small pool of grading processes. If a grading process itself dies,
only the submissions it held are regraded alone, and only a repeat offender gets a
row with the error `grader`. Rows the grader itself failed (`grader`, or `sandbox`:
the sandbox could not start) are never cached, so a rerun grades them again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import multiprocessing.util
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from grader import __version__, paths
from grader.errors import UserError
from grader.exercises import Exercise
from grader.grading.reports import write_atomically
from grader.messages import say

MAX_SUBMISSION_BYTES = 1 << 20


@dataclass(frozen=True)
class Submission:
    student: str
    file: Path | None  # None when the student's folder holds no gradable file
    problem: str = ""  # why there is nothing to grade


@dataclass(frozen=True)
class Row:
    """One student's line in the grade sheet."""

    student: str
    file: str
    sha256: str
    score: int
    max_score: int
    passed: bool
    error: str | None
    duration_s: float
    checks: dict[str, int] = field(default_factory=dict)  # check name -> points earned
    message: str = ""  # the first failing check's message
    cached: bool = False
    sandbox: str = ""  # the sandbox tier it was graded in; "" when it was not graded


def find_submissions(directory: Path, exercise: Exercise) -> list[Submission]:
    """One submission per `*.py` file or per folder in `directory`, by student name."""
    if directory.is_file():
        raise UserError(say(en=f"{directory} is a file; give the folder that holds the "
                            "submissions (a .py file or a folder per student)",
                            zh=f"{directory} 是文件；请给出存放提交的文件夹"
                            "（每个学生一个 .py 文件或一个文件夹）"))  # fmt: skip
    if not directory.is_dir():
        raise UserError(say(en=f"no such folder: {directory}", zh=f"没有这个文件夹：{directory}"))
    found = []
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and not entry.is_symlink():
            found.append(_from_folder(entry, exercise))
        elif entry.suffix == ".py":
            found.append(_checked(entry.stem, entry))
    if not found:
        raise UserError(
            say(
                en=f"{directory} holds no submissions (a .py file or a folder per student)",
                zh=f"{directory} 中没有提交（每个学生一个 .py 文件或一个文件夹）",
            )
        )
    names = [sub.student for sub in found]  # alice.py and alice/: tell them apart
    return [
        replace(sub, student=f"{sub.student} ({i})") if names.count(sub.student) > 1 else sub
        for i, sub in enumerate(found, 1)
    ]


def _from_folder(folder: Path, exercise: Exercise) -> Submission:
    named = folder / f"{exercise.id}.py"
    if named.exists() or named.is_symlink():
        return _checked(folder.name, named)
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("."))
    if len(files) == 1:
        return _checked(folder.name, files[0])
    if not files:
        why = say(en=f"no .py file in {folder.name}/", zh=f"{folder.name}/ 中没有 .py 文件")
    else:
        why = say(
            en=f"{len(files)} .py files and none named {named.name} in {folder.name}/",
            zh=f"{folder.name}/ 中有 {len(files)} 个 .py 文件，但没有一个叫 {named.name}",
        )
    return Submission(folder.name, None, why)


def _checked(student: str, file: Path) -> Submission:
    if file.is_symlink():
        why = say(
            en=f"{file.name} is a symbolic link; submit the file itself",
            zh=f"{file.name} 是符号链接；请提交文件本身",
        )
        return Submission(student, None, why)
    if file.stat().st_size > MAX_SUBMISSION_BYTES:
        kb = MAX_SUBMISSION_BYTES >> 10
        why = say(en=f"{file.name} is over {kb} KB", zh=f"{file.name} 超过了 {kb} KB")
        return Submission(student, None, why)
    return Submission(student, file)


# -- grading ----------------------------------------------------------------------------------


def fingerprint(exercise: Exercise) -> str:
    """Changes whenever a cached result could be stale: checks, points, limits, grader."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(repr((exercise.function, exercise.checks, exercise.wall_seconds)).encode())
    digest.update(repr(exercise.memory_mb).encode())
    digest.update(exercise.checks_path.read_bytes() if exercise.checks_path.is_file() else b"")
    return digest.hexdigest()


# Errors of the grader, not of a submission: such rows are not grades.
GRADER_FAULTS = ("grader", "sandbox")


def cache_path(exercise: Exercise) -> Path:
    return paths.cache_dir() / "batch" / f"{exercise.id}.json"


def grade_all(
    exercise: Exercise,
    submissions: list[Submission],
    jobs: int = 2,
    force: bool = False,
    on_row: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Grade every submission; unchanged ones (same content, same checks) come from the cache.

    A timeout while other gradings shared the CPUs is confirmed by grading that
    file again alone before it counts.
    """
    report = on_row or (lambda row: None)
    cache = {} if force else _load_cache(exercise)
    rows: dict[str, Row] = {}
    todo: dict[str, list[Submission]] = {}  # content hash -> the students who sent it
    for sub in submissions:
        if sub.file is None:
            rows[sub.student] = _zero(exercise, sub.student, "", "missing", sub.problem)
            report(rows[sub.student])
            continue
        sha = hashlib.sha256(sub.file.read_bytes()).hexdigest()
        if sha in cache:
            rows[sub.student] = _for(Row(**cache[sha]), sub, sha, cached=True)
            report(rows[sub.student])
        else:
            todo.setdefault(sha, []).append(sub)

    def finish(sha: str, result: Row) -> None:
        if result.error not in GRADER_FAULTS:
            cache[sha] = asdict(replace(result, student="", file=""))
        for sub in todo[sha]:
            rows[sub.student] = _for(result, sub, sha)
            report(rows[sub.student])

    files = {sha: subs[0].file for sha, subs in todo.items()}
    shared = jobs > 1 and len(files) > 1
    confirm: dict[str, Path] = {}
    try:
        for sha, result in _run_pool(exercise, files, jobs):
            if result.error == "timeout" and shared:
                confirm[sha] = files[sha]
            else:
                finish(sha, result)
        for sha, result in _run_pool(exercise, confirm, 1):
            finish(sha, result)
    finally:
        _save_cache(exercise, cache)
    return [rows[s.student] for s in submissions]


def _run_pool(exercise: Exercise, files: dict[str, Path], jobs: int):
    """Yield (sha, row) as gradings finish; a dead grading process costs only its own rows."""
    suspects: list[str] = []
    yield from _parallel(exercise, files, jobs, suspects)
    for sha in suspects:  # regrade alone whatever a dying process took down with it
        again: list[str] = []
        results = list(_parallel(exercise, {sha: files[sha]}, 1, again))
        died = say(
            en="the grading process died twice on this submission; grade it alone to see why",
            zh="评分进程在这份提交上两次崩溃；请单独为它评分以查看原因",
        )
        yield results[0] if results else (sha, _zero(exercise, "", str(files[sha]), "grader", died))


def _parallel(exercise: Exercise, files: dict[str, Path], jobs: int, broken: list[str]):
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(jobs, len(files)))
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_pool_process) as pool:
        futures = {pool.submit(grade_one, exercise, file): sha for sha, file in files.items()}
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                sha = futures.pop(future)
                try:
                    yield sha, future.result()
                except BrokenProcessPool:
                    broken.append(sha)
                except Exception as exc:  # noqa: BLE001 - a grader bug must not stop the class
                    yield (
                        sha,
                        _zero(
                            exercise, "", str(files[sha]), "grader", f"{type(exc).__name__}: {exc}"
                        ),
                    )


def grade_one(exercise: Exercise, file: Path) -> Row:
    """Grade one file in this process (a pool worker): the hidden checks, a sandboxed worker.

    The checks process (and its sandboxed worker) for the NEXT file starts now, so it
    imports numpy (or TensorFlow) while this one is graded; each still grades only one
    file. Every grading is bounded in time and memory, so one student's hang or bomb
    costs that student a `timeout` or `memory` row, never the class run.
    """
    from grader.grading.checks_process import ChecksProcess
    from grader.grading.runner import grade

    checks = _warm.pop(exercise.id, None)
    _warm[exercise.id] = ChecksProcess(exercise)
    verdict = grade(exercise, file, checks=checks)
    failure = verdict.first_failure
    return Row(
        student="",
        file=str(file),
        sha256="",
        score=verdict.score,
        max_score=verdict.max_score,
        passed=verdict.passed,
        error=verdict.error,
        duration_s=round(verdict.duration_s, 3),
        checks={c.name: c.score for c in verdict.checks},
        message=failure.message if failure else "",
        sandbox=verdict.sandbox_tier,
    )


_warm: dict[str, object] = {}  # in a pool process: exercise id -> the next file's worker


def _start_pool_process() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from grader.grading import zygote

    zygote.enable()  # checks processes import numpy, pytest, Keras once per pool process
    multiprocessing.util.Finalize(None, _close_warm, exitpriority=10)


def _close_warm() -> None:
    for worker in _warm.values():
        worker.close()
    _warm.clear()


def _for(row: Row, sub: Submission, sha: str, cached: bool = False) -> Row:
    return replace(row, student=sub.student, file=str(sub.file), sha256=sha, cached=cached)


def _zero(exercise: Exercise, student: str, file: str, error: str, message: str) -> Row:
    """A row with no points: nothing to grade, or the grader itself failed."""
    checks = {c.name: 0 for c in exercise.checks}
    return Row(student, file, "", 0, exercise.max_score, False, error, 0.0, checks, message)


def _load_cache(exercise: Exercise) -> dict[str, dict]:
    try:
        data = json.loads(cache_path(exercise).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint(exercise):
        return {}
    results = data.get("results")
    return results if isinstance(results, dict) else {}


def _save_cache(exercise: Exercise, cache: dict[str, dict]) -> None:
    text = json.dumps({"fingerprint": fingerprint(exercise), "results": cache}, indent=1)
    write_atomically(cache_path(exercise), text)


# -- grade sheets -------------------------------------------------------------------------------


CSV_COLUMNS = ("student", "score", "max_score", "passed", "error", "sandbox")
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet shows as text: one starting like a formula gets a
    leading apostrophe. Numbers and booleans pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: list[Row], exercise: Exercise) -> str:
    """One line per student; a column per check with the points earned. `passed` is
    `true` or `false`, as in the JSON sheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [c.name for c in exercise.checks]
    writer.writerow([*CSV_COLUMNS, *names, "message", "file", "sha256"])
    for r in rows:
        cells = [r.student, r.score, r.max_score, "true" if r.passed else "false",
                 r.error or "", r.sandbox]  # fmt: skip
        cells += [r.checks.get(n, 0) for n in names]
        cells += [r.message.splitlines()[0] if r.message else "", r.file, r.sha256]
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def to_json(rows: list[Row], exercise: Exercise) -> str:
    """The sheet as one object; its keys are documented in docs/instructors.md."""
    scores = [r.score for r in rows]
    return json.dumps(
        {
            "exercise": exercise.id,
            "max_score": exercise.max_score,
            "students": len(rows),
            "full_marks": sum(r.passed for r in rows),
            "mean_score": round(sum(scores) / len(scores), 3) if scores else 0,
            "checks": [{"name": c.name, "points": c.points} for c in exercise.checks],
            "rows": [asdict(r) for r in rows],
        },
        ensure_ascii=False,
        indent=2,
    )


def write_sheet(path: Path, text: str) -> None:
    write_atomically(path, text)
