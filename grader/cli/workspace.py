"""`mlkata init`, `list`, `next`, `hint`, `watch` and `reset`: the learner's loop."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from grader.cli.output import console, language

UTC = timezone.utc  # (datetime has its own UTC only from 3.11; Gradescope runs 3.10)

# Interface words, English then Chinese.
WORDS = {
    "created": ("Created the workspace {root}", "已创建练习目录 {root}"),
    "updated": ("Updated the workspace {root}", "已更新练习目录 {root}"),
    "copied": ("copied", "已复制"),
    "kept": ("kept (yours, untouched)", "保留（你的文件，未改动）"),
    "start": ("Next: cd {dir} && mlkata watch (it grades each save of your file)",
              "下一步：cd {dir} && mlkata watch（每次保存文件都会自动评分）"),
    "start_here": ("Next: mlkata watch (it grades each save of your file)",
                   "下一步：mlkata watch（每次保存文件都会自动评分）"),
    "not started": ("not started", "未开始"),
    "started": ("started, not graded yet", "已开始，尚未评分"),
    "failing": ("failing, {score:g}/{max} points", "未通过，{score:g}/{max} 分"),
    "failing_k": ("failing {k} of {n} checks", "{n} 项检查中 {k} 项未通过"),
    "passed": ("passed", "已通过"),
    "edited": (" · edited", " · 已修改"),
    "columns": (("Exercise", "Title", "Level", "Status", "Best", "Last attempt"),
                ("练习", "标题", "难度", "状态", "最高分", "上次评分")),
    "easy": ("easy", "简单"),
    "medium": ("medium", "中等"),
    "hard": ("hard", "困难"),
    "other_track": ("Other exercises", "其他练习"),
    "track_count": ("{passed}/{total} passed", "已通过 {passed}/{total}"),
    "unknown_track": ("unknown track {track!r}; the tracks are: {known}",
                      "没有名为 {track!r} 的练习路线；现有路线：{known}"),
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
    "no_answer": ("Not reset: no answer came (add --yes to reset without asking).",
                  "未重置：没有收到回答（加上 --yes 可不经确认直接重置）。"),
    "just_now": ("just now", "刚刚"),
    "minutes": ("{n} min ago", "{n} 分钟前"),
    "hours": ("{n} h ago", "{n} 小时前"),
    "days": ("{n} days ago", "{n} 天前"),
    "stopped": ("Stopped watching.", "已停止监视。"),
    # Below the verdict, whose total line gives the time: was the worker waiting for the save?
    "warm": ("Its worker was ready before your save.", "评分进程在你保存之前就已就绪。"),
    "cold": ("Its worker started after your save (a first grading, or another exercise).",
             "评分进程在你保存之后才启动（首次评分，或换了练习）。"),
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
    from grader.messages import say as s

    def add(name: str, help: str, description: str, example: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(
            name, help=help, description=description,
            epilog=s(en="Example: ", zh="示例：") + example,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip
        parser.add_argument(
            "--lang", choices=("en", "zh"), help=s(en="language of the output", zh="输出的语言")
        )
        return parser

    exercise_id = s(en="exercise id (see `mlkata list`)", zh="练习 id（见 `mlkata list`）")

    p = add(
        "init",
        s(en="create a workspace with your own copy of every exercise",
          zh="创建练习目录，放入每个练习的副本供你编辑"),
        s(en="Create a folder holding your own copies of the exercise stubs (default ./mlkata):\n"
          "every track's, or only one track's with --track (`mlkata list` shows the tracks).\n"
          "Run it again inside a workspace to add new exercises; your files are never\n"
          "overwritten.",
          zh="创建一个文件夹（默认 ./mlkata），放入练习模板的副本：所有路线的，\n"
          "或用 --track 只放一条路线的（`mlkata list` 会列出各路线）。\n"
          "在练习目录里再次运行可加入新练习；你的文件永远不会被覆盖。"),
        "mlkata init --track classic && cd mlkata && mlkata watch",
    )  # fmt: skip
    p.add_argument("dir", nargs="?", type=Path,
                   help=s(en="the workspace folder (default: ./mlkata)",
                          zh="练习目录（默认：./mlkata）"))  # fmt: skip
    p.add_argument("--track", metavar="T",
                   help=s(en="copy only this track's exercises, e.g. llm (default: all)",
                          zh="只复制这条路线的练习，例如 llm（默认：全部）"))  # fmt: skip
    p.set_defaults(func=run_init)

    p = add(
        "list",
        s(en="each exercise, track by track, with its status and best score",
          zh="按路线列出每个练习的状态和最高分"),
        s(en="Show every exercise, grouped by track in course order: its difficulty, whether\n"
          "it is not started, failing (and how many checks) or passed, its best score and\n"
          "when you last graded it.",
          zh="按路线和课程顺序列出每个练习：难度，尚未开始、未通过（几项检查）\n"
          "还是已通过，最高分，以及上次评分的时间。"),
        "mlkata list --json",
    )  # fmt: skip
    p.add_argument("--json", action="store_true",
                   help=s(en="print a JSON list", zh="输出 JSON 列表"))  # fmt: skip
    p.set_defaults(func=run_list)

    p = add(
        "next",
        s(en="name the next exercise you have not passed", zh="给出下一个还没通过的练习"),
        s(en="Name the next exercise that does not pass yet, and the file to edit.",
          zh="给出下一个尚未通过的练习，以及要编辑的文件。"),
        "mlkata next",
    )  # fmt: skip
    p.set_defaults(func=run_next)

    p = add(
        "hint",
        s(en="reveal the next hint for an exercise", zh="显示练习的下一条提示"),
        s(en="Reveal an exercise's hints one at a time, most general first; every hint you\n"
          "open is recorded in your progress. EXERCISE defaults to the next unfinished one.",
          zh="逐条显示练习的提示，最笼统的在前；你看过的每条提示都会记入进度。\n"
          "EXERCISE 默认是下一个未完成的练习。"),
        "mlkata hint normalize",
    )  # fmt: skip
    p.add_argument("exercise", nargs="?", help=exercise_id)
    p.set_defaults(func=run_hint)

    p = add(
        "watch",
        s(en="re-grade on every save and move on when an exercise passes",
          zh="每次保存都重新评分，练习通过后进入下一个"),
        s(en="Watch your workspace: every time you save an exercise file it is graded again,\n"
          "with a worker started in advance so a save does not wait for TensorFlow's import.\n"
          "When an exercise passes, watch moves on to the next one. Ctrl-C quits.",
          zh="监视你的练习目录：每次保存练习文件都会重新评分，评分进程提前启动，\n"
          "保存后不必等待 TensorFlow 导入。练习通过后，watch 会进入下一个。Ctrl-C 退出。"),
        "mlkata watch --plot curve.png",
    )  # fmt: skip
    p.add_argument("exercise", nargs="?",
                   help=s(en="start with this exercise (default: next unfinished)",
                          zh="从这个练习开始（默认：下一个未完成的）"))  # fmt: skip
    p.add_argument("--manual", action="store_true",
                   help=s(en="grade when you press Enter, not on save (for odd mounts)",
                          zh="按回车时评分，而不是保存时（适用于特殊的挂载）"))  # fmt: skip
    p.add_argument("--interval", type=float, default=0.05, metavar="S",
                   help=s(en="seconds between checks for a save (default 0.05)",
                          zh="检查是否保存的间隔秒数（默认 0.05）"))  # fmt: skip
    p.add_argument("--plot", type=Path, metavar="PATH",
                   help=s(en="also save the learning curve of training exercises as a PNG",
                          zh="同时把训练类练习的学习曲线保存为 PNG"))  # fmt: skip
    p.set_defaults(func=run_watch)

    p = add(
        "reset",
        s(en="restore an exercise's stub, keeping a backup of your file",
          zh="恢复练习的原始模板，并备份你的文件"),
        s(en="Put the original stub back in your workspace after asking; your file is kept in\n"
          ".mlkata-backups/, named with the time.",
          zh="确认后把原始模板放回练习目录；你的文件以时间命名，保存在 .mlkata-backups/ 中。"),
        "mlkata reset normalize --yes",
    )  # fmt: skip
    p.add_argument("exercise", help=exercise_id)
    p.add_argument("--yes", "-y", action="store_true",
                   help=s(en="do not ask for confirmation", zh="不询问，直接重置"))  # fmt: skip
    p.set_defaults(func=run_reset)


def run_init(args) -> int:
    from rich.markup import escape

    from grader import workspace
    from grader.errors import UserError
    from grader.exercises import UnknownTrack

    lang, out = language(args), console()
    try:
        result = workspace.init(args.dir, track=args.track)
    except UnknownTrack as exc:
        known = ", ".join(exc.known) or "—"
        raise UserError(say(lang, "unknown_track", track=exc.track_id, known=known)) from None
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
    else:
        out.print(say(lang, "start_here"))
    return 0


def run_list(args) -> int:
    from rich.markup import escape

    from grader import workspace
    from grader.exercises import load_tracks

    lang = language(args)
    items = workspace.statuses(workspace.find())
    if args.json:
        print(json.dumps([s.to_dict(lang) for s in items], ensure_ascii=False, indent=2))
        return 0
    out = console()
    titles = {t.id: t for t in load_tracks()}
    groups: dict[str | None, list] = {}
    for status in items:  # already in course order: track by track
        track = status.exercise.track if status.exercise.track in titles else None
        groups.setdefault(track, []).append(status)
    for track_id, group in groups.items():
        track = titles.get(track_id)
        passed = sum(s.state == workspace.PASSED for s in group)
        count = say(lang, "track_count", passed=passed, total=len(group))
        heading = escape(track.title(lang)) if track else say(lang, "other_track")
        label = f" [dim]({track_id})[/]" if track_id else ""
        out.print(f"[bold]{heading}[/]{label} · {count}")
        if track and track.description(lang):
            out.print(f"[dim]{escape(track.description(lang))}[/]")
        out.print(_exercise_table(group, lang))
    passed = sum(s.state == workspace.PASSED for s in items)
    line = say(lang, "tally", passed=passed, total=len(items))
    upcoming = workspace.next_unfinished(items)
    if upcoming is not None:
        line += ("" if lang == "zh" else " ") + say(
            lang, "next", id=upcoming.exercise.id, title=upcoming.exercise.title(lang)
        )
    out.print(escape(line))
    return 0


def _exercise_table(group: list, lang: str):
    from rich.markup import escape
    from rich.table import Table

    table = Table(header_style="bold")
    for name in WORDS["columns"][lang == "zh"]:
        table.add_column(name)
    for status in group:
        exercise = status.exercise
        best = "—" if status.best_score is None else f"{status.best_score:g}"
        level = say(lang, exercise.difficulty) if exercise.difficulty in WORDS else "—"
        table.add_row(
            exercise.id,
            escape(exercise.title(lang)),
            level,
            _state(status, lang),
            f"{best}/{exercise.max_score}",
            _ago(status.last_attempt, lang),
        )
    return table


def run_next(args) -> int:
    from rich.markup import escape

    from grader import workspace

    lang, out = language(args), console()
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

    lang, out = language(args), console()
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

    lang = language(args)
    space = workspace.require()
    exercise = get_exercise(args.exercise)
    file = space.file(exercise.id)
    if file.is_file() and workspace.digest(file) == workspace.digest(exercise.stub_path):
        print(say(lang, "same", file=file.name))
        return 0
    if not args.yes and file.exists():
        print(say(lang, "confirm", file=file.name, backups=workspace.BACKUPS), end="", flush=True)
        line = sys.stdin.readline()
        if not line:  # end of input: piped, or nobody there to answer
            print("\n" + say(lang, "no_answer"))
            return 1
        if line.strip().lower() not in ("y", "yes", "是", "好"):
            print(say(lang, "not_reset"))
            return 1
    backup = workspace.reset(space, exercise)
    print(say(lang, "reset", file=file.name))
    if backup is not None:
        print(say(lang, "backup", backup=backup.relative_to(space.root)))
    return 0


def run_watch(args) -> int:
    from grader.cli.watch import run

    return run(args)


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
