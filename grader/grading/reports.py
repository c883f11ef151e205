"""Verdicts written for other tools: JSON and JUnit XML (the platforms' own formats live
in grader/platforms/)."""

from __future__ import annotations

import json
import os
import re
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


# Characters XML 1.0 allows; everything else (NUL, ESC, BEL, lone surrogates, ...) is
# dropped, after terminal escape sequences are removed whole.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Verdict errors where the submission never ran to an answer: JUnit's <error>, not <failure>.
CRASHES = ("timeout", "memory", "processes", "output", "syntax", "missing", "crashed", "sandbox",
           "grader")  # fmt: skip


def xml_text(text: str) -> str:
    """`text` with terminal escape codes and every character XML 1.0 forbids removed."""
    return _NOT_XML.sub("", _ANSI.sub("", text))


def to_junit(verdict: Verdict) -> str:
    """JUnit XML (the Jenkins junit-10 schema): one <testcase> per check with its time;
    a failed check is a <failure>, or an <error> when the submission crashed, timed out
    or never ran; points, the score and the sandbox tier are suite <properties>."""
    crashed = verdict.error in CRASHES
    failed = [c for c in verdict.checks if not c.passed]
    suite = ET.Element(
        "testsuite",
        name=f"mlkata.{verdict.exercise}",
        tests=str(len(verdict.checks)),
        failures="0" if crashed else str(len(failed)),
        errors=str(len(failed)) if crashed else "0",
        skipped="0",
        time=f"{verdict.duration_s:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    facts = [("exercise", verdict.exercise), ("score", str(verdict.score)),
             ("max_score", str(verdict.max_score)), ("sandbox", verdict.sandbox_tier),
             ("sandbox_note", verdict.sandbox), ("error", verdict.error or "")]  # fmt: skip
    for check in verdict.checks:
        facts += [(f"points.{check.name}", str(check.score)),
                  (f"max_points.{check.name}", str(check.max_score))]  # fmt: skip
    for name, value in facts:
        ET.SubElement(properties, "property", name=name, value=xml_text(value))
    for check in verdict.checks:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"mlkata.{verdict.exercise}",
            name=check.name,
            time=f"{check.duration_s:.3f}",
        )
        if not check.passed:
            message = xml_text(check.message)
            tag = "error" if crashed else "failure"
            kind = verdict.error if crashed else "check failed"
            first = message.splitlines()[0] if message.strip() else kind
            element = ET.SubElement(case, tag, message=first, type=kind)
            element.text = message
        ET.SubElement(case, "system-out").text = xml_text(f"{check.score}/{check.max_score} points")
    if verdict.output:
        ET.SubElement(suite, "system-out").text = xml_text(verdict.output)
    if verdict.error:
        ET.SubElement(suite, "system-err").text = xml_text(f"error: {verdict.error}")
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
