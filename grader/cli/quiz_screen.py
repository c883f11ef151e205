"""What the quiz shows: its words in English and Chinese, and two screens to show them on.

`Screen` writes plain lines, for scripts and pipes; `RichScreen` draws panels and
re-asks, for a person at a terminal. Neither knows how answers are checked or saved.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from grader.cli.output import console

LETTERS = "ABCDEFGH"  # option letters, as in grader.bank (not imported: --help stays fast)
_BOX_WIDTH = 96  # question boxes, reference answers and the prose between them

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
    "day": ("in 1 day", "1 天后"),
    "count": ("{n}", "{n} 题"),
    "no_variant": ("a question's variants do not compute: {problem}",
                   "某道题的变体无法计算：{problem}"),
    "skipped": ("Skipped; it stays where it was in your schedule.", "已跳过；它的复习时间不变。"),
    "empty": ("Nothing typed: type {hint}; or skip to leave this question for later.",
              "没有输入内容：请输入{hint}；或输入“跳过”（skip）留到以后再答。"),
    "decimal_comma": ("Could not read {raw!r}: write decimals with a point, e.g. {fixed}.",
                      "无法识别“{raw}”：小数请用小数点，例如 {fixed}。"),
    "ahead_some": ("Fewer questions are due or new than asked for: reviews ahead of schedule "
                   "fill the rest ({n}); --due-only asks only what is due.",
                   "到期和新的题目不够；另有 {n} 道尚未到期的复习题提前补上"
                   "（--due-only 只问到期的题）。"),
    "ahead_only": ("Nothing is due and nothing is new: these are reviews ahead of schedule ({n}). "
                   "A right answer now does not bring them forward.",
                   "没有到期的题，也没有新题；以下 {n} 道复习题提前作答，答对不会让复习时间提前。"),
    "none_due": ("Nothing is due now. `mlkata stats` shows when the next reviews are.",
                 "现在没有到期的题。`mlkata stats` 会显示下次复习的时间。"),
    "next_steps": ("Next: `mlkata stats` shows your progress; `mlkata init`, then "
                   "`cd mlkata && mlkata watch`, starts the coding exercises.",
                   "下一步：`mlkata stats` 查看进度；先运行 `mlkata init`，再运行 "
                   "`cd mlkata && mlkata watch`，开始编程练习。"),
    "all_todo": ("no questions to ask: all {n} still have TODO text",
                 "没有可问的题：全部 {n} 道题还留有 TODO 文本"),
    "no_match": ("no question matches these filters", "没有符合这些筛选条件的题目"),
    "no_questions": ("no questions to ask", "没有可问的题目"),
    "emptied": ("topic {topics} has no usable questions: see the problems listed above",
                "主题 {topics} 没有可用的题目：见上面列出的问题"),
    "unknown_topic": ("unknown topic {topics}; topics: {known}.",
                      "没有主题 {topics}；现有主题：{known}。"),
}  # fmt: skip


def say(lang: str, key: str, **values: object) -> str:
    return WORDS[key][lang == "zh"].format(**values)


@dataclass(frozen=True)
class Answered:
    topic: str
    rating: int
    due: datetime


def right_count(answered: list[Answered]) -> int:
    return sum(a.rating > 1 for a in answered)


def answer_hint(question, lang: str) -> str:
    n = len(question.options)
    return say(lang, question.type, n=n, last=LETTERS[max(n, 1) - 1])


def _expected(question, lang: str) -> str:
    if question.type in ("choice", "multi"):
        return ("、" if lang == "zh" else ", ").join(LETTERS[i] for i in question.correct)
    if question.type == "truefalse":
        return say(lang, "true" if question.truth else "false")
    if question.type == "numeric":
        value = f"{question.value:,.10g}"
        value += f" ± {question.tolerance:g}" if _worth_showing(question) else ""
        return value + (f" {question.unit(lang)}" if question.unit else "")
    return question.answers[0]


def _worth_showing(question) -> bool:
    """Whether the tolerance says something: 2.303 ± 0.001 (ln 10, rounded) does;
    0.6 ± 1e-06 is a guard against float noise, smaller than the answer's last digit."""
    if not question.tolerance:
        return False
    written = f"{question.value:.10g}"
    decimals = len(written.partition(".")[2]) if "e" not in written else 0
    return question.tolerance >= 0.5 * 10.0**-decimals


def _when(due: datetime, now: datetime, lang: str) -> str:
    left = due - now
    if left < timedelta(hours=1):
        return say(lang, "minutes", n=max(1, round(left.total_seconds() / 60)))
    if left < timedelta(hours=23):
        return say(lang, "hours", n=round(left.total_seconds() / 3600))
    days = round(left.total_seconds() / 86400)
    return say(lang, "day" if days == 1 else "days", n=days)


def make_screen(lang: str, titles: dict | None = None) -> Screen:
    """`titles`: each topic's bilingual title, shown in Chinese for a Chinese quiz."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return RichScreen(lang, titles)
    return Screen(lang, titles)


class Screen:
    """Plain text, line by line: what a script driving the quiz reads."""

    interactive = False

    def __init__(self, lang: str, titles: dict | None = None) -> None:
        self.lang = lang
        self.titles = titles or {}

    def topic(self, topic: str) -> str:
        """A topic as the learner reads it: its slug in English, its title in Chinese."""
        title = self.titles.get(topic)
        if self.lang == "zh" and title is not None and title.zh is not None:
            return title.zh
        return topic

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
            self.topic(question.topic),
            say(self.lang, question.difficulty),
        ]
        return " · ".join(words)

    def question(self, question, i: int, n: int) -> None:
        self.line("")
        self.line(self.heading(question, i, n))
        self.line(self.text(question.prompt))
        if question.picture is not None:
            self.picture(question.picture)
        for index, option in enumerate(question.options):
            self.line(f"  {LETTERS[index]}) {self.text(option)}")

    def picture(self, picture) -> None:
        """Piped: the picture in words (grader.cli.pictures)."""
        from grader.cli.pictures import describe
        from grader.pictures import draw

        for line in describe(draw(picture), self.lang):
            self.line(line, "dim")

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
            for number, point in enumerate(question.key_points, 1):
                self.line(f"  {number}. {self.text(point)}", "cyan")
        self.line(self.text(question.explanation), "italic")

    def summary(self, answered: list[Answered], n: int, now: datetime) -> None:
        lang = self.lang
        self.line("")
        if not answered:
            self.line(say(lang, "nothing"))
            return
        if len(answered) < n:
            self.line(say(lang, "stopped", answered=len(answered), n=n))
        self.line(say(lang, "summary", right=right_count(answered), answered=len(answered)), "bold")
        for topic in sorted({a.topic for a in answered}):
            mine = [a for a in answered if a.topic == topic]
            colon = "：" if lang == "zh" else ": "
            self.line(f"  {self.topic(topic)}{colon}{right_count(mine)}/{len(mine)}")
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

    def __init__(self, lang: str, titles: dict | None = None) -> None:
        super().__init__(lang, titles)
        self.console = console()

    def line(self, text: str, style: str = "") -> None:
        # Prose wraps at the width of the question boxes, not past their right edge.
        self.console.print(text, style=style or None, markup=False, width=_BOX_WIDTH)

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
        width = min(self.console.width, _BOX_WIDTH)
        self.console.print()
        self.console.print(
            Panel(Group(*body), title=self.heading(question, i, n), title_align="left", width=width)
        )
        if question.picture is not None:
            self.picture(question.picture)

    def picture(self, picture) -> None:
        """Half-blocks in colour, or ASCII shades when the terminal has no colour."""
        from grader.cli.pictures import ascii_lines, colour_lines, legend
        from grader.pictures import draw

        drawing = draw(picture)
        plain = self.console.no_color or self.console.color_system is None
        for line in ascii_lines(drawing) if plain else colour_lines(drawing):
            self.console.print(line, markup=False, highlight=False, no_wrap=True, crop=False)
        for line in legend(drawing, self.lang, plain):
            self.line(line, "dim")

    def reveal(self, question) -> None:
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        body = [Text(self.text(question.reference))]
        if question.key_points:
            body.append(Text("\n" + say(self.lang, "key_points"), style="bold"))
            body += [Text(f"  {number}. {self.text(point)}")
                     for number, point in enumerate(question.key_points, 1)]  # fmt: skip
        title = say(self.lang, "reference").rstrip(": ：")
        panel = Panel(Group(*body), title=title, title_align="left", border_style="cyan")
        panel.width = min(self.console.width, _BOX_WIDTH)
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
