"""Where mlkata's content and the learner's progress live on disk."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = PACKAGE_DIR.parent
_BUNDLED = PACKAGE_DIR / "_content"

CONTENT_KINDS = ("questions", "exercises", "solutions")


def content_dir(kind: str) -> Path:
    """The shipped `questions/`, `exercises/` or `solutions/` folder.

    From a clone (editable install) these are the repository's own top-level
    folders; from a wheel they are the copies packed under `grader/_content/`.
    """
    if kind not in CONTENT_KINDS:
        raise ValueError(f"unknown content kind {kind!r}")
    in_repo = _REPO_ROOT / kind
    if in_repo.is_dir() and (_REPO_ROOT / "pyproject.toml").is_file():
        return in_repo
    return _BUNDLED / kind


def checks_dir() -> Path:
    """The hidden pytest checks, one `test_<exercise>.py` per exercise."""
    return PACKAGE_DIR / "checks"


def home() -> Path:
    """Where progress lives: `$MLKATA_HOME`, else the platform's user data folder."""
    override = os.environ.get("MLKATA_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path("mlkata", appauthor=False)


def cache_dir() -> Path:
    """Rebuildable files (e.g. the pretrained model of the `finetune` exercise)."""
    return home() / "cache"


def model_cache_dir() -> Path:
    """Trained models mlkata builds once and reuses: `$MLKATA_MODEL_CACHE` when set (the
    test suite shares one across all its tests), else cache_dir()."""
    override = os.environ.get("MLKATA_MODEL_CACHE")
    return Path(override) if override else cache_dir()


def shown(path: Path) -> str:
    """`path` as a user would type it: relative to the current folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
