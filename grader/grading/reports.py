"""Verdicts written for other tools: JSON, JUnit XML and Gradescope's results.json."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

from grader.grading.verdict import Verdict


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(verdict: Verdict) -> str:
    return json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2)


def to_junit(verdict: Verdict) -> str:
    failures = sum(not c.passed for c in verdict.checks)
    suite = ET.Element(
        "testsuite",
        name=f"mlkata.{verdict.exercise}",
        tests=str(len(verdict.checks)),
        failures=str(failures),
        errors="0",
        time=f"{verdict.duration_s:.3f}",
    )
    for check in verdict.checks:
        case = ET.SubElement(
            suite, "testcase", classname=f"mlkata.{verdict.exercise}", name=check.name
        )
        if not check.passed:
            failure = ET.SubElement(case, "failure", message=check.message.splitlines()[0])
            failure.text = check.message
    if verdict.error:
        ET.SubElement(suite, "system-err").text = f"error: {verdict.error}"
    return (
        ET.tostring(ET.ElementTree(suite).getroot(), encoding="unicode", xml_declaration=True)
        + "\n"
    )


def to_gradescope(verdict: Verdict) -> str:
    """Gradescope's autograder `results.json` (score, execution_time, output, tests)."""
    summary = f"{verdict.exercise}: {verdict.score}/{verdict.max_score}"
    if verdict.error:
        summary += f" (error: {verdict.error})"
    tests = [
        {
            "name": c.name,
            "score": c.score,
            "max_score": c.max_score,
            "status": "passed" if c.passed else "failed",
            "output": c.message,
            "visibility": "visible",
        }
        for c in verdict.checks
    ]
    return json.dumps(
        {
            "score": verdict.score,
            "execution_time": round(verdict.duration_s, 3),
            "output": summary,
            "visibility": "visible",
            "tests": tests,
        },
        ensure_ascii=False,
        indent=2,
    )
