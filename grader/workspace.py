"""A learner's workspace: their own copies of the stubs, and where each exercise stands.

`mlkata init` copies every stub into a folder marked by `.mlkata-workspace.json`,
so an update of mlkata never touches the learner's work. Status comes from the
grade history in the progress database, compared with the files in the folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader import __version__, progress
from grader.errors import UserError
from grader.exercises import (
    MANIFEST_NAME,
    Exercise,
    get_exercise,
    load_manifest,
    load_tracks,
    track_exercises,
)
from grader.messages import say

UTC = timezone.utc  # (datetime has its own UTC only from 3.11; Gradescope runs 3.10)

MARKER = ".mlkata-workspace.json"
BACKUPS = ".mlkata-backups"
FORMAT_VERSION = 1
DEFAULT_DIR = "mlkata"

NOT_STARTED, STARTED, FAILING, PASSED = "not started", "started", "failing", "passed"


@dataclass(frozen=True)
class Workspace:
    root: Path
    exercises: tuple[str, ...]  # ids, in the order they were copied in
    stubs: dict[str, str]  # id -> sha256 of the stub as copied

    def file(self, exercise_id: str) -> Path:
        return self.root / f"{exercise_id}.py"


@dataclass(frozen=True)
class InitResult:
    workspace: Workspace
    created: tuple[Path, ...]
    kept: tuple[Path, ...]  # learner files already there, left untouched


@dataclass(frozen=True)
class Status:
    """Where one exercise stands, as `mlkata list` shows it."""

    exercise: Exercise
    state: str  # not started | started (edited, never graded) | failing | passed
    failing_checks: int | None  # of the latest grade; None when points do not tell
    best_score: float | None
    latest_score: float | None
    attempts: int
    last_attempt: datetime | None
    edited: bool  # the file changed since its latest grade
    file: Path | None  # the learner's copy, inside a workspace

    @property
    def total_checks(self) -> int:
        return len(self.exercise.checks)

    def to_dict(self, lang: str = "en") -> dict:
        """The `--json` form, also what `mlkata stats` can show."""
        stamp = self.last_attempt
        return {
            "exercise": self.exercise.id,
            "title": self.exercise.title(lang),
            "track": self.exercise.track,
            "difficulty": self.exercise.difficulty,
            "status": self.state,
            "failing_checks": self.failing_checks,
            "total_checks": self.total_checks,
            "best_score": self.best_score,
            "latest_score": self.latest_score,
            "max_score": self.exercise.max_score,
            "attempts": self.attempts,
            "last_attempt": stamp.isoformat(timespec="seconds") if stamp else None,
            "edited_since_last_attempt": self.edited,
            "file": str(self.file) if self.file else None,
        }


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def find(start: Path | None = None) -> Workspace | None:
    """The workspace holding `start` (default: the current directory), if any."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        marker = folder / MARKER
        if marker.is_file():
            return _read(marker)
    return None


def require(start: Path | None = None) -> Workspace:
    workspace = find(start)
    if workspace is None:
        raise UserError(
            say(en="not inside an mlkata workspace; create one with `mlkata init` and cd into it",
                zh="当前不在 mlkata 练习目录中；先用 `mlkata init` 创建一个，再 cd 进去")
        )  # fmt: skip
    return workspace


def learner_file(exercise: Exercise) -> Path | None:
    """The learner's copy of `exercise` when the current directory is in a workspace."""
    workspace = find()
    if workspace is None:
        return None
    file = workspace.file(exercise.id)
    if not file.is_file():
        action = (
            f"restore it with `mlkata reset {exercise.id}`"
            if exercise.id in workspace.exercises
            else "run `mlkata init` there to add the exercises it lacks"
        )
        raise UserError(
            say(
                en=f"your workspace {workspace.root} has no {file.name}; {action}",
                zh=f"你的练习目录 {workspace.root} 中没有 {file.name}；{action}",
            )
        )
    return file


def counts_for_status(exercise: Exercise, file: Path) -> bool:
    """Does grading `file` update `exercise`'s status? Outside a workspace, every grading
    does; inside one, only a grading of the workspace's own copy of that exercise (a slip
    like `mlkata grade normalize cnn.py` must not turn a passed exercise into a failing one)."""
    workspace = find()
    if workspace is None:
        return True
    return Path(file).resolve() == workspace.file(exercise.id).resolve()


def init(
    directory: Path | None = None,
    manifest: list[Exercise] | None = None,
    track: str | None = None,
) -> InitResult:
    """Create a workspace (or add new exercises to one): every exercise, or one track's;
    never overwrites a learner's file. An unknown track raises UnknownTrack."""
    exercises = manifest if manifest is not None else load_manifest()
    if track is not None:
        tracks = load_tracks(exercises[0].exercises_dir / MANIFEST_NAME) if exercises else []
        exercises = track_exercises(track, exercises, tracks)
    current = find()
    if directory is None:
        root = current.root if current else Path(DEFAULT_DIR).resolve()
    else:
        root = directory.resolve()
    existing = find(root) if root.exists() else None
    if existing is None and root.exists():
        if not root.is_dir():
            raise UserError(
                say(en=f"{root} is a file, not a folder", zh=f"{root} 是文件，不是文件夹")
            )
        if any(root.iterdir()):
            raise UserError(
                say(en=f"{root} is not empty and is not an mlkata workspace; "
                    "choose a new folder, e.g. `mlkata init mlkata`",
                    zh=f"{root} 不是空文件夹，也不是 mlkata 练习目录；"
                    "请换一个新文件夹，例如 `mlkata init mlkata`")
            )  # fmt: skip
    if existing is not None and existing.root != root:
        raise UserError(
            say(
                en=f"{root} is inside the workspace {existing.root}; use that one",
                zh=f"{root} 位于练习目录 {existing.root} 之内；请直接使用那个目录",
            )
        )
    if existing is None:
        for parent in root.parents:
            if (parent / MARKER).is_file():
                raise UserError(
                    say(
                        en=f"{root} is inside the workspace {parent}; use that one",
                        zh=f"{root} 位于练习目录 {parent} 之内；请直接使用那个目录",
                    )
                )
    try:
        root.mkdir(parents=True, exist_ok=True)
        ids = list(existing.exercises) if existing else []
        stubs = dict(existing.stubs) if existing else {}
        created, kept = [], []
        for exercise in exercises:
            target = root / f"{exercise.id}.py"
            if target.exists():
                kept.append(target)
            else:
                shutil.copyfile(exercise.stub_path, target)
                created.append(target)
                stubs[exercise.id] = digest(exercise.stub_path)
            if exercise.id not in ids:
                ids.append(exercise.id)
        workspace = Workspace(root, tuple(ids), stubs)
        _write(workspace)
    except OSError as exc:
        raise UserError(
            say(
                en=f"cannot create the workspace {root}: {exc}",
                zh=f"无法创建练习目录 {root}：{exc}",
            )
        ) from None
    return InitResult(workspace, tuple(created), tuple(kept))


def reset(workspace: Workspace, exercise: Exercise, now: datetime | None = None) -> Path | None:
    """Put the stub back; returns where the learner's file was kept (None if there was none)."""
    target = workspace.file(exercise.id)
    backup = None
    try:
        if target.exists():
            stamp = (now or datetime.now(UTC)).astimezone().strftime("%Y%m%d-%H%M%S")
            backup = workspace.root / BACKUPS / f"{exercise.id}-{stamp}.py"
            backup.parent.mkdir(exist_ok=True)
            n = 1
            while backup.exists():
                n += 1
                backup = backup.with_name(f"{exercise.id}-{stamp}-{n}.py")
            shutil.copy2(target, backup)
        shutil.copyfile(exercise.stub_path, target)
    except OSError as exc:
        raise UserError(
            say(en=f"cannot reset {target}: {exc}", zh=f"无法重置 {target}：{exc}")
        ) from None
    ids = workspace.exercises + (() if exercise.id in workspace.exercises else (exercise.id,))
    _write(Workspace(workspace.root, ids, {**workspace.stubs, exercise.id: digest(target)}))
    return backup


def statuses(
    workspace: Workspace | None = None, manifest: list[Exercise] | None = None
) -> list[Status]:
    """Every exercise (the workspace's, else the manifest's) and its status, in course
    order: track by track, as the manifest lists them."""
    exercises = manifest if manifest is not None else load_manifest()
    if workspace is not None:
        exercises = [e for e in exercises if e.id in workspace.exercises]
    history: dict[str, list[progress.Grade]] = {}
    for grade in progress.grade_history():
        history.setdefault(grade.exercise, []).append(grade)
    return [_status(e, history.get(e.id, []), workspace) for e in exercises]


def next_unfinished(items: list[Status], after: str | None = None) -> Status | None:
    """The first exercise not passed, looking after `after` first, then from the top."""
    start = next((i + 1 for i, s in enumerate(items) if s.exercise.id == after), 0)
    for status in items[start:] + items[:start]:
        if status.state != PASSED and status.exercise.id != after:
            return status
    return None


def summary(lang: str = "en") -> dict:
    """Plain data for `mlkata stats`: how many exercises pass, and each one's status."""
    items = statuses(find())
    return {
        "exercises": len(items),
        "passed": sum(s.state == PASSED for s in items),
        "attempts": sum(s.attempts for s in items),
        "items": [s.to_dict(lang) for s in items],
    }


def resolve(exercise_id: str | None, workspace: Workspace | None) -> Exercise:
    """The exercise named, else the next unfinished one; a UserError when there is none."""
    if exercise_id is not None:
        return get_exercise(exercise_id)
    upcoming = next_unfinished(statuses(workspace))
    if upcoming is None:
        raise UserError(
            say(
                en="every exercise passes already; name one to work on it again",
                zh="所有练习都已通过；要再练某一个，请写出它的名字",
            ),
            1,
        )
    return upcoming.exercise


def _status(exercise: Exercise, grades: list[progress.Grade], workspace: Workspace | None):
    file = workspace.file(exercise.id) if workspace else None
    current = digest(file) if file and file.is_file() else None
    best = max((g.score for g in grades), default=None)
    latest = grades[-1] if grades else None
    stub = workspace.stubs.get(exercise.id) if workspace else None
    untouched = current is not None and current == stub
    if untouched and not (latest and latest.passed):
        state, failing = NOT_STARTED, None
    elif latest is None:
        state, failing = (STARTED if current else NOT_STARTED), None
    elif latest.passed:
        state, failing = PASSED, 0
    else:
        state, failing = FAILING, _failing_checks(exercise, latest)
    return Status(
        exercise=exercise,
        state=state,
        failing_checks=failing,
        best_score=best,
        latest_score=latest.score if latest else None,
        attempts=len(grades),
        last_attempt=latest.graded_at if latest else None,
        edited=bool(latest and current and current != latest.content_hash),
        file=file,
    )


def _failing_checks(exercise: Exercise, grade: progress.Grade) -> int | None:
    """How many checks the grade failed, when the grade or the points say so unambiguously."""
    if grade.checks_passed is not None:  # recorded since progress migration 2
        return max(len(exercise.checks) - grade.checks_passed, 0)
    points = {check.points for check in exercise.checks}
    if grade.score == 0:
        return len(exercise.checks)
    if len(points) == 1 and grade.max_score == exercise.max_score:
        return round((grade.max_score - grade.score) / points.pop())
    return None


def _read(marker: Path) -> Workspace:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"expected format_version {FORMAT_VERSION}")
        ids = tuple(str(i) for i in data["exercises"])
        stubs = {str(k): str(v) for k, v in (data.get("stubs") or {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(
            say(
                en=f"{marker} is damaged ({exc}); fix it or delete it",
                zh=f"{marker} 已损坏（{exc}）；请修复或删除它",
            )
        ) from None
    return Workspace(marker.parent, ids, stubs)


def _write(workspace: Workspace) -> None:
    data = {
        "format_version": FORMAT_VERSION,
        "written_by": f"mlkata {__version__}",
        "exercises": list(workspace.exercises),
        "stubs": workspace.stubs,
    }
    marker = workspace.root / MARKER
    temporary = marker.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    temporary.replace(marker)
