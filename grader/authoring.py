"""Authoring content as text: question templates, appending to banks, scaffolding exercises.

Banks and the manifest are edited as text, never re-dumped, so the author's
comments, blank lines and order survive. Every edit is validated before it is
written, and written atomically.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
from dataclasses import dataclass
from keyword import iskeyword
from pathlib import Path

from grader import bank, paths, yamlsource
from grader.errors import UserError
from grader.exercises import EXERCISE_ID, ID_RULE, MANIFEST_NAME, Exercise, load_manifest
from grader.grading.reports import write_atomically
from grader.messages import say


@dataclass(frozen=True)
class Root:
    """Where a course's content lives: the shipped content (path None) or a folder laid
    out like the repository (questions/, exercises/, solutions/, grader/checks/)."""

    path: Path | None = None

    @classmethod
    def named(cls, path: Path | None) -> Root:
        """The root a `--root DIR` option names (the shipped content when None)."""
        if path is not None and not path.is_dir():
            raise UserError(say(en=f"no such folder: {path}", zh=f"没有这个文件夹：{path}"))
        return cls(None if path is None else path.resolve())

    def _dir(self, kind: str) -> Path:
        return paths.content_dir(kind) if self.path is None else self.path / kind

    @property
    def questions(self) -> Path:
        return self._dir("questions")

    @property
    def exercises_dir(self) -> Path:
        return self._dir("exercises")

    @property
    def manifest(self) -> Path:
        return self.exercises_dir / MANIFEST_NAME

    @property
    def solutions(self) -> Path:
        return self._dir("solutions")

    @property
    def checks(self) -> Path:
        return paths.checks_dir() if self.path is None else self.path / "grader" / "checks"

    def exercises(self) -> list[Exercise]:
        """The manifest's exercises, with their checks looked up under this root."""
        if not self.manifest.is_file():
            raise UserError(
                say(
                    en=f"no exercise manifest at {self.manifest}",
                    zh=f"{self.manifest} 处没有练习清单",
                )
            )
        try:  # refuse hostile YAML (huge files, alias bombs) before PyYAML reads it whole
            yamlsource.load(self.manifest)
        except yamlsource.SourceError as exc:
            raise UserError(str(exc)) from None
        loaded = load_manifest(self.manifest)
        if self.path is None:
            return loaded
        return [_RootedExercise(**_fields(e), checks_dir=self.checks) for e in loaded]

    def exercise(self, exercise_id: str) -> Exercise:
        from grader.exercises import get_exercise

        return get_exercise(exercise_id, self.exercises())


@dataclass(frozen=True)
class _RootedExercise(Exercise):
    """An exercise whose hidden checks live under an instructor's root, not the package."""

    checks_dir: Path = Path()

    @property
    def checks_path(self) -> Path:
        return self.checks_dir / f"test_{self.id}.py"


def _fields(exercise: Exercise) -> dict:
    return {f.name: getattr(exercise, f.name) for f in dataclasses.fields(Exercise)}


# -- appending to a YAML list as text -------------------------------------------------


def append_to_list(text: str, key: str, item: str) -> str:
    """`text` with `item` (a YAML list item written at indent 2) appended to the
    top-level list `key:`, keeping every other line as it was."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    head = re.compile(rf"^{re.escape(key)}:\s*(\[\s*\])?\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if head.match(line.rstrip("\n"))), None)
    if start is None:
        return "".join(lines) + f"{key}:\n" + item
    if "[" in lines[start]:  # `questions: []`: turn it into a block list
        lines[start] = f"{key}:\n"
    end = start + 1  # one past the last line that belongs to the list
    indent = None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and not line.startswith((" ", "\t", "-", "#")):
            break  # the next top-level key
        if line.strip() and not line.lstrip().startswith("#"):
            end = i + 1
            if indent is None and line.lstrip().startswith("- "):
                indent = line[: len(line) - len(line.lstrip())]
    item = _reindent(item, indent if indent is not None else "  ")
    before = "".join(lines[:end])
    separator = "\n" if end > start + 1 else ""
    return before + separator + item + "".join(lines[end:])


def _reindent(item: str, indent: str) -> str:
    """Shift an item written at indent 2 to `indent`."""
    out = []
    for line in item.splitlines(keepends=True):
        out.append(indent + line[2:] if line.startswith("  ") else line)
    return "".join(out)


# -- questions --------------------------------------------------------------------------

_TYPE_FIELDS = {
    "choice": """\
    options:                  # 2 to 8 options, shown as A, B, C, ...
      - {en: "TODO: option A", zh: "TODO: 选项 A"}
      - {en: "TODO: option B", zh: "TODO: 选项 B"}
      - {en: "TODO: option C", zh: "TODO: 选项 C"}
    answer: A                 # the letter of the one correct option
""",
    "multi": """\
    options:                  # 2 to 8 options, shown as A, B, C, ...
      - {en: "TODO: option A", zh: "TODO: 选项 A"}
      - {en: "TODO: option B", zh: "TODO: 选项 B"}
      - {en: "TODO: option C", zh: "TODO: 选项 C"}
    answer: [A, B]            # every correct letter; all-or-nothing
""",
    "truefalse": """\
    answer: true              # true or false
""",
    "numeric": """\
    answer: 0                 # TODO: the value
    tolerance: 0              # accepted absolute error
    unit: {en: "TODO: unit", zh: "TODO: 单位"}   # optional; delete if none
""",
    "short": """\
    answers: ["TODO: accepted answer", "TODO: another spelling"]   # case and width ignored
""",
    "open": """\
    answer:                   # the reference answer, shown after the learner's
      en: "TODO: the reference answer"
      zh: "TODO: 参考答案"
    key_points:               # what a good answer mentions
      - {en: "TODO: key point", zh: "TODO: 要点"}
""",
}

QUESTION_TEMPLATE = """\
  # TODO: a new {qtype} question. Replace every TODO, then run `mlkata validate`.
  - id: {qid}   # stable slug, unique across all banks: keep it once learners have progress
    type: {qtype}
    difficulty: medium        # easy | medium | hard
    tags: [todo]
    prompt:
      en: "TODO: the question, in English"
      zh: "TODO: 问题（中文）"
{fields}\
    explanation:
      en: "TODO: why the answer is right"
      zh: "TODO: 解释"
"""

BANK_HEADER = """\
format_version: 1
topic: {topic}
title: {{en: "TODO: {topic}", zh: "TODO: {topic}"}}
questions:
"""


@dataclass(frozen=True)
class Added:
    """What `new question` or an import wrote."""

    path: Path
    ids: tuple[str, ...]
    created: bool  # a new bank file rather than an append


def question_template(qtype: str, qid: str) -> str:
    if qtype not in bank.TYPES:
        raise UserError(
            say(
                en=f"unknown type {qtype!r}; use one of {', '.join(bank.TYPES)}",
                zh=f"未知类型 {qtype!r}；可用：{', '.join(bank.TYPES)}",
            )
        )
    return QUESTION_TEMPLATE.format(qtype=qtype, qid=qid, fields=_TYPE_FIELDS[qtype])


def known_ids(questions_dir: Path) -> set[str]:
    """Every question id in the banks under `questions_dir` (broken banks included)."""
    found: set[str] = set()
    for path in sorted(questions_dir.glob("*.y*ml")) if questions_dir.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(re.findall(r"^\s*-?\s*id:\s*['\"]?([a-z0-9-]+)", text, re.M))
    return found


def unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def new_question(root: Root, topic: str, qtype: str, qid: str | None = None) -> Added:
    """Append a commented template question to `topic`'s bank (created if missing)."""
    if not bank.SLUG.match(topic):
        raise UserError(
            say(
                en=f"topic {topic!r} is not a slug (lowercase letters, digits, dashes)",
                zh=f"主题 {topic!r} 不是 slug（小写字母、数字、短横线）",
            )
        )
    taken = known_ids(root.questions)
    if qid is not None and qid in taken:
        raise UserError(
            say(
                en=f"id {qid!r} is already used; ids are unique across all banks",
                zh=f"id {qid!r} 已被使用；所有题库中的 id 都必须唯一",
            )
        )
    qid = qid or unique_id(f"{topic}-new-question", taken)
    return add_questions(root, topic, [question_template(qtype, qid)], [qid])


def add_questions(
    root: Root, topic: str, items: list[str], ids: list[str], title: str | None = None
) -> Added:
    """Append YAML list items to `topic`'s bank, validating the result before writing.
    A new bank is titled `title` (in both languages) when given, else TODO."""
    path = root.questions / f"{topic}.yaml"
    created = not path.exists()
    text = BANK_HEADER.format(topic=topic) if created else _read(path)
    if created and title:
        named = json.dumps(title, ensure_ascii=False)
        text = text.replace(text.splitlines()[2], f"title: {{en: {named}, zh: {named}}}", 1)
    for item in items:
        text = append_to_list(text, "questions", item)
    check_bank_text(path, text, root.questions)
    write_atomically(path, text)
    return Added(path, tuple(ids), created)


def check_bank_text(path: Path, text: str, questions_dir: Path) -> None:
    """Raise a UserError listing every problem if `text`, saved as `path`, is not a valid
    bank beside the others in `questions_dir`."""
    others = [
        p for p in sorted(questions_dir.glob("*.y*ml")) if p.resolve() != path.resolve()
    ] if questions_dir.is_dir() else []  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="mlkata-check-") as tmp:
        candidate = Path(tmp) / path.name
        candidate.write_text(text, encoding="utf-8")
        loaded = bank.load_banks([*others, candidate])
    mine = [e for e in loaded.errors if Path(e.path) == candidate]
    if mine:
        lines = [str(dataclasses.replace(e, path=path)) for e in mine]
        first = say(en="refusing to write an invalid bank:", zh="拒绝写入无效的题库：")
        raise UserError(first + "\n" + "\n".join(lines), exit_code=1)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            say(en=f"cannot read {path}: {exc}", zh=f"无法读取 {path}：{exc}")
        ) from None


# -- exercises ---------------------------------------------------------------------------

STUB = '''\
"""Exercise `{id}`: TODO say in one line what the learner builds.

Write `{function}(numbers)`:

- TODO: the whole contract: inputs, output, edge cases, limits.
- (The scaffold's placeholder task: return the sum of a list of numbers,
  0 for an empty list.)

Example:

    >>> {function}([1, 2, 3])
    6

Check your work with `mlkata grade {id}`.
"""


def {function}(numbers):
    # TODO: the learner writes this; keep the stub failing every check.
    raise NotImplementedError("{function} is not written yet")
'''

SOLUTION = '''\
"""Reference solution for `{id}`: TODO replace the scaffold's placeholder task."""


def {function}(numbers):
    """TODO: the real reference solution."""
    return sum(numbers)
'''

CHECKS = '''\
"""Hidden checks for `{id}`: TODO say what they prove.

Each check's docstring is the message a learner sees when it passes; each
assertion message says what was called, what came back and what was expected.
PYTEST_DONT_REWRITE: the assertion messages are the learner's feedback, as written.
"""

from __future__ import annotations


def test_sums_a_short_list(submission):
    """{function}([1, 2, 3]) returns 6."""
    got = submission.call([1, 2, 3])
    assert got == 6, f"{function}([1, 2, 3]) returned {{got!r}}; expected 6"


def test_empty_list_gives_zero(submission):
    """{function}([]) returns 0."""
    got = submission.call([])
    assert got == 0, f"{function}([]) returned {{got!r}}; expected 0"
'''

MANIFEST_ENTRY = """\
  - id: {id}   # TODO: scaffolded by `mlkata new exercise`; replace every TODO
    title: {{en: "TODO: {id}", zh: "TODO: {id}"}}
    function: {function}
    tensorflow: false         # true if the worker must import TensorFlow
    limits: {{wall_seconds: 30, memory_mb: 1024}}
    hints:                    # progressive: most general first
      - {{en: "TODO: a first, general hint", zh: "TODO: 第一条提示"}}
    checks:                   # test functions in grader/checks/test_{id}.py, in order
      - name: test_sums_a_short_list
        points: 1
        hint: {{en: "TODO: what to look at when this fails", zh: "TODO: 提示"}}
      - name: test_empty_list_gives_zero
        points: 1
        hint: {{en: "TODO: what to look at when this fails", zh: "TODO: 提示"}}
"""

MANIFEST_HEADER = "format_version: 1\nexercises:\n"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Scaffold:
    id: str
    files: tuple[Path, ...]  # written, in order: stub, solution, checks, manifest


def new_exercise(root: Root, exercise_id: str, function: str = "solve") -> Scaffold:
    """Write a stub, a solution, checks and a manifest entry that pass `verify` as is."""
    if not EXERCISE_ID.match(exercise_id):
        from grader.manifest_check import ID_RULE_ZH

        raise UserError(
            say(
                en=f"exercise id {exercise_id!r} {ID_RULE} (it names files and a Python test "
                "module)",
                zh=f"练习 id {exercise_id!r} {ID_RULE_ZH}（它会用作文件名和 Python 测试模块名）",
            )
        )
    if not _IDENTIFIER.match(function) or iskeyword(function):
        raise UserError(
            say(
                en=f"function {function!r} is not a name a learner can `def` in Python",
                zh=f"函数名 {function!r} 不能在 Python 中用 `def` 定义",
            )
        )
    files = {
        root.exercises_dir / f"{exercise_id}.py": STUB,
        root.solutions / f"{exercise_id}.py": SOLUTION,
        root.checks / f"test_{exercise_id}.py": CHECKS,
    }
    manifest = _read(root.manifest) if root.manifest.exists() else MANIFEST_HEADER
    if re.search(rf"^\s*-?\s*id:\s*['\"]?{exercise_id}['\"]?\s*(#.*)?$", manifest, re.M):
        raise UserError(
            say(
                en=f"exercise {exercise_id!r} is already in {root.manifest}",
                zh=f"练习 {exercise_id!r} 已在 {root.manifest} 中",
            )
        )
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise UserError(
            say(
                en=f"refusing to overwrite {', '.join(existing)}",
                zh=f"拒绝覆盖 {', '.join(existing)}",
            )
        )
    manifest = append_to_list(
        manifest, "exercises", MANIFEST_ENTRY.format(id=exercise_id, function=function)
    )
    for path, template in files.items():
        write_atomically(path, template.format(id=exercise_id, function=function))
    write_atomically(root.manifest, manifest)
    return Scaffold(exercise_id, (*files, root.manifest))
