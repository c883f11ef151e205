"""Is a course's exercise manifest well formed? Every problem, each with its file:line.

A manifest entry names an exercise's function, limits, hints and checks, and may place it
in one of the manifest's `tracks:` with a difficulty; every check must exist in the
exercise's checks file, with a docstring (its message when it passes) and points.
`mlkata validate` and `mlkata verify` report what `check_manifest` finds.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from keyword import iskeyword
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import yamlsource
from grader.bank import SLUG, BankError
from grader.exercises import DIFFICULTIES, EXERCISE_ID, FORMAT_VERSION, ID_RULE
from grader.messages import say

if TYPE_CHECKING:
    from grader.authoring import Root

ENTRY_KEYS = ("id", "title", "function", "track", "difficulty", "tensorflow", "limits", "hints",
              "checks")  # fmt: skip
TRACK_KEYS = ("id", "title", "description")
CHECK_KEYS = ("name", "points", "hint", "visibility")
# Who sees a check on Gradescope (its `visibility`); the default is the export's --visibility.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
LIMIT_KEYS = (
    "wall_seconds",
    "memory_mb",
    "scratch_mb",
    "checks_seconds",
    "checks_memory_mb",
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# grader.exercises.ID_RULE in Chinese.
ID_RULE_ZH = "必须由小写字母和数字组成，单词之间用 _ 连接（例如 softmax_ce）"


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
        self.tracks: dict[str, int] = {}  # declared track id -> its line

    def error(self, line: int | None, field: str, message: str) -> None:
        self.errors.append(BankError(self.root.manifest, line, field, message))

    def unknown(self, data: yamlsource.LineDict, allowed: tuple[str, ...], prefix: str = ""):
        for key in data:
            if key not in allowed:
                self.error(
                    data.lines[key],
                    prefix + str(key),
                    say(en="unknown key; allowed: ", zh="未知的键；允许的键：")
                    + ", ".join(allowed),
                )

    def read(self, data: Any) -> list[ExerciseInfo]:
        if not isinstance(data, yamlsource.LineDict):
            self.error(
                1,
                "",
                say(
                    en="the manifest is a mapping with format_version and exercises",
                    zh="清单是一个包含 format_version 和 exercises 的映射",
                ),
            )
            return []
        self.unknown(data, ("format_version", "tracks", "exercises"))
        if data.get("format_version") != FORMAT_VERSION:
            line = data.lines.get("format_version", data.line)
            self.error(
                line,
                "format_version",
                say(en=f"must be {FORMAT_VERSION}", zh=f"必须是 {FORMAT_VERSION}"),
            )
        if "tracks" in data:
            self.read_tracks(data["tracks"], data.lines["tracks"])
        entries = data.get("exercises")
        if not isinstance(entries, yamlsource.LineList):
            line = data.lines.get("exercises", data.line)
            self.error(
                line, "exercises", say(en="must be a list of exercises", zh="必须是练习的列表")
            )
            return []
        infos = [self.entry(e, line) for e, line in zip(entries, entries.lines, strict=True)]
        return [info for info in infos if info]

    def read_tracks(self, tracks: Any, line: int) -> None:
        if not isinstance(tracks, yamlsource.LineList) or not tracks:
            self.error(
                line,
                "tracks",
                say(
                    en="must be a list of tracks (id, title, description)",
                    zh="必须是路线的列表（id、title、description）",
                ),
            )
            return
        for i, (track, tline) in enumerate(zip(tracks, tracks.lines, strict=True)):
            field = f"tracks[{i}]"
            if not isinstance(track, yamlsource.LineDict):
                self.error(
                    tline,
                    field,
                    say(
                        en="each track is a mapping (id, title, description)",
                        zh="每条路线是一个映射（id、title、description）",
                    ),
                )
                continue
            self.unknown(track, TRACK_KEYS, field + ".")
            for key in TRACK_KEYS:
                if key not in track:
                    self.error(track.line, f"{field}.{key}", say(en="missing", zh="缺少"))
                elif key != "id" and not _is_text(track[key]):
                    self.error(track.lines[key], f"{field}.{key}",
                               say(en="must be text or {en: ..., zh: ...}",
                                   zh="必须是文本或 {en: ..., zh: ...}"))  # fmt: skip
            tid, at = track.get("id"), track.lines.get("id")
            if "id" not in track:
                continue
            if not isinstance(tid, str) or not SLUG.match(tid):
                self.error(
                    at,
                    f"{field}.id",
                    say(
                        en=f"{tid!r} must be a slug (a-z, 0-9, dashes)",
                        zh=f"{tid!r} 必须是 slug（a-z、0-9 和连字符）",
                    ),
                )
            elif tid in self.tracks:
                first = self.tracks[tid]
                self.error(
                    at,
                    f"{field}.id",
                    say(
                        en=f"duplicate track id {tid!r} (first at line {first})",
                        zh=f"重复的路线 id {tid!r}（第一次出现在第 {first} 行）",
                    ),
                )
            else:
                self.tracks[tid] = at

    def placement(self, entry: yamlsource.LineDict) -> None:
        """The exercise's `track` (one the manifest declares) and `difficulty`."""
        track = entry.get("track")
        if "track" in entry and not (isinstance(track, str) and track in self.tracks):
            known = say(en=", ", zh="、").join(self.tracks) or say(
                en="none: declare them under `tracks:`", zh="无：请在 `tracks:` 下声明"
            )
            self.error(entry.lines["track"], "track",
                       say(en=f"unknown track {track!r}; tracks: {known}",
                           zh=f"未知的路线 {track!r}；现有路线：{known}"))  # fmt: skip
        difficulty = entry.get("difficulty")
        if "difficulty" in entry and difficulty not in DIFFICULTIES:
            self.error(entry.lines["difficulty"], "difficulty",
                       say(en=f"{difficulty!r} must be one of {', '.join(DIFFICULTIES)}",
                           zh=f"{difficulty!r} 必须是 {'、'.join(DIFFICULTIES)} 之一"))  # fmt: skip

    def entry(self, entry: Any, line: int) -> ExerciseInfo | None:
        if not isinstance(entry, yamlsource.LineDict):
            self.error(
                line,
                "exercises",
                say(
                    en="each exercise is a mapping (id: ..., function: ...)",
                    zh="每个练习是一个映射（id: ...，function: ...）",
                ),
            )
            return None
        at = entry.lines.get
        self.unknown(entry, ENTRY_KEYS)
        for key in ("id", "title", "function", "hints", "checks"):
            if key not in entry:
                self.error(entry.line, key, say(en="missing", zh="缺少"))
        eid = entry.get("id")
        if "id" in entry and (not isinstance(eid, str) or not EXERCISE_ID.match(eid)):
            self.error(at("id"), "id", say(en=f"{eid!r} {ID_RULE}", zh=f"{eid!r} {ID_RULE_ZH}"))
            eid = None
        elif eid in self.seen:
            self.error(
                at("id"),
                "id",
                say(
                    en=f"duplicate exercise id {eid!r} (first at line {self.seen[eid]})",
                    zh=f"重复的练习 id {eid!r}（第一次出现在第 {self.seen[eid]} 行）",
                ),
            )
            return None
        elif eid:
            self.seen[eid] = at("id")
        if "title" in entry and not _is_text(entry["title"]):
            self.error(
                at("title"),
                "title",
                say(en="must be text or {en: ..., zh: ...}", zh="必须是文本或 {en: ..., zh: ...}"),
            )
        function = entry.get("function")
        if "function" in entry and not _function_name(function):
            self.error(
                at("function"),
                "function",
                say(
                    en=f"{function!r} is not a Python function name",
                    zh=f"{function!r} 不是合法的 Python 函数名",
                ),
            )
        self.placement(entry)
        if not isinstance(entry.get("tensorflow", False), bool):
            self.error(
                at("tensorflow"),
                "tensorflow",
                say(en="must be true or false", zh="必须是 true 或 false"),
            )
        self.limits(entry)
        hints = entry.get("hints")
        if "hints" in entry and not (isinstance(hints, list) and hints
                                     and all(_is_text(h) for h in hints)):  # fmt: skip
            self.error(
                at("hints"),
                "hints",
                say(
                    en="give a non-empty list of hints (text or {en, zh})",
                    zh="请给出非空的提示列表（文本或 {en, zh}）",
                ),
            )
        checks = entry.get("checks")
        if not isinstance(checks, yamlsource.LineList) or not checks:
            if "checks" in entry:
                self.error(
                    at("checks"),
                    "checks",
                    say(en="give a non-empty list of checks", zh="请给出非空的检查列表"),
                )
            checks = yamlsource.LineList()
            checks.lines = []
        return self.files_and_checks(eid, at("id"), at("checks"), checks) if eid else None

    def files_and_checks(self, eid: str, id_line: int, line: int, checks) -> ExerciseInfo:
        checks_file = self.root.checks / f"test_{eid}.py"
        files = {"stub": self.root.exercises_dir / f"{eid}.py",
                 "solution": self.root.solutions / f"{eid}.py", "checks": checks_file}  # fmt: skip
        for role, file in files.items():
            if not file.is_file():
                self.error(
                    id_line,
                    "id",
                    say(
                        en=f"the {role} file {file} does not exist", zh=f"{role} 文件 {file} 不存在"
                    ),
                )
        defined = check_functions(checks_file) if checks_file.is_file() else None
        points = sum(
            self.check(c, cline, f"checks[{i}]", defined)
            for i, (c, cline) in enumerate(zip(checks, checks.lines, strict=True))
        )
        listed = {c.get("name") for c in checks if isinstance(c, dict)}
        for name in sorted(set(defined or {}) - listed):
            self.error(
                line,
                "checks",
                say(
                    en=f"{name} is in {checks_file.name} but not listed here",
                    zh=f"{name} 在 {checks_file.name} 中，但没有列在这里",
                ),
            )
        return ExerciseInfo(eid, len(checks), points)

    def limits(self, entry: yamlsource.LineDict) -> None:
        limits = entry.get("limits")
        if "limits" in entry and not isinstance(limits, yamlsource.LineDict):
            self.error(
                entry.lines["limits"],
                "limits",
                say(
                    en="must be {wall_seconds: N, memory_mb: N}",
                    zh="必须是 {wall_seconds: N, memory_mb: N}",
                ),
            )
            return
        self.unknown(limits or yamlsource.LineDict(), LIMIT_KEYS, "limits.")
        for key, value in (limits or {}).items():
            if key in LIMIT_KEYS and (not _is_number(value) or value <= 0):
                self.error(
                    limits.lines[key],
                    f"limits.{key}",
                    say(
                        en=f"must be a positive number, not {value!r}",
                        zh=f"必须是正数，而不是 {value!r}",
                    ),
                )

    def check(self, check: Any, line: int, field: str, defined: dict | None) -> int:
        if not isinstance(check, yamlsource.LineDict):
            self.error(
                line,
                field,
                say(
                    en="each check is a mapping (name, points, hint)",
                    zh="每项检查是一个映射（name、points、hint）",
                ),
            )
            return 0
        at = check.lines.get
        self.unknown(check, CHECK_KEYS, field + ".")
        name = check.get("name")
        if not (isinstance(name, str) and name.startswith("test_") and _IDENTIFIER.match(name)):
            self.error(
                at("name", line),
                f"{field}.name",
                say(en=f"{name!r} is not a test function name", zh=f"{name!r} 不是测试函数名"),
            )
        elif defined is not None and name not in defined:
            self.error(
                at("name"),
                f"{field}.name",
                say(
                    en=f"no test function {name} in the checks file",
                    zh=f"检查文件中没有测试函数 {name}",
                ),
            )
        elif defined is not None and not defined[name]:
            self.error(
                at("name"),
                f"{field}.name",
                say(
                    en=f"{name} has no docstring: learners see it as its message",
                    zh=f"{name} 没有文档字符串：学习者会把它当作检查的说明",
                ),
            )
        points = check.get("points")
        if not (isinstance(points, int) and not isinstance(points, bool) and points > 0):
            self.error(
                at("points", line),
                f"{field}.points",
                say(
                    en=f"must be a whole number > 0, not {points!r}",
                    zh=f"必须是大于 0 的整数，而不是 {points!r}",
                ),
            )
            points = 0
        if not _is_text(check.get("hint")):
            self.error(
                at("hint", line),
                f"{field}.hint",
                say(
                    en="missing: the hint shown when this check fails",
                    zh="缺少：这项检查失败时显示的提示",
                ),
            )
        if "visibility" in check and check["visibility"] not in VISIBILITIES:
            seen = check["visibility"]
            self.error(at("visibility", line), f"{field}.visibility",
                       say(en=f"{seen!r}: use {', '.join(VISIBILITIES)}",
                           zh=f"{seen!r}：请使用 {'、'.join(VISIBILITIES)} 之一"))  # fmt: skip
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


def _function_name(value: Any) -> bool:
    """A name a learner can `def`: an identifier that is not a keyword (`class`, `def`)."""
    return isinstance(value, str) and bool(_IDENTIFIER.match(value)) and not iskeyword(value)


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
