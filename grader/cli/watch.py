"""`mlkata watch`: re-grade on every save, with a pre-warmed worker ready for the next."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

from grader.cli.output import language
from grader.cli.workspace import say
from grader.errors import UserError
from grader.messages import say as say_now


def _watch_console():
    """A console on a private copy of stdout: grading runs pytest, which captures fd 1
    and fd 2 while checks run, and the epoch bar must still reach the screen."""
    import io

    from rich.console import Console

    from grader.cli.output import wrap_chinese_by_character

    wrap_chinese_by_character()
    try:
        stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", errors="replace")
    except (OSError, ValueError, io.UnsupportedOperation):
        stream = sys.stdout
    return Console(file=stream, highlight=False)


def run(args) -> int:
    from grader import workspace
    from grader.checks.language import use_language
    from grader.exercises import get_exercise, load_manifest
    from grader.watcher import Session, WarmWorker, Watcher

    lang, out = language(args), _watch_console()
    use_language(lang)  # the checks' messages follow --lang
    if args.interval <= 0:
        raise UserError(
            say_now(
                en="--interval must be a positive number of seconds",
                zh="--interval 必须是正数（秒）",
            )
        )
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
        raise UserError(
            say_now(
                en=f"your workspace has no {exercise.id}.py; run `mlkata init` to add it",
                zh=f"你的练习目录中没有 {exercise.id}.py；运行 `mlkata init` 添加它",
            )
        )
    warm = WarmWorker()
    session = Session(space, exercise, manifest, warm)
    watcher = Watcher(session.files, interval=args.interval)  # from now on, saves count
    loop = _WatchLoop(args, lang, out, session, watcher)
    try:
        with loop.interrupts():
            with loop.deferred_interrupts():
                warm.warm(exercise)  # it imports and warms up while the screen is read

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
        self.out.print(f"[dim]{say(self.lang, 'warm' if graded.warm else 'cold')}[/]")
        if not graded.verdict.passed:
            return False
        upcoming = self.session.advance()
        if upcoming is None:
            self.out.print(f"[bold green]{say(self.lang, 'all_done')}[/]")
            return True
        moving_on = say(self.lang, "moving_on", done=exercise.id, next=upcoming.id)
        if self.session.untouched(upcoming):  # its introduction goes below this verdict
            self.out.print(f"[green]{moving_on}[/]")
            self.intro(upcoming, clear=False)
            return False
        self.banner = moving_on  # shown once, under the next verdict's header
        return self.grade(upcoming)

    def header(self, exercise, clear: bool = True) -> None:
        from rich.markup import escape

        if clear and self.out.is_terminal:
            self.out.clear()
        title = escape(exercise.title(self.lang))
        self.out.rule(f"[bold]mlkata watch[/] · {exercise.id} · {title}", align="left")
        if self.banner:
            self.out.print(f"[green]{escape(self.banner)}[/]")
            self.banner = ""

    def intro(self, exercise, clear: bool = True) -> None:
        from rich.markup import escape

        self.header(exercise, clear=clear)
        file = self.session.workspace.file(exercise.id).name
        self.out.print(escape(say(self.lang, "write", function=exercise.function, file=file,
                                  n=len(exercise.checks))))  # fmt: skip
        # Each check as the verdict table, --json and JUnit name it, its points in a column.
        width = max(len(check.name) for check in exercise.checks)
        for check in exercise.checks:
            points = say(self.lang, "points" if check.points != 1 else "point", n=check.points)
            self.out.print(f"  [dim]·[/] {escape(check.name.ljust(width))}  [dim]{points}[/]")

    def footer(self) -> None:
        from rich.markup import escape

        file = self.session.workspace.file(self.session.current.id).name
        key = "press_enter" if self.args.manual else "waiting"
        parts = [
            say(self.lang, key, file=file),
            say(self.lang, "hint_cmd", id=self.session.current.id),
        ]
        self.out.print(f"[bold]{escape(parts[0])}[/][dim] · {escape(parts[1])}[/]")

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
