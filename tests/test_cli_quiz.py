import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

BANKS = Path(__file__).parent / "fixtures" / "banks"
GOOD = str(BANKS / "good")
OWN = ["--no-shipped", "--bank", GOOD, "--lang", "en"]
RIGHT_ANSWERS = {  # prompt -> the lines a learner types
    "How many training images does MNIST have?": ["B"],
    "Which layers have trainable weights?": ["a, c"],
    "It is fine to fine-tune on the test set.": ["no"],
    "Parameters of Conv2D(32, 3x3) on a 28x28x1 input?": ["320 parameters"],
    "Name the activation max(0, x).": ["relu"],
    "What is fine-tuning?": ["Training a pretrained model further", "good"],
    "Dropout is active at inference time.": ["false"],
}


def reviews(home: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(home / "progress.sqlite3") as db:
        return db.execute("SELECT question_id, rating FROM reviews ORDER BY id").fetchall()


class Quiz:
    """The real CLI in a subprocess, driven a line at a time like a script would."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {**os.environ, "MLKATA_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader", "quiz", *OWN, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", env=env,
        )  # fmt: skip

        self.watchdog = threading.Timer(120, self.proc.kill)  # a hung quiz fails, never blocks
        self.watchdog.daemon = True
        self.watchdog.start()

    def until(self, ending: str = "", start: str = "") -> list[str]:
        lines: list[str] = []
        while not (lines and lines[-1].endswith(ending) and lines[-1].startswith(start)):
            line = self.proc.stdout.readline()
            if not line:
                self.proc.kill()
                pytest.fail(f"quiz ended early: {lines}; stderr: {self.proc.stderr.read()}")
            lines.append(line.rstrip("\n"))
        return lines

    def answer_next(self) -> None:
        """Read a question, answer it right (both lines for an open question)."""
        shown = self.until("):")
        prompt = shown[shown.index(next(x for x in shown if x.startswith("Question "))) + 1]
        for i, line in enumerate(RIGHT_ANSWERS[prompt]):
            if i:
                self.until("):")
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        self.until(start="Score: ")  # the answer is committed before the score is shown


def test_piped_quiz_transcript(mlkata, mlkata_home):
    result = mlkata("quiz", *OWN, "--tag", "mnist", input="2\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "",
        "Question 1/1 · basics · easy",
        "How many training images does MNIST have?",
        "  A) 10,000",
        "  B) 60,000",
        "  C) 70,000",
        "Your answer (a letter A-C or a number 1-3):",
        "> 2",
        "Right.",
        "60,000 training and 10,000 test images.",
        "Score: 1/1",
        "",
        "Quiz over: 1/1 right.",
        "  basics: 1/1",
        "Next reviews: 1 in 2 days",
        "Next: `mlkata stats` shows your progress; `mlkata init`, then "
        "`cd mlkata && mlkata watch`, starts the coding exercises.",
    ]
    assert reviews(mlkata_home) == [("basics-choice", 3)]


def test_piped_quiz_answers_every_type_right_through_the_real_cli(mlkata_home):
    quiz = Quiz(mlkata_home, "-n", "7", "--seed", "3")
    for _ in range(7):
        quiz.answer_next()
    # Read the rest through the same buffered stream the answers were read from:
    # communicate() reads the raw pipe and would miss lines already buffered here.
    quiz.proc.stdin.close()
    out = quiz.proc.stdout.read()
    assert quiz.proc.wait(timeout=30) == 0, quiz.proc.stderr.read()
    assert "Quiz over: 7/7 right." in out
    assert "  basics: 6/6" in out and "  extra: 1/1" in out
    assert sorted(reviews(mlkata_home)) == sorted((qid, 3) for qid in [
        "basics-choice", "basics-multi", "basics-truefalse", "basics-numeric",
        "basics-short", "basics-open", "extra-english-only",
    ])  # fmt: skip


def test_wrong_and_unreadable_answers_in_piped_mode(mlkata, mlkata_home):
    result = mlkata("quiz", *OWN, "--tag", "training", "--tag", "activations", "--seed", "1",
                    input="sigmoid\nperhaps\n")  # fmt: skip
    assert result.returncode == 0
    out = result.stdout
    assert "Could not read your answer 'perhaps'; type true or false" in out
    assert "Counted as wrong." in out
    assert "Wrong. The answer is ReLU." in out
    assert "Quiz over: 0/2 right." in out
    assert sorted(r for _, r in reviews(mlkata_home)) == [1, 1]


def test_a_wrong_number_is_shown_the_answer_and_only_a_real_tolerance(mlkata, tmp_path):
    bank = tmp_path / "numbers.yaml"
    bank.write_text("""\
format_version: 1
topic: numbers
title: Numbers
questions:
  - id: numbers-exact
    type: numeric
    difficulty: easy
    tags: [clipping]
    prompt: "clipnorm=1.0 and g = (3, 4): the first component after clipping?"
    answer: 0.6
    tolerance: 1.0e-6
    explanation: "g / 5 = (0.6, 0.8)."
  - id: numbers-rounded
    type: numeric
    difficulty: easy
    tags: [leakage]
    prompt: "0.996 reported, 0.957 real: the overstatement in points?"
    answer: 3.9
    tolerance: 0.05
    explanation: "0.996 - 0.957 = 0.039."
""")
    result = mlkata("quiz", "--no-shipped", "--bank", str(bank), "--lang", "en", input="7\n7\n")
    assert result.returncode == 0, result.stderr
    assert "The answer is 0.6." in result.stdout  # ± 1e-06 only guards against float noise
    assert "The answer is 3.9 ± 0.05." in result.stdout  # a real allowance is worth saying


def test_open_question_takes_an_answer_then_a_rating(mlkata, mlkata_home):
    result = mlkata("quiz", *OWN, "--tag", "finetuning", input="no idea\nhard\n")
    assert "Reference answer: Continuing to train a pretrained model on new data." in result.stdout
    assert "  2. small learning rate" in result.stdout
    assert reviews(mlkata_home) == [("basics-open", 2)]


def test_end_of_input_ends_the_quiz_with_its_summary(mlkata, mlkata_home):
    result = mlkata("quiz", *OWN, "--tag", "cnn", "--seed", "1", input="")
    assert result.returncode == 0
    assert "No question answered; nothing saved." in result.stdout
    assert not (mlkata_home / "progress.sqlite3").exists() or reviews(mlkata_home) == []


def test_chinese_quiz_and_fallback_to_english(mlkata, mlkata_home):
    result = mlkata("quiz", "--no-shipped", "--bank", GOOD, "--lang", "zh", "--topic", "extra",
                    input="错\n")  # fmt: skip
    out = result.stdout
    assert "第 1/1 题 · extra · 困难" in out
    assert "Dropout is active at inference time. （English：暂无中文翻译）" in out
    assert "正确。" in out and "测验结束：答对 1/1。" in out


def test_a_broken_bank_is_reported_and_the_quiz_runs_on(mlkata):
    result = mlkata("quiz", *OWN, "--bank", str(BANKS / "broken" / "version.yaml"),
                    "--tag", "mnist", input="B\n")  # fmt: skip
    assert result.returncode == 0
    assert "version.yaml:1: format_version: 2 is not supported" in result.stderr
    assert "Right." in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "nope"], "unknown topic nope; topics: basics, extra."),
        (["--topic", "basic"], "unknown topic basic; topics: basics, extra. Did you mean basics?"),
        (["--tag", "nothing-has-this"], "no question matches these filters"),
    ],
)
def test_user_mistakes_are_clear_messages_not_tracebacks(mlkata, args, message):
    result = mlkata("quiz", *OWN, *args)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(message)
    assert "Traceback" not in result.stderr


def test_no_shipped_needs_a_bank(mlkata):
    result = mlkata("quiz", "--no-shipped")
    assert result.returncode == 2 and "--no-shipped needs at least one --bank" in result.stderr


def test_kill_9_mid_quiz_keeps_every_answer_given(mlkata_home):
    quiz = Quiz(mlkata_home, "-n", "5", "--seed", "2")
    quiz.answer_next()
    quiz.answer_next()
    quiz.until("):")  # the third question is on screen
    quiz.proc.send_signal(signal.SIGKILL)
    quiz.proc.wait(timeout=10)
    assert len(reviews(mlkata_home)) == 2
    with sqlite3.connect(mlkata_home / "progress.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM cards").fetchone() == (2,)


def test_ctrl_c_ends_cleanly_with_the_summary_so_far(mlkata_home, signal_state):
    quiz = Quiz(mlkata_home, "-n", "5", "--seed", "2")
    quiz.answer_next()
    quiz.until("):")
    signals = signal_state(quiz.proc.pid)
    quiz.proc.send_signal(signal.SIGINT)
    out, err = quiz.proc.communicate(timeout=10)
    assert quiz.proc.returncode == 130, (signals, err)
    assert "Stopped after 1 of 5 questions." in out and "Quiz over: 1/1 right." in out
    assert "Next: `mlkata stats` shows your progress" in out  # stopping early is the usual end
    assert "Traceback" not in err


def test_two_quizzes_at_once_both_finish_and_keep_all_answers(mlkata_home):
    env = {**os.environ, "MLKATA_HOME": str(mlkata_home)}
    command = [sys.executable, "-m", "grader", "quiz", *OWN, "-n", "7"]
    lines = "1\n" * 9  # wrong for every type; an open question takes answer, key points, rating
    procs = [
        subprocess.Popen(command + ["--seed", str(seed)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for seed in (1, 2)
    ]  # fmt: skip
    results = [p.communicate(lines, timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "Quiz over: 0/7 right." in out
    assert len(reviews(mlkata_home)) == 14
    with sqlite3.connect(mlkata_home / "progress.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM cards").fetchone() == (7,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_stats_and_topics_as_json(mlkata):
    mlkata("quiz", *OWN, "--tag", "mnist", input="B\n")
    mlkata("quiz", *OWN, "--tag", "training", input="yes\n")
    stats = json.loads(mlkata("stats", "--json").stdout)
    assert (stats["answered"], stats["correct"], stats["seen"]) == (2, 1, 2)
    assert stats["due_now"] == 0 and stats["due_week"] == 2  # due_today: see test_progress
    assert stats["topics"] == {"basics": {"answered": 2, "correct": 1, "accuracy": 0.5}}
    topics = json.loads(mlkata("topics", "--json", "--no-shipped", "--bank", GOOD).stdout)
    assert [(t["topic"], t["questions"], t["languages"]) for t in topics] == [
        ("basics", 6, {"en": 6, "zh": 6}),
        ("extra", 1, {"en": 1, "zh": 0}),
    ]
    assert topics[0]["types"]["open"] == 1


def test_every_command_has_help_with_an_example(mlkata):
    for command in ("quiz", "stats", "topics"):
        result = mlkata(command, "--help")
        assert result.returncode == 0 and "Example: mlkata " + command in result.stdout


def test_the_quiz_path_never_imports_tensorflow_or_the_grader(tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_text("B\n")
    code = (
        "import sys; from grader.cli import main; "
        f"code = main(['quiz', '--no-shipped', '--bank', {GOOD!r}, '--tag', 'mnist']); "
        "heavy = [m for m in sys.modules if m.split('.')[0] == 'tensorflow' "
        "or m.startswith('grader.grading') or m.startswith('grader.sandbox')]; "
        "print('HEAVY', heavy)"
    )
    with answers.open() as stdin:
        out = subprocess.run([sys.executable, "-c", code], stdin=stdin, capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    assert "HEAVY []" in out


def test_in_a_terminal_an_unreadable_answer_is_asked_again(mlkata_home):
    """A real pseudo-terminal: rich rendering, and 'x' is not counted but asked again."""
    import pty
    import select

    leader, follower = pty.openpty()
    env = {**os.environ, "MLKATA_HOME": str(mlkata_home), "COLUMNS": "80", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "quiz", *OWN, "--tag", "mnist"],
        stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    screen = b""

    def shown() -> str:
        return re.sub(r"\x1b\[[0-9;]*m", "", screen.decode(errors="replace"))

    def wait_for(text: str) -> None:
        nonlocal screen
        deadline = time.monotonic() + 60
        while text not in shown():
            assert time.monotonic() < deadline, screen.decode(errors="replace")
            if select.select([leader], [], [], 1)[0]:
                try:
                    screen += os.read(leader, 4096)
                except OSError:  # the quiz closed the terminal
                    break

    try:
        wait_for("Your answer")
        os.write(leader, b"x\n")
        wait_for("Could not read your answer 'x'")
        os.write(leader, b"b\n")
        wait_for("Quiz over: 1/1 right.")
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        os.close(leader)
    assert "Ctrl-C stops at any time; each answer is saved as you give it." in shown()
    assert "╭─ Question 1/1 · basics · easy" in shown()
    assert "✓ Right." in shown()
    assert reviews(mlkata_home) == [("basics-choice", 3)]


def test_stats_shows_exercises_beside_the_quiz(mlkata, mlkata_home):
    from grader import progress
    from grader.exercises import load_manifest

    progress.record_grade("normalize", "abc", 8, 12, False, checks_passed=6, checks_total=8)
    result = mlkata("stats")
    assert result.returncode == 0
    assert f"Exercises: 0/{len(load_manifest())} passed (1 grading)" in result.stdout
    assert "normalize" in result.stdout and "best 8/12" in result.stdout
    data = json.loads(mlkata("stats", "--json").stdout)
    assert data["exercises"]["attempts"] == 1
    [normalize] = [e for e in data["exercises"]["items"] if e["exercise"] == "normalize"]
    assert normalize["failing_checks"] == 2


def test_a_question_with_todo_left_is_never_asked_and_validate_lists_it(mlkata, tmp_path):
    """`mlkata new question` writes a valid template full of TODO: not for learners."""
    root = tmp_path / "course"
    root.mkdir()
    assert mlkata("new", "question", "--topic", "t", "--type", "open",
                  "--root", str(root)).returncode == 0  # fmt: skip
    bank_file = str(root / "questions" / "t.yaml")
    alone = mlkata("quiz", "--no-shipped", "--bank", bank_file)
    assert alone.returncode == 2 and "all 1 still have TODO text" in alone.stderr
    with open(bank_file, "a", encoding="utf-8") as bank:
        bank.write("  - id: t-done\n    type: truefalse\n    difficulty: easy\n    tags: [relu]\n"
                   "    prompt: ReLU is max(0, x).\n    answer: true\n"
                   "    explanation: By definition.\n")  # fmt: skip
    quiz = mlkata("quiz", "--no-shipped", "--bank", bank_file, "-n", "5", input="true\n")
    assert quiz.returncode == 0, quiz.stderr
    assert "Question 1/1" in quiz.stdout and "TODO" not in quiz.stdout
    report = json.loads(mlkata("validate", bank_file, "--json").stdout)
    assert report["ok"] is True
    assert [w["id"] for w in report["warnings"]] == ["t-new-question"]
    assert "still has TODO text" in report["warnings"][0]["message"]


def test_a_topic_whose_every_question_was_skipped_is_not_called_unknown(mlkata, tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "format_version: 1\ntopic: mine\ntitle: Mine\nquestions:\n"
        "  - id: cnn-conv2d-params-mnist\n    type: truefalse\n    difficulty: easy\n"
        "    tags: [x]\n    prompt: ReLU is max(0, x).\n    answer: true\n"
        "    explanation: By definition.\n"
    )  # the id of a shipped question
    result = mlkata("quiz", "--bank", str(mine), "--topic", "mine")
    assert result.returncode == 2
    assert "duplicate id 'cnn-conv2d-params-mnist'" in result.stderr
    assert "topic mine has no usable questions" in result.stderr
    assert "unknown topic" not in result.stderr
    checked = mlkata("validate", str(mine))  # valid on its own, so a warning, not an error
    assert checked.returncode == 0
    assert "cnn-conv2d-params-mnist: a shipped question has this id too" in checked.stdout
    assert "No errors. 1 warning(s) above." in checked.stdout
    shipped = mlkata("validate", "questions/cnn.yaml")  # a shipped bank is not its own shadow
    assert shipped.returncode == 0 and "warning" not in shipped.stdout


def test_chinese_quiz_names_the_topic_by_its_chinese_title(mlkata):
    result = mlkata("quiz", "--no-shipped", "--bank", GOOD, "--lang", "zh", "--tag", "mnist",
                    input="2\n")  # fmt: skip
    assert "第 1/1 题 · 基础 · 简单" in result.stdout
    assert "  基础：1/1" in result.stdout


def test_topic_names_forgive_case(mlkata):
    result = mlkata("quiz", *OWN, "--topic", "BASICS", "--tag", "mnist", input="2\n")
    assert result.returncode == 0, result.stderr
    assert "Question 1/1 · basics · easy" in result.stdout


def test_an_empty_answer_says_how_to_skip_and_skip_records_nothing(mlkata, mlkata_home):
    result = mlkata("quiz", *OWN, "--tag", "mnist", input="skip\n")
    assert "Skipped; it stays where it was in your schedule." in result.stdout
    assert "No question answered; nothing saved." in result.stdout
    assert not (mlkata_home / "progress.sqlite3").exists() or reviews(mlkata_home) == []
    result = mlkata("quiz", *OWN, "--tag", "mnist", input="\n")
    assert "Nothing typed: type a letter A-C or a number 1-3; or skip" in result.stdout


def test_a_decimal_comma_is_refused_with_the_reason(mlkata):
    result = mlkata("quiz", *OWN, "--tag", "parameters", input="3,2\n")
    assert "Could not read '3,2': write decimals with a point, e.g. 3.2." in result.stdout


def test_a_question_not_due_is_asked_only_with_a_notice_and_never_earlier(mlkata, mlkata_home):
    first = mlkata("quiz", *OWN, "--tag", "mnist", input="2\n")
    assert "Next reviews: 1 in 2 days" in first.stdout
    due_only = mlkata("quiz", *OWN, "--tag", "mnist", "--due-only")
    assert due_only.returncode == 0
    assert "Nothing is due now." in due_only.stdout and "Question" not in due_only.stdout
    early = mlkata("quiz", *OWN, "--tag", "mnist", input="2\n")
    assert "Nothing is due and nothing is new: these are reviews ahead of schedule (1)." in (
        early.stdout
    )
    # answered right a second time, the review stays at least as far away as it was
    assert "Next reviews: 1 in 2 days" in early.stdout


def test_stats_names_topics_by_title_in_the_learners_language(mlkata):
    mlkata("quiz", "--topic", "cnn", "-n", "1", "--seed", "1", input="1\n1\n1\n")
    mlkata("quiz", *OWN, "--tag", "mnist", input="B\n")  # a bank stats does not read
    english, chinese = mlkata("stats").stdout, mlkata("stats", "--lang", "zh").stdout
    assert "  CNN building blocks · cnn  " in english and "  basics  " in english
    assert "  卷积神经网络的基本组件 · cnn  " in chinese
    # The counts start in one column, whatever the width of each name.
    rows = [line for line in chinese.splitlines() if "· cnn" in line or "basics" in line]
    from rich.cells import cell_len

    starts = {cell_len(row[: re.search(r"\d+/\d+", row).start()]) for row in rows}
    assert len(rows) == 2 and len(starts) == 1, rows


def test_in_a_wide_terminal_prose_wraps_with_the_question_boxes(monkeypatch):
    """Explanations and notes wrap at the boxes' 96 columns, not past their right edge."""
    from rich.cells import cell_len
    from rich.console import Console

    from grader.cli import quiz_screen

    wide = Console(width=120, record=True, force_terminal=True)
    screen = quiz_screen.RichScreen("en")
    monkeypatch.setattr(screen, "console", wide)
    screen.line("Each image is scaled by its own minimum and maximum, " * 6, "italic")
    lines = wide.export_text().splitlines()
    assert len(lines) > 2 and max(cell_len(line.rstrip()) for line in lines) <= 96
    assert max(cell_len(line.rstrip()) for line in lines) > 80  # the width is used
