"""Every numeric question's recipe recomputes the answer its bank gives, so a wrong key fails CI."""

from __future__ import annotations

import functools
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

# libyaml's parser where PyYAML has it: the banks are read at collection, in every
# pytest-xdist worker, and the pure-Python parser took seconds of that.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

QUESTIONS_DIR = Path(__file__).resolve().parent.parent / "questions"
EPSILON = 1e-9  # absorbs float round-off on top of a question's own tolerance


@functools.cache
def _keras() -> Any:
    """Import Keras only when a recipe needs it: it costs seconds."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    return keras


def recipe_mismatch(question: dict[str, Any]) -> str | None:
    """Run a question's recipe; return why it disagrees with the answer key, or None.

    A parametrised question's recipe runs once per variant checked (the first, the last
    and two seeded draws), with the drawn params as variables, and must agree with the
    bank's answer expression for each: the recipe is independent Python, the expression
    is what learners are marked against."""
    if "params" not in question:
        return _one_mismatch(question, {})
    from grader import variants

    spec, problems = variants.read(question["params"], question.get("derived"), question["answer"])
    if spec is None:
        return f"{question['id']}: {problems}"
    names = [name for name, _ in spec.params]
    rng = random.Random(0)
    draws = [[v[0] for _, v in spec.params], [v[-1] for _, v in spec.params]]
    draws += [[rng.choice(v) for _, v in spec.params] for _ in range(2)]
    for draw in draws:
        drawn = dict(zip(names, draw, strict=True))
        expected = spec.complete(drawn)["answer"]
        mismatch = _one_mismatch({**question, "answer": expected}, drawn)
        if mismatch:
            return f"{mismatch} (variant {drawn})"
    return None


def _one_mismatch(question: dict[str, Any], drawn: dict[str, Any]) -> str | None:
    recipe = question["recipe"]
    scope: dict[str, Any] = {"np": np, "math": math, **drawn}
    if "keras" in recipe:
        scope["keras"] = _keras()
    exec(recipe, scope)  # trusted content from this repository
    if "answer" not in scope:
        return f"{question['id']}: the recipe never sets `answer`"
    computed = float(scope["answer"])
    expected = float(question["answer"])
    tolerance = float(question.get("tolerance", 0) or 0)
    if abs(computed - expected) > tolerance + EPSILON * max(1.0, abs(expected)):
        return (
            f"{question['id']}: the recipe computes {computed!r} but the bank's answer is "
            f"{expected!r} (tolerance {tolerance})"
        )
    return None


def _recipe_params() -> list[Any]:
    params = []
    for path in sorted(QUESTIONS_DIR.glob("*.yaml")):
        try:
            bank = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            params.append(pytest.param(path.name, error, id=f"{path.name}-unreadable"))
            continue
        for question in (bank or {}).get("questions") or []:
            if question.get("type") == "numeric" and question.get("recipe"):
                # A recipe that builds a Keras layer loads TensorFlow: the full suite's.
                marks = [pytest.mark.slow] if "keras" in question["recipe"] else []
                params.append(
                    pytest.param(path.name, question, id=str(question.get("id")), marks=marks)
                )
    return params


RECIPE_PARAMS = _recipe_params()


def numeric_without_recipe(bank: dict[str, Any]) -> list[str]:
    """Ids of a bank's numeric questions whose answer nothing in the repository recomputes."""
    return [
        str(q.get("id"))
        for q in bank.get("questions") or []
        if q.get("type") == "numeric" and not q.get("recipe")
    ]


def test_the_banks_carry_recipes() -> None:
    assert RECIPE_PARAMS, f"no numeric question with a recipe found under {QUESTIONS_DIR}"


def test_every_numeric_question_carries_a_recipe() -> None:
    missing = []
    for path in sorted(QUESTIONS_DIR.glob("*.yaml")):
        bank = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader) or {}
        missing += [f"{path.name}: {qid}" for qid in numeric_without_recipe(bank)]
    assert missing == []


def test_numeric_without_recipe_names_the_bare_question() -> None:
    bank = {"questions": [{"id": "a", "type": "numeric", "answer": 1, "recipe": "answer = 1"},
                          {"id": "b", "type": "numeric", "answer": 2},
                          {"id": "c", "type": "short", "answers": ["x"]}]}  # fmt: skip
    assert numeric_without_recipe(bank) == ["b"]


@pytest.mark.parametrize(("bank", "question"), RECIPE_PARAMS)
def test_recipe_recomputes_the_answer(bank: str, question: Any) -> None:
    assert not isinstance(question, Exception), f"{bank} does not parse: {question}"
    mismatch = recipe_mismatch(question)
    assert mismatch is None, f"{bank}: {mismatch}"


def test_a_wrong_answer_key_is_caught() -> None:
    fake = {"id": "fake-conv-params", "answer": 321, "recipe": "answer = 32 * 3 * 3 * 1 + 32"}
    assert recipe_mismatch(fake) == (
        "fake-conv-params: the recipe computes 320.0 but the bank's answer is 321.0 (tolerance 0.0)"
    )
    assert recipe_mismatch({**fake, "answer": 320}) is None
    assert recipe_mismatch({**fake, "tolerance": 1}) is None


def test_a_recipe_that_sets_no_answer_is_caught() -> None:
    fake = {"id": "fake-silent", "answer": 1, "recipe": "value = 1"}
    assert recipe_mismatch(fake) == "fake-silent: the recipe never sets `answer`"
