"""Question variants: named parameters drawn per attempt, and the concrete question they make.

A bank question may declare `params` (each a list of numbers, or `{min, max, step}`),
`derived` values and, for a numeric question, an `answer` expression, all written for
the safe evaluator in `grader.safe_expr`. Its texts name values as `{name}` or with a
format spec, `{name:,}` (thousands) or `{name:.2f}`. The quiz poses one variant per
attempt; fsrs schedules the question's id, whatever variant was asked.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from grader.safe_expr import FUNCTIONS, Expression, ExpressionError, Number, parse

NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?::([^{}]*))?\}")
SPEC = re.compile(r"^[+-]?[,_]?(\.\d{1,2})?[dfeg%]?$")
MAX_CHOICES = 10_000  # values one parameter may take
EXHAUSTIVE = 400  # variant spaces up to this size are checked whole by `validate`
SAMPLES = 200  # larger ones are sampled this often (seeded)


@dataclass(frozen=True)
class Spec:
    """A question's variant space: what to draw, what to compute from the draw."""

    params: tuple[tuple[str, tuple[Number, ...]], ...]
    derived: tuple[tuple[str, Expression], ...] = ()
    answer: Expression | None = None  # a numeric question's answer

    @property
    def size(self) -> int:
        size = 1
        for _, values in self.params:
            size *= len(values)
        return size

    def names(self) -> set[str]:
        return {name for name, _ in self.params} | {name for name, _ in self.derived}

    def complete(self, drawn: Mapping[str, Number]) -> dict[str, Number]:
        """The drawn params with every derived value (and `answer`) computed from them."""
        values = dict(drawn)
        for name, expression in self.derived:
            values[name] = expression.evaluate(values)
        if self.answer is not None:
            values["answer"] = self.answer.evaluate(values)
        return values


def read(params: Any, derived: Any, answer: Any) -> tuple[Spec | None, list[tuple[str, str]]]:
    """A Spec from a bank's `params`, `derived` and (numeric) `answer` fields, or the
    problems found, each as (field, message)."""
    problems: list[tuple[str, str]] = []
    drawn: list[tuple[str, tuple[Number, ...]]] = []
    if not isinstance(params, Mapping) or not params:
        return None, [("params", "a mapping of names to [values] or {min, max, step}")]
    for name, spec in params.items():
        if not _good_name(name):
            problems.append(("params", f"{name!r}: a name is lowercase letters, digits and _"))
            continue
        values, why = _values(spec)
        if why:
            problems.append((f"params.{name}", why))
        else:
            drawn.append((name, values))
    known = {name for name, _ in drawn}
    computed: list[tuple[str, Expression]] = []
    if derived is not None and not isinstance(derived, Mapping):
        problems.append(("derived", "a mapping of names to expressions"))
        derived = {}
    for name, source in (derived or {}).items():
        if not _good_name(name) or name in known or name == "answer":
            problems.append(("derived", f"{name!r} is not a new name (lowercase, digits, _)"))
            continue
        try:
            computed.append((name, parse(str(source), known)))
        except ExpressionError as exc:
            problems.append((f"derived.{name}", str(exc)))
        known.add(name)
    expression = None
    if answer is not None:
        try:
            expression = parse(str(answer), known)
        except ExpressionError as exc:
            problems.append(("answer", str(exc)))
    if problems:
        return None, problems
    spec = Spec(tuple(drawn), tuple(computed), expression)
    if spec.size > 10**9:
        return None, [("params", f"{spec.size:,} variants; keep it under 1,000,000,000")]
    return spec, []


def pose(question, seed: object = None, tries: int = 20):
    """`question` with one variant drawn (seeded by `seed` and the question's id), its texts
    filled in and, for a numeric question, its answer computed; `.variant` says which."""
    spec: Spec = question.variants
    rng = random.Random(f"{seed}:{question.id}" if seed is not None else None)
    problem = None
    for _ in range(tries):
        drawn = {name: rng.choice(values) for name, values in spec.params}
        try:
            return fill(question, drawn)
        except ExpressionError as exc:
            problem = exc
    raise ExpressionError(f"{question.id}: no variant could be posed: {problem}")


def fill(question, drawn: Mapping[str, Number]):
    """The concrete question for one draw of the params."""
    spec: Spec = question.variants
    values = spec.complete(drawn)
    fields: dict[str, Any] = {
        "prompt": _text(question.prompt, values),
        "explanation": _text(question.explanation, values),
        "options": tuple(_text(o, values) for o in question.options),
        "key_points": tuple(_text(p, values) for p in question.key_points),
        "variant": json.dumps(dict(drawn), sort_keys=True, separators=(",", ":")),
    }
    for name in ("unit", "reference", "source"):
        if getattr(question, name) is not None:
            fields[name] = _text(getattr(question, name), values)
    if spec.answer is not None:
        fields["value"] = values["answer"]
    return replace(question, **fields)


def problems(question) -> list[str]:
    """What `mlkata validate` finds wrong in a question's variant space: every variant when
    there are at most EXHAUSTIVE of them, else SAMPLES seeded draws. Each variant must
    compute, fill every placeholder, and keep its options distinct from one another."""
    spec: Spec = question.variants
    found: list[str] = []
    names = [name for name, _ in spec.params]
    if spec.size <= EXHAUSTIVE:
        draws = itertools.product(*(values for _, values in spec.params))
    else:
        rng = random.Random(0)
        draws = (tuple(rng.choice(v) for _, v in spec.params) for _ in range(SAMPLES))
    known = spec.names() | ({"answer"} if spec.answer is not None else set())
    for text in question.texts():
        for string in (text.en, text.zh, text.plain):
            for name, _ in PLACEHOLDER.findall(string or ""):
                if name not in known:
                    found.append(f"{{{name}}} names no parameter or derived value")
    for combination in draws:
        drawn = dict(zip(names, combination, strict=True))
        try:
            posed = fill(question, drawn)
        except ExpressionError as exc:
            found.append(f"variant {_shown(drawn)}: {exc}")
        else:
            for lang in ("en", "zh"):
                shown = [o(lang) for o in posed.options]
                if len(set(shown)) < len(shown):
                    found.append(f"variant {_shown(drawn)}: two options read the same "
                                 f"({lang}): {', '.join(shown)}")  # fmt: skip
                    break
        if len(found) >= 3:
            break
    return list(dict.fromkeys(found))


def _shown(drawn: Mapping[str, Number]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in drawn.items())


def _good_name(name: Any) -> bool:
    return isinstance(name, str) and bool(NAME.match(name)) and name not in FUNCTIONS


def _values(spec: Any) -> tuple[tuple[Number, ...], str | None]:
    if isinstance(spec, list):
        if not spec or len(spec) > MAX_CHOICES or not all(_is_number(v) for v in spec):
            return (), f"a list of 1 to {MAX_CHOICES:,} numbers"
        return tuple(spec), None
    if isinstance(spec, Mapping) and set(spec) <= {"min", "max", "step"} and "min" in spec:
        low, high, step = spec.get("min"), spec.get("max"), spec.get("step", 1)
        if not all(_is_number(v) for v in (low, high, step)) or step <= 0 or high < low:
            return (), "min <= max and step > 0, all numbers"
        count = int((high - low) / step + 1e-9) + 1
        if count > MAX_CHOICES:
            return (), f"{count:,} values; at most {MAX_CHOICES:,}"
        if all(isinstance(v, int) for v in (low, high, step)):
            return tuple(range(low, high + 1, step)), None
        return tuple(round(low + i * step, 10) for i in range(count)), None
    return (), "a list of numbers, or {min: ..., max: ..., step: ...}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(text, values: Mapping[str, Number]):
    from grader.text import Text

    return Text(*(_fill_string(s, values) if s is not None else None
                  for s in (text.en, text.zh, text.plain)))  # fmt: skip


def _fill_string(string: str, values: Mapping[str, Number]) -> str:
    def one(match: re.Match) -> str:
        name, spec = match.group(1), match.group(2) or ""
        if name not in values:
            return match.group(0)
        if not SPEC.match(spec):
            raise ExpressionError(f"{{{name}:{spec}}}: use a spec like , or .2f or .1%")
        value = values[name]
        if isinstance(value, bool):
            value = int(value)
        try:
            return format(value, spec) if spec else _plain(value)
        except ValueError as exc:
            raise ExpressionError(f"{{{name}:{spec}}}: {exc}") from None

    return PLACEHOLDER.sub(one, string)


def _plain(value: Number) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)
