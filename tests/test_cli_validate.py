"""`mlkata validate` through the real CLI: every error as file:line, counts, hostile YAML."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

INSTRUCTOR = Path(__file__).resolve().parent / "fixtures" / "instructor"
TEN = "tests/fixtures/instructor/ten-mistakes.yaml"
BROKEN_COURSE = "tests/fixtures/instructor/broken-course"
ERROR_LINE = re.compile(r"^(?P<file>[^:\s]+\.yaml):(?P<line>\d+): (?P<field>[\w.\[\]]+): .+$")


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ERROR_LINE.match(line)]


def test_shipped_content_is_valid_and_counted(mlkata):
    result = mlkata("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors." in result.stdout
    for bank in sorted(Path("questions").glob("*.yaml")):
        assert re.search(rf"^ ?{re.escape(bank.stem)}\s+\d+", result.stdout, re.M), bank.stem
    for exercise in ("normalize", "cnn", "pipeline"):
        assert re.search(
            rf"^exercise {exercise}: \d+ check\(s\), \d+ point\(s\)$", result.stdout, re.M
        )


def test_ten_mistakes_give_ten_lines_with_file_and_line(mlkata):
    result = mlkata("validate", TEN)
    assert result.returncode == 1
    lines = error_lines(result.stdout)
    found = [(int(ERROR_LINE.match(x)["line"]), ERROR_LINE.match(x)["field"]) for x in lines]
    assert found == [
        (13, "hint"),
        (20, "answer"),
        (22, "answer"),
        (29, "type"),
        (36, "difficulty"),
        (41, "id"),
        (48, "id"),
        (60, "answer"),
        (66, "prompt.fr"),
        (69, "explanation"),
    ]
    assert all(x.startswith(TEN + ":") for x in lines)
    assert "10 error(s) in 1 file(s)." in result.stdout
    assert "'D' is out of range: the options are A-C" in result.stdout
    assert "duplicate id 'ten-unknown-key' (also at " + TEN + ":6)" in result.stdout


def test_json_report_lists_errors_and_counts(mlkata):
    result = mlkata("validate", TEN, "questions/cnn.yaml", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert len(report["errors"]) == 10
    assert {"file", "line", "field", "message"} == set(report["errors"][0])
    topics = {bank["topic"]: bank for bank in report["banks"]}
    cnn = topics["cnn"]
    assert cnn["questions"] == sum(cnn["by_type"].values()) == sum(cnn["by_difficulty"].values())
    assert set(cnn["by_language"]) == {"en", "zh"}
    # every question of that bank has a mistake: it is listed, with none counted
    assert topics["ten-mistakes"]["questions"] == 0


def test_manifest_mistakes_are_each_reported(mlkata):
    result = mlkata("validate", BROKEN_COURSE)
    assert result.returncode == 1
    lines = error_lines(result.stdout)
    assert all(x.startswith(BROKEN_COURSE + "/exercises/exercises.yaml:") for x in lines), lines
    messages = [line.split("exercises.yaml:", 1)[1] for line in lines]
    expected = [
        "10: checks: test_unlisted is in test_sumup.py but not listed here",
        "14: checks[1].name: no test function test_not_in_the_file in the checks file",
        "17: checks[2].name: test_undocumented has no docstring",
        "18: checks[2].points: must be a whole number > 0, not 0",
        "19: checks[3].hint: missing",
        "21: id: duplicate exercise id 'sumup' (first at line 4)",
        "28: hints: missing",
        "28: id: the stub file",
        "28: id: the checks file",
        "30: function: '2fast' is not a Python function name",
        "31: limits.wall_seconds: must be a positive number, not -1",
        "32: timeout: unknown key",
    ]
    for text in expected:
        assert any(m.startswith(text) for m in messages), (text, messages)
    assert len(messages) == 14


def test_valid_course_folder_passes(mlkata, tmp_path):
    assert mlkata("new", "exercise", "sumup", "--root", str(tmp_path)).returncode == 0
    assert mlkata("new", "question", "--topic", "basics", "--type", "open",
                  "--root", str(tmp_path)).returncode == 0  # fmt: skip
    result = mlkata("validate", str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "exercise sumup: 2 check(s), 2 point(s)" in result.stdout
    assert re.search(r"^ ?basics\s+1\s", result.stdout, re.M)


def test_missing_path_is_a_usage_error(mlkata):
    result = mlkata("validate", "no/such/bank.yaml")
    assert result.returncode == 2
    assert "no such file or folder: no/such/bank.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_alias_bomb_is_refused_fast(mlkata, tmp_path):
    lines = ["format_version: 1", "topic: bomb", "title: Bomb", 'a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\nquestions: []\n")
    started = time.monotonic()
    result = mlkata("validate", str(bomb), timeout=20)
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert f"{bomb}:5: YAML aliases (*a0) are not allowed" in result.stdout
    assert elapsed < 5, f"took {elapsed:.1f} s (process start included)"


def test_fifty_megabyte_file_is_refused_fast(mlkata, tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.write(b"format_version: 1\n")
        f.truncate(50 * 1024 * 1024)
    started = time.monotonic()
    result = mlkata("validate", str(big), timeout=20)
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert f"{big}: file is 50.0 MB; the limit is 2.0 MB" in result.stdout
    assert elapsed < 5, f"took {elapsed:.1f} s (process start included)"


def test_a_quoted_number_is_told_to_lose_its_quotes(mlkata, tmp_path):
    bank = tmp_path / "numbers.yaml"
    bank.write_text(
        "format_version: 1\ntopic: numbers\ntitle: Numbers\nquestions:\n"
        "  - id: numbers-half\n    type: numeric\n    difficulty: easy\n"
        '    prompt: "Half of one?"\n    answer: "0.5"\n    explanation: "1 / 2."\n'
    )
    result = mlkata("validate", str(bank))
    assert result.returncode == 1
    assert "answer: a numeric question needs a number, not '0.5': remove the quotes" in (
        " ".join(result.stdout.split())
    )


def test_unknown_track_and_difficulty_are_reported_with_their_line(mlkata, tmp_path):
    assert mlkata("new", "exercise", "sumup", "--root", str(tmp_path)).returncode == 0
    manifest = tmp_path / "exercises" / "exercises.yaml"
    text = manifest.read_text(encoding="utf-8").replace(
        "exercises:\n",
        "tracks:\n  - id: basics\n    title: {en: Basics, zh: 基础}\n"
        "    description: {en: First steps, zh: 第一步}\n  - id: basics\n    title: Again\n"
        "exercises:\n",
        1,
    )
    text = text.replace("    function: solve", "    function: solve\n    track: advanced\n"
                        "    difficulty: tricky")  # fmt: skip
    manifest.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    second = [i for i, line in enumerate(lines) if line == "  - id: basics"][1] + 1
    result = mlkata("validate", str(tmp_path))
    assert result.returncode == 1
    found = {
        (int(m["line"]), m["field"]) for m in map(ERROR_LINE.match, error_lines(result.stdout))
    }
    assert found == {
        (second, "tracks[1].id"),
        (second, "tracks[1].description"),
        (lines.index("    track: advanced") + 1, "track"),
        (lines.index("    difficulty: tricky") + 1, "difficulty"),
    }, result.stdout
    assert "unknown track 'advanced'; tracks: basics" in result.stdout
    assert "'tricky' must be one of easy, medium, hard" in result.stdout
    assert "duplicate track id 'basics'" in result.stdout
