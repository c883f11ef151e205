"""What every platform's entry point shares: its settings, finding the student's file,
grading it through `mlkata grade --json`, and the words it shows (en, zh)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.grading.verdict import Verdict

SETTINGS_NAME = "mlkata-export.json"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")

WORDS = {
    "en": {
        "not_graded": "Not graded",
        "upload": "upload {name} (found: {found})",
        "no_py": "no .py file",
        "refused": "refused: no sandbox could start here, and the instructor did not allow "
        "grading without one (export with --unsafe-no-sandbox)",
        "sandbox": "Sandbox",
        "score": "Score",
        "check": "Check",
        "points": "Points",
        "result": "Result",
        "passed": "passed",
        "failed": "failed",
        "error": "error",
        "hint": "Hint",
        "missing_file": "no file to grade",
        "grader_failed": "the grader itself failed",
    },
    "zh": {
        "not_graded": "未评分",
        "upload": "请上传 {name}（找到：{found}）",
        "no_py": "没有 .py 文件",
        "refused": "已拒绝：这里无法启动沙箱，而教师没有允许在无沙箱时评分"
        "（导出时加 --unsafe-no-sandbox）",
        "sandbox": "沙箱",
        "score": "得分",
        "check": "检查",
        "points": "分数",
        "result": "结果",
        "passed": "通过",
        "failed": "未通过",
        "error": "错误",
        "hint": "提示",
        "missing_file": "没有可评分的文件",
        "grader_failed": "评分程序本身出错",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS["zh" if lang == "zh" else "en"]


@dataclass(frozen=True)
class Settings:
    """Chosen at export time and shipped beside the grader as mlkata-export.json."""

    exercise: str
    lang: str = "en"
    visibility: str = "visible"  # Gradescope: for checks whose manifest names none
    stdout_visibility: str = "hidden"  # Gradescope: who sees run_autograder's output
    unsafe_no_sandbox: bool = False  # grade even where no sandbox can start
    check_visibility: dict[str, str] = field(default_factory=dict)  # from the manifest

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def read(cls, path: Path) -> Settings:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def visibility_of(self, check: str) -> str:
        return self.check_visibility.get(check) or self.visibility


def find_submission(folder: Path, exercise_id: str, lang: str = "en") -> Path:
    """The student's file in `folder`: EXERCISE.py, else the only .py file there."""
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*.py") if p.is_file()) if folder.is_dir() else []
    named = [f for f in files if f.name == f"{exercise_id}.py"]
    if named or len(files) == 1:
        return (named or files)[0]
    found = ", ".join(f.name for f in files) or words(lang)["no_py"]
    raise LookupError(words(lang)["upload"].format(name=f"{exercise_id}.py", found=found))


@dataclass(frozen=True)
class Outcome:
    """A grading's verdict, or why there is none (`problem`)."""

    verdict: Verdict | None
    problem: str = ""


def grade(settings: Settings, course: Path | None, file: Path, home: Path | None = None) -> Outcome:
    """Grade `file` with `python -m grader grade --json` in a child process, with the
    course folder `course` (None: the exercises installed with mlkata).

    The child applies the sandbox tiers and refuses the plain tier where the CLI does;
    `--unsafe-no-sandbox` is passed only when the instructor exported with it. A verdict
    graded without a sandbox is refused here too unless that flag was given.
    """
    file = Path(file).resolve()
    command = [sys.executable, "-m", "grader", "grade", settings.exercise, str(file),
               "--json", "--lang", settings.lang]  # fmt: skip
    if course is not None:  # else the exercises installed with mlkata
        command += ["--root", str(Path(course).resolve())]
    if settings.unsafe_no_sandbox:
        command.append("--unsafe-no-sandbox")
    with tempfile.TemporaryDirectory(prefix="mlkata-platform-") as scratch:
        env = {**os.environ, "MLKATA_HOME": str(home or scratch),
               "MLKATA_CHECKS_LANG": settings.lang, "PYTHONIOENCODING": "utf-8"}  # fmt: skip
        done = _run(command, env, scratch)
        if done.returncode == 2 and "unrecognized arguments: --unsafe-no-sandbox" in done.stderr:
            # A grade command from before the sandbox tiers: it has no plain-tier refusal
            # to lift; the check below still applies the instructor's choice.
            done = _run([c for c in command if c != "--unsafe-no-sandbox"], env, scratch)
    try:
        verdict = Verdict.from_dict(json.loads(done.stdout))
    except (ValueError, KeyError, TypeError):
        problem = done.stderr.strip().removeprefix("mlkata: ") or f"exit status {done.returncode}"
        return Outcome(None, problem[-2000:])
    if verdict.sandbox_tier == "none" and not settings.unsafe_no_sandbox:
        return Outcome(None, words(settings.lang)["refused"])
    return Outcome(verdict)


def _run(command: list[str], env: dict[str, str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", env=env, cwd=cwd)  # fmt: skip
