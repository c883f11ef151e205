"""Prove a course's exercises (full marks for every reference solution, a failing stub,
a points value and a message for every check), and `mlkata validate`'s report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.bank import BankCounts, BankError, counts, load_banks
from grader.errors import UserError
from grader.exercises import MANIFEST_NAME, Exercise
from grader.grading.verdict import Verdict
from grader.importers import asks_something
from grader.manifest_check import ExerciseInfo, check_manifest
from grader.messages import language, localize, say

if TYPE_CHECKING:
    from grader.authoring import Root


# -- proving by grading -------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    """One exercise proved (or not): its solution's and stub's verdicts and the problems."""

    exercise: str
    solution: Verdict
    stub: Verdict
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def prove(exercise: Exercise, on_step: Callable[[str], None] | None = None) -> Proof:
    """Grade the reference solution (must score full marks) and the stub (must fail)."""
    from grader.grading.runner import grade

    problems: list[str] = []
    for check in exercise.checks:
        if check.points <= 0:
            problems.append(
                say(en=f"check {check.name} has no points", zh=f"检查 {check.name} 没有分数")
            )
    if on_step:
        on_step("solution")
    solution = grade(exercise, exercise.solution_path)
    if not solution.passed:
        failed = [c for c in solution.checks if not c.passed]
        problems.append(
            say(en="the reference solution scores ", zh="参考答案得分 ")
            + f"{solution.score}/{solution.max_score}"
            + (f" ({solution.error})" if solution.error else "")
        )
        lang = language()  # the checks say their own words; the machinery's are translated
        problems += [f"  {c.name}: {localize(c.message, lang)}" for c in failed]
    if on_step:
        on_step("stub")
    stub = grade(exercise, exercise.stub_path)
    if stub.passed:
        problems.append(
            say(
                en="the stub passes every check: learners would score full marks for nothing",
                zh="模板通过了所有检查：学习者什么都不写也能得满分",
            )
        )
    if "TODO" not in _text(exercise.stub_path):
        problems.append(
            say(
                en=f"the stub {exercise.stub_path.name} has no TODO marker for the learner",
                zh=f"模板 {exercise.stub_path.name} 没有给学习者的 TODO 标记",
            )
        )
    for check in solution.checks:
        if check.message in ("", check.name):
            problems.append(
                say(
                    en=f"check {check.name} has no message (give its test a docstring)",
                    zh=f"检查 {check.name} 没有说明（请给它的测试函数写文档字符串）",
                )
            )
    return Proof(exercise.id, solution, stub, tuple(problems))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# -- validating banks and manifests together ------------------------------------------------

UNFINISHED = "still has TODO text; the quiz leaves it out until it is finished"
NO_QUESTION = ("prompt: no question in it ({lang}: {text!r}); is it a section heading that "
               "an import took for a question?")  # fmt: skip
LONG_ANSWER = ("answer: {n:,} characters ({lang}); over {limit:,} is more than a learner can "
               "compare with their own: split it or keep its key points")  # fmt: skip
MAX_ANSWER = 2000


def _open_question_warnings(questions) -> list[BankError]:
    """Open questions that look like an import gone wrong: a prompt that asks nothing (a
    section heading), or a reference answer too long to compare with (a whole section)."""
    found = []
    for q in questions:
        if q.type != "open" or q.unfinished:
            continue
        for lang in ("en", "zh"):
            prompt = getattr(q.prompt, lang) or (q.prompt.plain if lang == "en" else None)
            if prompt and not asks_something(prompt):
                text = prompt if len(prompt) <= 60 else prompt[:57] + "..."
                found.append(BankError(q.path, q.line, q.id,
                                       NO_QUESTION.format(lang=lang, text=text)))  # fmt: skip
        for lang in ("en", "zh"):
            answer = q.reference(lang)
            if len(answer) > MAX_ANSWER and (lang == "en" or answer != q.reference("en")):
                found.append(BankError(q.path, q.line, q.id, LONG_ANSWER.format(
                    n=len(answer), lang=lang, limit=MAX_ANSWER)))  # fmt: skip
    return found


SHADOWED = ("a shipped question has this id too; the quiz skips this one unless it runs "
            "with --no-shipped")  # fmt: skip


def _unfinished() -> str:
    return say(en="still has TODO text; the quiz leaves it out until it is finished",
               zh="还留有 TODO 文本；完成之前测验不会问它")  # fmt: skip


def _shadowed() -> str:
    return say(en="a shipped question has this id too; the quiz skips this one unless it runs "
                  "with --no-shipped",
               zh="自带的题库里也有这个 id；除非使用 --no-shipped，测验会跳过这一题")  # fmt: skip


@dataclass(frozen=True)
class Report:
    """What `mlkata validate` found: every error, and counts of what is valid."""

    errors: tuple[BankError, ...]
    banks: tuple[BankCounts, ...]
    exercises: tuple[ExerciseInfo, ...]
    warnings: tuple[BankError, ...] = ()  # valid, but not what learners will see (field: id)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": [
                {"file": str(e.path), "line": e.line, "field": e.field, "message": e.message}
                for e in self.errors
            ],
            "warnings": [
                {"file": str(e.path), "line": e.line, "id": e.field, "message": e.message}
                for e in self.warnings
            ],
            "banks": [{**asdict(c), "path": str(c.path)} for c in self.banks],
            "exercises": [asdict(e) for e in self.exercises],
        }


def validate(paths: list[Path]) -> Report:
    """Validate the banks and manifests `paths` name (default: the shipped ones)."""
    from grader.authoring import Root

    if paths:
        bank_paths, roots = _classify(paths)
    else:
        bank_paths, roots = [Root().questions], [Root()] if Root().manifest.is_file() else []
    loaded = load_banks(bank_paths)
    errors = list(loaded.errors)
    infos: list[ExerciseInfo] = []
    for root in roots:
        found, problems = check_manifest(root)
        infos += found
        errors += problems
    errors += _variant_errors(loaded.questions)
    errors.sort(key=lambda e: (str(e.path), e.line or 0))  # as an editor walks the files
    warnings = [BankError(q.path, q.line, q.id, _unfinished()) for q in loaded.questions
                if q.unfinished]  # fmt: skip
    warnings += _open_question_warnings(loaded.questions)
    if paths:
        warnings += _shadowed_by_shipped(loaded.questions)
    warnings.sort(key=lambda e: (str(e.path), e.line or 0))
    banks = tuple(counts(b) for b in loaded.banks)
    return Report(tuple(errors), banks, tuple(infos), tuple(warnings))


def _variant_errors(questions) -> list[BankError]:
    """Each parametrised question's variant space, sampled (grader.variants.problems)."""
    from grader import variants

    return [BankError(q.path, q.line, "params", problem)
            for q in questions if q.variants for problem in variants.problems(q)]  # fmt: skip


def _shadowed_by_shipped(questions) -> list[BankError]:
    """Questions of the named banks whose id a shipped bank (another file) already uses:
    the quiz, which loads the shipped banks too unless --no-shipped, skips them."""
    from grader.authoring import Root

    shipped = {q.id: q.path.resolve() for q in load_banks([Root().questions]).questions}
    return [
        BankError(q.path, q.line, q.id, _shadowed())
        for q in questions
        if q.id in shipped and shipped[q.id] != q.path.resolve()
    ]


def _classify(paths: list[Path]):
    """Split PATHs into bank files/folders and course roots (one per manifest)."""

    banks: list[Path] = []
    roots: list[Root] = []
    for path in map(Path, paths):
        if not path.exists():
            raise UserError(
                say(en=f"no such file or folder: {path}", zh=f"没有这个文件或文件夹：{path}")
            )
        if path.is_dir() and ((path / "questions").is_dir() or (path / "exercises").is_dir()):
            banks += [path / "questions"] if (path / "questions").is_dir() else []
            if (path / "exercises").is_dir():
                roots.append(_root_of(path / "exercises" / MANIFEST_NAME))
        elif path.is_dir():
            banks += sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".yaml", ".yml") and p.name != MANIFEST_NAME
            )
            if (path / MANIFEST_NAME).is_file():
                roots.append(_root_of(path / MANIFEST_NAME))
        elif path.name == MANIFEST_NAME:
            roots.append(_root_of(path))
        else:
            banks.append(path)
    return banks, roots


def _root_of(manifest: Path):
    from grader.authoring import Root

    if manifest.resolve() == Root().manifest.resolve():
        return Root()
    return Root(manifest.parent.parent)
