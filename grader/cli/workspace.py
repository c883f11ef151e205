"""`mlkata init`, `list`, `next`, `hint`, `watch` and `reset`: the learner's loop."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from grader.errors import UserError

# Interface words, English then Chinese.
WORDS = {
    "created": ("Created the workspace {root}", "已创建练习目录 {root}"),
    "updated": ("Updated the workspace {root}", "已更新练习目录 {root}"),
    "copied": ("copied", "已复制"),
    "kept": ("kept (yours, untouched)", "保留（你的文件，未改动）"),
    "start": ("Next: cd {dir} && mlkata watch", "下一步：cd {dir} && mlkata watch"),
    "not started": ("not started", "未开始"),
    "started": ("started, not graded yet", "已开始，尚未评分"),
    "failing": ("failing, {score:g}/{max} points", "未通过，{score:g}/{max} 分"),
    "failing_k": ("failing {k} of {n} checks", "{n} 项检查中 {k} 项未通过"),
    "passed": ("passed", "已通过"),
    "edited": (" · edited", " · 已修改"),
    "columns": (("Exercise", "Title", "Status", "Best", "Last attempt"),
                ("练习", "标题", "状态", "最高分", "上次评分")),
    "tally": ("{passed}/{total} passed.", "已通过 {passed}/{total}。"),
    "next": ("Next: {id} — {title}", "下一个：{id} — {title}"),
    "edit": ("Edit {file}, then run `mlkata watch`.", "编辑 {file}，然后运行 `mlkata watch`。"),
    "grade": ("Grade it with `mlkata grade {id}`.", "用 `mlkata grade {id}` 评分。"),
    "all_done": ("Every exercise passes. Well done!", "所有练习都已通过，干得好！"),
    "hint": ("Hint {i}/{n}", "提示 {i}/{n}"),
    "no_hints": ("{id} has no hints.", "{id} 没有提示。"),
    "last_hint": ("That was the last hint.", "这是最后一条提示。"),
    "all_shown": ("No more hints: all {n} are shown above.", "没有更多提示了：全部 {n} 条已列出。"),
    "more_hints": ("{left} more: run `mlkata hint {id}` again.",
                   "还有 {left} 条：再次运行 `mlkata hint {id}`。"),
    "confirm": ("Replace {file} with the original stub? Your version is kept in {backups}/. [y/N] ",
                "用原始模板替换 {file}？你的版本会保存在 {backups}/。[y/N] "),
    "same": ("{file} is already the original stub; nothing to do.",
             "{file} 已是原始模板，无需重置。"),
    "reset": ("Reset {file}.", "已重置 {file}。"),
    "backup": ("Your version is kept as {backup}.", "你的版本已保存为 {backup}。"),
    "not_reset": ("Not reset.", "未重置。"),
    "just_now": ("just now", "刚刚"),
    "minutes": ("{n} min ago", "{n} 分钟前"),
    "hours": ("{n} h ago", "{n} 小时前"),
    "days": ("{n} days ago", "{n} 天前"),
    "stopped": ("Stopped watching.", "已停止监视。"),
    "warm": ("warm worker", "预热进程"),
    "cold": ("cold start", "冷启动"),
    "graded_in": ("Graded in {s} s ({how})", "评分用时 {s} 秒（{how}）"),
    "points": ("{n} points", "{n} 分"),
    "point": ("1 point", "1 分"),
    "moving_on": ("✓ {done} passes. Moving on to {next}.", "✓ {done} 已通过。进入下一个：{next}。"),
    "write": ("Write {function}() in {file}; it is graded on {n} checks:",
              "在 {file} 中编写 {function}()；评分共 {n} 项检查："),
    "waiting": ("Save {file} to grade it", "保存 {file} 即可评分"),
    "press_enter": ("Press Enter to grade {file} (q, Enter quits)",
                    "按回车为 {file} 评分（输入 q 后回车退出）"),
    "hint_cmd": ("hint: mlkata hint {id} · Ctrl-C quits", "提示：mlkata hint {id} · Ctrl-C 退出"),
    "grading": ("Grading {file} ...", "正在为 {file} 评分 ..."),
    "plotted": ("Learning curve saved to {path}", "学习曲线已保存到 {path}"),
}  # fmt: skip


def say(lang: str, key: str, **values: object) -> str:
    return WORDS[key][lang == "zh"].format(**values)


def register(subparsers: argparse._SubParsersAction) -> None:
    def add(name: str, help: str, description: str, example: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(
            name, help=help, description=description, epilog=f"Example: {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip
        parser.add_argument("--lang", choices=("en", "zh"), help="language of the output")
        return parser

    p = add("init", "create a workspace with your own copy of every exercise",
            "Create a folder holding your own copies of the exercise stubs (default ./mlkata).\n"
            "Run it again inside a workspace to add new exercises; your files are never\n"
            "overwritten.", "mlkata init mlkata && cd mlkata && mlkata watch")  # fmt: skip
    p.add_argument("dir", nargs="?", type=Path, help="the workspace folder (default: ./mlkata)")
    p.set_defaults(func=run_init)

    p = add("list", "each exercise with its status, best score and last attempt",
            "Show every exercise: not started, failing (and how many checks), or passed;\n"
            "its best score and when you last graded it.", "mlkata list --json")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=run_list)

    p = add("next", "name the next exercise you have not passed",
            "Name the next exercise that does not pass yet, and the file to edit.",
            "mlkata next")  # fmt: skip
    p.set_defaults(func=run_next)

    p = add("hint", "reveal the next hint for an exercise",
            "Reveal an exercise's hints one at a time, most general first; every hint you\n"
            "open is recorded in your progress. EXERCISE defaults to the next unfinished one.",
            "mlkata hint normalize")  # fmt: skip
    p.add_argument("exercise", nargs="?", help="exercise id (see `mlkata list`)")
    p.set_defaults(func=run_hint)

    p = add("watch", "re-grade on every save and move on when an exercise passes",
            "Watch your workspace: every time you save an exercise file it is graded again,\n"
            "with a worker started in advance so a save does not wait for TensorFlow's import.\n"
            "When an exercise passes, watch moves on to the next one. Ctrl-C quits.",
            "mlkata watch --plot curve.png")  # fmt: skip
    p.add_argument(
        "exercise", nargs="?", help="start with this exercise (default: next unfinished)"
    )
    p.add_argument("--manual", action="store_true",
                   help="grade when you press Enter, not on save (for odd mounts)")  # fmt: skip
    p.add_argument("--interval", type=float, default=0.05, metavar="S",
                   help="seconds between checks for a save (default 0.05)")  # fmt: skip
    p.add_argument("--plot", type=Path, metavar="PATH",
                   help="also save the learning curve of training exercises as a PNG")  # fmt: skip
    p.set_defaults(func=run_watch)

    p = add("reset", "restore an exercise's stub, keeping a backup of your file",
            "Put the original stub back in your workspace after asking; your file is kept in\n"
            ".mlkata-backups/, named with the time.", "mlkata reset normalize --yes")  # fmt: skip
    p.add_argument("exercise", help="exercise id (see `mlkata list`)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=run_reset)


def _lang(args) -> str:
    from grader.text import default_language

    return args.lang or default_language()


def _console():
    from rich.console import Console

    return Console(highlight=False)


def _watch_console():
    """A console on a private copy of stdout: grading runs pytest, which captures fd 1
    and fd 2 while checks run, and the epoch bar must still reach the screen."""
    import io

    from rich.console import Console

    try:
        stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", errors="replace")
    except (OSError, ValueError, io.UnsupportedOperation):
        stream = sys.stdout
    return Console(file=stream, highlight=False)


def run_init(args) -> int:
    from rich.markup import escape

    from grader import workspace

    lang, out = _lang(args), _console()
    result = workspace.init(args.dir)
    root = result.workspace.root
    fresh = len(result.kept) == 0 and len(result.created) == len(result.workspace.exercises)
    out.print(say(lang, "created" if fresh else "updated", root=escape(str(root))))
    for path in result.created:
        out.print(f"  [green]+[/] {escape(path.name)}  [dim]{say(lang, 'copied')}[/]")
    for path in result.kept:
        out.print(f"  [dim]= {escape(path.name)}  {say(lang, 'kept')}[/]")
    if root != Path.cwd().resolve():
        shown = args.dir if args.dir is not None else workspace.DEFAULT_DIR
        out.print(say(lang, "start", dir=escape(str(shown))))
    return 0


def run_list(args) -> int:
    from rich.markup import escape
    from rich.table import Table

    from grader import workspace

    lang = _lang(args)
    items = workspace.statuses(workspace.find())
    if args.json:
        print(json.dumps([s.to_dict(lang) for s in items], ensure_ascii=False, indent=2))
        return 0
    table = Table(header_style="bold")
    for name in WORDS["columns"][lang == "zh"]:
        table.add_column(name)
    for status in items:
        best = "—" if status.best_score is None else f"{status.best_score:g}"
        table.add_row(
            status.exercise.id,
            escape(status.exercise.title(lang)),
            _state(status, lang),
            f"{best}/{status.exercise.max_score}",
            _ago(status.last_attempt, lang),
        )
    out = _console()
    out.print(table)
    passed = sum(s.state == workspace.PASSED for s in items)
    line = say(lang, "tally", passed=passed, total=len(items))
    upcoming = workspace.next_unfinished(items)
    if upcoming is not None:
        line += ("" if lang == "zh" else " ") + say(
            lang, "next", id=upcoming.exercise.id, title=upcoming.exercise.title(lang)
        )
    out.print(escape(line))
    return 0


def run_next(args) -> int:
    from rich.markup import escape

    from grader import workspace

    lang, out = _lang(args), _console()
    upcoming = workspace.next_unfinished(workspace.statuses(workspace.find()))
    if upcoming is None:
        out.print(say(lang, "all_done"))
        return 0
    exercise = upcoming.exercise
    out.print(escape(say(lang, "next", id=exercise.id, title=exercise.title(lang))))
    line = (
        say(lang, "edit", file=upcoming.file)
        if upcoming.file
        else say(lang, "grade", id=exercise.id)
    )
    out.print(f"  [dim]{_state(upcoming, lang)}[/] · {escape(line)}")
    return 0


def run_hint(args) -> int:
    from rich.markup import escape

    from grader import progress, workspace

    lang, out = _lang(args), _console()
    exercise = workspace.resolve(args.exercise, workspace.find())
    total = len(exercise.hints)
    if total == 0:
        out.print(say(lang, "no_hints", id=exercise.id))
        return 0
    revealed = progress.reveal_next_hint(exercise.id, total)
    shown = sorted(set(progress.revealed_hints(exercise.id)))
    out.print(f"[bold]{escape(exercise.title(lang))}[/] ({exercise.id})")
    for index in shown:
        style = "yellow" if index == revealed else "dim"
        label = say(lang, "hint", i=index + 1, n=total)
        out.print(f"[{style}]{label}:[/] {escape(exercise.hints[index](lang))}")
    if revealed is None:
        out.print(say(lang, "all_shown", n=total))
    elif len(shown) == total:
        out.print(f"[dim]{say(lang, 'last_hint')}[/]")
    else:
        out.print(f"[dim]{say(lang, 'more_hints', left=total - len(shown), id=exercise.id)}[/]")
    return 0


def run_reset(args) -> int:
    from grader import workspace
    from grader.exercises import get_exercise

    lang = _lang(args)
    space = workspace.require()
    exercise = get_exercise(args.exercise)
    file = space.file(exercise.id)
    if file.is_file() and workspace.digest(file) == workspace.digest(exercise.stub_path):
        print(say(lang, "same", file=file.name))
        return 0
    if not args.yes and file.exists():
        print(say(lang, "confirm", file=file.name, backups=workspace.BACKUPS), end="", flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in ("y", "yes", "是", "好"):
            print(say(lang, "not_reset"))
            return 1
    backup = workspace.reset(space, exercise)
    print(say(lang, "reset", file=file.name))
    if backup is not None:
        print(say(lang, "backup", backup=backup.relative_to(space.root)))
    return 0


def run_watch(args) -> int:
    from grader import workspace
    from grader.exercises import get_exercise, load_manifest
    from grader.watcher import Session, WarmWorker, Watcher

    lang, out = _lang(args), _watch_console()
    if args.interval <= 0:
        raise UserError("--interval must be a positive number of seconds")
    space = workspace.require()
    manifest = load_manifest()
    if args.exercise is not None:
        exercise = get_exercise(args.exercise, manifest)
    else:
        upcoming = workspace.next_unfinished(workspace.statuses(space, manifest))
        if upcoming is None:
            out.print(say(lang, "all_done"))
            return 0
        exercise = upcoming.exercise
    if exercise.id not in space.exercises:
        raise UserError(f"your workspace has no {exercise.id}.py; run `mlkata init` to add it")
    warm = WarmWorker()
    session = Session(space, exercise, manifest, warm)
    watcher = Watcher(session.files, interval=args.interval)  # from now on, saves count
    loop = _WatchLoop(args, lang, out, session, watcher)
    try:
        with loop.interrupts():
            with loop.deferred_interrupts():
                warm.warm(exercise)  # it imports while this process loads pytest and the grader
            import grader.grading.fixtures  # noqa: F401
            import grader.grading.runner  # noqa: F401

            return loop.run()
    except KeyboardInterrupt:
        out.print(f"\n{say(lang, 'stopped')}")
        return 0
    finally:
        warm.close_all()


class _WatchLoop:
    """Grade, show, wait for the next save; rendering only, the decisions are in Session."""

    def __init__(self, args, lang: str, out, session, watcher):
        self.args, self.lang, self.out = args, lang, out
        self.session, self.watcher = session, watcher
        self.banner = ""
        self.interrupted = False
        self.deferring = False
        self.last = ""

    def run(self) -> int:
        current = self.session.current
        if self.session.untouched(current):
            self.intro(current)
        elif self.grade(current):
            return 0
        while True:
            self.footer()
            with self.deferred_interrupts():  # a worker half started would outlive us
                self.session.prepare()
            self.session.preload()
            exercise = self.wait()
            if exercise is None:
                self.out.print(say(self.lang, "stopped"))
                return 0
            if self.grade(exercise):
                return 0

    def wait(self):
        from grader.watcher import wait_for_enter

        if self.args.manual:
            return self.session.current if wait_for_enter() else None
        return self.session.exercise_for(self.watcher.wait().path)

    def grade(self, exercise) -> bool:
        """Grade and show; True when every exercise now passes."""
        from grader.cli.verdict import show_verdict
        from grader.curves import History

        history = History()
        try:
            with self.progress(exercise, history) as on_progress:
                graded = self.session.grade(exercise, on_progress)
        except UserError as exc:  # e.g. the file was deleted: say so and keep watching
            from rich.markup import escape

            self.out.print(f"[red]{escape(str(exc))}[/]")
            return False
        if self.interrupted:
            raise KeyboardInterrupt
        self.header(exercise)
        show_verdict(graded.verdict, exercise, Path(graded.file.name), self.lang)
        self.session.record(graded)  # after showing: the learner waits for the verdict, not this
        self.curve(history)
        how = say(self.lang, "warm" if graded.warm else "cold")
        self.last = say(self.lang, "graded_in", s=f"{graded.seconds:.1f}", how=how)
        if not graded.verdict.passed:
            return False
        upcoming = self.session.advance()
        if upcoming is None:
            self.out.print(f"[bold green]{say(self.lang, 'all_done')}[/]")
            return True
        self.banner = say(self.lang, "moving_on", done=exercise.id, next=upcoming.id)
        self.out.print(f"[green]{self.banner}[/]")
        if self.session.untouched(upcoming):
            self.intro(upcoming, clear=False)
            return False
        return self.grade(upcoming)

    def header(self, exercise, clear: bool = True) -> None:
        from rich.markup import escape

        if clear and self.out.is_terminal:
            self.out.clear()
        title = escape(exercise.title(self.lang))
        self.out.rule(f"[bold]mlkata watch[/] · {exercise.id} · {title}", align="left")
        if self.banner and clear:
            self.out.print(f"[green]{escape(self.banner)}[/]")
            self.banner = ""

    def intro(self, exercise, clear: bool = True) -> None:
        from rich.markup import escape

        self.header(exercise, clear=clear)
        file = self.session.workspace.file(exercise.id).name
        self.out.print(escape(say(self.lang, "write", function=exercise.function, file=file,
                                  n=len(exercise.checks))))  # fmt: skip
        for check in exercise.checks:
            name = check.name.removeprefix("test_").replace("_", " ")
            points = say(self.lang, "points" if check.points != 1 else "point", n=check.points)
            self.out.print(f"  [dim]·[/] {escape(name)}  [dim]{points}[/]")

    def footer(self) -> None:
        from rich.markup import escape

        file = self.session.workspace.file(self.session.current.id).name
        key = "press_enter" if self.args.manual else "waiting"
        if self.last:
            self.out.print(f"[dim]{escape(self.last)}[/]")
        parts = [
            say(self.lang, key, file=file),
            say(self.lang, "hint_cmd", id=self.session.current.id),
        ]
        self.out.print(f"[bold]{escape(parts[0])}[/][dim] · {escape(parts[1])}[/]")
        self.last = ""

    def curve(self, history) -> None:
        from rich.markup import escape

        from grader import curves

        if not history:
            return
        self.out.print(escape(curves.text_chart(history)))
        for line in curves.text_summary(history):
            self.out.print(f"  {escape(line)}")
        if self.args.plot:
            curves.write_png(history, self.args.plot)
            self.out.print(say(self.lang, "plotted", path=self.args.plot))

    @contextlib.contextmanager
    def progress(self, exercise, history):
        """A spinner, then an epoch bar with loss and accuracy while a model trains.

        Events arrive on another thread, straight from the learner's process:
        `clean_event` keeps only numbers and plain names, shown without markup.
        """
        from grader.cli.verdict import training_bar

        file = self.session.workspace.file(exercise.id).name
        with training_bar(self.out, say(self.lang, "grading", file=file), history) as update:
            yield update

    @contextlib.contextmanager
    def deferred_interrupts(self):
        """Hold a Ctrl-C until the block is done (it then stops watch as usual)."""
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False
        if self.interrupted:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def interrupts(self):
        """Ctrl-C while grading: pytest swallows KeyboardInterrupt, so remember it was pressed."""

        def on_interrupt(signum, frame):
            self.interrupted = True
            if not self.deferring:
                raise KeyboardInterrupt

        previous = signal.signal(signal.SIGINT, on_interrupt)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _state(status, lang: str) -> str:
    from grader import workspace

    if status.state == workspace.PASSED:
        text = f"[green]✓ {say(lang, 'passed')}[/]"
    elif status.state == workspace.FAILING:
        words = (
            say(lang, "failing_k", k=status.failing_checks, n=status.total_checks)
            if status.failing_checks is not None
            else say(lang, "failing", score=status.latest_score, max=status.exercise.max_score)
        )
        text = f"[red]✗ {words}[/]"
    elif status.state == workspace.STARTED:
        text = f"[yellow]… {say(lang, 'started')}[/]"
    else:
        text = f"[dim]· {say(lang, 'not started')}[/]"
    return text + (f"[dim]{say(lang, 'edited')}[/]" if status.edited else "")


def _ago(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return "—"
    seconds = (datetime.now(UTC) - moment).total_seconds()
    if seconds < 60:
        return say(lang, "just_now")
    if seconds < 3600:
        return say(lang, "minutes", n=int(seconds // 60))
    if seconds < 86400:
        return say(lang, "hours", n=int(seconds // 3600))
    if seconds < 7 * 86400:
        return say(lang, "days", n=int(seconds // 86400))
    return moment.astimezone().strftime("%Y-%m-%d")
