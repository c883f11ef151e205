"""`mlkata grade`: run an exercise's hidden checks on a file and show the verdict."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from grader.errors import UserError
from grader.messages import say


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "grade",
        help="grade your solution to a coding exercise",
        description="Run an exercise's hidden checks on FILE in a sandbox and show each "
        "check, its points and what to fix. Exit status: 0 all checks pass, 1 some fail, "
        "2 usage error.",
        epilog="Example: mlkata grade normalize exercises/normalize.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "exercise",
        nargs="?",
        help="exercise id (see `mlkata list`; default in a workspace: the next unfinished one)",
    )
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        help="your solution (default: your workspace copy, else the stub)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="accepted for the platform graders: grading your own code where no sandbox can "
        "start is allowed anyway, and every verdict names its sandbox tier",
    )
    parser.add_argument("--junit", type=Path, metavar="PATH", help="also write JUnit XML")
    parser.add_argument(
        "--gradescope", type=Path, metavar="PATH", help="also write Gradescope's results.json"
    )
    parser.add_argument("--lang", choices=("en", "zh"), help="language of hints")
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help="a course folder laid out like the repository (default: the shipped exercises)",
    )
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="PATH",
        help="training exercises: write the learning curve as a PNG",
    )
    parser.set_defaults(func=run)


def resolve_file(exercise, file: Path | None) -> Path:
    """The file to grade: the one given, else the workspace copy, else the stub."""
    if file is None:
        try:
            from grader.workspace import learner_file
        except ImportError:
            learner_file = None
        file = (learner_file(exercise) if learner_file else None) or exercise.stub_path
    if not file.is_file():
        raise UserError(say(en=f"no such file: {file}", zh=f"没有这个文件：{file}"))
    return file


def _exercise(exercise_id: str | None, root: Path | None = None):
    """The exercise named (from a course folder's manifest with --root); unnamed, the
    next unfinished one of the workspace we are in."""
    if root is not None:
        from grader.authoring import Root

        if exercise_id is None:
            raise UserError(
                say(
                    en="with --root, name the exercise to grade",
                    zh="使用 --root 时，请写出要评分的练习",
                )
            )
        return Root.named(root).exercise(exercise_id)
    if exercise_id is not None:
        from grader.exercises import get_exercise

        return get_exercise(exercise_id)
    from grader import workspace

    found = workspace.find()
    if found is None:
        raise UserError(
            say(en="name the exercise to grade, e.g. `mlkata grade normalize` "
                "(outside a workspace there is no next one; see `mlkata list`)",
                zh="请写出要评分的练习，例如 `mlkata grade normalize`"
                "（不在练习目录中时没有“下一个”；见 `mlkata list`）")
        )  # fmt: skip
    return workspace.resolve(None, found)


def run(args) -> int:
    from grader.grading import reports
    from grader.grading.timing import grade_timed as grade

    exercise = _exercise(args.exercise, args.root)
    file = resolve_file(exercise, args.file)
    from grader.checks.support import use_language
    from grader.cli.output import language
    from grader.curves import History

    lang = language(args)
    use_language(lang)  # the checks' messages follow --lang

    history = History()
    if args.json:
        verdict = grade(exercise, file, on_progress=history)
    else:
        from grader.cli.output import console
        from grader.cli.verdict import training_bar
        from grader.messages import say

        label = say(en=f"Grading {exercise.id} ...", zh=f"正在评分 {exercise.id} ...")
        with training_bar(console(), label, history) as on_progress:
            verdict = grade(exercise, file, on_progress=on_progress)
    from grader.workspace import counts_for_status

    if counts_for_status(exercise, file):
        verdict.record(hashlib.sha256(file.read_bytes()).hexdigest())
    else:
        _say_status_unchanged(exercise.id, file, lang)
    if args.junit:
        reports.write_atomically(args.junit, reports.to_junit(verdict))
    if args.gradescope:
        from grader.platforms.common import Settings
        from grader.platforms.gradescope import results

        settings = Settings(exercise.id, lang=args.lang or "en")
        hints = {c.name: c.hint(settings.lang) for c in exercise.checks}
        data = results(verdict, settings, hints)
        reports.write_atomically(args.gradescope, json.dumps(data, ensure_ascii=False, indent=2))
    if args.json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        from grader.cli.verdict import show_verdict

        show_verdict(verdict, exercise, file, lang)
    if args.plot:
        _plot(history, args.plot, exercise.id)
    return 0 if verdict.passed else 1


def _say_status_unchanged(exercise_id: str, file: Path, lang: str) -> None:
    """Grading another file than the workspace's own shows its verdict, and says so."""
    import sys

    from grader.paths import shown

    own = f"{exercise_id}.py"
    if lang == "zh":
        text = (f"mlkata：这次对 {shown(file)} 的评分没有改变工作区里 {exercise_id} 的状态："
                f"只有给工作区自己的 {own} 评分才会更新它。")  # fmt: skip
    else:
        text = (f"mlkata: this grading of {shown(file)} did not change {exercise_id}'s status in "
                f"your workspace: only grading the workspace's own {own} updates it.")  # fmt: skip
    print(text, file=sys.stderr)


def _plot(history, path: Path, exercise_id: str) -> None:
    import sys

    from grader.curves import write_png

    if not history:
        print(f"mlkata: {exercise_id}: nothing was trained, so no curve was written",
              file=sys.stderr)  # fmt: skip
        return
    write_png(history, path)
    print(f"Learning curve written to {path}", file=sys.stderr)
