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
        help=say(en="grade your solution to a coding exercise", zh="为你的编程练习答案评分"),
        description=say(
            en="Run an exercise's hidden checks on FILE in a sandbox and show each "
            "check, its points and what to fix. Exit status: 0 all checks pass, 1 some fail, "
            "2 usage error.",
            zh="在沙箱里对 FILE 运行练习的隐藏检查，列出每项检查、它的分值和需要修改的地方。"
            "退出码：0 全部通过，1 有检查未通过，2 用法错误。",
        ),
        epilog=say(en="Example: ", zh="示例：") + "mlkata grade normalize exercises/normalize.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "exercise",
        nargs="?",
        help=say(
            en="exercise id (see `mlkata list`; default in a workspace: the next unfinished one)",
            zh="练习 id（见 `mlkata list`；在练习目录里默认是下一个未完成的练习）",
        ),
    )
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        help=say(
            en="your solution (default: your workspace copy, else the stub)",
            zh="你的答案文件（默认：练习目录里你的副本，否则为原始模板）",
        ),
    )
    parser.add_argument(
        "--json", action="store_true", help=say(en="print one JSON object", zh="输出一个 JSON 对象")
    )
    parser.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help=say(
            en="accepted for the platform graders: grading your own code where no sandbox can "
            "start is allowed anyway, and every verdict names its sandbox tier",
            zh="为平台评分器而接受的选项：在无法启动沙箱的地方，为你自己的代码评分本来就是"
            "允许的；每个结果都会注明所用的沙箱级别",
        ),
    )
    parser.add_argument(
        "--junit",
        type=Path,
        metavar="PATH",
        help=say(en="also write JUnit XML", zh="同时写出 JUnit XML"),
    )
    parser.add_argument(
        "--gradescope",
        type=Path,
        metavar="PATH",
        help=say(
            en="also write Gradescope's results.json", zh="同时写出 Gradescope 的 results.json"
        ),
    )
    parser.add_argument(
        "--lang", choices=("en", "zh"), help=say(en="language of hints", zh="提示和结果的语言")
    )
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help=say(
            en="a course folder laid out like the repository (default: the shipped exercises)",
            zh="与本仓库结构相同的课程文件夹（默认：自带的练习）",
        ),
    )
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="PATH",
        help=say(
            en="training exercises: write the learning curve as a PNG",
            zh="训练类练习：把学习曲线写成 PNG",
        ),
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
    from grader.checks.language import use_language
    from grader.cli.output import language

    exercise = _exercise(args.exercise, args.root)
    file = resolve_file(exercise, args.file)
    lang = language(args)
    use_language(lang)  # the checks' messages follow --lang
    checks = _start_checks(exercise)
    from grader.curves import History
    from grader.grading import reports
    from grader.grading.timing import grade_timed as grade

    history = History()
    if args.json:
        verdict = grade(exercise, file, on_progress=history, checks=checks)
    else:
        from grader.cli.output import console
        from grader.cli.verdict import training_bar
        from grader.messages import say

        label = say(en=f"Grading {exercise.id} ...", zh=f"正在评分 {exercise.id} ...")
        with training_bar(console(), label, history) as on_progress:
            verdict = grade(exercise, file, on_progress=on_progress, checks=checks)
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


def _start_checks(exercise):
    """The checks process, started before anything else is imported: its start-up and the
    sandboxed worker's (numpy, TensorFlow) overlap with the rest of this command's."""
    from grader.grading.checks_process import ChecksProcess

    return ChecksProcess(exercise)


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
        print(say(en=f"mlkata: {exercise_id}: nothing was trained, so no curve was written",
                  zh=f"mlkata：{exercise_id}：没有训练，所以没有写出学习曲线"),
              file=sys.stderr)  # fmt: skip
        return
    write_png(history, path)
    print(say(en=f"Learning curve written to {path}", zh=f"学习曲线已写入 {path}"), file=sys.stderr)
