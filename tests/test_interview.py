"""`mlkata interview` through the real CLI: killed and resumed, timed out, reported."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

START = ["interview", "--minutes", "15", "--seed", "3", "--track", "llm"]


def state(home: Path) -> dict:
    (path,) = (home / "interviews").glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def reviews(home: Path) -> list[str]:
    with sqlite3.connect(home / "progress.sqlite3") as db:
        return [qid for (qid,) in db.execute("SELECT question_id FROM reviews ORDER BY id")]


def test_a_killed_interview_resumes_where_it_stopped_and_ends_with_a_report(
    mlkata, mlkata_home, tmp_path
):
    env = {**os.environ, "MLKATA_HOME": str(mlkata_home), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, "-m", "grader", *START, "--lang", "en"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                            encoding="utf-8")  # fmt: skip
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    seen = []
    while not any(line.startswith("Question 3/4") for line in seen):
        proc.stdin.write("1\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        assert line, seen
        seen.append(line.rstrip("\n"))
    os.kill(proc.pid, signal.SIGKILL)  # the terminal is closed mid-way
    proc.wait()
    watchdog.cancel()
    assert seen[0].startswith("Mock interview: 4 theory questions, easy to hard, then a coding")
    before = state(mlkata_home)
    assert len(before["answers"]) == 2 and not before["finished"]
    assert reviews(mlkata_home) == [a["question_id"] for a in before["answers"]]

    report = tmp_path / "report.md"
    result = mlkata("interview", "--resume", "--report", str(report), input="1\n" * 12,
                    timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Resuming the interview of ")
    assert ": question 3 of 4, " in out.splitlines()[0]
    assert "Grading bpe with the real grader ..." in out
    after = state(mlkata_home)
    assert after["finished"] and [a["question_id"] for a in after["answers"]] == after["questions"]
    assert reviews(mlkata_home) == after["questions"]  # each question recorded once
    assert "Exercise bpe: not passed, 0/14 points; first failing check: " in out  # the stub
    markdown = report.read_text(encoding="utf-8")
    assert markdown.startswith("# Interview report\n")
    assert "## Score per topic" in markdown and "## Time per question" in markdown
    for qid in after["questions"]:
        assert f"- {qid} (" in markdown  # time and verdict per question


def test_end_of_input_pauses_and_time_running_out_ends_it(mlkata, mlkata_home):
    first = mlkata(*START, "--lang", "zh", input="")
    assert first.returncode == 0
    assert "模拟面试：4 道理论题（由易到难），然后是一道编程题；限时 15 分钟。" in first.stdout
    assert "已暂停，剩余 15:00；`mlkata interview --resume` 可继续。" in first.stdout
    (path,) = (mlkata_home / "interviews").glob("*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["elapsed"] = 15 * 60  # the clock has run out
    path.write_text(json.dumps(data), encoding="utf-8")
    result = mlkata("interview", "--resume", input="")
    out = result.stdout
    assert "时间到。" in out and "面试报告" in out
    assert "时间用完前未答到的题：4 道" in out and "编程题 bpe：跳过或未做到。" in out
    again = mlkata("interview", "--resume", "--lang", "en")
    assert again.returncode == 2
    assert "no paused interview to resume; start one with `mlkata interview`" in again.stderr


def test_the_plan_is_seeded_mixes_topics_and_rises_in_difficulty():
    from grader import bank, interview
    from grader.exercises import load_manifest

    questions, manifest = bank.load_banks().questions, load_manifest()
    one = interview.plan(questions, None, 45, None, 7, "en")
    two = interview.plan(questions, None, 45, None, 7, "en")
    assert one.questions == two.questions and len(one.questions) == 11
    by_id = {q.id: q for q in questions}
    ranks = [interview.DIFFICULTY_ORDER[by_id[q].difficulty] for q in one.questions]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 2
    assert len({by_id[q].topic for q in one.questions}) >= 8
    llm = interview.plan(questions, manifest, 45, "llm", 7, "en")
    assert {by_id[q].topic for q in llm.questions} <= set(interview.TRACK_TOPICS["llm"])
    assert next(e for e in manifest if e.id == llm.exercise).track == "llm"


def test_help_lists_the_tracks_without_importing_the_interview_core():
    from grader.cli.interview import TRACKS
    from grader.interview import TRACK_TOPICS

    assert tuple(sorted(TRACK_TOPICS)) == TRACKS
    code = "import sys; from grader.cli import build_parser; build_parser(); "
    code += "print('grader.interview' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip() == "False"


def test_an_interview_paused_at_the_exercise_resumes_there(mlkata, mlkata_home):
    from grader import bank, interview
    from grader.exercises import load_manifest

    questions = {q.id: q for q in bank.load_banks().questions}
    planned = interview.plan(questions.values(), load_manifest(), 15, "llm", 3, "zh").questions
    lines_per = [3 if questions[q].key_points else 2 if questions[q].type == "open" else 1
                 for q in planned]  # answer (, key points) (, rating)  # fmt: skip
    first = mlkata(*START, "--lang", "zh", input="1\n" * sum(lines_per))  # input ends there
    assert "已暂停" in first.stdout.splitlines()[-1]  # at the exercise prompt
    result = mlkata("interview", "--resume", input="skip\n")
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"继续 [-0-9]+ [0-9:]+ 开始的面试：到了编程题，剩余 1[45]:\d\d。", lines[0])
    assert "编程题 bpe：跳过或未做到。" in result.stdout
    # Topics by their Chinese titles, as the quiz names them: no English slug in a Chinese
    # header or report line (the question ids of "time per question" are identifiers).
    assert "  大模型基础：" in result.stdout
    assert any(line.startswith("  llm-fundamentals-") and "（大模型基础）" in line
               for line in lines)  # fmt: skip
    assert not re.search(r"[\u4e00-\u9fff].*\b(llm-fundamentals|alignment)\b(?!-)", first.stdout)


class Terminal:
    """The interview in a real pseudo-terminal of 80x24, rendered as a person sees it."""

    def __init__(self, home: Path, *args: str) -> None:
        import fcntl
        import pty
        import struct
        import termios

        import pyte

        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env.update(MLKATA_HOME=str(home), TERM="xterm")
        self.proc = subprocess.Popen([sys.executable, "-m", "grader", *args], stdin=follower,
                                     stdout=follower, stderr=follower, env=env)  # fmt: skip
        os.close(follower)

    def rows(self) -> list[str]:
        return [row.rstrip() for row in self.screen.display]

    def until(self, condition, timeout: float = 60) -> None:
        import select
        import time

        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            assert left > 0, "\n".join(self.rows())
            if select.select([self.leader], [], [], min(left, 0.5))[0]:
                try:
                    self.stream.feed(os.read(self.leader, 65536))
                except OSError:  # the program ended and closed the terminal
                    assert condition(), "\n".join(self.rows())

    def type(self, keys: str) -> None:
        os.write(self.leader, keys.encode())


def test_in_a_terminal_the_clock_ticks_on_the_bottom_line_while_you_type(mlkata_home, signal_state):
    term = Terminal(mlkata_home, *START, "--lang", "en")

    def clock() -> int:  # seconds shown on the bottom row
        match = re.fullmatch(r"⏱ (\d+):(\d\d) left", term.rows()[-1])
        return int(match[1]) * 60 + int(match[2]) if match else -1

    term.until(lambda: clock() > 0 and term.rows()[term.screen.cursor.y].endswith("phrase):"))
    assert any(row.startswith("╭─ Question 1/4") for row in term.rows())
    term.type("Ro")  # half an answer, not sent
    shown = clock()
    term.until(lambda: 0 < clock() < shown)  # the clock moved on by itself ...
    prompt = term.rows()[term.screen.cursor.y]
    assert prompt == "Your answer (a word or a short phrase): Ro"  # ... and the typing stayed
    assert term.screen.cursor.x == len(prompt)
    term.type("PE\r")
    term.until(lambda: any(row.startswith("╭─ Question 2/4") for row in term.rows()))
    assert "✓ Right." in term.rows() and clock() > 0  # questions scroll above the clock
    signals = signal_state(term.proc.pid)
    term.proc.send_signal(signal.SIGINT)  # Ctrl-C: paused, the clock leaves its line
    print("before Ctrl-C:", signals)  # shown if the pause never comes
    term.until(lambda: any(row.startswith("Paused with 1") for row in term.rows()))
    assert term.proc.wait(timeout=30) == 130
    term.until(lambda: term.screen.margins is None)  # the whole screen scrolls again
    assert clock() == -1


def test_piped_the_clock_is_a_line_before_each_question_with_no_escapes(mlkata):
    result = mlkata(*START, "--lang", "en", input="RoPE\n")
    clocks = [line for line in result.stdout.splitlines() if line.startswith("⏱")]
    assert len(clocks) == 2 and all(re.fullmatch(r"⏱ 1[45]:\d\d left", c) for c in clocks)
    assert "\x1b" not in result.stdout
