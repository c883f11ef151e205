"""Names the user probably meant: case, British spellings and typos forgiven (difflib)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

# British -> American endings, as in the product's own titles ("Normalise MNIST pixels").
_BRITISH = ((re.compile(r"is(e|ed|es|ing|ation)$"), r"iz\1"), (re.compile(r"our$"), "or"))


def canonical(name: str) -> str:
    """How a name is compared: case-folded, `_` as `-`, British spellings made American."""
    folded = name.strip().casefold().replace("_", "-")
    for pattern, american in _BRITISH:
        folded = pattern.sub(american, folded)
    return folded


def same(name: str, known: Iterable[str]) -> str | None:
    """The known name that `name` spells differently (case, British spelling), if any."""
    wanted = canonical(name)
    return next((k for k in known if canonical(k) == wanted), None)


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like `name`, when one is close enough to suggest."""
    known = list(known)
    exact = same(name, known)
    if exact is not None:
        return exact
    by_canonical = {canonical(k): k for k in known}
    found = difflib.get_close_matches(canonical(name), by_canonical, n=1, cutoff=0.6)
    return by_canonical[found[0]] if found else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A sentence naming the closest known name in the current language; "" if none is close."""
    from grader.messages import say

    match = closest(name, known)
    if match is None:
        return ""
    return say(en=f" Did you mean {match}?", zh=f"你是不是想输入 {match}？")
