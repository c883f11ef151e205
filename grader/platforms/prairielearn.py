"""PrairieLearn: an externally graded question (`mlkata export prairielearn`) and what
its grading container runs (`python -m grader.platforms.prairielearn /grade`).

Layout (PrairieLearn's external grading docs): the question's `info.json` sets
`gradingMethod: External` and `externalGradingOptions` (image, serverFilesCourse,
entrypoint, timeout, enabled); its `tests/` folder is copied to /grade/tests, the course's
`serverFilesCourse/mlkata/` to /grade/serverFilesCourse/mlkata, the student's files to
/grade/student; the entry point writes /grade/results/results.json with `gradable`,
`score` (0 to 1), `message`, `output` and `tests` (name, description, points, max_points,
message, output).
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from grader.exercises import Exercise
from grader.grading.verdict import Verdict
from grader.platforms import bundle
from grader.platforms.common import SETTINGS_NAME, Settings, find_submission, grade, words

NAMESPACE = uuid.UUID("6f1b3a52-5e0c-4d55-9a3b-6d6c6b61746b")  # question uuids per exercise
MAX_TIMEOUT = 600  # PrairieLearn's limit for externalGradingOptions.timeout, in seconds

RUN_SH = """\
#!/usr/bin/env bash
# PrairieLearn runs this in the grading container; it writes $GRADE/results/results.json.
# To try it elsewhere: MLKATA_GRADE_ROOT=DIR (default /grade), MLKATA_PYTHON=python3.
GRADE="${MLKATA_GRADE_ROOT:-/grade}"
# Where bubblewrap cannot start, a submission runs as an unprivileged uid that can read
# what is world-readable: keep the grader, its checks and its data from it.
chmod -R go-rwx "$GRADE/serverFilesCourse" "$GRADE/tests" 2>/dev/null || true
export PYTHONPATH="$GRADE/serverFilesCourse/mlkata"
exec "${MLKATA_PYTHON:-python3}" -m grader.platforms.prairielearn "$GRADE"
"""

DOCKERFILE = """\
# A grading image with what mlkata needs. Build and push it, then export with
# --image YOUR/IMAGE (PrairieLearn pulls images from Docker Hub).
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/mlkata-requirements.txt
RUN pip install --no-cache-dir -r /tmp/mlkata-requirements.txt
"""

QUESTION_HTML = """\
<pl-question-panel>
  <p>{title}</p>
  <p>Write <code>{function}()</code> in <code>{id}.py</code>; the docstring in the file below
  gives the whole contract. It is graded on {count} checks ({points} points).</p>
  <pl-file-editor file-name="{id}.py" ace-mode="ace/mode/python"
    source-file-name="{id}.py" directory="tests/exercises"></pl-file-editor>
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


@dataclass(frozen=True)
class Question:
    path: Path  # the folder written: questions/ and serverFilesCourse/ beneath it
    files: tuple[str, ...]


def info(exercise: Exercise, image: str, lang: str) -> dict:
    """The question's info.json."""
    return {
        "uuid": str(uuid.uuid5(NAMESPACE, exercise.id)),
        "title": exercise.title(lang),
        "topic": "mlkata",
        "tags": ["mlkata", exercise.id],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": image,
            "serverFilesCourse": ["mlkata/"],
            "entrypoint": "/grade/serverFilesCourse/mlkata/run.sh",
            # the learner's time, the checks' own time, and a minute of start-up
            "timeout": min(MAX_TIMEOUT, int(exercise.wall_seconds + exercise.checks_seconds) + 60),
        },
    }


def export(exercise: Exercise, output: Path, settings: Settings, image: str) -> Question:
    """Write questions/mlkata-ID/ and serverFilesCourse/mlkata/ under `output`."""
    question = f"questions/mlkata-{exercise.id}/"
    server = "serverFilesCourse/mlkata/"
    html = QUESTION_HTML.format(
        title=exercise.title(settings.lang), function=exercise.function, id=exercise.id,
        count=len(exercise.checks), points=exercise.max_score,
    )  # fmt: skip
    members: dict[str, bytes] = {
        f"{question}info.json": (json.dumps(info(exercise, image, settings.lang),
                                            ensure_ascii=False, indent=2) + "\n").encode(),
        f"{question}question.html": html.encode(),
        f"{question}tests/{SETTINGS_NAME}": settings.to_json().encode(),
        **bundle.course_files(exercise, f"{question}tests/"),
        **bundle.package_files(server),
        f"{server}run.sh": RUN_SH.encode(),
        f"{server}requirements.txt": bundle.requirements(exercise.tensorflow).encode(),
        f"{server}Dockerfile": DOCKERFILE.encode(),
    }  # fmt: skip
    bundle.refuse_solution(exercise, members)
    bundle.write_tree(output, members)
    return Question(Path(output), tuple(members))


# -- results.json --------------------------------------------------------------------------

NOT_GRADABLE = ("syntax", "missing")  # the student's file never ran: no attempt is used


def results(verdict: Verdict, settings: Settings, hints: dict[str, str] | None = None) -> dict:
    """PrairieLearn's results.json for `verdict`."""
    say = words(settings.lang)
    hints = hints or {}
    tests = []
    for check in verdict.checks:
        status = say["passed"] if check.passed else say["failed"]
        output = f"{status} · {check.score}/{check.max_score}"
        if not check.passed and hints.get(check.name):
            output += f"\n{say['hint']}: {hints[check.name]}"
        tests.append({"name": check.name, "description": check.name.removeprefix("test_"),
                      "points": check.score, "max_points": check.max_score,
                      "message": check.message, "output": output})  # fmt: skip
    message = f"{verdict.exercise}: {verdict.score}/{verdict.max_score} · "
    message += f"{say['sandbox']}: {verdict.sandbox_tier}"
    if verdict.error:
        message += f" · {say['error']}: {verdict.error}"
    data = {
        "gradable": verdict.error not in NOT_GRADABLE,
        "score": round(verdict.score / verdict.max_score, 4) if verdict.max_score else 0.0,
        "message": message,
        "output": verdict.output,
        "tests": tests,
        "sandbox": verdict.sandbox_tier,
    }
    if not data["gradable"]:
        failure = verdict.first_failure
        data["format_errors"] = [failure.message if failure else verdict.error]
    return data


def not_graded(problem: str, settings: Settings) -> dict:
    """results.json when there is no verdict: not gradable, so no attempt is used."""
    text = f"{words(settings.lang)['not_graded']}: {problem}"
    return {"gradable": False, "score": 0.0, "message": text, "format_errors": [text],
            "output": "", "tests": [], "sandbox": ""}  # fmt: skip


def main(grade_root: Path) -> int:
    """Grade $GRADE/student and write $GRADE/results/results.json; always writes one."""
    started = time.monotonic()
    course = grade_root / "tests"
    settings = Settings.read(course / SETTINGS_NAME)
    try:
        file = find_submission(grade_root / "student", settings.exercise, settings.lang)
        outcome = grade(settings, course, file)
        if outcome.verdict is None:
            data = not_graded(outcome.problem, settings)
        else:
            data = results(outcome.verdict, settings, _hints(course, settings))
    except Exception as exc:  # noqa: BLE001 - the student must always get a readable result
        data = not_graded(str(exc), settings)
    data["execution_time"] = round(time.monotonic() - started, 3)
    target = grade_root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)  # PrairieLearn does not create it
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target)
    print(data["message"])
    return 0


def _hints(course: Path, settings: Settings) -> dict[str, str]:
    from grader.authoring import Root

    exercise = Root(course).exercise(settings.exercise)
    return {c.name: c.hint(settings.lang) for c in exercise.checks}


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/grade")))
