"""Key-point self-checks: which key points an open answer covered, and the rating that suggests.

After an open question's reference answer the learner marks the key points their own
answer covered ("1,3", "all", "none"). The share covered suggests an fsrs rating,
which the learner may override:

- none covered: Again;
- some, but under half: Hard;
- half or more: Good (Easy is the learner's call: it stretches the interval most).
"""

from __future__ import annotations

import re
import unicodedata

AGAIN, HARD, GOOD = 1, 2, 3  # fsrs.Rating values, as in grader.quiz

ALL_WORDS = {"all", "a", "全部", "都", "全"}
NONE_WORDS = {"none", "no", "0", "-", "无", "没有", "都没有"}


def parse_covered(raw: str, count: int) -> tuple[bool, ...] | None:
    """Which of `count` key points `raw` marks as covered; None when it cannot be read.

    Numbers are 1-based and may be separated by commas, spaces or 、 ("1,3", "1 3", "1、3").
    """
    text = unicodedata.normalize("NFKC", raw).strip().casefold()
    if text in ALL_WORDS:
        return (True,) * count
    if text in NONE_WORDS:
        return (False,) * count
    parts = [p for p in re.split(r"[\s,;、/]+", text) if p]
    if not parts or not all(p.isdigit() and 1 <= int(p) <= count for p in parts):
        return None
    marked = {int(p) - 1 for p in parts}
    return tuple(i in marked for i in range(count))


def suggested_rating(covered: tuple[bool, ...]) -> int:
    """The fsrs rating the share of key points covered suggests (see the module docstring)."""
    if not covered or not any(covered):
        return AGAIN
    return GOOD if sum(covered) * 2 >= len(covered) else HARD
