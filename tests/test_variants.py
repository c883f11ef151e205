"""Parametrised questions through the real CLI: seeded variants, their answers, scheduling."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

BANKS = Path(__file__).parent / "fixtures" / "banks"
OWN = ["quiz", "--no-shipped", "--bank", str(BANKS / "variants"), "--lang", "en"]


def reviews(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "progress.sqlite3") as db:
        return db.execute("SELECT question_id, rating, variant FROM reviews ORDER BY id").fetchall()


def cards(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "progress.sqlite3") as db:
        return db.execute("SELECT question_id FROM cards").fetchall()


def test_a_seed_fixes_the_variant_and_its_answer(mlkata, mlkata_home):
    result = mlkata(*OWN, "--tag", "params", "--seed", "1", input="896\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[1:3] == ["Question 1/1 · conv · easy",
                        "Conv2D(32, 3) on a 28x28x3 input has how many parameters?"]  # fmt: skip
    assert "Right." in out and "(3x3x3 + 1) x 32 = 896." in out
    again = mlkata(*OWN, "--tag", "params", "--seed", "2", input="896\n")
    assert "Conv2D(16, 3) on a 28x28x3 input has how many parameters?" in again.stdout
    assert "Wrong. The answer is 448." in again.stdout
    chinese = mlkata(*OWN[:-1], "zh", "--tag", "params", "--seed", "1", input="896\n")
    assert "Conv2D(32, 3) 作用在 28x28x3 的输入上，有多少个参数？" in chinese.stdout
    assert "正确。" in chinese.stdout


def test_fsrs_schedules_the_question_and_each_review_names_its_variant(mlkata, mlkata_home):
    mlkata(*OWN, "--tag", "params", "--seed", "1", input="896\n")
    mlkata(*OWN, "--tag", "params", "--seed", "2", input="448\n")
    assert reviews(mlkata_home) == [
        ("conv-params-numeric", 3, '{"c":3,"filters":32,"k":3}'),
        ("conv-params-numeric", 3, '{"c":3,"filters":16,"k":3}'),
    ]
    assert cards(mlkata_home) == [("conv-params-numeric",)]


def test_computed_distractors_are_the_classic_mistakes(mlkata, mlkata_home):
    result = mlkata(*OWN, "--tag", "distractors", "--seed", "3", input="B\n")
    lines = result.stdout.splitlines()
    assert "Parameters of Conv2D(64, 5) on an RGB input?" in lines
    assert lines[3:6] == ["  A) 4,864", "  B) 4,800", "  C) 1,664"]  # right, no bias, no c
    assert "Wrong. The answer is A." in result.stdout


def test_unseeded_attempts_draw_different_variants(mlkata, mlkata_home):
    prompts = set()
    for _ in range(6):
        out = mlkata(*OWN, "--tag", "distractors", input="A\n").stdout.splitlines()
        prompts.add(out[2])
    assert len(prompts) > 1  # 16 variants; six draws all alike would be 1 in 16**5


def _bank(tmp_path: Path, question: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text("format_version: 1\ntopic: bad\ntitle: Bad\nquestions:\n" + question)
    return path


NUMERIC = """  - id: bad-one
    type: numeric
    difficulty: easy
    tags: []
    prompt: "{h} and {w}?"
    explanation: "x"
"""


def test_validate_refuses_hostile_expressions_before_running_them(mlkata, tmp_path):
    marker = tmp_path / "pwned"
    bank = _bank(
        tmp_path,
        NUMERIC
        + f"""    params: {{h: [1, 2]}}
    answer: "__import__('os').system('touch {marker}')"
""",
    )
    result = mlkata("validate", str(bank))
    assert result.returncode == 1
    assert "answer: only min, max, round, sqrt, log may be called" in result.stdout
    quiz = mlkata("quiz", "--no-shipped", "--bank", str(bank), "--lang", "en", input="1\n")
    assert quiz.returncode != 0 and not marker.exists()
    for source, why in [("h.__class__", "Attribute is not allowed"),
                        ("h ** 999", None), ("__h", "the name '__h' is not allowed")]:  # fmt: skip
        bank = _bank(tmp_path, NUMERIC + f'    params: {{h: [1, 2]}}\n    answer: "{source}"\n')
        out = mlkata("validate", str(bank)).stdout
        assert (why or "the exponent 999 is above 64") in out, out


def test_validate_samples_every_variant_for_undefined_answers_and_equal_options(mlkata, tmp_path):
    bank = _bank(
        tmp_path,
        NUMERIC
        + """    params: {h: {min: 0, max: 4}, w: [1, 2]}
    answer: "w / h"
  - id: bad-two
    type: choice
    difficulty: easy
    tags: []
    prompt: "{n}?"
    explanation: "x"
    params: {n: [1, 2, 3]}
    derived: {right: "n * 2", wrong: "n + 2"}
    options: ["{right}", "{wrong}", "{typo}"]
    answer: A
""",
    )
    result = mlkata("validate", str(bank), "--json")
    assert result.returncode == 1
    messages = [e["message"] for e in json.loads(result.stdout)["errors"]]
    assert any("variant h=0, w=1: w / h: division by zero" in m for m in messages), messages
    assert any("variant n=2: two options read the same (en): 4, 4, {typo}" in m
               for m in messages), messages  # fmt: skip
    assert any("{typo} names no parameter or derived value" in m for m in messages), messages


def test_the_shipped_variant_spaces_validate(mlkata):
    result = mlkata("validate")
    assert result.returncode == 0, result.stdout[-2000:]


def test_a_variant_quiz_never_imports_tensorflow(tmp_path, mlkata_home):
    import subprocess
    import sys

    code = (
        "import sys; from grader.cli import main; "
        f"main(['quiz', '--no-shipped', '--bank', {str(BANKS / 'variants')!r}, '--seed', '1']); "
        "print('HEAVY', [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')])"
    )
    out = subprocess.run([sys.executable, "-c", code], input="1\n1\n", capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert "Question 2/2" in out and "HEAVY []" in out
