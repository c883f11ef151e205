"""Pictures in questions: described when piped, half-blocks in colour in a terminal, ASCII
shades without colour; and the shipped picture questions' answers, recomputed."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from grader import bank, pictures

BANK = str(Path(__file__).parent / "fixtures" / "banks" / "pictures")
OWN = ["quiz", "--no-shipped", "--bank", BANK]


def test_piped_pictures_are_described_in_words(mlkata):
    result = mlkata(*OWN, "--lang", "en", "--tag", "confusion", input="5\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2] == "Which true digit is most often predicted as 3?"
    assert lines[3] == (
        "Picture: confusion matrix of 2,000 test digits (rows: true digit, columns: predicted),"
        " accuracy 80.8%. Largest off-diagonal cells: true 5 predicted as 3: 34 of 173; true 4"
        " predicted as 9: 22 of 196; true 0 predicted as 5: 20 of 200."
    )
    assert "Right." in lines
    digit = mlkata(*OWN, "--lang", "zh", "--tag", "digit", input="A\n").stdout
    assert "图片（28x28，即模型接收到的样子；0 显示为黑、1 显示为白）：取值从 0 到 1" in digit
    assert "背景为 1；" in digit  # inverted: a white background
    curves = mlkata(*OWN, "--lang", "en", "--tag", "curves", input="A\n").stdout
    assert "  val_loss  0.850 █▃▁▁▃▅ 0.650" in curves


def _terminal(home: Path, tag: str, answer: bytes, **env: str) -> str:
    import pty

    leader, follower = pty.openpty()
    environment = {**os.environ, "MLKATA_HOME": str(home), "COLUMNS": "100", "TERM": "xterm",
                   "COLORTERM": "truecolor", **env}  # fmt: skip
    environment.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    proc = subprocess.Popen([sys.executable, "-m", "grader", *OWN, "--lang", "en", "--tag", tag],
                            stdin=follower, stdout=follower, stderr=follower, env=environment,
                            close_fds=True)  # fmt: skip
    os.close(follower)
    screen = b""
    try:
        deadline = time.monotonic() + 60
        while b"Quiz over" not in screen and time.monotonic() < deadline:
            if b"Your answer" in screen and answer:
                os.write(leader, answer)
                answer = b""
            if select.select([leader], [], [], 1)[0]:
                try:
                    screen += os.read(leader, 65536)
                except OSError:
                    break
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        os.close(leader)
    return screen.decode(errors="replace")


def test_a_terminal_with_colour_gets_half_blocks(mlkata_home):
    screen = _terminal(mlkata_home, "digit", b"A\n")
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen)
    assert plain.count("▀" * 28 + "\r\n") == 14  # 28x28 pixels, two per character cell
    colours = set(re.findall(r"\x1b\[38;2;(\d+);\d+;\d+;48;2;(\d+);\d+;\d+m▀", screen))
    assert ("255", "255") in colours and len(colours) > 10  # white background, grey strokes
    assert "Picture (28x28" not in screen  # a person sees the picture, not its description


def test_a_terminal_without_colour_gets_ascii_shades(mlkata_home):
    screen = _terminal(mlkata_home, "digit", b"A\n", NO_COLOR="1")
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen)
    assert "@" * 28 in plain and "▀" not in plain  # the inverted digit's white rows
    heat = _terminal(mlkata_home, "confusion", b"5\n", NO_COLOR="1")
    assert "## marks the diagonal" in heat


def test_validate_refuses_a_bad_picture(mlkata, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "format_version: 1\ntopic: bad\ntitle: Bad\nquestions:\n"
        "  - id: bad-pic\n    type: truefalse\n    difficulty: easy\n    tags: []\n"
        "    picture: {kind: digit, index: 5000, transform: blurred}\n"
        "    prompt: x\n    answer: true\n    explanation: x\n"
    )
    out = mlkata("validate", str(path)).stdout
    assert "picture: index: a test image of the bundled sample, 0 to 1999" in out
    assert "picture: transform: one of scaled, unnormalised" in out


SHIPPED = [q for q in bank.load_banks().questions if q.picture is not None]


def test_at_least_fifteen_shipped_questions_show_pictures():
    kinds = {q.picture.kind for q in SHIPPED}
    assert len(SHIPPED) >= 15 and kinds == {"digit", "confusion", "curves"}


def test_the_confusion_questions_agree_with_the_matrix_they_show():
    by_id = {q.id: q for q in SHIPPED}
    drawing = pictures.draw(by_id["evaluation-heatmap-most-confused"].picture)
    m, facts = drawing.matrix, pictures.facts(drawing)
    true, predicted, _, _ = facts["confused"][0]
    most = by_id["evaluation-heatmap-most-confused"]
    assert most.options[most.correct[0]]("en") == f"{true} read as {predicted}"
    lowest = min(range(10), key=lambda d: facts["recall"][d])
    assert by_id["evaluation-heatmap-lowest-recall"].answers == (str(lowest),)
    fours_wrong = sum(m[4]) - m[4][4]
    assert by_id["evaluation-heatmap-fours-as-nines"].truth == (m[4][9] * 2 > fours_wrong)


def test_the_best_epoch_question_agrees_with_its_curve():
    question = next(q for q in SHIPPED if q.id == "training-curve-best-epoch")
    assert question.value == pictures.facts(pictures.draw(question.picture))["best_val_epoch"]
