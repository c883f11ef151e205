"""The files every platform export ships: mlkata's grader, the exercise's manifest entry,
stub and hidden checks, pinned requirements, and never the reference solution."""

from __future__ import annotations

import os
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import yaml

from grader import paths
from grader.errors import UserError
from grader.exercises import MANIFEST_NAME, Exercise
from grader.messages import say
from grader.platforms.common import SETTINGS_NAME, Settings

# What `mlkata grade --json` imports (the CLI, the checks, progress records), then Keras,
# each with the oldest release mlkata supports.
REQUIREMENTS = {"fsrs": "6", "numpy": "1.26", "platformdirs": "4", "pytest": "8",
                "pyyaml": "6", "rich": "13"}  # fmt: skip
TF_REQUIREMENTS = {"tensorflow": "2.16", "keras": "3"}


def requirements(tensorflow: bool) -> str:
    """At most what this machine grades with, at least what mlkata supports. pip skips
    releases whose Requires-Python excludes the image's Python, so Python 3.11+ gets
    exactly this machine's versions, and Gradescope's default image (Python 3.10) the
    newest that support it (numpy 2.3 and platformdirs 4.13 dropped 3.10, for example)."""
    names = {**REQUIREMENTS, **(TF_REQUIREMENTS if tensorflow else {})}
    lines = []
    for name, oldest in names.items():
        try:
            lines.append(f"{name}>={oldest},<={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{name}>={oldest}")
    return "\n".join(lines) + "\n"


def package_files(prefix: str) -> dict[str, bytes]:
    """mlkata's grader package under `prefix`, with no exercise's checks."""
    members: dict[str, bytes] = {}
    for file in sorted(paths.PACKAGE_DIR.rglob("*")):
        relative = file.relative_to(paths.PACKAGE_DIR)
        if file.is_file() and _ships(relative):
            members[f"{prefix}grader/{relative.as_posix()}"] = file.read_bytes()
    return members


def course_files(exercise: Exercise, prefix: str) -> dict[str, bytes]:
    """A course folder under `prefix` holding this exercise alone: exercises/exercises.yaml,
    its stub and grader/checks/test_ID.py (`mlkata grade ID FILE --root PREFIX`)."""
    manifest = {"format_version": 1, "exercises": [manifest_entry(exercise)]}
    return {
        f"{prefix}grader/checks/test_{exercise.id}.py": exercise.checks_path.read_bytes(),
        f"{prefix}exercises/{MANIFEST_NAME}": yaml.safe_dump(
            manifest, allow_unicode=True, sort_keys=False
        ).encode(),
        f"{prefix}exercises/{exercise.id}.py": exercise.stub_path.read_bytes(),
    }


def grader_files(exercise: Exercise, prefix: str) -> dict[str, bytes]:
    """The grader package and a course of this exercise alone, both under `prefix`."""
    return {**package_files(prefix), **course_files(exercise, prefix)}


def settings_file(settings: Settings) -> dict[str, bytes]:
    return {SETTINGS_NAME: settings.to_json().encode()}


def refuse_solution(exercise: Exercise, members: dict[str, bytes]) -> None:
    solution = exercise.solution_path.read_bytes() if exercise.solution_path.is_file() else None
    if solution is not None and solution in members.values():
        raise UserError(
            say(
                en=f"refusing to export: the bundle would contain {exercise.solution_path}",
                zh=f"拒绝导出：打包内容会包含参考答案 {exercise.solution_path}",
            )
        )


def _ships(relative: Path) -> bool:
    parts = relative.parts
    if "__pycache__" in parts or parts[0] == "_content" or relative.suffix == ".pyc":
        return False
    if parts[0] == "checks":  # the checks' shared modules; this exercise's own come apart
        return not relative.name.startswith("test_")
    return True


def manifest_entry(exercise: Exercise) -> dict:
    manifest = exercise.exercises_dir / MANIFEST_NAME
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for entry in data.get("exercises") or []:
        if isinstance(entry, dict) and entry.get("id") == exercise.id:
            return entry
    raise UserError(
        say(
            en=f"exercise {exercise.id!r} is not in {manifest}",
            zh=f"{manifest} 中没有练习 {exercise.id!r}",
        )
    )


EXECUTABLE = ("setup.sh", "run_autograder", "run.sh")


def write_zip(output: Path, members: dict[str, bytes]) -> None:
    """Write `members` (name -> bytes) as a zip at `output`, atomically."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                mode = 0o755 if Path(name).name in EXECUTABLE else 0o644
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree(output: Path, members: dict[str, bytes]) -> None:
    """Write `members` as files under the folder `output` (created; existing files kept)."""
    for name, data in members.items():
        target = Path(output) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if target.name in EXECUTABLE:
            target.chmod(0o755)
