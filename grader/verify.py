"""Prove a course's exercises: a well-formed manifest, full marks for every reference
solution, a failing stub, and a points value and a message for every check."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import yamlsource
from grader.bank import SLUG, BankCounts, BankError, counts, load_banks
from grader.errors import UserError
from grader.exercises import FORMAT_VERSION, MANIFEST_NAME, Exercise
from grader.grading.verdict import Verdict

if TYPE_CHECKING:
    from grader.authoring import Root

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


def check_manifest(root: Root) -> tuple[list[ExerciseInfo], list[BankError]]:
    """Every problem in `root`'s manifest, each with its line; and the exercises read."""
    try:
        data = yamlsource.load(root.manifest)
    except yamlsource.SourceError as exc:
        return [], [BankError(exc.path, exc.line, "", exc.message)]
    reader = _ManifestReader(root)
    infos = reader.read(data)
    return infos, sorted(reader.errors, key=lambda e: e.line or 0)


class _ManifestReader:
    def __init__(self, root: Root) -> None:
        self.root = root
        self.errors: list[BankError] = []
        self.seen: dict[str, int] = {}

    def error(self, line: int | None, field: str, message: str) -> None:
        self.errors.append(BankError(self.root.manifest, line, field, message))

    def unknown(self, data: yamlsource.LineDict, allowed: tuple[str, ...], prefix: str = ""):
        for key in data:
            if key not in allowed:
                self.error(data.lines[key], prefix + str(key), "unknown key; allowed: "
                           + ", ".join(allowed))  # fmt: skip

    def read(self, data: Any) -> list[ExerciseInfo]:
        if not isinstance(data, yamlsource.LineDict):
            self.error(1, "", "the manifest is a mapping with format_version and exercises")
            return []
        self.unknown(data, ("format_version", "exercises"))
        if data.get("format_version") != FORMAT_VERSION:
            line = data.lines.get("format_version", data.line)
            self.error(line, "format_version", f"must be {FORMAT_VERSION}")
        entries = data.get("exercises")
        if not isinstance(entries, yamlsource.LineList):
            line = data.lines.get("exercises", data.line)
            self.error(line, "exercises", "must be a list of exercises")
            return []
        infos = [self.entry(e, line) for e, line in zip(entries, entries.lines, strict=True)]
        return [info for info in infos if info]

    def entry(self, entry: Any, line: int) -> ExerciseInfo | None:
        if not isinstance(entry, yamlsource.LineDict):
            self.error(line, "exercises", "each exercise is a mapping (id: ..., function: ...)")
            return None
        at = entry.lines.get
        self.unknown(entry, ENTRY_KEYS)
        for key in ("id", "title", "function", "hints", "checks"):
            if key not in entry:
                self.error(entry.line, key, "missing")
        eid = entry.get("id")
        if "id" in entry and (not isinstance(eid, str) or not SLUG.match(eid) or "-" in eid):
            self.error(at("id"), "id", f"{eid!r} must be lowercase letters and digits")
            eid = None
        elif eid in self.seen:
            self.error(at("id"), "id", f"duplicate exercise id {eid!r} (first at line "
                       f"{self.seen[eid]})")  # fmt: skip
            return None
        elif eid:
            self.seen[eid] = at("id")
        if "title" in entry and not _is_text(entry["title"]):
            self.error(at("title"), "title", "must be text or {en: ..., zh: ...}")
        function = entry.get("function")
        if "function" in entry and not (isinstance(function, str) and _IDENTIFIER.match(function)):
            self.error(at("function"), "function", f"{function!r} is not a Python function name")
        if not isinstance(entry.get("tensorflow", False), bool):
            self.error(at("tensorflow"), "tensorflow", "must be true or false")
        self.limits(entry)
        hints = entry.get("hints")
        if "hints" in entry and not (isinstance(hints, list) and hints
                                     and all(_is_text(h) for h in hints)):  # fmt: skip
            self.error(at("hints"), "hints", "give a non-empty list of hints (text or {en, zh})")
        checks = entry.get("checks")
        if not isinstance(checks, yamlsource.LineList) or not checks:
            if "checks" in entry:
                self.error(at("checks"), "checks", "give a non-empty list of checks")
            checks = yamlsource.LineList()
            checks.lines = []
        return self.files_and_checks(eid, at("id"), at("checks"), checks) if eid else None

    def files_and_checks(self, eid: str, id_line: int, line: int, checks) -> ExerciseInfo:
        checks_file = self.root.checks / f"test_{eid}.py"
        files = {"stub": self.root.exercises_dir / f"{eid}.py",
                 "solution": self.root.solutions / f"{eid}.py", "checks": checks_file}  # fmt: skip
        for role, file in files.items():
            if not file.is_file():
                self.error(id_line, "id", f"the {role} file {file} does not exist")
        defined = check_functions(checks_file) if checks_file.is_file() else None
        points = sum(
            self.check(c, cline, f"checks[{i}]", defined)
            for i, (c, cline) in enumerate(zip(checks, checks.lines, strict=True))
        )
        listed = {c.get("name") for c in checks if isinstance(c, dict)}
        for name in sorted(set(defined or {}) - listed):
            self.error(line, "checks", f"{name} is in {checks_file.name} but not listed here")
        return ExerciseInfo(eid, len(checks), points)

    def limits(self, entry: yamlsource.LineDict) -> None:
        limits = entry.get("limits")
        if "limits" in entry and not isinstance(limits, yamlsource.LineDict):
            self.error(entry.lines["limits"], "limits", "must be {wall_seconds: N, memory_mb: N}")
            return
        self.unknown(limits or yamlsource.LineDict(), LIMIT_KEYS, "limits.")
        for key, value in (limits or {}).items():
            if key in LIMIT_KEYS and (not _is_number(value) or value <= 0):
                self.error(limits.lines[key], f"limits.{key}",
                           f"must be a positive number, not {value!r}")  # fmt: skip

    def check(self, check: Any, line: int, field: str, defined: dict | None) -> int:
        if not isinstance(check, yamlsource.LineDict):
            self.error(line, field, "each check is a mapping (name, points, hint)")
            return 0
        at = check.lines.get
        self.unknown(check, CHECK_KEYS, field + ".")
        name = check.get("name")
        if not (isinstance(name, str) and name.startswith("test_") and _IDENTIFIER.match(name)):
            self.error(at("name", line), f"{field}.name", f"{name!r} is not a test function name")
        elif defined is not None and name not in defined:
            self.error(at("name"), f"{field}.name", f"no test function {name} in the checks file")
        elif defined is not None and not defined[name]:
            self.error(at("name"), f"{field}.name",
                       f"{name} has no docstring: learners see it as its message")  # fmt: skip
        points = check.get("points")
        if not (isinstance(points, int) and not isinstance(points, bool) and points > 0):
            self.error(at("points", line), f"{field}.points",
                       f"must be a whole number > 0, not {points!r}")  # fmt: skip
            points = 0
        if not _is_text(check.get("hint")):
            self.error(at("hint", line), f"{field}.hint",
                       "missing: the hint shown when this check fails")  # fmt: skip
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
            "banks": [{**asdict(c), "path": str(c.path)} for c in self.banks],
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
        found, problems = check_manifest(root)
        infos += found
        errors += problems
    return Report(tuple(errors), tuple(counts(b) for b in loaded.banks), tuple(infos))


def _classify(paths: list[Path]):
    """Split PATHs into bank files/folders and course roots (one per manifest)."""

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
