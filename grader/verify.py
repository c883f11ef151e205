"""Prove a course's exercises: a well-formed manifest, full marks for every reference
solution, a failing stub, and a points value and a message for every check."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from grader import yamlsource
from grader.bank import SLUG, BankCounts, BankError, counts, load_banks
from grader.errors import UserError
from grader.exercises import FORMAT_VERSION, MANIFEST_NAME, Exercise
from grader.grading.verdict import Verdict

ENTRY_KEYS = ("id", "title", "function", "tensorflow", "limits", "hints", "checks")
CHECK_KEYS = ("name", "points", "hint")
LIMIT_KEYS = ("wall_seconds", "memory_mb")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ExerciseInfo:
    """What `validate` counts for one exercise of the manifest."""

    id: str
    checks: int
    points: int


def check_manifest(
    path: Path, exercises_dir: Path, solutions_dir: Path, checks_dir: Path
) -> tuple[list[ExerciseInfo], list[BankError]]:
    """Every problem in the manifest at `path`, each with its line; the exercises read."""
    errors: list[BankError] = []

    def error(line: int | None, field: str, message: str) -> None:
        errors.append(BankError(path, line, field, message))

    try:
        data = yamlsource.load(path)
    except yamlsource.SourceError as exc:
        return [], [BankError(exc.path, exc.line, "", exc.message)]
    if not isinstance(data, yamlsource.LineDict):
        error(1, "", "the manifest is a mapping with format_version and exercises")
        return [], errors
    for key in data:
        if key not in ("format_version", "exercises"):
            error(data.lines[key], str(key), "unknown key; allowed: format_version, exercises")
    if data.get("format_version") != FORMAT_VERSION:
        line = data.lines.get("format_version", data.line)
        error(line, "format_version", f"must be {FORMAT_VERSION}")
    entries = data.get("exercises")
    if not isinstance(entries, yamlsource.LineList):
        error(data.lines.get("exercises", data.line), "exercises", "must be a list of exercises")
        return [], errors
    seen: dict[str, int] = {}
    infos = []
    for entry, line in zip(entries, entries.lines, strict=True):
        info = _entry(entry, line, seen, error, (exercises_dir, solutions_dir, checks_dir))
        if info:
            infos.append(info)
    errors.sort(key=lambda e: e.line or 0)
    return infos, errors


def _entry(entry: Any, line: int, seen: dict, error: Callable, dirs) -> ExerciseInfo | None:
    if not isinstance(entry, yamlsource.LineDict):
        error(line, "exercises", "each exercise is a mapping (id: ..., function: ...)")
        return None
    at = entry.lines.get
    for key in entry:
        if key not in ENTRY_KEYS:
            error(at(key), str(key), f"unknown key; allowed: {', '.join(ENTRY_KEYS)}")
    for key in ("id", "title", "function", "hints", "checks"):
        if key not in entry:
            error(entry.line, key, "missing")
    eid = entry.get("id")
    if "id" in entry and (not isinstance(eid, str) or not SLUG.match(eid) or "-" in eid):
        error(at("id"), "id", f"{eid!r} must be lowercase letters and digits (it names files)")
        eid = None
    elif eid in seen:
        error(at("id"), "id", f"duplicate exercise id {eid!r} (first at line {seen[eid]})")
        return None
    elif eid:
        seen[eid] = at("id")
    if "title" in entry and not _is_text(entry["title"]):
        error(at("title"), "title", "must be text or {en: ..., zh: ...}")
    function = entry.get("function")
    if "function" in entry and not (isinstance(function, str) and _IDENTIFIER.match(function)):
        error(at("function"), "function", f"{function!r} is not a Python function name")
    if "tensorflow" in entry and not isinstance(entry["tensorflow"], bool):
        error(at("tensorflow"), "tensorflow", "must be true or false")
    _limits(entry, error)
    hints = entry.get("hints")
    if "hints" in entry and not (
        isinstance(hints, list) and hints and all(_is_text(h) for h in hints)
    ):
        error(at("hints"), "hints", "give a non-empty list of hints (text or {en, zh})")
    checks = entry.get("checks")
    if "checks" in entry and not (isinstance(checks, yamlsource.LineList) and checks):
        error(at("checks"), "checks", "give a non-empty list of checks")
        checks = None
    if not eid:
        return None
    exercises_dir, solutions_dir, checks_dir = dirs
    files = {
        "stub": exercises_dir / f"{eid}.py",
        "solution": solutions_dir / f"{eid}.py",
        "checks": checks_dir / f"test_{eid}.py",
    }
    for role, file in files.items():
        if not file.is_file():
            error(at("id"), "id", f"the {role} file {file} does not exist")
    defined = check_functions(files["checks"]) if files["checks"].is_file() else None
    points = 0
    for i, (check, cline) in enumerate(zip(checks or [], (checks or []).lines or [], strict=True)):
        points += _check(check, cline, f"checks[{i}]", defined, error)
    listed = {c.get("name") for c in checks or [] if isinstance(c, dict)}
    for name in sorted(set(defined or {}) - listed):
        error(at("checks"), "checks", f"{name} is in {files['checks'].name} but not listed here")
    return ExerciseInfo(eid, len(checks or []), points)


def _limits(entry: yamlsource.LineDict, error: Callable) -> None:
    limits = entry.get("limits")
    if "limits" not in entry:
        return
    if not isinstance(limits, yamlsource.LineDict):
        error(entry.lines["limits"], "limits", "must be {wall_seconds: N, memory_mb: N}")
        return
    for key, value in limits.items():
        if key not in LIMIT_KEYS:
            error(
                limits.lines[key], f"limits.{key}", "unknown key; allowed: " + ", ".join(LIMIT_KEYS)
            )
        elif not _is_number(value) or value <= 0:
            error(limits.lines[key], f"limits.{key}", f"must be a positive number, not {value!r}")


def _check(check: Any, line: int, field: str, defined: dict | None, error: Callable) -> int:
    if not isinstance(check, yamlsource.LineDict):
        error(line, field, "each check is a mapping (name, points, hint)")
        return 0
    at = check.lines.get
    for key in check:
        if key not in CHECK_KEYS:
            error(at(key), f"{field}.{key}", "unknown key; allowed: name, points, hint")
    name = check.get("name")
    if not (isinstance(name, str) and name.startswith("test_") and _IDENTIFIER.match(name)):
        error(at("name", line), f"{field}.name", f"{name!r} is not a test function name (test_...)")
    elif defined is not None and name not in defined:
        error(at("name"), f"{field}.name", f"no test function {name} in the checks file")
    elif defined is not None and not defined[name]:
        error(
            at("name"), f"{field}.name", f"{name} has no docstring: learners see it as its message"
        )
    points = check.get("points")
    if not (isinstance(points, int) and not isinstance(points, bool) and points > 0):
        error(at("points", line), f"{field}.points", f"must be a whole number > 0, not {points!r}")
        points = 0
    if not _is_text(check.get("hint")):
        error(at("hint", line), f"{field}.hint", "missing: the hint shown when this check fails")
    return points


def check_functions(checks_file: Path) -> dict[str, bool]:
    """Test functions defined at the top of a checks file -> whether each has a docstring."""
    try:
        tree = ast.parse(checks_file.read_bytes(), str(checks_file))
    except (OSError, SyntaxError, ValueError):
        return {}
    return {
        node.name: bool((ast.get_docstring(node) or "").strip())
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def _is_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return (
        isinstance(value, dict)
        and bool(value)
        and all(k in ("en", "zh") and isinstance(v, str) and v.strip() for k, v in value.items())
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- proving by grading -------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    """One exercise proved (or not): its solution's and stub's verdicts and the problems."""

    exercise: str
    solution: Verdict
    stub: Verdict
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def prove(exercise: Exercise, on_step: Callable[[str], None] | None = None) -> Proof:
    """Grade the reference solution (must score full marks) and the stub (must fail)."""
    from grader.grading.runner import grade

    problems: list[str] = []
    for check in exercise.checks:
        if check.points <= 0:
            problems.append(f"check {check.name} has no points")
    if on_step:
        on_step("solution")
    solution = grade(exercise, exercise.solution_path)
    if not solution.passed:
        failed = [c for c in solution.checks if not c.passed]
        problems.append(
            f"the reference solution scores {solution.score}/{solution.max_score}"
            + (f" ({solution.error})" if solution.error else "")
        )
        problems += [f"  {c.name}: {c.message}" for c in failed]
    if on_step:
        on_step("stub")
    stub = grade(exercise, exercise.stub_path)
    if stub.passed:
        problems.append("the stub passes every check: learners would score full marks for nothing")
    if "TODO" not in _text(exercise.stub_path):
        problems.append(f"the stub {exercise.stub_path.name} has no TODO marker for the learner")
    for check in solution.checks:
        if check.message in ("", check.name):
            problems.append(f"check {check.name} has no message (give its test a docstring)")
    return Proof(exercise.id, solution, stub, tuple(problems))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# -- validating banks and manifests together ------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What `mlkata validate` found: every error, and counts of what is valid."""

    errors: tuple[BankError, ...]
    banks: tuple[BankCounts, ...]
    exercises: tuple[ExerciseInfo, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": [
                {"file": str(e.path), "line": e.line, "field": e.field, "message": e.message}
                for e in self.errors
            ],
            "banks": [
                {
                    "topic": c.topic,
                    "file": str(c.path),
                    "questions": c.questions,
                    "by_type": c.by_type,
                    "by_difficulty": c.by_difficulty,
                    "by_language": c.by_language,
                }
                for c in self.banks
            ],
            "exercises": [asdict(e) for e in self.exercises],
        }


def validate(paths: list[Path]) -> Report:
    """Validate the banks and manifests `paths` name (default: the shipped ones)."""
    from grader.authoring import Root

    if paths:
        bank_paths, roots = _classify(paths)
    else:
        bank_paths, roots = [Root().questions], [Root()] if Root().manifest.is_file() else []
    loaded = load_banks(bank_paths)
    errors = list(loaded.errors)
    infos: list[ExerciseInfo] = []
    for root in roots:
        found, problems = check_manifest(
            root.manifest, root.exercises_dir, root.solutions, root.checks
        )
        infos += found
        errors += problems
    return Report(tuple(errors), tuple(counts(b) for b in loaded.banks), tuple(infos))


def _classify(paths: list[Path]):
    """Split PATHs into bank files/folders and course roots (one per manifest)."""
    from grader.authoring import Root

    banks: list[Path] = []
    roots: list[Root] = []
    for path in map(Path, paths):
        if not path.exists():
            raise UserError(f"no such file or folder: {path}")
        if path.is_dir() and ((path / "questions").is_dir() or (path / "exercises").is_dir()):
            banks += [path / "questions"] if (path / "questions").is_dir() else []
            if (path / "exercises").is_dir():
                roots.append(_root_of(path / "exercises" / MANIFEST_NAME))
        elif path.is_dir():
            banks += sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".yaml", ".yml") and p.name != MANIFEST_NAME
            )
            if (path / MANIFEST_NAME).is_file():
                roots.append(_root_of(path / MANIFEST_NAME))
        elif path.name == MANIFEST_NAME:
            roots.append(_root_of(path))
        else:
            banks.append(path)
    return banks, roots


def _root_of(manifest: Path):
    from grader.authoring import Root

    if manifest.resolve() == Root().manifest.resolve():
        return Root()
    return Root(manifest.parent.parent)
