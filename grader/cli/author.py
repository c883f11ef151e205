"""`mlkata validate`, `mlkata new` and `mlkata import`: writing and checking course content."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from grader.cli.output import console
from grader.errors import UserError
from grader.messages import language, say
from grader.paths import shown


def root_help() -> str:
    """--root's help, shared by the authoring and classroom commands."""
    return say(
        en="a course folder laid out like the repository (default: the shipped content)",
        zh="与本仓库结构相同的课程文件夹（默认：自带的内容）",
    )


def example(command: str) -> str:
    """An epilog: "Example: COMMAND", or "示例：COMMAND"."""
    return say(en="Example: ", zh="示例：") + command


def register(subparsers) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    validate = subparsers.add_parser(
        "validate",
        help=say(en="check question banks and the exercise manifest", zh="检查题库和练习清单"),
        description=say(
            en="Check question banks and exercise manifests and report EVERY error as "
            "file:line: field: message, then count questions per topic, type, difficulty and "
            "language. PATH may be a bank, a folder of banks, an exercises.yaml, or a course "
            "folder (with questions/ and exercises/). Exit status: 0 valid, 1 errors, 2 usage.",
            zh="检查题库和练习清单，以“文件:行: 字段: 说明”的形式报告每一个错误，"
            "再按主题、题型、难度和语言统计题目数。PATH 可以是一个题库、一个题库文件夹、"
            "一个 exercises.yaml，或一个课程文件夹（含 questions/ 和 exercises/）。"
            "退出码：0 有效，1 有错误，2 用法错误。",
        ),
        epilog=example("mlkata validate questions/cnn.yaml exercises/exercises.yaml"),
        formatter_class=raw,
    )
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=say(
            en="a bank, a folder of banks, an exercises.yaml or a course folder "
            "(default: the shipped content)",
            zh="题库、题库文件夹、exercises.yaml 或课程文件夹（默认：自带的内容）",
        ),
    )
    validate.add_argument(
        "--json", action="store_true", help=say(en="print one JSON object", zh="输出一个 JSON 对象")
    )
    validate.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help=say(
            en="a course folder (the same as naming it as PATH)",
            zh="课程文件夹（与把它作为 PATH 给出相同）",
        ),
    )
    validate.set_defaults(func=run_validate)

    new = subparsers.add_parser(
        "new",
        help=say(
            en="add a question template or scaffold an exercise",
            zh="添加题目模板，或生成练习的骨架",
        ),
        description=say(
            en="Add content from templates that pass `mlkata validate` and "
            "`mlkata verify` as written, with TODOs for the author.",
            zh="从模板添加内容：模板原样就能通过 `mlkata validate` 和 `mlkata verify`，"
            "并用 TODO 标出作者要填写的地方。",
        ),
        epilog=example("mlkata new question --topic cnn --type choice"),
        formatter_class=raw,
    )
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    question = kinds.add_parser(
        "question",
        help=say(
            en="append a commented template question to a topic's bank",
            zh="在某个主题的题库末尾追加一道带注释的模板题",
        ),
        description=say(
            en="Append a commented, valid template question to questions/TOPIC.yaml "
            "(created if missing), keeping the file's comments and order.",
            zh="在 questions/TOPIC.yaml（不存在时会创建）末尾追加一道带注释、可通过校验的"
            "模板题，保留文件原有的注释和顺序。",
        ),
        epilog=example("mlkata new question --topic cnn --type numeric"),
        formatter_class=raw,
    )
    question.add_argument(
        "--topic",
        required=True,
        help=say(en="the bank's topic (its file name)", zh="题库的主题（即文件名）"),
    )
    question.add_argument(
        "--type",
        required=True,
        dest="qtype",
        metavar="TYPE",
        help=say(
            en="choice, multi, truefalse, numeric, short or open",
            zh="choice、multi、truefalse、numeric、short 或 open",
        ),
    )
    question.add_argument(
        "--id",
        help=say(
            en="the question's id (default: TOPIC-new-question[-N])",
            zh="题目 id（默认：TOPIC-new-question[-N]）",
        ),
    )
    question.add_argument("--root", type=Path, metavar="DIR", help=root_help())
    question.set_defaults(func=run_new_question)
    exercise = kinds.add_parser(
        "exercise",
        help=say(
            en="scaffold a stub, solution, checks and manifest entry",
            zh="生成模板、参考答案、检查和清单条目的骨架",
        ),
        description=say(
            en="Scaffold exercises/ID.py, solutions/ID.py, grader/checks/test_ID.py and "
            "a manifest entry: a placeholder task that `mlkata verify` accepts from the start.",
            zh="生成 exercises/ID.py、solutions/ID.py、grader/checks/test_ID.py 和一条清单"
            "条目：一个占位任务，从一开始就能通过 `mlkata verify`。",
        ),
        epilog=example("mlkata new exercise dropout --function apply_dropout"),
        formatter_class=raw,
    )
    exercise.add_argument(
        "id", help=say(en="the exercise id, like softmax_ce", zh="练习 id，例如 softmax_ce")
    )
    exercise.add_argument(
        "--function",
        default="solve",
        help=say(en="the function learners write", zh="学习者要编写的函数"),
    )
    exercise.add_argument("--root", type=Path, metavar="DIR", help=root_help())
    exercise.set_defaults(func=run_new_exercise)

    imp = subparsers.add_parser(
        "import",
        help=say(
            en="turn Anki exports or Markdown notes into open questions",
            zh="把 Anki 导出文件或 Markdown 笔记转成开放题",
        ),
        description=say(
            en="Turn question/answer lists into `open` questions with generated ids, "
            "appended to questions/TOPIC.yaml (created if missing) after validation.",
            zh="把问答列表转成 `open` 题并生成 id，校验后追加到 questions/TOPIC.yaml"
            "（不存在时会创建）。",
        ),
        epilog=example("mlkata import csv deck.txt --topic interview"),
        formatter_class=raw,
    )
    formats = imp.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name, what, description, sample in (
        (
            "csv",
            say(
                en="Anki's 'Notes in Plain Text' export or any front,back CSV",
                zh="Anki 的“Notes in Plain Text”导出文件，或任何“正面,背面”两列的 CSV",
            ),
            say(
                en="Import Anki's 'Notes in Plain Text' export or any front,back CSV.",
                zh="导入 Anki 的“Notes in Plain Text”导出文件，或任何“正面,背面”两列的 CSV。",
            ),
            "deck.txt",
        ),
        (
            "markdown",
            say(
                en="headings, bold lines, numbered or bulleted items, or <details> blocks "
                "with the answer beneath (headings above them become tags)",
                zh="标题、粗体行、编号或项目符号条目，或 <details> 块，答案写在其下"
                "（它们上方的标题会成为标签）",
            ),
            say(
                en="Import headings, bold lines, numbered or bulleted items, or <details> "
                "blocks with the answer beneath (headings above them become tags).",
                zh="导入标题、粗体行、编号或项目符号条目，或 <details> 块，答案写在其下"
                "（它们上方的标题会成为标签）。",
            ),
            "notes.md",
        ),
    ):
        sub = formats.add_parser(
            name,
            help=what,
            description=description,
            epilog=example(f"mlkata import {name} {sample} --topic interview"),
            formatter_class=raw,
        )
        sub.add_argument("file", type=Path, help=say(en="the file to import", zh="要导入的文件"))
        sub.add_argument(
            "--topic", required=True, help=say(en="the bank to add to", zh="要加入的题库")
        )
        sub.add_argument(
            "--lang",
            choices=("auto", "en", "zh"),
            default="auto",
            help=say(
                en="the text's language (default auto: Chinese text is filed "
                "under zh, the rest under en, each side on its own)",
                zh="文本的语言（默认 auto：中文文本归入 zh，其余归入 en，两边各自独立）",
            ),
        )
        sub.add_argument(
            "--difficulty",
            choices=("easy", "medium", "hard"),
            default="medium",
            help=say(
                en="difficulty of every imported question (default: medium)",
                zh="每道导入题目的难度（默认：medium）",
            ),
        )
        sub.add_argument(
            "--tag",
            action="append",
            default=[],
            help=say(en="a tag for every question", zh="给每道题加上的标签"),
        )
        sub.add_argument(
            "--dry-run",
            action="store_true",
            help=say(en="print the YAML, write nothing", zh="只输出 YAML，不写入任何文件"),
        )
        sub.add_argument("--root", type=Path, metavar="DIR", help=root_help())
        sub.set_defaults(func=run_import)


# -- validate ----------------------------------------------------------------------------------


def run_validate(args) -> int:
    from grader.verify import validate

    report = validate([*args.paths, *([args.root] if args.root else [])])
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _show_report(report)
    return 0 if report.ok else 1


def _show_report(report) -> None:
    from rich.markup import escape

    out = console()
    for error in report.errors:
        out.print(escape(str(error)), soft_wrap=True)
    for warning in report.warnings:
        out.print(f"[yellow]{escape(str(warning))}[/]", soft_wrap=True)
    if report.banks:
        out.print(_bank_table(report.banks))
        legend = say(
            en="cho choice · mul multi · t/f truefalse · num numeric · sho short · opn open; "
            "en/zh: readable without fallback",
            zh="cho 单选 · mul 多选 · t/f 判断 · num 数值 · sho 简答 · opn 开放；"
            "en/zh：无需回退即可阅读的题数",
        )
        out.print(f"[dim]{legend}[/]")
    for info in report.exercises:
        out.print(
            say(
                en=f"exercise {info.id}: {info.checks} check(s), {info.points} point(s)",
                zh=f"练习 {info.id}：{info.checks} 项检查，{info.points} 分",
            )
        )
    if report.ok:
        warned = len(report.warnings)
        note = say(en=f" {warned} warning(s) above.", zh=f"上面有 {warned} 条警告。")
        out.print(
            "[green]" + say(en="No errors.", zh="没有错误。") + "[/]" + (note if warned else "")
        )
    else:
        files = len({e.path for e in report.errors})
        errors = len(report.errors)
        out.print(
            "[red]"
            + say(
                en=f"{errors} error(s) in {files} file(s).",
                zh=f"{files} 个文件中有 {errors} 个错误。",
            )
            + "[/]"
        )


# -- new -------------------------------------------------------------------------------------


def run_new_question(args) -> int:
    from grader.authoring import Root, new_question

    added = new_question(Root.named(args.root), args.topic, args.qtype, args.id)
    line = _line_of(added.path, added.ids[0])
    path, qid = shown(added.path), added.ids[0]
    if added.created:
        print(
            say(
                en=f"Created {path}: question {qid} at line {line}.",
                zh=f"已创建 {path}：题目 {qid} 在第 {line} 行。",
            )
        )
    else:
        print(
            say(
                en=f"Appended to {path}: question {qid} at line {line}.",
                zh=f"已追加到 {path}：题目 {qid} 在第 {line} 行。",
            )
        )
    print(
        say(
            en=f"Replace its TODOs, then run: mlkata validate {path}",
            zh=f"替换其中的 TODO，然后运行：mlkata validate {path}",
        )
    )
    return 0


def run_new_exercise(args) -> int:
    from grader.authoring import Root, new_exercise

    root = Root.named(args.root)
    scaffold = new_exercise(root, args.id, args.function)
    print(say(en=f"Scaffolded exercise {scaffold.id}:", zh=f"已生成练习 {scaffold.id} 的骨架："))
    for path in scaffold.files:
        print(f"  {shown(path)}")
    where = f" --root {args.root}" if args.root else ""
    print(
        say(
            en=f"Replace the TODOs, then run: mlkata verify {scaffold.id}{where}",
            zh=f"替换其中的 TODO，然后运行：mlkata verify {scaffold.id}{where}",
        )
    )
    return 0


# -- import ------------------------------------------------------------------------------------


IMPORT_WORDS = {
    "en": {
        "images": "{n} note(s) had images or other media; they were imported without them.",
        "no_answer": "{n} question(s) had no answer beneath and were left out: {first}",
        "title": "The new bank is titled {title!r}; change `title:` to rename it.",
    },
    "zh": {
        "images": "{n} 条笔记含有图片或其他媒体；导入时未包含它们。",
        "no_answer": "{n} 个问题下面没有答案，已略过：{first}",
        "title": "新题库的标题为 {title!r}；可修改 `title:` 重命名。",
    },
}


def run_import(args) -> int:
    from grader import bank, importers
    from grader.authoring import Root, add_questions, known_ids
    from grader.text import default_language

    words = IMPORT_WORDS[default_language()]
    if not bank.SLUG.match(args.topic):
        raise UserError(
            say(
                en=f"topic {args.topic!r} is not a slug (lowercase letters, digits, dashes)",
                zh=f"主题 {args.topic!r} 不是 slug（小写字母、数字、短横线）",
            )
        )
    root = Root.named(args.root)
    if not args.file.is_file():
        raise UserError(say(en=f"no such file: {args.file}", zh=f"没有这个文件：{args.file}"))
    text = importers.read_source(args.file)
    no_answer: list[str] = []
    if args.format == "csv":
        parsed = importers.parse_csv(text, args.file)
        title = importers.deck_title(text, args.file)
    else:
        parsed = importers.parse_markdown(text, args.file, skipped=no_answer)
        title = importers.markdown_title(text, args.file)
    bank_file = root.questions / f"{args.topic}.yaml"
    cards, known = importers.skip_known(parsed, bank_file, args.lang)
    already = (
        say(
            en=f"skipped {len(known)} already in {bank_file.name}",
            zh=f"跳过 {bank_file.name} 已有的 {len(known)} 条",
        )
        if known
        else ""
    )
    if not cards:
        if known:
            print(
                say(en=f"Nothing new to import: {already}.", zh=f"没有新的内容可导入：{already}。")
            )
        else:
            print(say(en="Nothing to import.", zh="没有可导入的内容。"))
        return 0
    items, ids = importers.to_items(
        cards,
        args.topic,
        args.lang,
        known_ids(root.questions),
        source=args.file.name,
        difficulty=args.difficulty,
        tags=tuple(args.tag) or ("imported",),
    )
    if args.dry_run:
        print("".join(items), end="")
        return 0
    added = add_questions(root, args.topic, items, ids, title=title)
    verb = say(en="new bank", zh="新题库") if added.created else say(en="appended", zh="已追加")
    print(
        say(
            en=f"Imported {len(ids)} open questions into {shown(added.path)} ({verb})",
            zh=f"已把 {len(ids)} 道开放题导入 {shown(added.path)}（{verb}）",
        )
        + (f"; {already}:" if known else say(en=":", zh="："))
    )
    for qid in ids:
        print(f"  {qid}")
    with_media = sum(card.images > 0 for card in cards)
    if with_media:
        print(words["images"].format(n=with_media))
    if no_answer:
        print(words["no_answer"].format(n=len(no_answer), first=no_answer[0][:80]))
    if added.created:
        print(words["title"].format(title=title))
    return 0


def _bank_table(banks):
    from rich import box
    from rich.table import Table

    from grader.bank import DIFFICULTIES, TYPES

    short = {"total": "all", "truefalse": "t/f", "open": "opn", "easy": "easy", "hard": "hard"}
    table = Table(
        title=say(
            en="Questions per topic, type, difficulty and language",
            zh="按主题、题型、难度和语言统计的题数",
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=0,
    )
    table.add_column(say(en="topic", zh="主题"), no_wrap=True)
    zh = language() == "zh"
    for name in ("total", *TYPES, "easy", "medium", "hard", "en", "zh"):
        header = ZH_COLUMNS.get(name, name) if zh else short.get(name, name[:3])
        table.add_column(header, justify="right", no_wrap=True, min_width=4)
    rows = [(c.topic, c.questions, c.by_type, c.by_difficulty, c.by_language) for c in banks]
    total = ("total", sum(r[1] for r in rows), {}, {}, {})
    for row in rows:
        for i in (2, 3, 4):
            for key, n in row[i].items():
                total[i][key] = total[i].get(key, 0) + n
    for topic, n, by_type, by_level, by_lang in [*rows, total]:
        cells = [str(n), *(str(by_type.get(t, 0)) for t in TYPES)]
        cells += [str(by_level.get(d, 0)) for d in DIFFICULTIES]
        cells += [str(by_lang.get(lang, 0)) for lang in ("en", "zh")]
        is_total = topic == "total"
        label = say(en="total", zh="合计") if is_total else topic
        table.add_row(label, *cells, style="bold" if is_total and len(rows) > 1 else None)
    return table


ZH_COLUMNS = {"total": "全部", "choice": "单选", "multi": "多选", "truefalse": "判断",
              "numeric": "数值", "short": "简答", "open": "开放", "easy": "简单",
              "medium": "中等", "hard": "困难", "en": "英文", "zh": "中文"}  # fmt: skip


def _line_of(path: Path, qid: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().removeprefix("- ").startswith(f"id: {qid}"):
            return number
    return 0
