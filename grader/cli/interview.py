"""`mlkata interview`: a timed mock interview in the terminal, paused and resumed at will."""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

from grader.errors import UserError
from grader.messages import say as say_now

WORDS = {
    "intro": ("Mock interview: {n} theory questions, easy to hard, then a coding exercise; "
              "{minutes} minutes on the clock. Ctrl-C or closing the terminal pauses it; "
              "`mlkata interview --resume` continues.",
              "模拟面试：{n} 道理论题（由易到难），然后是一道编程题；限时 {minutes} 分钟。"
              "按 Ctrl-C 或关闭终端即暂停；`mlkata interview --resume` 继续。"),
    "resumed": ("Resuming the interview of {started}: question {i} of {n}, {left} left.",
                "继续 {started} 开始的面试：第 {i}/{n} 题，剩余 {left}。"),
    "resumed_exercise": ("Resuming the interview of {started} at its coding exercise, {left} left.",
                         "继续 {started} 开始的面试：到了编程题，剩余 {left}。"),
    "clock": ("⏱ {left} left", "⏱ 剩余 {left}"),
    "time_up": ("Time is up.", "时间到。"),
    "paused": ("Paused with {left} left; `mlkata interview --resume` continues.",
               "已暂停，剩余 {left}；`mlkata interview --resume` 可继续。"),
    "exercise": ("Coding exercise {id}: {title}. Write `{function}` in {path}, then press Enter "
                 "to have it graded (or type skip).",
                 "编程题 {id}：{title}。在 {path} 中实现 `{function}`，"
                 "然后按回车评分（或输入 skip 跳过）。"),
    "grade_label": ("Grade it now?", "现在评分吗？"),
    "grade_hint": ("Enter grades the file; skip skips", "回车评分；输入 skip 跳过"),
    "grading": ("Grading {id} with the real grader ...", "正在用正式评分器给 {id} 评分……"),
    "no_resume": ("no paused interview to resume; start one with `mlkata interview`",
                  "没有可继续的面试；用 `mlkata interview` 开始一场"),
    "no_questions": ("no questions for this track", "这个方向没有题目"),
    "report": ("Interview report", "面试报告"),
    "score": ("Theory: {right}/{n} right; {time} on the clock in all.",
              "理论题：{n} 道答对 {right} 道；总用时 {time}。"),
    "per_topic": ("Score per topic:", "各主题得分："),
    "times": ("Time per question:", "每题用时："),
    "missed": ("Key points missed:", "遗漏的要点："),
    "unanswered": ("Not reached before time ran out: {n}", "时间用完前未答到的题：{n} 道"),
    "ex_passed": ("Exercise {id}: passed, {score}/{max} points.",
                  "编程题 {id}：通过，{score}/{max} 分。"),
    "ex_failed": ("Exercise {id}: not passed, {score}/{max} points; first failing check: "
                  "{check}. Hint: {hint}",
                  "编程题 {id}：未通过，{score}/{max} 分；"
                  "第一个未通过的检查：{check}。提示：{hint}"),
    "ex_skipped": ("Exercise {id}: skipped or not reached.", "编程题 {id}：跳过或未做到。"),
    "review": ("Review next: {topics}", "接下来复习：{topics}"),
    "review_none": ("Review next: nothing stands out; try a harder track or a shorter clock.",
                    "接下来复习：没有明显的薄弱点；可以换更难的方向或缩短时间。"),
    "written": ("Report written to {path}", "报告已写入 {path}"),
    "right": ("right", "对"),
    "wrong": ("wrong", "错"),
}  # fmt: skip


def say(lang: str, key: str, **values: object) -> str:
    return WORDS[key][lang == "zh"].format(**values)


TRACKS = ("classic", "llm", "mnist-keras")  # grader.interview.TRACK_TOPICS (not imported: --help)


def register(subparsers: argparse._SubParsersAction) -> None:
    s = say_now
    p = subparsers.add_parser(
        "interview",
        help=s(
            en="a timed mock interview: theory questions, then a graded coding exercise",
            zh="计时模拟面试：先答理论题，再做一道评分的编程练习",
        ),
        description=s(
            en="A seeded mix of theory questions across topics, rising in difficulty, "
            "then one coding exercise graded by the real grader, under a clock. Every answer is "
            "saved at once: Ctrl-C pauses, --resume continues, and the end is a report.",
            zh="按种子从各主题抽取理论题，难度逐步上升，然后是一道由真正的评分程序评分的"
            "编程练习，全程计时。每个回答都会立即保存：Ctrl-C 暂停，--resume 继续，"
            "最后给出一份报告。",
        ),
        epilog=s(en="Example: ", zh="示例：")
        + "mlkata interview --minutes 15 --track llm --lang zh",
    )
    p.add_argument(
        "--minutes",
        type=int,
        default=45,
        metavar="M",
        help=s(en="the clock (default 45)", zh="限时分钟数（默认 45）"),
    )
    p.add_argument(
        "--track",
        choices=TRACKS,
        help=s(en="topics and exercise of a track", zh="使用某条路线的主题和练习"),
    )
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        help=s(en="language (default: from the locale)", zh="语言（默认：按系统语言环境）"),
    )
    p.add_argument(
        "--seed", type=int, help=s(en="choose the questions reproducibly", zh="以可复现的方式选题")
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help=s(en="also write the report as Markdown", zh="同时把报告写成 Markdown"),
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help=s(en="continue the last paused interview", zh="继续上次暂停的面试"),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grader import bank, interview
    from grader.cli.output import language
    from grader.cli.quiz_screen import make_screen

    if args.minutes < 1:
        raise UserError(say_now(en="--minutes must be at least 1", zh="--minutes 至少为 1"))
    loaded = bank.load_banks()
    questions = {q.id: q for q in loaded.questions}
    titles = {b.topic: b.title for b in loaded.banks}
    if args.resume:
        session = interview.latest_unfinished()
        if session is None:
            raise UserError(say(language(args), "no_resume"))
        lang = args.lang or session.lang
    else:
        lang = language(args)
        import random

        seed = args.seed if args.seed is not None else random.randrange(10**6)
        session = interview.plan(questions.values(), None, args.minutes, args.track, seed, lang)
        if not session.questions:
            raise UserError(say(lang, "no_questions"))
        interview.save(session)
    screen = make_screen(lang, titles)
    n = len(session.questions)
    if args.resume:
        started = session.started[:16].replace("T", " ")
        key = "resumed" if session.next_question < n else "resumed_exercise"
        screen.line(say(lang, key, started=started, i=session.next_question + 1, n=n,
                        left=_clock(session.left)))  # fmt: skip
    else:
        screen.line(say(lang, "intro", n=n, minutes=session.minutes))
    countdown = _Countdown(session, screen)
    try:
        with countdown.live():
            theory_done = _theory(screen, session, questions, countdown)
        if not theory_done or not _exercise(screen, session, countdown):
            screen.line(say(lang, "paused", left=_clock(session.left)), "yellow")
            return 0
    except KeyboardInterrupt:
        interview.save(session)
        screen.line("")
        screen.line(say(lang, "paused", left=_clock(session.left)), "yellow")
        return 130
    session.finished = True
    interview.save(session)
    lines = report_lines(interview.report(session), session, questions, lang, screen.topic)
    screen.line("")
    for line in lines:
        screen.line(line)
    if args.report:
        from grader.grading.reports import write_atomically

        write_atomically(args.report, "\n".join(_markdown(lines)) + "\n")
        screen.line(say(lang, "written", path=args.report), "dim")
    return 0


class _Countdown:
    """Time left on the clock, the question on screen included; ticking in a terminal."""

    def __init__(self, session, screen) -> None:
        self.session = session
        self.screen = screen
        self.since: float | None = None  # when the question on screen was shown

    def left(self) -> float:
        running = time.monotonic() - self.since if self.since is not None else 0.0
        return max(0.0, self.session.left - running)

    def text(self) -> str:
        left, lang = self.left(), self.screen.lang
        shown = say(lang, "clock", left=_clock(left))
        return shown if left > 0 else f"{shown} · {say(lang, 'time_up')}"

    def live(self) -> contextlib.AbstractContextManager:
        """The clock on the terminal's bottom line, updated as it runs; piped, nothing."""
        if not self.screen.interactive:
            return contextlib.nullcontext()
        from grader.cli.clock import LiveClock

        return LiveClock(self.screen.console.file, self.text)


def _theory(screen, session, questions, countdown: _Countdown) -> bool:
    """Ask the questions not answered yet; False at end of input (paused)."""
    from grader import interview, progress, variants

    n, lang = len(session.questions), screen.lang
    for i in range(session.next_question, n):
        if session.left <= 0:
            screen.line(say(lang, "time_up"), "yellow")
            return True
        question = questions.get(session.questions[i])
        if question is None:
            continue
        if question.variants:
            question = variants.pose(question, f"{session.seed}:{i}")
        screen.line("")
        screen.line(say(lang, "clock", left=_clock(session.left)), "bold")
        started = countdown.since = time.monotonic()
        asked = _ask(screen, question, i + 1, n)
        countdown.since = None
        if asked is None:
            return False
        rating, covered = asked
        seconds = round(time.monotonic() - started, 1)
        session.elapsed += seconds
        missed = [p for p, ok in enumerate(covered or ()) if not ok]
        session.answers.append(interview.Answer(question.id, question.topic,
                                                question.difficulty, rating, seconds,
                                                question.variant, missed))  # fmt: skip
        progress.record_review(question.id, question.topic, rating,
                               duration_ms=int(seconds * 1000), covered=covered,
                               variant=question.variant)  # fmt: skip
        interview.save(session)
    return True


def _ask(screen, question, i: int, n: int):
    """One question, as the quiz asks it: (rating, key points covered or None); None at EOF."""
    from grader import quiz
    from grader.cli.quiz_screen import answer_hint
    from grader.cli.quiz_screen import say as quiz_say
    from grader.cli.selfcheck import self_check

    lang = screen.lang
    screen.question(question, i, n)
    hint = answer_hint(question, lang)
    while True:
        raw = screen.read(quiz_say(lang, "answer"), hint)
        if raw is None:
            return None
        verdict = quiz.check(question, raw)
        if verdict.kind != quiz.UNREADABLE:
            break
        screen.line(quiz_say(lang, "unreadable", raw=raw.strip(), hint=hint), "yellow")
        if not screen.interactive:
            screen.line(quiz_say(lang, "counted"), "yellow")
            break
    if verdict.kind != quiz.RECALL:
        screen.verdict(question, verdict.kind == quiz.RIGHT)
        return verdict.rating, None
    screen.reveal(question)
    if question.key_points:
        return self_check(screen, question)
    while True:
        raw = screen.read(quiz_say(lang, "rate"), quiz_say(lang, "ratings"))
        if raw is None:
            return None
        rating = quiz.parse_rating(raw)
        if rating is not None or not screen.interactive:
            return rating or quiz.AGAIN, None
        screen.line(quiz_say(lang, "bad_rating"), "yellow")


def _exercise(screen, session, countdown: _Countdown) -> bool:
    """The coding exercise, graded by the real grader; False at end of input (paused)."""
    from grader import interview

    if session.exercise_result is not None:
        return True
    if session.exercise is None:
        from grader.exercises import load_manifest

        session.exercise = interview.choose_exercise(load_manifest(), session.track, session.seed)
        interview.save(session)
        if session.exercise is None:
            return True
    if session.left <= 0:
        session.exercise_result = {"skipped": True}
        return True
    from grader.exercises import get_exercise

    lang, exercise = screen.lang, get_exercise(session.exercise)
    file = interview.workspace_file(session)
    if not file.exists():
        import shutil

        file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exercise.stub_path, file)
    screen.line("")
    screen.line(say(lang, "clock", left=_clock(session.left)), "bold")
    screen.line(say(lang, "exercise", id=exercise.id, title=exercise.title(lang),
                    function=exercise.function, path=file))  # fmt: skip
    started = countdown.since = time.monotonic()
    try:
        with countdown.live():
            raw = screen.read(say(lang, "grade_label"), say(lang, "grade_hint"))
    except KeyboardInterrupt:  # the time spent coding stays on the clock
        session.elapsed += round(time.monotonic() - started, 1)
        raise
    if raw is None:
        session.elapsed += time.monotonic() - started
        interview.save(session)
        return False
    if raw.strip().casefold() in ("skip", "跳过"):
        session.exercise_result = {"skipped": True}
    else:
        import hashlib

        from grader.grading.timing import grade_timed

        screen.line(say(lang, "grading", id=exercise.id), "dim")
        verdict = grade_timed(exercise, file)
        verdict.record(hashlib.sha256(file.read_bytes()).hexdigest())
        failing = verdict.first_failure
        hint = next((c.hint(lang) for c in exercise.checks if failing and c.name == failing.name),
                    "")  # fmt: skip
        session.exercise_result = {"passed": verdict.passed, "score": verdict.score,
                                   "max_score": verdict.max_score,
                                   "failing": failing.name if failing else None,
                                   "hint": hint, "error": verdict.error}  # fmt: skip
    session.elapsed += round(time.monotonic() - started, 1)
    interview.save(session)
    return True


def report_lines(report, session, questions, lang: str, topic=lambda slug: slug) -> list[str]:
    """The report, line by line; `topic` names a topic as the learner reads it (its title
    in Chinese, like the quiz)."""
    right, n = report.score
    lines = [say(lang, "report"), say(lang, "score", right=right, n=n, time=_clock(report.elapsed))]
    colon, comma = ("：", "，") if lang == "zh" else (": ", ", ")
    lines.append(say(lang, "per_topic"))
    lines += [f"  {topic(slug)}{colon}{r}/{k}" for slug, (r, k) in report.topics.items()]
    lines.append(say(lang, "times"))
    for qid, slug, seconds, ok in report.times:
        where = f"（{topic(slug)}）" if lang == "zh" else f" ({slug})"
        verdict = say(lang, "right" if ok else "wrong")
        lines.append(f"  {qid}{where}{colon}{_clock(seconds)}{comma}{verdict}")
    if report.unanswered:
        lines.append(say(lang, "unanswered", n=len(report.unanswered)))
    if report.missed:
        lines.append(say(lang, "missed"))
        for qid, point in report.missed:
            question = questions.get(qid)
            text = question.key_points[point](lang) if question else "?"
            number = f" 第 {point + 1} 点" if lang == "zh" else f" #{point + 1}"
            lines.append(f"  {qid}{number}{colon}{text}")
    result = report.exercise
    exercise = session.exercise or "-"
    if not result or result.get("skipped"):
        lines.append(say(lang, "ex_skipped", id=exercise))
    elif result["passed"]:
        lines.append(say(lang, "ex_passed", id=exercise, score=result["score"],
                         max=result["max_score"]))  # fmt: skip
    else:
        lines.append(say(lang, "ex_failed", id=exercise, score=result["score"],
                         max=result["max_score"], check=result["failing"] or result["error"],
                         hint=result["hint"] or "-"))  # fmt: skip
    comma = "、" if lang == "zh" else ", "
    lines.append(say(lang, "review", topics=comma.join(map(topic, report.review))) if report.review
                 else say(lang, "review_none"))  # fmt: skip
    return lines


def _markdown(lines: list[str]) -> list[str]:
    """The terminal report as Markdown: a title, sections, list items."""
    out = [f"# {lines[0]}", ""]
    for line in lines[1:]:
        if line.startswith("  "):
            out.append(f"- {line.strip()}")
        elif line.endswith((":", "：")):
            out += ["", f"## {line.rstrip(':：')}", ""]
        else:
            out += ["", line]
    return out


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
