"""`mlkata quiz`, `mlkata stats` and `mlkata topics`: arguments and rendering only."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from grader.cli.output import console, language
from grader.errors import UserError

DIFFICULTIES = ("easy", "medium", "hard")
LETTERS = "ABCDEFGH"  # option letters, as in grader.bank (not imported: --help stays fast)

# Interface words, English then Chinese.
WORDS = {
    "question": ("Question {i}/{n}", "第 {i}/{n} 题"),
    "how_to_stop": ("Ctrl-C stops at any time; each answer is saved as you give it.",
                    "随时按 Ctrl-C 停止；每个答案一提交就已保存。"),
    "answer": ("Your answer", "你的答案"),
    "right": ("Right.", "正确。"),
    "wrong": ("Wrong.", "错误。"),
    "expected": ("The answer is {answer}.", "正确答案：{answer}。"),
    "unreadable": ("Could not read your answer {raw!r}; type {hint}.",
                   "无法识别答案“{raw}”，请输入{hint}。"),
    "counted": ("Counted as wrong.", "按答错计。"),
    "reference": ("Reference answer: ", "参考答案："),
    "key_points": ("Key points:", "要点："),
    "ask": ("{label} ({hint}): ", "{label}（{hint}）："),
    "rate": ("How well did you recall it?", "你回忆得怎么样？"),
    "ratings": ("again, hard, good or easy; or 1-4", "重来、困难、良好 或 简单；或 1-4"),
    "bad_rating": ("Could not read that rating; type again, hard, good or easy (or 1-4).",
                   "无法识别评分，请输入 重来、困难、良好 或 简单（或 1-4）。"),
    "counted_again": ("Counted as again.", "按“重来”计。"),
    "score": ("Score: {right}/{answered}", "得分：{right}/{answered}"),
    "summary": ("Quiz over: {right}/{answered} right.", "测验结束：答对 {right}/{answered}。"),
    "stopped": ("Stopped after {answered} of {n} questions.",
                "共 {n} 题，答到第 {answered} 题时停止。"),
    "coming": ("Next reviews: ", "下次复习："),
    "nothing": ("No question answered; nothing saved.", "没有回答任何题目，未保存进度。"),
    "choice": ("a letter A-{last} or a number 1-{n}", "字母 A-{last} 或数字 1-{n}"),
    "multi": ("letters A-{last} or numbers 1-{n}, separated by commas",
              "字母 A-{last} 或数字 1-{n}，用逗号分隔"),
    "truefalse": ("true or false; also t/f, yes/no, 1/0, 对/错",
                  "“对”或“错”；也可用 是/否、true/false、1/0"),
    "numeric": ("a number, e.g. 320 or 3.2e2", "一个数字，例如 320 或 3.2e2"),
    "short": ("a word or a short phrase", "一个词或短语"),
    "open": ("one line; it is not graded", "一行即可，不评分"),
    "true": ("true", "对"),
    "false": ("false", "错"),
    "easy": ("easy", "简单"),
    "medium": ("medium", "中等"),
    "hard": ("hard", "困难"),
    "minutes": ("in {n} min", "{n} 分钟后"),
    "hours": ("in {n} h", "{n} 小时后"),
    "days": ("in {n} days", "{n} 天后"),
    "count": ("{n}", "{n} 题"),
}  # fmt: skip


def say(lang: str, key: str, **values: object) -> str:
    return WORDS[key][lang == "zh"].format(**values)


def register(subparsers: argparse._SubParsersAction) -> None:
    epilog_quiz = (
        "Piped input is read line by line: an option letter or number, letters separated by\n"
        "commas for several, true/false, a number, or text; an open question takes an answer\n"
        "line, then a rating line (again, hard, good, easy or 1-4).\n\n"
        "Example: mlkata quiz --topic cnn -n 5 --lang zh"
    )
    p = subparsers.add_parser(
        "quiz", help="answer questions; due reviews first, then new ones",
        description="Quiz yourself from the question banks. Each answer is saved at once\n"
        "and scheduled for review with FSRS.",
        epilog=epilog_quiz, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    p.add_argument(
        "--topic", action="append", default=[], metavar="T", help="only this topic (repeatable)"
    )
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="T",
        help="only questions with this tag (repeatable)",
    )
    p.add_argument("--difficulty", choices=DIFFICULTIES, help="only this difficulty")
    p.add_argument(
        "-n", type=_positive, default=10, metavar="N", help="number of questions (default 10)"
    )
    p.add_argument("--seed", type=int, help="shuffle new questions reproducibly")
    _bank_arguments(p)
    p.set_defaults(func=run_quiz)

    p = subparsers.add_parser(
        "stats",
        help="what you answered, how well, and what is due",
        description="Your quiz progress: answers, accuracy per topic, reviews due.",
        epilog="Example: mlkata stats --json",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_stats)

    p = subparsers.add_parser(
        "topics",
        help="the question banks and what they hold",
        description="Each bank with its question count per type, difficulty and language.",
        epilog="Example: mlkata topics --json",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    _bank_arguments(p)
    p.set_defaults(func=run_topics)


def _bank_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang", choices=("en", "zh"), help="language (default: from the locale, else en)"
    )
    p.add_argument("--bank", action="append", default=[], type=Path, metavar="PATH",
                   help="also use this bank file or folder (repeatable)")  # fmt: skip
    p.add_argument("--no-shipped", action="store_true", help="use only the --bank banks")


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, not {value!r}")
    return int(value)


def _load(args: argparse.Namespace):
    from grader import bank

    if args.no_shipped and not args.bank:
        raise UserError("--no-shipped needs at least one --bank PATH")
    paths = ([] if args.no_shipped else bank.default_paths()) + args.bank
    loaded = bank.load_banks(paths)
    if loaded.errors:
        print(f"mlkata: {len(loaded.errors)} problem(s) in the question banks; "
              "those questions are skipped:", file=sys.stderr)  # fmt: skip
        for error in loaded.errors:
            print(f"  {error}", file=sys.stderr)
    return loaded


# -- quiz --------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    topic: str
    rating: int
    due: datetime


def run_quiz(args: argparse.Namespace) -> int:
    from grader import progress, quiz

    lang = language(args)
    loaded = _load(args)
    questions = loaded.questions
    known = sorted({q.topic for q in questions})
    unknown = [t for t in args.topic if t not in known]
    if unknown:
        raise UserError(f"unknown topic {', '.join(unknown)}; topics: {', '.join(known) or 'none'}")
    now = datetime.now(UTC)
    chosen = quiz.select(questions, progress.due_dates(), now, args.n, args.topic, args.tag,
                         args.difficulty, args.seed)  # fmt: skip
    if not chosen:
        raise UserError("no question matches these filters" if questions else "no questions to ask")
    screen = _screen(lang)
    screen.start()
    answered: list[Answered] = []
    try:
        for i, question in enumerate(chosen, 1):
            record = _ask(screen, question, i, len(chosen))
            if record is None:
                break
            answered.append(record)
            screen.line(say(lang, "score", right=_right(answered), answered=len(answered)), "dim")
    except KeyboardInterrupt:
        screen.line("")
        code = 130
    else:
        code = 0
    screen.summary(answered, len(chosen), datetime.now(UTC))
    return code


def _ask(screen: Screen, question, i: int, n: int) -> Answered | None:
    """Ask one question; None at end of input (nothing is recorded)."""
    from grader import progress, quiz

    lang = screen.lang
    screen.question(question, i, n)
    started = time.monotonic()
    hint = _hint(question, lang)
    while True:
        raw = screen.read(say(lang, "answer"), hint)
        if raw is None:
            return None
        verdict = quiz.check(question, raw)
        if verdict.kind != quiz.UNREADABLE:
            break
        screen.line(say(lang, "unreadable", raw=raw.strip(), hint=hint), "yellow")
        if not screen.interactive:
            screen.line(say(lang, "counted"), "yellow")
            break
    rating = verdict.rating
    if verdict.kind == quiz.RECALL:
        screen.reveal(question)
        while rating is None:
            raw = screen.read(say(lang, "rate"), say(lang, "ratings"))
            if raw is None:
                return None
            rating = quiz.parse_rating(raw)
            if rating is None:
                screen.line(say(lang, "bad_rating"), "yellow")
                if not screen.interactive:
                    screen.line(say(lang, "counted_again"), "yellow")
                    rating = quiz.AGAIN
    else:
        screen.verdict(question, verdict.kind == quiz.RIGHT)
    ms = int((time.monotonic() - started) * 1000)
    review = progress.record_review(question.id, question.topic, rating, duration_ms=ms)
    return Answered(question.topic, rating, review.due)


def _right(answered: list[Answered]) -> int:
    return sum(a.rating > 1 for a in answered)


def _hint(question, lang: str) -> str:
    n = len(question.options)
    return say(lang, question.type, n=n, last=LETTERS[max(n, 1) - 1])


def _expected(question, lang: str) -> str:
    if question.type in ("choice", "multi"):
        return ("、" if lang == "zh" else ", ").join(LETTERS[i] for i in question.correct)
    if question.type == "truefalse":
        return say(lang, "true" if question.truth else "false")
    if question.type == "numeric":
        value = f"{question.value:,.10g}"
        value += f" ± {question.tolerance:g}" if question.tolerance else ""
        return value + (f" {question.unit(lang)}" if question.unit else "")
    return question.answers[0]


def _when(due: datetime, now: datetime, lang: str) -> str:
    left = due - now
    if left < timedelta(hours=1):
        return say(lang, "minutes", n=max(1, round(left.total_seconds() / 60)))
    if left < timedelta(hours=23):
        return say(lang, "hours", n=round(left.total_seconds() / 3600))
    return say(lang, "days", n=round(left.total_seconds() / 86400))


def _screen(lang: str) -> Screen:
    if sys.stdin.isatty() and sys.stdout.isatty():
        return RichScreen(lang)
    return Screen(lang)


class Screen:
    """Plain text, line by line: what a script driving the quiz reads."""

    interactive = False

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def line(self, text: str, style: str = "") -> None:
        print(text, flush=True)

    def text(self, text) -> str:
        from grader.text import fallback_note

        shown = text.show(self.lang)
        note = fallback_note(shown, self.lang)
        return f"{shown.text.strip()} {note}" if note else shown.text.strip()

    def start(self) -> None:
        """Before the first question (a script reading the output needs no instructions)."""

    def heading(self, question, i: int, n: int) -> str:
        words = [
            say(self.lang, "question", i=i, n=n),
            question.topic,
            say(self.lang, question.difficulty),
        ]
        return " · ".join(words)

    def question(self, question, i: int, n: int) -> None:
        self.line("")
        self.line(self.heading(question, i, n))
        self.line(self.text(question.prompt))
        for index, option in enumerate(question.options):
            self.line(f"  {LETTERS[index]}) {self.text(option)}")

    def read(self, label: str, hint: str) -> str | None:
        self.line(say(self.lang, "ask", label=label, hint=hint).rstrip())
        raw = sys.stdin.readline()
        if not raw:
            return None
        self.line(f"> {raw.strip()}")
        return raw

    def verdict(self, question, right: bool) -> None:
        if right:
            self.line(say(self.lang, "right"), "bold green")
        else:
            answer = say(self.lang, "expected", answer=_expected(question, self.lang))
            space = "" if self.lang == "zh" else " "
            self.line(say(self.lang, "wrong") + space + answer, "bold red")
            for index in question.correct:
                self.line(f"  {LETTERS[index]}) {self.text(question.options[index])}", "red")
        self.line(self.text(question.explanation), "italic")

    def reveal(self, question) -> None:
        self.line(say(self.lang, "reference") + self.text(question.reference), "cyan")
        if question.key_points:
            self.line(say(self.lang, "key_points"), "cyan")
            for point in question.key_points:
                self.line(f"  - {self.text(point)}", "cyan")
        self.line(self.text(question.explanation), "italic")

    def summary(self, answered: list[Answered], n: int, now: datetime) -> None:
        lang = self.lang
        self.line("")
        if not answered:
            self.line(say(lang, "nothing"))
            return
        if len(answered) < n:
            self.line(say(lang, "stopped", answered=len(answered), n=n))
        self.line(say(lang, "summary", right=_right(answered), answered=len(answered)), "bold")
        for topic in sorted({a.topic for a in answered}):
            mine = [a for a in answered if a.topic == topic]
            self.line(f"  {topic}: {_right(mine)}/{len(mine)}")
        groups: dict[str, int] = {}
        for a in sorted(answered, key=lambda a: a.due):
            label = _when(a.due, now, lang)
            groups[label] = groups.get(label, 0) + 1
        coming = ("；" if lang == "zh" else "; ").join(
            f"{say(lang, 'count', n=k)} {label}" for label, k in groups.items()
        )
        self.line(say(lang, "coming") + coming)


class RichScreen(Screen):
    """The same quiz for a person at a terminal: colour, a panel per question, re-asking."""

    interactive = True

    def __init__(self, lang: str) -> None:
        super().__init__(lang)
        self.console = console()

    def line(self, text: str, style: str = "") -> None:
        self.console.print(text, style=style or None, markup=False)

    def start(self) -> None:
        self.line(say(self.lang, "how_to_stop"), "dim")

    def question(self, question, i: int, n: int) -> None:
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        body: list = [Text(self.text(question.prompt), style="bold")]
        if question.options:
            options = Table.grid(padding=(0, 2, 0, 1))
            for index, option in enumerate(question.options):
                options.add_row(Text(LETTERS[index], style="bold cyan"), self.text(option))
            body += [Text(""), options]
        width = min(self.console.width, 96)
        self.console.print()
        self.console.print(
            Panel(Group(*body), title=self.heading(question, i, n), title_align="left", width=width)
        )

    def reveal(self, question) -> None:
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        body = [Text(self.text(question.reference))]
        if question.key_points:
            body.append(Text("\n" + say(self.lang, "key_points"), style="bold"))
            body += [Text(f"  • {self.text(point)}") for point in question.key_points]
        title = say(self.lang, "reference").rstrip(": ：")
        panel = Panel(Group(*body), title=title, title_align="left", border_style="cyan")
        panel.width = min(self.console.width, 96)
        self.console.print(panel)
        self.line(self.text(question.explanation), "italic")

    def verdict(self, question, right: bool) -> None:
        self.console.print(
            "✓ " if right else "✗ ", style="bold green" if right else "bold red", end=""
        )
        super().verdict(question, right)

    def read(self, label: str, hint: str) -> str | None:
        from rich.text import Text

        prompt = Text(say(self.lang, "ask", label=label, hint=hint), style="bold")
        try:
            return self.console.input(prompt)
        except EOFError:
            return None


# -- stats and topics ----------------------------------------------------------------


def run_stats(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from grader import progress, workspace

    s = progress.stats()
    exercises = workspace.summary()
    if args.json:
        data = asdict(s)
        for topic, t in s.topics.items():
            data["topics"][topic]["accuracy"] = round(t.accuracy, 3)
        data["exercises"] = exercises
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    percent = f" ({s.correct / s.answered:.0%})" if s.answered else ""
    print(f"Answered: {s.answered}, correct: {s.correct}{percent}; questions seen: {s.seen}")
    print(f"Due now: {s.due_now}; due today: {s.due_today}; due this week: {s.due_week}")
    for topic, t in s.topics.items():
        print(f"  {topic:<20} {t.correct}/{t.answered} ({t.accuracy:.0%})")
    if not s.answered:
        print("Nothing answered yet. Start with: mlkata quiz")
    print(f"Exercises: {exercises['passed']}/{exercises['exercises']} passed "
          f"({exercises['attempts']} gradings)")  # fmt: skip
    for item in exercises["items"]:
        if item.get("attempts"):
            best = f"{item['best_score']:g}/{item['max_score']}"
            print(f"  {item['exercise']:<20} {item['status']}, best {best} "
                  f"({item['attempts']} gradings)")  # fmt: skip
    return 0


def run_topics(args: argparse.Namespace) -> int:
    from grader import bank

    lang = language(args)
    rows = [bank.counts(b) for b in _load(args).banks]
    if args.json:
        data = [{"topic": c.topic, "title": c.title(lang), "path": str(c.path),
                 "questions": c.questions, "types": c.by_type, "difficulty": c.by_difficulty,
                 "languages": c.by_language} for c in rows]  # fmt: skip
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    from rich.table import Table

    short = {"truefalse": "t/f", "numeric": "num"}
    columns = ["all", *(short.get(t, t) for t in bank.TYPES), "easy", "med", "hard", "en", "zh"]
    table = Table(box=None, padding=(0, 1), collapse_padding=True, pad_edge=False)
    table.add_column("topic", no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right", min_width=len(column))
    totals = [0] * len(columns)
    for c in rows:
        counts = [c.questions, *(c.by_type.get(t, 0) for t in bank.TYPES)]
        counts += [c.by_difficulty.get(d, 0) for d in DIFFICULTIES]
        counts += [c.by_language["en"], c.by_language["zh"]]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        table.add_row(c.topic, *map(str, counts))
    table.add_row(f"{len(rows)} banks", *map(str, totals), style="bold")
    console().print(table)
    return 0
