"""`mlkata grade --junit`: XML that Jenkins' schema, ElementTree and junitparser all
accept, whatever the student's code prints or raises."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import junitparser
import pytest
import xmlschema

XSD = Path(__file__).resolve().parent / "fixtures" / "consumers" / "junit-10.xsd"
RIGHT = "def solve(numbers):\n    return sum(numbers)\n"
# Terminal colours, a bell, a NUL, a form feed and a lone surrogate escape in the message,
# and markup characters that must be escaped, not dropped.
HOSTILE = (
    "import sys\n"
    "print('\\x1b[2J\\x1b[31mcleared your screen\\x07\\x00')\n"
    "def solve(numbers):\n"
    "    if not numbers:\n"
    "        return 0\n"
    "    raise ValueError('\\x1b[31mred\\x1b[0m <b>&</b> \\x07bell \\x00nul '\n"
    "                     '\\x0cfeed ]]> \\udcff')\n"
)


def read_suite(report: Path) -> junitparser.TestSuite:
    """The one test suite in `report`, as junitparser reads it."""
    (suite,) = list(junitparser.JUnitXml.fromfile(str(report)))
    return suite


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(XSD)


def junit(mlkata, course: Path, tmp_path: Path, source: str) -> tuple[Path, int]:
    student = tmp_path / "student.py"
    student.write_text(source, encoding="utf-8", errors="surrogateescape")
    out = tmp_path / "report.xml"
    result = mlkata("grade", "sumup", str(student), "--root", str(course), "--junit", str(out),
                    "--json", timeout=120)  # fmt: skip
    assert out.is_file(), result.stderr
    return out, result.returncode


def test_hostile_output_still_gives_valid_junit(mlkata, course, tmp_path, schema):
    report, code = junit(mlkata, course, tmp_path, HOSTILE)
    assert code == 1
    schema.validate(str(report))  # raises on any violation of Jenkins' schema
    root = ET.parse(report).getroot()
    text = report.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    cases = {case.name: case for case in read_suite(report)}
    failed = cases["test_sums_a_short_list"]
    (failure,) = failed.result
    assert isinstance(failure, junitparser.Failure)
    assert "red <b>&</b> bell nul feed ]]>" in failure.message
    assert "[31m" not in failure.message
    assert cases["test_empty_list_gives_zero"].is_passed
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["points.test_sums_a_short_list"] == "0"
    assert props["points.test_empty_list_gives_zero"] == "1"
    assert props["max_points.test_sums_a_short_list"] == "1"
    assert (props["score"], props["max_score"]) == ("1", "2")
    assert props["sandbox"] in ("bubblewrap", "unprivileged", "none")


def test_every_check_has_its_own_time(mlkata, course, tmp_path, schema):
    checks = course / "grader" / "checks" / "test_sumup.py"
    checks.write_text(checks.read_text().replace(
        "def test_empty_list_gives_zero(submission):\n",
        "def test_empty_list_gives_zero(submission):\n    import time\n    time.sleep(0.3)\n",
    ))  # fmt: skip
    report, code = junit(mlkata, course, tmp_path, RIGHT)
    assert code == 0
    schema.validate(str(report))
    times = {case.name: case.time for case in read_suite(report)}
    assert times["test_empty_list_gives_zero"] >= 0.3
    assert times["test_sums_a_short_list"] > 0  # the first call also waits for the worker


def test_a_timeout_is_an_error_not_a_failure(mlkata, course, tmp_path, schema):
    report, code = junit(mlkata, course, tmp_path, "while True:\n    pass\n")
    assert code == 1
    schema.validate(str(report))
    suite = read_suite(report)
    assert (suite.errors, suite.failures) == (2, 0)
    for case in suite:
        (result,) = case.result
        assert isinstance(result, junitparser.Error)
        assert result.type == "timeout"
