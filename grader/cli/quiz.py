"""`mlkata quiz`, `mlkata stats` and `mlkata topics`: arguments, and the quiz's loop."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from grader.cli.output import console, language
from grader.cli.quiz_screen import Answered, Screen, answer_hint, make_screen, right_count, say
from grader.errors import UserError
from grader.messages import language as language_now
from grader.messages import say as say_now

UTC = timezone.utc  # (datetime has its own UTC only from 3.11; Gradescope runs 3.10)

DIFFICULTIES = ("easy", "medium", "hard")


def register(subparsers: argparse._SubParsersAction) -> None:
    s = say_now
    epilog_quiz = (
        s(
            en="Piped input is read line by line: an option letter or number, letters "
            "separated by\n"
            "commas for several, true/false, a number, or text; an open question takes an answer\n"
            "line, then the key points it covered (1,3 or all or none), then a rating line\n"
            "(again, hard, good, easy or 1-4; empty keeps the suggested one).\n\n"
            "Example: ",
            zh="从管道输入时逐行读取：选项字母或序号，多选题用逗号分隔多个字母，\n"
            "判断题写 true/false，数值题写数字，其余写文字；开放题先读一行回答，\n"
            "再读一行它覆盖的要点（如 1,3、all 或 none），最后读一行自评\n"
            "（again、hard、good、easy 或 1-4；空行沿用建议的评分）。\n\n"
            "示例：",
        )
        + "mlkata quiz --topic cnn -n 5 --lang zh"
    )
    p = subparsers.add_parser(
        "quiz",
        help=s(
            en="answer questions; due reviews first, then new ones",
            zh="答题：先复习到期的题，再做新题",
        ),
        description=s(
            en="Quiz yourself from the question banks. Each answer is saved at once\n"
            "and scheduled for review with FSRS.",
            zh="用题库自测。每个回答都会立即保存，并用 FSRS 安排复习。",
        ),
        epilog=epilog_quiz,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--topic",
        action="append",
        default=[],
        metavar="T",
        help=s(en="only this topic (repeatable)", zh="只考这个主题（可重复）"),
    )
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="T",
        help=s(en="only questions with this tag (repeatable)", zh="只考带这个标签的题（可重复）"),
    )
    p.add_argument(
        "--difficulty", choices=DIFFICULTIES, help=s(en="only this difficulty", zh="只考这个难度")
    )
    p.add_argument(
        "-n",
        type=_positive,
        default=10,
        metavar="N",
        help=s(en="number of questions (default 10)", zh="题目数量（默认 10）"),
    )
    p.add_argument(
        "--seed",
        type=int,
        help=s(en="shuffle new questions reproducibly", zh="以可复现的顺序打乱新题"),
    )
    p.add_argument(
        "--due-only",
        action="store_true",
        help=s(
            en="only reviews that are due now (no new questions, nothing early)",
            zh="只做现在到期的复习（没有新题，也不提前复习）",
        ),
    )
    _bank_arguments(p)
    p.set_defaults(func=run_quiz)

    p = subparsers.add_parser(
        "stats",
        help=s(
            en="what you answered, how well, and what is due", zh="答过哪些题、答得怎样、哪些到期"
        ),
        description=s(
            en="Your quiz progress: answers, accuracy per topic, reviews due.",
            zh="你的答题进度：回答数、各主题的准确率、到期的复习。",
        ),
        epilog=s(en="Example: ", zh="示例：") + "mlkata stats --json",
    )
    p.add_argument("--json", action="store_true", help=s(en="print JSON", zh="输出 JSON"))
    p.add_argument("--lang", choices=("en", "zh"), help=_lang_help())
    p.set_defaults(func=run_stats)

    p = subparsers.add_parser(
        "topics",
        help=s(en="the question banks and what they hold", zh="各题库及其内容"),
        description=s(
            en="Each bank with its question count per type, difficulty and language.",
            zh="列出每个题库按题型、难度和语言统计的题目数。",
        ),
        epilog=s(en="Example: ", zh="示例：") + "mlkata topics --json",
    )
    p.add_argument("--json", action="store_true", help=s(en="print JSON", zh="输出 JSON"))
    _bank_arguments(p)
    p.set_defaults(func=run_topics)


def _lang_help() -> str:
    return say_now(
        en="language (default: from the locale, else en)",
        zh="语言（默认：按系统语言环境，否则为 en）",
    )


def _bank_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("en", "zh"), help=_lang_help())
    p.add_argument(
        "--bank",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help=say_now(
            en="also use this bank file or folder (repeatable)",
            zh="另外使用这个题库文件或文件夹（可重复）",
        ),
    )
    p.add_argument(
        "--no-shipped",
        action="store_true",
        help=say_now(en="use only the --bank banks", zh="只用 --bank 给出的题库"),
    )


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(
            say_now(
                en=f"expected a whole number >= 1, not {value!r}",
                zh=f"应为 ≥ 1 的整数，而不是 {value!r}",
            )
        )
    return int(value)


def _load(args: argparse.Namespace):
    from grader import bank

    if args.no_shipped and not args.bank:
        raise UserError(
            say_now(
                en="--no-shipped needs at least one --bank PATH",
                zh="--no-shipped 至少需要一个 --bank PATH",
            )
        )
    paths = ([] if args.no_shipped else bank.default_paths()) + args.bank
    loaded = bank.load_banks(paths)
    if loaded.errors:
        print(say_now(en=f"mlkata: {len(loaded.errors)} problem(s) in the question banks; "
                      "those questions are skipped:",
                      zh=f"mlkata：题库中有 {len(loaded.errors)} 个问题；这些题目已跳过："),
              file=sys.stderr)  # fmt: skip
        for error in loaded.errors:
            print(f"  {error}", file=sys.stderr)
    return loaded


# -- quiz --------------------------------------------------------------------------


def run_quiz(args: argparse.Namespace) -> int:
    from grader import progress, quiz

    lang = language(args)
    loaded = _load(args)
    questions = loaded.questions
    topics = _topics(args.topic, questions, loaded.banks)
    now = datetime.now(UTC)
    plan = quiz.plan(questions, progress.due_dates(), now, args.n, topics, args.tag,
                     args.difficulty, args.seed, due_only=args.due_only)  # fmt: skip
    chosen = plan.questions
    if not chosen:
        if args.due_only and questions:
            screen = make_screen(lang)
            screen.line(say(lang, "none_due"))
            return 0
        unfinished = sum(q.unfinished for q in questions)
        if questions and unfinished == len(questions):
            raise UserError(say(lang, "all_todo", n=unfinished))
        raise UserError(say(lang, "no_match" if questions else "no_questions"))
    chosen = _posed(chosen, args.seed, lang)
    screen = make_screen(lang, {b.topic: b.title for b in loaded.banks})
    screen.start()
    if plan.ahead:
        key = "ahead_only" if not plan.due and not plan.new else "ahead_some"
        screen.line(say(lang, key, n=plan.ahead), "yellow")
    answered: list[Answered] = []
    skipped = 0
    try:
        for i, question in enumerate(chosen, 1):
            record = _ask(screen, question, i, len(chosen))
            if record is None:
                break
            if record is SKIPPED:
                skipped += 1
                continue
            answered.append(record)
            score = say(lang, "score", right=right_count(answered), answered=len(answered))
            screen.line(score, "dim")
    except KeyboardInterrupt:
        screen.line("")
        code = 130
    else:
        code = 0
    screen.summary(answered, len(chosen) - skipped, datetime.now(UTC))
    if answered and not progress.grade_history():
        # A first quiz, finished or stopped with Ctrl-C: where the exercises are.
        screen.line(say(lang, "next_steps"), "dim")
    return code


def _posed(questions: list, seed: int | None, lang: str) -> list:
    """Each parametrised question with one variant drawn for this attempt."""
    if not any(q.variants for q in questions):
        return questions
    from grader import variants

    try:
        return [variants.pose(q, seed) if q.variants else q for q in questions]
    except variants.ExpressionError as exc:
        raise UserError(say(lang, "no_variant", problem=exc)) from None


def _topics(wanted: list[str], questions, banks) -> list[str]:
    """The topics asked for, spelt as the banks spell them; a UserError for unknown ones,
    naming the closest topic."""
    from grader.suggest import did_you_mean, same

    known = sorted({q.topic for q in questions})
    loaded = {b.topic for b in banks}
    topics, unknown, emptied = [], [], []
    for name in wanted:
        match = same(name, known) or same(name, loaded)
        topics.append(match or name)
        if match is None:
            unknown.append(name)
        elif match not in known:  # the bank loaded, but every question in it had a problem
            emptied.append(match)
    lang = language_now()
    if emptied:
        raise UserError(say(lang, "emptied", topics=", ".join(emptied)))
    if unknown:
        raise UserError(
            say(lang, "unknown_topic", topics=", ".join(unknown), known=", ".join(known) or "-")
            + did_you_mean(unknown[0], known)
        )
    return topics


SKIPPED = Answered("", 0, datetime.min)  # the learner typed `skip`: nothing is recorded


def _ask(screen: Screen, question, i: int, n: int) -> Answered | None:
    """Ask one question; None at end of input, SKIPPED on `skip` (nothing is recorded)."""
    from grader import progress, quiz

    lang = screen.lang
    screen.question(question, i, n)
    started = time.monotonic()
    hint = answer_hint(question, lang)
    while True:
        raw = screen.read(say(lang, "answer"), hint)
        if raw is None:
            return None
        if quiz.is_skip(raw):
            screen.line(say(lang, "skipped"), "dim")
            return SKIPPED
        verdict = quiz.check(question, raw)
        if verdict.kind != quiz.UNREADABLE:
            break
        why = quiz.why_unreadable(question, raw)
        if why == "empty":
            screen.line(say(lang, "empty", hint=hint), "yellow")
        elif why == "decimal_comma":
            screen.line(say(lang, "decimal_comma", raw=raw.strip(),
                            fixed=raw.strip().replace(",", ".")), "yellow")  # fmt: skip
        else:
            screen.line(say(lang, "unreadable", raw=raw.strip(), hint=hint), "yellow")
        if not screen.interactive:
            screen.line(say(lang, "counted"), "yellow")
            break
    rating, covered = verdict.rating, None
    if verdict.kind == quiz.RECALL and question.key_points:
        from grader.cli.selfcheck import self_check

        screen.reveal(question)
        checked = self_check(screen, question)
        if checked is None:
            return None
        rating, covered = checked
    elif verdict.kind == quiz.RECALL:
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
    review = progress.record_review(question.id, question.topic, rating, duration_ms=ms,
                                    covered=covered, variant=question.variant)  # fmt: skip
    return Answered(question.topic, rating, review.due)


# -- stats and topics ----------------------------------------------------------------


def run_stats(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from grader import progress, workspace
    from grader.cli import selfcheck

    s = progress.stats()
    exercises = workspace.summary()
    if args.json:
        data = asdict(s)
        for topic, t in s.topics.items():
            data["topics"][topic]["accuracy"] = round(t.accuracy, 3)
        data["exercises"] = exercises
        data["missed_key_points"] = selfcheck.missed_data()
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    lang = language(args)
    words = STATS_WORDS[lang == "zh"]
    percent = ""
    if s.answered:
        rate = f"{s.correct / s.answered:.0%}"
        percent = f"（{rate}）" if lang == "zh" else f" ({rate})"
    print(words["answered"].format(answered=s.answered, correct=s.correct, percent=percent,
                                   seen=s.seen))  # fmt: skip
    print(words["due"].format(now=s.due_now, today=s.due_today, week=s.due_week))
    from rich.cells import cell_len

    names = _topic_names(s.topics, lang)
    width = max((cell_len(name) for name in names.values()), default=0)
    for topic, t in s.topics.items():
        rate = f"（{t.accuracy:.0%}）" if lang == "zh" else f" ({t.accuracy:.0%})"
        padding = " " * (width - cell_len(names[topic]))
        print(f"  {names[topic]}{padding}  {t.correct}/{t.answered}{rate}")
    for line in selfcheck.missed_lines(lang):
        print(line)
    if not s.answered:
        print(words["start"])
    print(words["exercises"].format(passed=exercises["passed"], total=exercises["exercises"],
                                    gradings=_gradings(exercises["attempts"], lang)))  # fmt: skip
    for item in exercises["items"]:
        if item.get("attempts"):
            best = f"{item['best_score']:g}/{item['max_score']}"
            status = words.get(item["status"], item["status"])
            print(words["exercise"].format(id=f"{item['exercise']:<20}", status=status, best=best,
                                           gradings=_gradings(item["attempts"], lang)))  # fmt: skip
    return 0


def _topic_names(topics, lang: str) -> dict[str, str]:
    """Each topic as the quiz names it, its title in `lang`, then the id `--topic` takes;
    a topic from a bank given only to an earlier quiz (`--bank`) by its id alone."""
    from grader import bank

    titles = {b.topic: b.title(lang) for b in bank.load_banks(bank.default_paths()).banks}
    return {t: f"{titles[t]} · {t}" if t in titles else t for t in topics}


STATS_WORDS = (
    {"answered": "Answered: {answered}, correct: {correct}{percent}; questions seen: {seen}",
     "due": "Due now: {now}; due today: {today}; due this week: {week}",
     "start": "Nothing answered yet. Start with: mlkata quiz",
     "exercises": "Exercises: {passed}/{total} passed ({gradings})",
     "exercise": "  {id} {status}, best {best} ({gradings})"},
    {"answered": "已答：{answered}，答对：{correct}{percent}；见过的题：{seen}",
     "due": "现在到期：{now}；今天到期：{today}；本周到期：{week}",
     "start": "还没有答过题。从这里开始：mlkata quiz",
     "exercises": "编程练习：已通过 {passed}/{total}（{gradings}）",
     "exercise": "  {id} {status}，最高分 {best}（{gradings}）",
     "passed": "已通过", "failing": "未通过", "started": "已开始", "not started": "未开始"},
)  # fmt: skip


def _gradings(n: int, lang: str = "en") -> str:
    if lang == "zh":
        return f"评分 {n} 次"
    return f"{n} grading" + ("" if n == 1 else "s")


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
    from rich.cells import cell_len
    from rich.table import Table

    if lang == "zh":
        short = {"choice": "单选", "multi": "多选", "truefalse": "判断", "numeric": "数值",
                 "short": "简答", "open": "开放"}  # fmt: skip
        columns = ["全部", *(short[t] for t in bank.TYPES), "简单", "中等", "困难", "英文", "中文"]
    else:
        short = {"truefalse": "t/f", "numeric": "num"}
        columns = ["all", *(short.get(t, t) for t in bank.TYPES), "easy", "med", "hard", "en", "zh"]
    table = Table(box=None, padding=(0, 1), collapse_padding=True, pad_edge=False)
    table.add_column("主题" if lang == "zh" else "topic", no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right", min_width=cell_len(column))
    totals = [0] * len(columns)
    for c in rows:
        counts = [c.questions, *(c.by_type.get(t, 0) for t in bank.TYPES)]
        counts += [c.by_difficulty.get(d, 0) for d in DIFFICULTIES]
        counts += [c.by_language["en"], c.by_language["zh"]]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        table.add_row(c.topic, *map(str, counts))
    banks = f"{len(rows)} 个题库" if lang == "zh" else f"{len(rows)} banks"
    table.add_row(banks, *map(str, totals), style="bold")
    console().print(table)
    return 0
