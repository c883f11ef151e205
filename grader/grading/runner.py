"""Grade one file: the hidden checks run in a bounded checks process, the verdict is
built here.

The verdict is built from the manifest's list of checks. A check counts as passed
only if the checks process saw its test function run to the end without an exception
and said so in its final result; an exit code, a printed "12 passed" or anything else
the submission says has no say in it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from grader.exercises import Exercise
from grader.grading.verdict import CheckResult, Verdict
from grader.sandbox.launch import sandbox_tier

MAX_MESSAGE_CHARS = 2000
MAX_OUTPUT_CHARS = 16_000
# Terminal escape sequences (CSI and OSC, 7- and 8-bit), removed whole so that no
# fragment such as "[31m" is left behind.
_ESCAPES = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-_]"
)
# Then everything XML 1.0 and a terminal would take as control: C0 but tab and newline,
# DEL, C1, the Unicode line/paragraph separators, lone surrogates (no encoder writes
# them) and the two non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def grade(
    exercise: Exercise,
    file: Path,
    checks=None,
    on_progress: Callable[[object], None] | None = None,
) -> Verdict:
    """Run `exercise`'s hidden checks against `file` and return the verdict.

    `checks`: a `ChecksProcess` started ahead for `exercise` (used once, closed).
    `on_progress`: called from this thread with display-only training progress, e.g.
    {"epoch": 3, "epochs": 6, "logs": {"loss": 0.2, "accuracy": 0.95}} from the sandbox
    (untrusted: see curves.clean_event), or a curves.Stage from the checks.
    """
    from grader.grading.checks_process import ChecksProcess

    started = time.monotonic()
    sandbox = sandbox_tier().name
    problem = _unreadable(file)
    if problem:
        if checks is not None:
            checks.close()
        return _verdict(exercise, started, {}, sandbox, error=problem[0], default=problem[1])
    process = checks or ChecksProcess(exercise)
    try:
        result = process.run(Path(file).resolve(), on_progress)
    finally:
        process.close()
    died = result.get("died")
    if died is not None:
        message = _grader_stopped(exercise, died)
        output = result.get("output", "")
        # A checks process that crashed (rather than being stopped at a limit) is the
        # grader's failure: batch neither caches it nor counts it as the student's.
        error = died.reason if died.reason in ("memory", "timeout") else "grader"
        return _verdict(exercise, started, {}, sandbox, error=error, default=message,
                        output=output)  # fmt: skip
    messages = result.get("messages", {})
    collection = messages.get("<collection>")
    return _verdict(
        exercise, started, result, sandbox, error=result.get("error"),
        default=collection and f"the checks could not load: {collection}",
        output=result.get("output", ""),
    )  # fmt: skip


def _grader_stopped(exercise: Exercise, died) -> str:
    """The message for every check when the checks process itself had to be stopped."""
    if died.reason == "memory":
        return (
            "checking what your code returned needed more than the grader's "
            f"{exercise.checks_memory_mb} MB of memory (a far too large array or model?)"
        )
    if died.reason == "timeout":
        total = exercise.wall_seconds + exercise.checks_seconds
        return (
            f"grading did not finish within {total:.0f} s: your code, or the checks "
            "running what it returned (a far too large model?), took too long"
        )
    return f"the grader itself failed while checking this submission ({died.detail})"


def _unreadable(file: Path) -> tuple[str, str] | None:
    """(error, message) when the file cannot even be compiled; compiling runs nothing."""
    try:
        source = Path(file).read_bytes()
        compile(source, str(file), "exec", dont_inherit=True)
    except SyntaxError as exc:
        return "syntax", f"your file has a syntax error at line {exc.lineno}: {exc.msg}"
    except (OSError, ValueError) as exc:
        return "crashed", f"the grader cannot read your file: {exc}"
    return None


def clean_text(text: str, limit: int) -> str:
    """Text safe to show anywhere: no terminal escapes or control characters, capped."""
    text = _CONTROL.sub("", _ESCAPES.sub("", str(text)))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _verdict(
    exercise: Exercise,
    started: float,
    result: dict,
    sandbox: str,
    *,
    error: str | None,
    default: str | None = None,
    output: str = "",
) -> Verdict:
    docs = result.get("docs", {})
    finished = set(result.get("finished", []))
    messages = result.get("messages", {})
    results = []
    for check in exercise.checks:
        passed = check.name in finished and check.name not in messages
        if passed:
            message = docs.get(check.name, check.name)
        else:
            message = (
                messages.get(check.name)
                or default
                or "this check did not run (it is missing from the checks file)"
            )
        results.append(
            CheckResult(
                name=check.name,
                passed=passed,
                score=check.points if passed else 0,
                max_score=check.points,
                message=clean_text(message, MAX_MESSAGE_CHARS),
                hint=check.hint,
            )
        )
    score = sum(r.score for r in results)
    return Verdict(
        exercise=exercise.id,
        passed=bool(results) and score == exercise.max_score,
        score=score,
        max_score=exercise.max_score,
        duration_s=time.monotonic() - started,
        checks=tuple(results),
        error=error if isinstance(error, str) or error is None else "crashed",
        sandbox=sandbox,
        output=clean_text(output, MAX_OUTPUT_CHARS),
    )
