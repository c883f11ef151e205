"""`mlkata verify`, `mlkata batch` and `mlkata export`: proving exercises and grading a class."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from grader.cli.author import example, root_help
from grader.cli.output import console
from grader.errors import UserError
from grader.messages import say

TARGETS = ("gradescope", "prairielearn", "github")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def register(subparsers) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    exercise_id = say(en="exercise id", zh="练习 id")
    verify = subparsers.add_parser(
        "verify",
        help=say(
            en="prove exercises: solutions score full marks, stubs fail",
            zh="验证练习：参考答案得满分，原始模板不通过",
        ),
        description=say(
            en="Grade each exercise's reference solution (it must score full marks) and "
            "its stub (it must fail), and check the manifest: every check has points, a hint "
            "and a message (its docstring). Exit status: 0 all proved, 1 a problem, 2 usage.",
            zh="为每个练习的参考答案（必须得满分）和原始模板（必须不通过）评分，并检查清单："
            "每项检查都有分值、提示和说明（它的文档字符串）。"
            "退出码：0 全部验证通过，1 有问题，2 用法错误。",
        ),
        epilog=example("mlkata verify normalize"),
        formatter_class=raw,
    )
    verify.add_argument(
        "exercises",
        nargs="*",
        metavar="EXERCISE",
        help=say(en="default: all of them", zh="默认：全部练习"),
    )
    verify.add_argument("--root", type=Path, metavar="DIR", help=root_help())
    verify.set_defaults(func=run_verify)

    batch = subparsers.add_parser(
        "batch",
        help=say(en="grade every submission in a folder", zh="为一个文件夹里的每份提交评分"),
        description=say(
            en="Grade every submission in DIR (a .py file or a folder per student) in "
            "parallel, each in its own sandbox. Unchanged submissions are not graded again "
            "(content hash) unless --force. Sheets are written atomically. Exit status: 0 every "
            "submission graded (whatever the scores), 1 the exercise's manifest has errors, or "
            "the sandbox could not start for some (those are not cached), 2 usage error.",
            zh="并行为 DIR 里的每份提交（每个学生一个 .py 文件或一个文件夹）评分，"
            "每份都在自己的沙箱里运行。未改动的提交（按内容哈希判断）不会重新评分，"
            "除非加上 --force。成绩表以原子方式写入。退出码：0 每份提交都已评分"
            "（无论得分多少），1 练习清单有错误，或有些提交无法启动沙箱（这些不会被缓存），"
            "2 用法错误。",
        ),
        epilog=example("mlkata batch normalize submissions/ --csv grades.csv"),
        formatter_class=raw,
    )
    batch.add_argument("exercise", help=exercise_id)
    batch.add_argument(
        "directory",
        type=Path,
        metavar="DIR",
        help=say(
            en="the class's submissions: a .py file or a folder per student",
            zh="全班的提交：每个学生一个 .py 文件或一个文件夹",
        ),
    )
    batch.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 2,
        help=say(en="gradings at once (default: CPUs)", zh="同时进行的评分数（默认：CPU 数）"),
    )
    batch.add_argument(
        "--csv",
        type=Path,
        metavar="PATH",
        help=say(en="write the grade sheet as CSV", zh="把成绩表写成 CSV"),
    )
    batch.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help=say(en="write the grade sheet as JSON", zh="把成绩表写成 JSON"),
    )
    batch.add_argument(
        "--force",
        action="store_true",
        help=say(en="regrade unchanged submissions too", zh="未改动的提交也重新评分"),
    )
    batch.add_argument("--root", type=Path, metavar="DIR", help=root_help())
    batch.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help=say(
            en="grade even where no sandbox can start (students' code then runs unconfined, "
            "as you, and can read each other's files)",
            zh="即使无法启动沙箱也评分（学生的代码将以你的身份不受限制地运行，并能读取彼此的文件）",
        ),
    )
    batch.set_defaults(func=run_batch)

    export = subparsers.add_parser(
        "export",
        help=say(
            en="package an exercise for Gradescope, PrairieLearn or GitHub Actions",
            zh="为 Gradescope、PrairieLearn 或 GitHub Actions 打包一个练习",
        ),
        description=say(
            en="Package an exercise for the platform a course already grades on, "
            "with the grader and the exercise's hidden checks, never its reference solution. "
            "gradescope: an autograder zip (setup.sh, run_autograder) that writes "
            "results/results.json under $AUTOGRADER_ROOT (default /autograder); it runs on "
            "Gradescope's default image (Ubuntu 22.04, Python 3.10). prairielearn: a course "
            "folder with an externally graded question and the grader in serverFilesCourse/. "
            "github: a workflow for a plain GitHub Actions assignment repository (GitHub "
            "Classroom was discontinued on 28 August 2026). Where no sandbox can start, the "
            "exported grader refuses to grade unless exported with --unsafe-no-sandbox.",
            zh="为课程已在使用的评分平台打包一个练习，包含评分程序和练习的隐藏检查，"
            "但绝不包含参考答案。gradescope：一个自动评分器 zip（setup.sh、run_autograder），"
            "它把 results/results.json 写到 $AUTOGRADER_ROOT（默认 /autograder）下；"
            "可在 Gradescope 的默认镜像（Ubuntu 22.04、Python 3.10）上运行。"
            "prairielearn：一个课程文件夹，含一道外部评分的题目，评分程序在 "
            "serverFilesCourse/ 中。github：供普通 GitHub Actions 作业仓库使用的工作流"
            "（GitHub Classroom 已于 2026 年 8 月 28 日停止服务）。在无法启动沙箱的地方，"
            "导出的评分程序会拒绝评分，除非导出时加了 --unsafe-no-sandbox。",
        ),
        epilog=example("mlkata export gradescope normalize -o autograder.zip"),
        formatter_class=raw,
    )
    export.add_argument(
        "target", choices=TARGETS, help=say(en="the grading platform", zh="评分平台")
    )
    export.add_argument("exercise", help=exercise_id)
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        help=say(
            en="gradescope: the zip (default autograder.zip); prairielearn: a folder "
            "(default prairielearn/); github: a folder (default github/)",
            zh="gradescope：zip 文件（默认 autograder.zip）；prairielearn：文件夹"
            "（默认 prairielearn/）；github：文件夹（默认 github/）",
        ),
    )
    export.add_argument("--root", type=Path, metavar="DIR", help=root_help())
    export.add_argument(
        "--lang",
        choices=("en", "zh"),
        help=say(
            en="language of what students read (default en)",
            zh="学生看到的内容的语言（默认 en）",
        ),
    )
    export.add_argument(
        "--visibility",
        choices=VISIBILITIES,
        default="visible",
        help=say(
            en="gradescope: who sees each check (a check's own `visibility` in the manifest "
            "wins); default visible",
            zh="gradescope：每项检查对谁可见（以清单里该检查自己的 `visibility` 为准）；"
            "默认 visible",
        ),
    )
    export.add_argument(
        "--stdout-visibility",
        choices=VISIBILITIES,
        default="hidden",
        help=say(
            en="gradescope: who sees run_autograder's output (default hidden)",
            zh="gradescope：run_autograder 的输出对谁可见（默认 hidden）",
        ),
    )
    export.add_argument(
        "--image",
        default="prairielearn/grader-python",
        help=say(
            en="prairielearn: the grading image; it needs mlkata's requirements (the export "
            "writes a Dockerfile for one)",
            zh="prairielearn：评分用的镜像；它需要 mlkata 的依赖（导出时会写一个构建这种"
            "镜像的 Dockerfile）",
        ),
    )
    export.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help=say(
            en="grade even where no sandbox can start (student code then runs unconfined)",
            zh="即使无法启动沙箱也评分（学生代码将不受限制地运行）",
        ),
    )
    export.set_defaults(func=run_export)


def _valid_exercise(root, exercise_id: str):
    """The exercise, once the manifest it comes from has no errors: grading a class or
    shipping a bundle on checks that `validate` rejects would hand out wrong marks."""
    from grader.manifest_check import check_manifest

    _, errors = check_manifest(root)  # first: its report names every problem, in both languages
    if errors:
        lines = "\n".join(f"  {error}" for error in errors[:10])
        left = len(errors) - 10
        more = say(en=f"\n  ... and {left} more", zh=f"\n  ……还有 {left} 个") if left > 0 else ""
        first = say(
            en="the exercise manifest has errors; fix them first (mlkata validate):",
            zh="练习清单有错误；请先修正（mlkata validate）：",
        )
        raise UserError(f"{first}\n{lines}{more}", exit_code=1)
    return root.exercise(exercise_id)


# -- verify ---------------------------------------------------------------------------------


def run_verify(args) -> int:
    from rich.markup import escape

    from grader.authoring import Root
    from grader.grading import zygote
    from grader.manifest_check import check_manifest
    from grader.verify import prove

    zygote.enable()  # two gradings per exercise: the imports are paid once per kind
    root = Root.named(args.root)
    if not root.manifest.is_file():
        raise UserError(
            say(en=f"no exercise manifest at {root.manifest}", zh=f"{root.manifest} 处没有练习清单")
        )
    out = console()
    _, errors = check_manifest(root)
    for error in errors:
        out.print(escape(str(error)), soft_wrap=True)
    try:
        exercises = root.exercises()
    except UserError as exc:
        if not errors:
            raise
        out.print(
            say(
                en="[red]Verification failed[/] "
                f"(the manifest cannot be loaded: {escape(str(exc))})",
                zh=f"[red]验证失败[/]（清单无法加载：{escape(str(exc))}）",
            )
        )
        return 1
    if args.exercises:
        from grader.exercises import get_exercise

        exercises = [get_exercise(name, exercises) for name in args.exercises]
    failed = bool(errors)
    for i, exercise in enumerate(exercises, 1):
        prefix = f"[{i}/{len(exercises)}] {exercise.id}"
        with out.status(prefix + say(en=": grading ...", zh="：正在评分 ...")) as status:
            proof = prove(exercise, lambda step, s=status, p=prefix: s.update(f"{p}: {step} ..."))
        solution, stub = proof.solution, proof.stub
        mark = (
            say(en="[green]ok[/]", zh="[green]通过[/]")
            if proof.ok
            else say(en="[red]FAILED[/]", zh="[red]失败[/]")
        )
        seconds = f"{solution.duration_s + stub.duration_s:.1f} s"
        fails = say(en="fails", zh="未通过") if not stub.passed else say(en="PASSES", zh="竟然通过")
        out.print(
            say(
                en=f"{prefix}: solution {solution.score}/{solution.max_score}, "
                f"stub {stub.score}/{stub.max_score} {fails}",
                zh=f"{prefix}：参考答案 {solution.score}/{solution.max_score}，"
                f"模板 {stub.score}/{stub.max_score} {fails}",
            )
            + f"  {mark}  [dim]{seconds}[/]"
        )
        for problem in proof.problems:
            out.print(f"  [red]-[/] {escape(problem)}", soft_wrap=True)
        failed = failed or not proof.ok
    if failed:
        out.print(say(en="[red]Verification failed.[/]", zh="[red]验证失败。[/]"))
        return 1
    out.print(
        say(
            en=f"[green]All {len(exercises)} exercise(s) verified.[/]",
            zh=f"[green]全部 {len(exercises)} 个练习验证通过。[/]",
        )
    )
    return 0


# -- batch -----------------------------------------------------------------------------------


def run_batch(args) -> int:
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from grader import batch
    from grader.authoring import Root

    if args.jobs < 1:
        raise UserError(say(en="--jobs must be at least 1", zh="--jobs 至少为 1"))
    exercise = _valid_exercise(Root.named(args.root), args.exercise)
    _require_sandbox(args)
    submissions = batch.find_submissions(args.directory, exercise)
    out = console()
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as progress:
        label = say(en=f"Grading {exercise.id}", zh=f"正在评分 {exercise.id}")
        task = progress.add_task(label, total=len(submissions))
        rows = batch.grade_all(
            exercise,
            submissions,
            jobs=args.jobs,
            force=args.force,
            on_row=lambda row: progress.advance(task),
        )
    out.print(_table(rows))
    if args.csv:
        batch.write_sheet(args.csv, batch.to_csv(rows, exercise))
    if args.json:
        batch.write_sheet(args.json, batch.to_json(rows, exercise))
    full = sum(r.passed for r in rows)
    cached = sum(r.cached for r in rows)
    missing = sum(r.error == "missing" and not r.file for r in rows)
    mean = sum(r.score for r in rows) / len(rows)
    graded = len(rows) - cached - missing
    out.print(
        say(
            en=f"{len(rows)} submissions: {full} full marks, mean {mean:.1f}/{exercise.max_score}; "
            f"{graded} graded, {cached} unchanged (cached), {missing} without a file.",
            zh=f"{len(rows)} 份提交：{full} 份满分，平均 {mean:.1f}/{exercise.max_score}；"
            f"{graded} 份已评分，{cached} 份未改动（缓存），{missing} 份没有文件。",
        )
    )
    for path in filter(None, (args.csv, args.json)):
        out.print(say(en=f"Wrote {escape(str(path))}", zh=f"已写入 {escape(str(path))}"))
    unstarted = [r for r in rows if r.error == "sandbox"]
    if unstarted:
        why = escape(unstarted[0].message.splitlines()[0][:200])
        out.print(
            say(
                en=f"[red]{len(unstarted)} submission(s) could not be graded because of the "
                f"grader, not the student ({why}). They were not cached: fix the cause and run "
                "batch again.[/]",
                zh=f"[red]有 {len(unstarted)} 份提交因为评分程序（而不是学生）的原因无法评分"
                f"（{why}）。它们没有被缓存：修正原因后再运行 batch。[/]",
            )
        )
        return 1
    return 0


NO_SANDBOX = {
    "en": "refusing to grade a class without a sandbox: {reason}. Install bubblewrap "
    "(apt-get install bubblewrap), or run as root to get the unprivileged tier, or pass "
    "--unsafe-no-sandbox to grade anyway (students' code then runs as you, unconfined)",
    "zh": "拒绝在没有沙箱的情况下批量评分：{reason}。请安装 bubblewrap"
    "（apt-get install bubblewrap），或以 root 身份运行以使用非特权隔离层级，"
    "或加上 --unsafe-no-sandbox 强制评分（此时学生代码以你的身份运行，不受隔离）",
}


def _require_sandbox(args) -> None:
    """batch grades other people's code: the plain tier only when the instructor says so."""
    from grader.cli.output import language
    from grader.sandbox import tiers

    tier = tiers.current()
    if tier.name == "none" and not args.unsafe_no_sandbox:
        raise UserError(NO_SANDBOX[language(args)].format(reason=tier.reason))


def _table(rows):
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column(say(en="student", zh="学生"), no_wrap=True)
    table.add_column(say(en="score", zh="得分"), justify="right", no_wrap=True)
    table.add_column(say(en="note", zh="说明"), overflow="fold")
    for row in rows:
        note = f"{row.error}: " if row.error else ""
        note += textwrap.shorten(row.message, 200, placeholder=" ...") if row.message else ""
        score = f"{row.score}/{row.max_score}"
        table.add_row(escape(row.student), score, escape(note or say(en="full marks", zh="满分")))
    return table


# -- export ----------------------------------------------------------------------------------


EXPORT_WORDS = {
    "en": {
        "wrote": "Wrote {path} ({files} files, {size} KB) for {id}.",
        "gradescope": "Upload it as the autograder of a Gradescope programming assignment; "
        "the default base image (Ubuntu 22.04) works. Students upload {id}.py.",
        "prairielearn": "Copy questions/ and serverFilesCourse/ into your course; build "
        "the image from serverFilesCourse/mlkata/Dockerfile if {image} lacks numpy.",
        "github": "Copy it into the assignment's template repository; it grades {id}.py "
        "on every push.",
        "unsafe": "warning: exported with --unsafe-no-sandbox: where no sandbox can start, "
        "student code will run unconfined",
        "todo": "warning: {id}'s title still says TODO: it looks like an unfinished "
        "scaffold (students see its title and checks)",
        "keras": "note: {id} trains with Keras {keras}; on Python 3.10 (Gradescope's default "
        "image) pip can only install Keras 3.12, whose training differs: verify the reference "
        "there first, or pick the Ubuntu 24.04 image",
    },
    "zh": {
        "wrote": "已写入 {path}（{files} 个文件，{size} KB），练习 {id}。",
        "gradescope": "将其上传为 Gradescope 编程作业的自动评分器；默认基础镜像（Ubuntu 22.04）"
        "即可。学生上传 {id}.py。",
        "prairielearn": "将 questions/ 和 serverFilesCourse/ 复制到你的课程中；若 {image} "
        "没有 numpy，请用 serverFilesCourse/mlkata/Dockerfile 构建镜像。",
        "github": "将其复制到作业的模板仓库；每次推送都会评分 {id}.py。",
        "unsafe": "警告：导出时使用了 --unsafe-no-sandbox：在无法启动沙箱的地方，"
        "学生代码将不受限制地运行",
        "todo": "警告：{id} 的标题仍是 TODO：它看起来是未完成的脚手架（学生会看到其标题和检查）",
        "keras": "注意：{id} 使用 Keras {keras} 训练；在 Python 3.10（Gradescope 默认镜像）上 pip "
        "只能安装 Keras 3.12，其训练结果不同：请先在那里验证参考答案，或选择 Ubuntu 24.04 镜像",
    },
}


def run_export(args) -> int:
    from grader.authoring import Root
    from grader.messages import language
    from grader.platforms import github, gradescope, prairielearn
    from grader.platforms.common import Settings

    # The instructor's words follow --lang, else `mlkata --lang`, else the locale; what
    # students read follows --lang alone (default en): a Chinese locale does not choose it.
    say = EXPORT_WORDS[language()]
    exercise = _valid_exercise(Root.named(args.root), args.exercise)
    settings = Settings(
        exercise=exercise.id,
        lang=args.lang or "en",
        visibility=args.visibility,
        stdout_visibility=args.stdout_visibility,
        unsafe_no_sandbox=args.unsafe_no_sandbox,
        check_visibility={c.name: c.visibility for c in exercise.checks if c.visibility},
    )
    default = {"gradescope": "autograder.zip", "prairielearn": "prairielearn", "github": "github"}
    output = args.output or Path(default[args.target])
    if args.target == "gradescope":
        made = gradescope.export(exercise, output, settings)
        size = made.path.stat().st_size
    elif args.target == "prairielearn":
        made = prairielearn.export(exercise, output, settings, image=args.image)
        size = sum(p.stat().st_size for p in made.path.rglob("*") if p.is_file())
    else:
        made = github.export(exercise, output, settings)
        size = sum(p.stat().st_size for p in made.path.rglob("*") if p.is_file())
    print(say["wrote"].format(path=made.path, files=len(made.files), size=size // 1024,
                              id=exercise.id))  # fmt: skip
    print(say[args.target].format(id=exercise.id, image=args.image))
    if args.unsafe_no_sandbox:
        print(f"mlkata: {say['unsafe']}", file=sys.stderr)
    if args.target == "gradescope" and exercise.tensorflow:
        from importlib.metadata import PackageNotFoundError, version

        try:
            keras = version("keras")
        except PackageNotFoundError:
            keras = "3"
        print(f"mlkata: {say['keras'].format(id=exercise.id, keras=keras)}", file=sys.stderr)
    if "TODO" in exercise.title("en"):
        print(f"mlkata: {say['todo'].format(id=exercise.id)}", file=sys.stderr)
    return 0
