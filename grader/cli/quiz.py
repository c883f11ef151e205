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

UTC = timezone.utc  # (datetime has its own UTC only from 3.11; Gradescope runs 3.10)

DIFFICULTIES = ("easy", "medium", "hard")


def register(subparsers: argparse._SubParsersAction) -> None:
    epilog_quiz = (
        "Piped input is read line by line: an option letter or number, letters separated by\n"
        "commas for several, true/false, a number, or text; an open question takes an answer\n"
        "line, then the key points it covered (1,3 or all or none), then a rating line\n"
        "(again, hard, good, easy or 1-4; empty keeps the suggested one).\n\n"
        "Example: mlkata quiz --topic cnn -n 5 --lang zh"
    )
    p = subparsers.add_parser(
        "quiz", help="answer questions; due reviews first, then new ones",
        description="Quiz yourself from the question banks. Each answer is saved at once\n"
        "and scheduled for review with FSRS.",
        epilog=epilog_quiz, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    p.add_argument(
        "--topic", action="append", default=[], metavar="T", help="only this topic (repeatable)"
    )
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="T",
        help="only questions with this tag (repeatable)",
    )
    p.add_argument("--difficulty", choices=DIFFICULTIES, help="only this difficulty")
    p.add_argument(
        "-n", type=_positive, default=10, metavar="N", help="number of questions (default 10)"
    )
    p.add_argument("--seed", type=int, help="shuffle new questions reproducibly")
    _bank_arguments(p)
    p.set_defaults(func=run_quiz)

    p = subparsers.add_parser(
        "stats",
        help="what you answered, how well, and what is due",
        description="Your quiz progress: answers, accuracy per topic, reviews due.",
        epilog="Example: mlkata stats --json",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_stats)

    p = subparsers.add_parser(
        "topics",
        help="the question banks and what they hold",
        description="Each bank with its question count per type, difficulty and language.",
        epilog="Example: mlkata topics --json",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    _bank_arguments(p)
    p.set_defaults(func=run_topics)


def _bank_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang", choices=("en", "zh"), help="language (default: from the locale, else en)"
    )
    p.add_argument("--bank", action="append", default=[], type=Path, metavar="PATH",
                   help="also use this bank file or folder (repeatable)")  # fmt: skip
    p.add_argument("--no-shipped", action="store_true", help="use only the --bank banks")


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, not {value!r}")
    return int(value)


def _load(args: argparse.Namespace):
    from grader import bank

    if args.no_shipped and not args.bank:
        raise UserError("--no-shipped needs at least one --bank PATH")
    paths = ([] if args.no_shipped else bank.default_paths()) + args.bank
    loaded = bank.load_banks(paths)
    if loaded.errors:
        print(f"mlkata: {len(loaded.errors)} problem(s) in the question banks; "
              "those questions are skipped:", file=sys.stderr)  # fmt: skip
        for error in loaded.errors:
            print(f"  {error}", file=sys.stderr)
    return loaded


# -- quiz --------------------------------------------------------------------------


def run_quiz(args: argparse.Namespace) -> int:
    from grader import progress, quiz

    lang = language(args)
    loaded = _load(args)
    questions = loaded.questions
    known = sorted({q.topic for q in questions})
    unknown = [t for t in args.topic if t not in known]
    emptied = [t for t in unknown if t in {b.topic for b in loaded.banks}]
    if emptied:  # the bank loaded, but every question in it had a problem (listed above)
        raise UserError(f"topic {', '.join(emptied)} has no usable questions: "
                        "see the problems listed above")  # fmt: skip
    if unknown:
        raise UserError(f"unknown topic {', '.join(unknown)}; topics: {', '.join(known) or 'none'}")
    now = datetime.now(UTC)
    chosen = quiz.select(questions, progress.due_dates(), now, args.n, args.topic, args.tag,
                         args.difficulty, args.seed)  # fmt: skip
    if not chosen:
        unfinished = sum(q.unfinished for q in questions)
        if questions and unfinished == len(questions):
            raise UserError(f"no questions to ask: all {unfinished} still have TODO text")
        raise UserError("no question matches these filters" if questions else "no questions to ask")
    chosen = _posed(chosen, args.seed, lang)
    screen = make_screen(lang)
    screen.start()
    answered: list[Answered] = []
    try:
        for i, question in enumerate(chosen, 1):
            record = _ask(screen, question, i, len(chosen))
            if record is None:
                break
            answered.append(record)
            score = say(lang, "score", right=right_count(answered), answered=len(answered))
            screen.line(score, "dim")
    except KeyboardInterrupt:
        screen.line("")
        code = 130
    else:
        code = 0
    screen.summary(answered, len(chosen), datetime.now(UTC))
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


def _ask(screen: Screen, question, i: int, n: int) -> Answered | None:
    """Ask one question; None at end of input (nothing is recorded)."""
    from grader import progress, quiz

    lang = screen.lang
    screen.question(question, i, n)
    started = time.monotonic()
    hint = answer_hint(question, lang)
    while True:
        raw = screen.read(say(lang, "answer"), hint)
        if raw is None:
            return None
        verdict = quiz.check(question, raw)
        if verdict.kind != quiz.UNREADABLE:
            break
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
    percent = f" ({s.correct / s.answered:.0%})" if s.answered else ""
    print(f"Answered: {s.answered}, correct: {s.correct}{percent}; questions seen: {s.seen}")
    print(f"Due now: {s.due_now}; due today: {s.due_today}; due this week: {s.due_week}")
    for topic, t in s.topics.items():
        print(f"  {topic:<20} {t.correct}/{t.answered} ({t.accuracy:.0%})")
    for line in selfcheck.missed_lines(language(args)):
        print(line)
    if not s.answered:
        print("Nothing answered yet. Start with: mlkata quiz")
    print(f"Exercises: {exercises['passed']}/{exercises['exercises']} passed "
          f"({_gradings(exercises['attempts'])})")  # fmt: skip
    for item in exercises["items"]:
        if item.get("attempts"):
            best = f"{item['best_score']:g}/{item['max_score']}"
            print(f"  {item['exercise']:<20} {item['status']}, best {best} "
                  f"({_gradings(item['attempts'])})")  # fmt: skip
    return 0


def _gradings(n: int) -> str:
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
    from rich.table import Table

    short = {"truefalse": "t/f", "numeric": "num"}
    columns = ["all", *(short.get(t, t) for t in bank.TYPES), "easy", "med", "hard", "en", "zh"]
    table = Table(box=None, padding=(0, 1), collapse_padding=True, pad_edge=False)
    table.add_column("topic", no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right", min_width=len(column))
    totals = [0] * len(columns)
    for c in rows:
        counts = [c.questions, *(c.by_type.get(t, 0) for t in bank.TYPES)]
        counts += [c.by_difficulty.get(d, 0) for d in DIFFICULTIES]
        counts += [c.by_language["en"], c.by_language["zh"]]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        table.add_row(c.topic, *map(str, counts))
    table.add_row(f"{len(rows)} banks", *map(str, totals), style="bold")
    console().print(table)
    return 0
