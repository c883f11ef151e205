"""The self-check after an open question: mark the key points covered, accept or override
the rating they suggest; and the key points `mlkata stats` says are missed most."""

from __future__ import annotations

WORDS = {
    "covered": ("Which key points did your answer cover?", "你的答案覆盖了哪些要点？"),
    "covered_hint": ("numbers such as 1,3; all; none", "编号，例如 1,3；全部；无"),
    "bad_covered": ("Could not read that; type key point numbers such as 1,3, or all, or none.",
                    "无法识别，请输入要点编号（例如 1,3），或“全部”“无”。"),
    "counted_none": ("Counted as none covered.", "按一个要点都未覆盖计。"),
    "suggested": ("You covered {k} of {n} key points: suggested rating {rating}.",
                  "你覆盖了 {n} 个要点中的 {k} 个：建议评分为“{rating}”。"),
    "accept_hint": ("Enter accepts {rating}; or again, hard, good, easy, 1-4",
                    "回车接受“{rating}”；或输入 重来、困难、良好、简单、1-4"),
    "kept": ("Kept the suggestion: {rating}.", "采用建议评分：{rating}。"),
    "missed_title": ("Key points missed most often:", "最常遗漏的要点："),
    "missed_line": ("  {question} #{point}: missed {missed} of {checked} times — {text}",
                    "  {question} 第 {point} 点：{checked} 次中遗漏 {missed} 次——{text}"),
    "elsewhere": ("(from a bank not shipped with mlkata)", "（来自非内置题库）"),
}  # fmt: skip

RATING_SHOWN = {
    1: ("again", "重来"),
    2: ("hard", "困难"),
    3: ("good", "良好"),
    4: ("easy", "简单"),
}


def say(lang: str, key: str, **values: object) -> str:
    return WORDS[key][lang == "zh"].format(**values)


def rating_word(rating: int, lang: str) -> str:
    return RATING_SHOWN[rating][lang == "zh"]


def self_check(screen, question) -> tuple[int, tuple[bool, ...] | None] | None:
    """Ask which key points were covered, then the rating (Enter keeps the suggestion).

    Returns (rating, covered), covered None when the learner typed a rating straight
    away (a script written before self-checks); None at end of input.
    """
    from grader import quiz, selfcheck

    lang, count = screen.lang, len(question.key_points)
    while True:
        raw = screen.read(say(lang, "covered"), say(lang, "covered_hint"))
        if raw is None:
            return None
        covered = selfcheck.parse_covered(raw, count)
        if covered is not None:
            break
        rating = quiz.parse_rating(raw)
        if rating is not None and not raw.strip().isdigit():
            return rating, None  # "good" at once: a rating, with no self-check
        screen.line(say(lang, "bad_covered"), "yellow")
        if not screen.interactive:
            screen.line(say(lang, "counted_none"), "yellow")
            covered = (False,) * count
            break
    suggested = selfcheck.suggested_rating(covered)
    shown = rating_word(suggested, lang)
    screen.line(say(lang, "suggested", k=sum(covered), n=count, rating=shown), "cyan")
    from grader.cli.quiz_screen import say as quiz_say

    while True:
        raw = screen.read(quiz_say(lang, "rate"), say(lang, "accept_hint", rating=shown))
        if raw is None:
            return None
        if not raw.strip():
            screen.line(say(lang, "kept", rating=shown), "dim")
            return suggested, covered
        rating = quiz.parse_rating(raw)
        if rating is not None:
            return rating, covered
        screen.line(quiz_say(lang, "bad_rating"), "yellow")
        if not screen.interactive:
            screen.line(say(lang, "kept", rating=shown), "yellow")
            return suggested, covered


def missed_lines(lang: str, limit: int = 5) -> list[str]:
    """`mlkata stats`' lines on the key points missed most often (none when nothing missed)."""
    from grader import progress

    missed = progress.missed_key_points(limit)
    if not missed:
        return []
    texts = _key_point_texts()
    lines = [say(lang, "missed_title")]
    for m in missed:
        text = texts.get((m.question_id, m.point))
        lines.append(say(lang, "missed_line", question=m.question_id, point=m.point + 1,
                         missed=m.missed, checked=m.checked,
                         text=text(lang) if text else say(lang, "elsewhere")))  # fmt: skip
    return lines


def missed_data(limit: int = 5) -> list[dict]:
    """The same for `mlkata stats --json`."""
    from dataclasses import asdict

    from grader import progress

    texts = _key_point_texts()
    rows = []
    for m in progress.missed_key_points(limit):
        text = texts.get((m.question_id, m.point))
        rows.append({**asdict(m), "point": m.point + 1,
                     "text": {"en": text("en"), "zh": text("zh")} if text else None})  # fmt: skip
    return rows


def _key_point_texts() -> dict:
    from grader import bank

    return {
        (q.id, i): point
        for q in bank.load_banks().questions
        for i, point in enumerate(q.key_points)
    }
