"""Package one exercise for the graders courses already run: a Gradescope autograder zip.

The bundle holds mlkata's grader, the exercise's manifest entry, stub and hidden
checks, and never its reference solution. `run_autograder` grades the file in
`$AUTOGRADER_ROOT/submission` (default root /autograder) and writes
`results/results.json` in Gradescope's format.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml

from grader import paths
from grader.errors import UserError
from grader.exercises import MANIFEST_NAME, Exercise

REQUIREMENTS = ("numpy", "pytest", "pyyaml")
TF_REQUIREMENTS = ("tensorflow", "keras")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
# Pick the Ubuntu 24.04 base image: mlkata needs Python >= 3.11.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv bubblewrap
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11) and "mlkata needs Python >= 3.11")'
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --no-cache-dir -r "$ROOT/source/requirements.txt"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${MLKATA_PYTHON:-$ROOT/venv/bin/python3}"
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" "$ROOT/source/autograde.py"
"""

AUTOGRADE_PY = '''\
"""Grade $AUTOGRADER_ROOT/submission with mlkata and write results/results.json."""

import json
import os
import sys
from pathlib import Path

ROOT = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
SOURCE = ROOT / "source"
EXERCISE = {exercise!r}


def submission(folder, exercise):
    files = sorted(folder.rglob("*.py")) if folder.is_dir() else []
    named = [f for f in files if f.name == exercise.id + ".py"]
    if named or len(files) == 1:
        return (named or files)[0]
    found = ", ".join(f.name for f in files) or "no .py file"
    raise LookupError(f"upload {{exercise.id}}.py (found: {{found}})")


def main():
    results = ROOT / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    os.environ["MLKATA_HOME"] = str(ROOT / "mlkata-home")
    sys.path.insert(0, str(SOURCE / "mlkata"))
    try:
        import grader
        from grader.exercises import get_exercise, load_manifest
        from grader.grading import reports
        from grader.grading.runner import grade

        print(f"mlkata grader from {{Path(grader.__file__).parent}}", file=sys.stderr)

        manifest = SOURCE / "mlkata" / "exercises" / "exercises.yaml"
        exercise = get_exercise(EXERCISE, load_manifest(manifest))
        verdict = grade(exercise, submission(ROOT / "submission", exercise))
        text = reports.to_gradescope(verdict)
    except Exception as exc:  # the student must always get a readable result
        text = json.dumps({{"score": 0, "output": f"Not graded: {{exc}}", "tests": []}})
    tmp = results.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, results)
    print(text)


if __name__ == "__main__":
    main()
'''


@dataclass(frozen=True)
class Bundle:
    path: Path
    files: tuple[str, ...]  # names inside the zip


def gradescope_bundle(exercise: Exercise, output: Path) -> Bundle:
    """Write the autograder zip for `exercise` to `output` (atomically)."""
    entry = _manifest_entry(exercise)
    members: dict[str, bytes] = {
        "setup.sh": SETUP_SH.encode(),
        "run_autograder": RUN_AUTOGRADER.encode(),
        "autograde.py": AUTOGRADE_PY.format(exercise=exercise.id).encode(),
        "requirements.txt": requirements(exercise.tensorflow).encode(),
    }
    for file in sorted(paths.PACKAGE_DIR.rglob("*")):
        relative = file.relative_to(paths.PACKAGE_DIR)
        if file.is_file() and _ships(relative):
            members[f"mlkata/grader/{relative.as_posix()}"] = file.read_bytes()
    members[f"mlkata/grader/checks/test_{exercise.id}.py"] = exercise.checks_path.read_bytes()
    manifest = {"format_version": 1, "exercises": [entry]}
    members[f"mlkata/exercises/{MANIFEST_NAME}"] = yaml.safe_dump(
        manifest, allow_unicode=True, sort_keys=False
    ).encode()
    members[f"mlkata/exercises/{exercise.id}.py"] = exercise.stub_path.read_bytes()
    solution = exercise.solution_path.read_bytes() if exercise.solution_path.is_file() else None
    if solution is not None and solution in members.values():
        raise UserError(f"refusing to export: the bundle would contain {exercise.solution_path}")
    _write_zip(output, members)
    return Bundle(output, tuple(members))


def _ships(relative: Path) -> bool:
    parts = relative.parts
    if "__pycache__" in parts or parts[0] == "_content" or relative.suffix == ".pyc":
        return False
    if parts[0] == "checks":  # only this exercise's checks, added separately
        return relative.name in ("__init__.py", "support.py")
    return True


def requirements(tensorflow: bool) -> str:
    """Pinned to what this machine grades with, so Gradescope grades the same way."""
    names = REQUIREMENTS + (TF_REQUIREMENTS if tensorflow else ())
    lines = []
    for name in names:
        try:
            lines.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(name)
    return "\n".join(lines) + "\n"


def _manifest_entry(exercise: Exercise) -> dict:
    manifest = exercise.exercises_dir / MANIFEST_NAME
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for entry in data.get("exercises") or []:
        if isinstance(entry, dict) and entry.get("id") == exercise.id:
            return entry
    raise UserError(f"exercise {exercise.id!r} is not in {manifest}")


def _write_zip(output: Path, members: dict[str, bytes]) -> None:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                mode = 0o755 if name in ("setup.sh", "run_autograder") else 0o644
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
