"""Rendering a grading verdict in the terminal with rich."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from grader.cli.output import console
from grader.messages import error_name, localize
from grader.paths import shown
from grader.tfnoise import without_noise

_LABELS = {
    "en": {"check": "Check", "points": "Points", "result": "What we saw", "hint": "Hint",
           "total": "Total", "passed": "All checks pass", "sandbox": "Sandbox",
           "output": "Your code printed", "same": "↑ same problem as above"},
    "zh": {"check": "检查项", "points": "得分", "result": "结果", "hint": "提示",
           "total": "总分", "passed": "全部检查通过", "sandbox": "沙箱",
           "output": "你的代码输出", "same": "↑ 同上"},
}  # fmt: skip

# When the file could not be loaded, no check ran: the exercise's hints would miss the point.
_LOAD_HINTS = {
    "syntax": ("Python could not read your file, so no check ran: fix the line named above "
               "(an unclosed bracket or a missing colon is the usual cause), save and grade again.",
               "Python 无法读取你的文件，所以没有任何检查运行：修正上面指出的那一行"
               "（常见原因是括号没有闭合或漏了冒号），保存后再评分。"),
    "missing": ("No check could call your code: define the function at the top level of your "
                "file, spelled exactly as the exercise names it.",
                "没有检查能调用你的代码：请在文件顶层定义这个函数，名字与练习要求的完全一致。"),
}  # fmt: skip

# "preprocess_image(array(shape=(28, 28), dtype=uint8)) " at the start of a message.
_CALL = re.compile(r"^\w+\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\) ")


@contextlib.contextmanager
def training_bar(out, label: str, on_event=None):
    """A spinner, then an epoch bar with loss and accuracy while a submission trains;
    plain epoch lines when output is not a terminal. Yields `on_progress` for grade().

    Events arrive on another thread, straight from the learner's process:
    `clean_event` keeps only numbers and plain names, shown without markup.
    `on_event` (e.g. a curves.History) also receives every raw event.
    """
    from grader.curves import Stage, clean_event, describe_event

    if not out.is_terminal:
        out.print(label)

        def report(raw: object) -> None:
            if isinstance(raw, Stage):
                out.print(raw.text, markup=False)
                return
            if on_event is not None:
                on_event(raw)
            event = clean_event(raw)
            if event is not None and event["step"] is None:
                out.print(describe_event(event), markup=False)

        yield report
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.fields[metrics]}", markup=False))  # fmt: skip
    with Progress(*columns, console=out, transient=True) as bar:
        task = bar.add_task(label, total=None, metrics="")
        # The checks' latest note names the training run under way ("your pipeline,
        # run 2 of 2 - leak check"): it stays beside the bar while that run's epochs go by.
        shown = [label]

        def update(raw: object) -> None:
            if isinstance(raw, Stage):
                shown[0] = raw.text
                bar.update(task, description=raw.text)
                return
            if on_event is not None:
                on_event(raw)
            event = clean_event(raw)
            if event is None:
                return
            done = event["epoch"] - 1
            if event["step"] is None:
                done += 1
            elif event["steps"]:
                done += min(event["step"] / event["steps"], 1.0)
            bar.update(task, description=shown[0], total=event["epochs"], completed=done,
                       metrics=describe_event(event))  # fmt: skip

        yield update


def show_verdict(verdict, exercise, file: Path, lang: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    words = _LABELS[lang]
    out = console()
    out.print(f"[bold]{escape(exercise.title(lang))}[/] — {escape(shown(file))}")
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("")
    # The manifest's name in full, as --json, JUnit and Gradescope give it.
    longest = max((len(check.name) for check in verdict.checks), default=0)
    table.add_column(words["check"], no_wrap=True, min_width=longest)
    table.add_column(words["points"], justify="right")
    table.add_column(words["result"], overflow="fold")
    previous = None
    for check in verdict.checks:
        mark = "[green]✓[/]" if check.passed else "[red]✗[/]"
        text = localize(check.message, lang)
        message = escape(text)
        if not check.passed:
            reason = _CALL.sub("", text)
            if reason == previous:  # the stub's NotImplementedError, a crash, a timeout...
                message = f"[dim]{words['same']}[/]"
            previous = reason
        points = f"{check.score}/{check.max_score}"
        table.add_row(mark, check.name, points, message)
    out.print(table)
    failure = verdict.first_failure
    hint = failure.hint(lang) if failure is not None else ""
    if verdict.error in _LOAD_HINTS:
        hint = _LOAD_HINTS[verdict.error][lang == "zh"]
    colon = "：" if lang == "zh" else ": "
    if hint:
        out.print(f"[yellow]{words['hint']}{colon}[/]{escape(hint)}")
    printed = without_noise(verdict.output).strip()
    if printed and not verdict.passed:
        printed = printed[-1200:]
        out.print(f"[dim]{words['output']}{colon}[/]\n[dim]{escape(printed)}[/]")
    style = "green" if verdict.passed else "red"
    total = f"[bold {style}]{words['total']}{colon}{verdict.score}/{verdict.max_score}[/]"
    if verdict.passed:
        total += f"  {words['passed']}"
    if verdict.error:
        error = error_name(verdict.error, lang)
        total += f"  [red]（{error}）[/]" if lang == "zh" else f"  [red]({error})[/]"
    seconds = f"{verdict.duration_s:.1f} 秒" if lang == "zh" else f"{verdict.duration_s:.1f} s"
    sandbox = localize(verdict.sandbox, lang)
    note = f"{seconds} · {words['sandbox']}{colon}{escape(sandbox)}"
    out.print(f"{total}  [dim]{note}[/]")
    if verdict.sandbox != "bubblewrap":
        out.print(f"[dim]{escape(_tier_note(verdict.sandbox, lang))}[/]")


def _tier_note(tier_name: str, lang: str) -> str:
    """Why the grading ran without bubblewrap, and what that means, in one line."""
    from grader.sandbox import tiers

    tier = tiers.current()
    reason = tier.reason if tier.name == tier_name else ""
    if tier_name == "unprivileged":
        if lang == "zh":
            return (
                f"未使用 bubblewrap（{reason}）：你的代码以独立的非特权用户身份运行，并受资源限制。"
            )
        return (
            f"No bubblewrap ({reason}): your code ran as an unprivileged user of its own, limited."
        )
    if lang == "zh":
        return (f"没有沙箱（{reason}）：你的代码在一个受资源限制的普通子进程中运行。"
                "安装 bubblewrap 可获得完整隔离。")  # fmt: skip
    return (
        f"No sandbox ({reason}): your code ran in a plain limited subprocess. "
        "Install bubblewrap for the full sandbox."
    )
