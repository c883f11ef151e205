"""Turn question/answer lists (Anki text exports, Markdown notes) into `open` questions."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from grader import yamlsource
from grader.errors import UserError

MAX_BYTES = 5 * 1024 * 1024
SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
META_COLUMNS = ("guid", "notetype", "deck", "tags")
HEADER_ROWS = {("front", "back"), ("question", "answer")}  # column names, not a note
EXPLANATION = {
    "en": "Compare your answer with the reference answer and its key points.",
    "zh": "请将你的答案与参考答案及其要点对照。",
}


@dataclass(frozen=True)
class Card:
    """One question and its answer, with the line it came from."""

    front: str
    back: str
    line: int
    tags: tuple[str, ...] = ()
    key_points: tuple[str, ...] = field(default=())


def read_source(path: Path) -> str:
    try:
        return yamlsource.read_text(Path(path), MAX_BYTES)
    except yamlsource.SourceError as exc:
        raise UserError(str(exc)) from None


# -- Anki "Notes in Plain Text" ------------------------------------------------------------


def parse_csv(text: str, path: Path) -> list[Card]:
    """Anki's text export: `#key:value` header lines, then front, back (and meta) columns."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    header: dict[str, str] = {}
    skip = 0
    while skip < len(lines) and lines[skip].startswith("#"):
        key, _, value = lines[skip][1:].strip().partition(":")
        header[key.strip().lower()] = value.strip()
        skip += 1
    body = "".join(lines[skip:])
    separator = _separator(header.get("separator"), body, path)
    meta = set()
    for name in META_COLUMNS:
        value = header.get(f"{name} column")
        if value:
            if not value.isdigit() or int(value) < 1:
                raise UserError(f"{path}: #{name} column:{value} is not a column number")
            meta.add(int(value) - 1)
    tags_column = int(header["tags column"]) - 1 if header.get("tags column") else None
    strip_html = header.get("html", "true").lower() != "false"
    cards, errors = [], []
    reader = csv.reader(io.StringIO(body), delimiter=separator, quotechar='"')
    line = skip + 1
    first = True
    try:
        for row in reader:
            start, line = line, skip + reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            fields = [_clean(c, strip_html) for i, c in enumerate(row) if i not in meta]
            front, back = (fields + ["", ""])[:2]
            if first and _is_header(front, back):
                first = False
                continue
            first = False
            if not front or not back:
                missing = "question (front)" if not front else "answer (back)"
                errors.append(f"{path}:{start}: the {missing} is empty")
                continue
            tags = ()
            if tags_column is not None and tags_column < len(row):
                tags = tuple(row[tags_column].split())
            cards.append(Card(front, back, start, tags))
    except csv.Error as exc:
        errors.append(f"{path}:{skip + reader.line_num}: {exc}")
    return _checked(cards, errors, path)


def _separator(name: str | None, body: str, path: Path) -> str:
    if name is None:
        first = next((ln for ln in body.splitlines() if ln.strip()), "")
        return "\t" if "\t" in first or "," not in first else ","
    if name.lower() in SEPARATORS:
        return SEPARATORS[name.lower()]
    if len(name) == 1:
        return name
    raise UserError(
        f"{path}: unknown #separator:{name}; use one of {', '.join(SEPARATORS)} or one character"
    )


def _is_header(front: str, back: str) -> bool:
    """Whether a first row names the columns (`front,back`, `Question,Answer`)."""
    return (front.strip().lower(), back.strip().lower()) in HEADER_ROWS


def _clean(cell: str, strip_html: bool) -> str:
    if strip_html:
        cell = re.sub(r"(?i)<br\s*/?>|</(div|p|li)>", "\n", cell)
        cell = re.sub(r"<[A-Za-z/!][^>]*>", "", cell)
        cell = html.unescape(cell).replace("\xa0", " ")
    return "\n".join(line.rstrip() for line in cell.strip().splitlines()).strip()


# -- Markdown ----------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(?:[-*+]|\d+[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def parse_markdown(text: str, path: Path) -> list[Card]:
    """Headings with an answer beneath, or top-level bullets with an indented answer beneath."""
    sections: list[tuple[str | None, int, list[tuple[int, str]]]] = [(None, 0, [])]
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading:
            sections.append((heading.group(2), number, []))
        else:
            sections[-1][2].append((number, line.rstrip()))
    cards, errors = [], []
    for title, line, body in sections:
        _section(title, line, body, path, cards, errors)
    return _checked(cards, errors, path)


def _section(title, line, body, path, cards, errors) -> None:
    content = [(n, text) for n, text in body if text.strip()]
    top = [(n, text) for n, text in content if not text[:1].isspace()]
    bullets = [(n, _BULLET.match(text)) for n, text in top]
    items = _bullet_items(body) if top and all(m for _, m in bullets) else []
    if items and any(answer for _, _, answer in items):
        for number, question, answer in items:
            if not answer:
                errors.append(f"{path}:{number}: the question {question!r} has no answer beneath")
            else:
                cards.append(_card(question, answer, number))
        return
    if title is None or not content:
        return  # text before the first heading, or a heading that only names a section
    cards.append(_card(title, "\n".join(text for _, text in body).strip("\n"), line))


def _bullet_items(body: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    items: list[tuple[int, str, list[str]]] = []
    for number, text in body:
        match = _BULLET.match(text) if not text[:1].isspace() else None
        if match:
            items.append((number, match.group(1).strip(), []))
        elif items:
            items[-1][2].append(text)
    out = []
    for number, question, lines in items:
        indents = [len(t) - len(t.lstrip()) for t in lines if t.strip()]
        cut = min(indents, default=0)
        out.append((number, question, "\n".join(t[cut:] for t in lines).strip("\n")))
    return out


def _card(question: str, answer: str, line: int) -> Card:
    """Bullets in the answer become key points; the reference answer keeps the prose, or,
    when the answer is only bullets, the points joined into one line."""
    points, prose = _key_points(answer)
    if points:
        answer = re.sub(r"\n{3,}", "\n\n", "\n".join(prose)).strip()
        answer = answer or "; ".join(re.sub(r"[.;]$", "", p) for p in points)
    return Card(question.strip(), answer.strip(), line, key_points=tuple(points))


def _key_points(answer: str) -> tuple[list[str], list[str]]:
    """The answer's bullets (continuation lines joined on) and its other lines; text in
    code fences is never a bullet."""
    points: list[str] = []
    prose: list[str] = []
    fenced, indent = False, None  # indent: of the bullet that indented lines continue
    for text in answer.splitlines():
        if _FENCE.match(text):
            fenced, indent = not fenced, None
        bullet = None if fenced else _BULLET.match(text.strip())
        depth = len(text) - len(text.lstrip())
        if bullet:
            points.append(bullet.group(1).strip())
            indent = depth
        elif indent is not None and text.strip() and depth > indent:
            points[-1] += " " + text.strip()
        else:
            prose.append(text)
            indent = None
    return points, prose


def _checked(cards: list[Card], errors: list[str], path: Path) -> list[Card]:
    if errors:
        raise UserError("\n".join(errors), exit_code=1)
    if not cards:
        raise UserError(f"{path}: found no questions with answers", exit_code=1)
    return cards


# -- already in the bank -----------------------------------------------------------------------


def skip_known(cards: list[Card], bank_path: Path, lang: str) -> tuple[list[Card], list[Card]]:
    """`cards` split into those to add and those whose prompt the bank at `bank_path`
    already asks in `lang` (whitespace and case ignored), so importing twice adds nothing."""
    known = bank_prompts(bank_path, lang)
    fresh = [card for card in cards if _same(card.front) not in known]
    return fresh, [card for card in cards if _same(card.front) in known]


def bank_prompts(path: Path, lang: str) -> set[str]:
    """The prompts (normalised) of the bank at `path` in `lang`, plain-string prompts
    included; none for a missing or unreadable bank (writing to it reports the latter)."""
    try:
        data = yamlsource.load(path) if Path(path).is_file() else None
    except yamlsource.SourceError:
        return set()
    questions = data.get("questions") if isinstance(data, dict) else None
    found = set()
    for question in questions if isinstance(questions, list) else []:
        prompt = question.get("prompt") if isinstance(question, dict) else None
        text = prompt.get(lang) if isinstance(prompt, dict) else prompt
        if isinstance(text, str):
            found.add(_same(text))
    return found


def _same(text: str) -> str:
    return " ".join(text.split()).casefold()


# -- to YAML ------------------------------------------------------------------------------------


def to_items(
    cards: list[Card],
    topic: str,
    lang: str,
    taken: set[str],
    source: str,
    difficulty: str = "medium",
    tags: tuple[str, ...] = (),
) -> tuple[list[str], list[str]]:
    """YAML list items (indent 2) for `cards` as open questions, and their generated ids."""
    from grader.authoring import unique_id

    items, ids = [], []
    for card in cards:
        qid = unique_id(f"{topic}-{_slug(card.front) or 'question'}", taken)
        taken.add(qid)
        ids.append(qid)
        all_tags = ", ".join(_flow(t) for t in dict.fromkeys((*tags, *card.tags)))
        lines = [
            f"  - id: {qid}",
            "    type: open",
            f"    difficulty: {difficulty}",
            f"    tags: [{all_tags}]",
            "    prompt:",
            f"      {lang}: {_scalar(card.front, 8)}",
            "    answer:",
            f"      {lang}: {_scalar(card.back, 8)}",
        ]
        if card.key_points:
            lines.append("    key_points:")
            lines += [f"      - {{{lang}: {_flow(p)}}}" for p in card.key_points]
        lines += [
            "    explanation:",
            f"      {lang}: {_scalar(EXPLANATION[lang], 8)}",
            f"    source: {_flow(f'{source}, line {card.line}')}",
        ]
        items.append("\n".join(lines) + "\n")
    return items, ids


def _slug(text: str, words: int = 6) -> str:
    found = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(found[:words])


def _flow(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _scalar(text: str, indent: int) -> str:
    """`text` as a YAML value: a literal block for multi-line text, else a quoted string."""
    if "\n" in text and not text[:1].isspace():
        pad = " " * indent
        block = "|-\n" + "\n".join(pad + line if line else "" for line in text.split("\n"))
        try:
            if yaml.safe_load("k: " + block) == {"k": text}:
                return block
        except yaml.YAMLError:
            pass
    return _flow(text)
