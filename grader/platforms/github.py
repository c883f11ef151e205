"""GitHub, after Classroom: a plain GitHub Actions workflow (`mlkata export github`) and
what it runs on every push (`python -m grader.platforms.github`).

GitHub Classroom was discontinued on 28 August 2026, and nothing reads the results of
its grading reporter any more. The entry point writes what is read today: the job
summary ($GITHUB_STEP_SUMMARY, GitHub-flavoured Markdown), one `::error` annotation
per failing check (workflow commands), an exit status that fails the job, and
`result.json` in Classroom 50's `classroom50/result/v1` format (points per check).
"""

from __future__ import annotations

import ast
import html
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from grader.exercises import Exercise
from grader.grading.verdict import CheckResult, Verdict
from grader.platforms import bundle
from grader.platforms.common import Settings, grade, words

RESULT_NAME = "result.json"
WORKFLOW_PATH = ".github/workflows/mlkata.yml"

WORKFLOW = """\
# Grades {id}.py with mlkata on every push, with plain GitHub Actions. (GitHub Classroom,
# whose reporter an older version of this file fed, was discontinued on 28 August 2026.)
#
# Put this file at .github/workflows/mlkata.yml in the assignment's template repository,
# beside {id}.py, and set MLKATA below: what pip installs, your course's copy of mlkata
# pinned to a tag. Keep that copy PRIVATE (install it with a read-only token) or delete
# its solutions/ folder: grading never needs them, and a public repository would publish
# them. Each run puts the verdict table in the job summary, an annotation on the file for
# each failing check, fails the job when a check fails, and keeps result.json (Classroom
# 50's result format, points per check) as an artifact.
name: mlkata

"on":
  push:
  workflow_dispatch:

permissions:
  contents: read

env:
  EXERCISE: {id}                   # the exercise id in mlkata's manifest
  SUBMISSION: {id}.py              # the file students edit, at the repository's top
  MLKATA_LANG: {lang}                    # en or zh: the language of the summary and messages
  MLKATA_UNSAFE_NO_SANDBOX: "{unsafe}"   # "true" grades even where no sandbox can start
  MLKATA: "mlkata @ git+https://github.com/YOUR-ORG/mlkata@v0.1.0"   # TODO: your course's copy

jobs:
  grade:
    name: mlkata grade
    runs-on: ubuntu-24.04
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-python@v6
        with:
          python-version: "3.12"
      - name: Install mlkata and bubblewrap
        run: |
          sudo apt-get update -qq
          sudo apt-get install -y -qq bubblewrap
          # Ubuntu 24.04's AppArmor stops bubblewrap creating user namespaces.
          sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0
          python -m pip install "$MLKATA"
      - name: Grade {id}.py
        run: python -m grader.platforms.github
      - name: Keep result.json
        if: always()
        uses: actions/upload-artifact@v6
        with:
          name: mlkata-result
          path: result.json
          if-no-files-found: ignore
"""

CLASSROOM50_AUTOGRADER = '''\
#!/usr/bin/env python3
"""Classroom 50 autograder for the mlkata exercise {id}.

Set it with `gh teacher autograder set ... --from autograder.py` for the assignment, and
install your course's copy of mlkata in the assignment's runtime block. The runner runs
this in the student's checkout; it writes result.json (classroom50/result/v1, points per
check) and the job summary, and exits 0 once it has graded (a failing check is in the
result, not an infrastructure error).
"""

import os
import subprocess
import sys

os.environ.setdefault("EXERCISE", "{id}")
os.environ.setdefault("SUBMISSION", "{id}.py")
os.environ.setdefault("MLKATA_LANG", "{lang}")
os.environ.setdefault("MLKATA_UNSAFE_NO_SANDBOX", "{unsafe}")
os.environ["MLKATA_EXIT_ZERO"] = "1"
sys.exit(subprocess.call([sys.executable, "-m", "grader.platforms.github"]))
'''


class Export:
    def __init__(self, path: Path, files: tuple[str, ...]):
        self.path, self.files = path, files


def workflow(exercise: Exercise, settings: Settings) -> str:
    unsafe = "true" if settings.unsafe_no_sandbox else "false"
    return WORKFLOW.format(id=exercise.id, lang=settings.lang, unsafe=unsafe)


def export(exercise: Exercise, output: Path, settings: Settings) -> Export:
    """The workflow, and a Classroom 50 autograder, under the folder `output`."""
    unsafe = "true" if settings.unsafe_no_sandbox else "false"
    members = {
        WORKFLOW_PATH: workflow(exercise, settings).encode(),
        "classroom50/autograder.py": CLASSROOM50_AUTOGRADER.format(
            id=exercise.id, lang=settings.lang, unsafe=unsafe
        ).encode(),
    }
    bundle.write_tree(output, members)
    return Export(Path(output), tuple(members))


# -- what a run reports --------------------------------------------------------------------


def cell(text: str) -> str:
    """Text for one cell of a Markdown table: escaped, line breaks kept as <br>."""
    return "<br>".join(html.escape(line).replace("|", "&#124;") for line in text.splitlines())


def summary(verdict: Verdict, file: str, lang: str, hints: dict[str, str]) -> str:
    """The job summary: the score, the sandbox tier and the full verdict table."""
    say = words(lang)
    mark = "✓" if verdict.passed else "✗"
    lines = [f"### {mark} mlkata · {verdict.exercise} · `{file}`: "
             f"{verdict.score}/{verdict.max_score}", ""]  # fmt: skip
    facts = f"{say['sandbox']}: **{verdict.sandbox_tier}**"
    if verdict.error:
        facts += f" · {say['error']}: **{verdict.error}**"
    lines += [facts, "", f"| | {say['check']} | {say['points']} | {say['result']} |",
              "|---|---|---|---|"]  # fmt: skip
    for check in verdict.checks:
        text = check.message
        if not check.passed and hints.get(check.name):
            text += f"\n{say['hint']}: {hints[check.name]}"
        lines.append(f"| {'✓' if check.passed else '✗'} | `{check.name}` | "
                     f"{check.score}/{check.max_score} | {cell(text)} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(verdict: Verdict, file: str, line: int) -> list[str]:
    """One `::error` workflow command per failing check, on the function it exercises."""
    out = []
    for check in verdict.checks:
        if check.passed:
            continue
        title = f"{check.name} ({check.score}/{check.max_score})"
        out.append(f"::error file={_escape_property(file)},line={line},"
                   f"title={_escape_property(title)}::{_escape_data(check.message)}")  # fmt: skip
    return out


def function_line(file: Path, function: str) -> int:
    """The line where `function` is defined in `file`; 1 when it is not found."""
    try:
        tree = ast.parse(file.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return 1
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function:
            return node.lineno
    return 1


def classroom50_result(verdict: Verdict, env: dict[str, str]) -> dict:
    """Classroom 50's result.json (schema classroom50/result/v1). Its runner stamps the
    identity fields authoritatively; outside it they come from GitHub's own variables."""
    repo = env.get("GITHUB_REPOSITORY", "local/" + verdict.exercise)
    server = env.get("GITHUB_SERVER_URL", "https://github.com")
    sha = env.get("GITHUB_SHA", "0000000")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    commit = env.get("COMMIT_URL") or f"{server}/{repo}/commit/{sha}"
    tag = now.replace(":", "-")
    return {
        "schema": "classroom50/result/v1",
        "classroom": env.get("CLASSROOM") or repo.split("/")[0],
        "assignment": env.get("ASSIGNMENT") or verdict.exercise,
        "assignment_type": env.get("ASSIGNMENT_TYPE") or "individual",
        "owner": env.get("OWNER") or env.get("USERNAME") or env.get("GITHUB_ACTOR") or "local",
        "submission": env.get("SUBMISSION_TAG") or f"submit/{tag}-{sha[:7]}",
        "commit": commit,
        "release": env.get("RELEASE_URL") or commit,
        "review": env.get("REVIEW_URL") or commit,
        "datetime": now,
        "score": verdict.score,
        "max-score": verdict.max_score,
        "tests": [
            {
                "test-name": c.name,
                "passed": c.passed,
                "score": c.score,
                "max-score": c.max_score,
                "message": c.message,
            }  # fmt: skip
            for c in verdict.checks
        ],
    }


def _unmarked(exercise: Exercise, problem: str) -> Verdict:
    """0 points on every check, with why: the file is missing or could not be graded."""
    checks = tuple(CheckResult(c.name, False, 0, c.points, problem) for c in exercise.checks)
    return Verdict(exercise.id, False, 0, exercise.max_score, 0.0, checks, "missing", "")


def main(env: dict[str, str] | None = None) -> int:
    """Grade $SUBMISSION as $EXERCISE; write the summary, annotations and result.json.
    Exit 1 when any check fails (0 with MLKATA_EXIT_ZERO=1, for Classroom 50)."""
    from grader.exercises import get_exercise

    env = dict(os.environ if env is None else env)
    settings = Settings(
        exercise=env["EXERCISE"],
        lang=env.get("MLKATA_LANG", "en"),
        unsafe_no_sandbox=env.get("MLKATA_UNSAFE_NO_SANDBOX", "false").lower() == "true",
    )
    say = words(settings.lang)
    exercise = get_exercise(settings.exercise)
    name = env.get("SUBMISSION") or f"{exercise.id}.py"
    file = Path(env.get("GITHUB_WORKSPACE", ".")) / name
    if not file.is_file():
        verdict = _unmarked(exercise, f"{say['missing_file']}: {name}")
    else:
        outcome = grade(settings, None, file)
        verdict = outcome.verdict or _unmarked(exercise, f"{say['not_graded']}: {outcome.problem}")
    hints = {c.name: c.hint(settings.lang) for c in exercise.checks}
    text = summary(verdict, name, settings.lang, hints)
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as stream:
            stream.write(text)
    line = function_line(file, exercise.function) if file.is_file() else 1
    for command in annotations(verdict, name, line):
        print(command)
    result = Path(env.get("MLKATA_RESULT", RESULT_NAME))
    result.write_text(json.dumps(classroom50_result(verdict, env), ensure_ascii=False, indent=2)
                      + "\n", encoding="utf-8")  # fmt: skip
    print(f"{verdict.exercise}: {verdict.score}/{verdict.max_score} · "
          f"{say['sandbox']}: {verdict.sandbox_tier or '-'}")  # fmt: skip
    if env.get("MLKATA_EXIT_ZERO") == "1":
        return 0
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main())
