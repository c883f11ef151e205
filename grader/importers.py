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
from grader.messages import say

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
    guid: str = ""  # the note's id in its deck (Anki), kept so a re-import skips it
    images: int = 0  # images (and other media) the note had; they are not imported


# -- HTML and languages --------------------------------------------------------------------

_IMAGE = re.compile(r"(?i)<img\b[^>]*>|\[sound:[^\]]*\]|!\[[^\]]*\]\([^)]*\)")
_BREAK = re.compile(r"(?i)<br\s*/?>|</?(?:div|p|li|ul|ol|tr|table|h[1-6]|blockquote|pre)\b[^>]*>")
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->", re.DOTALL)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z]+")


def html_to_text(text: str) -> tuple[str, int]:
    """`text` with HTML made plain: <br>, <div>, <p> and list items become line breaks,
    other tags go, entities (&nbsp;, &gt;, ...) are decoded; and how many images (or
    other media) it held, which are dropped."""
    images = len(_IMAGE.findall(text))
    text = _BREAK.sub("\n", _IMAGE.sub("", text))
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), images


def language_of(text: str) -> str:
    """`zh` when Chinese characters carry the text (a few English terms allowed), else `en`."""
    cjk = len(_CJK.findall(text))
    return "zh" if cjk and cjk >= 2 * len(_WORD.findall(text)) else "en"


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
                raise UserError(
                    say(
                        en=f"{path}: #{name} column:{value} is not a column number",
                        zh=f"{path}：#{name} column:{value} 不是列号",
                    )
                )
            meta.add(int(value) - 1)
    tags_column = int(header["tags column"]) - 1 if header.get("tags column") else None
    guid_column = int(header["guid column"]) - 1 if header.get("guid column") else None
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
            (front, front_media), (back, back_media) = (fields + [("", 0), ("", 0)])[:2]
            if first and _is_header(front, back):
                first = False
                continue
            first = False
            if not front or not back:
                errors.append(
                    say(
                        en=f"{path}:{start}: the "
                        + ("question (front)" if not front else "answer (back)")
                        + " is empty",
                        zh=f"{path}:{start}："
                        + ("问题（正面）" if not front else "答案（背面）")
                        + "是空的",
                    )
                )
                continue
            tags = ()
            if tags_column is not None and tags_column < len(row):
                tags = tuple(row[tags_column].split())
            guid = row[guid_column].strip() if guid_column is not None and guid_column < len(
                row) else ""  # fmt: skip
            cards.append(Card(front, back, start, tags, guid=guid,
                              images=front_media + back_media))  # fmt: skip
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
        say(
            en=f"{path}: unknown #separator:{name}; use one of {', '.join(SEPARATORS)} or one "
            "character",
            zh=f"{path}：未知的 #separator:{name}；请使用 {'、'.join(SEPARATORS)} 之一，或单个字符",
        )
    )


def _is_header(front: str, back: str) -> bool:
    """Whether a first row names the columns (`front,back`, `Question,Answer`)."""
    return (front.strip().lower(), back.strip().lower()) in HEADER_ROWS


def _clean(cell: str, strip_html: bool) -> tuple[str, int]:
    """A cell as plain text, and how many images it held."""
    if strip_html:
        return html_to_text(cell)
    return "\n".join(line.rstrip() for line in cell.strip().splitlines()).strip(), 0


def deck_title(text: str, path: Path) -> str:
    """A bank title for an Anki export: its `#deck:` header, else the deck of its first
    note (the last part of A::B::C), else the file's name."""
    deck, column, separator = None, None, None
    for line in text.removeprefix("\ufeff").splitlines():
        if not line.startswith("#"):
            if column is not None and line.strip():
                cells = next(csv.reader([line], delimiter=separator or "\t"), [])
                deck = cells[column] if column < len(cells) else None
            break
        key, _, value = line[1:].partition(":")
        key = key.strip().lower()
        if key == "deck":
            return value.strip().split("::")[-1] or _file_title(path)
        if key == "deck column" and value.strip().isdigit():
            column = int(value) - 1
        if key == "separator":
            separator = SEPARATORS.get(value.strip().lower(), value.strip()[:1] or None)
    return (deck or "").split("::")[-1].strip() or _file_title(path)


def _file_title(path: Path) -> str:
    words = re.sub(r"[-_]+", " ", Path(path).stem).strip()
    return words[:1].upper() + words[1:] if words else "Imported notes"


# A sentence that asks: a question mark, or one that starts by asking or telling to do.
_ASKS_EN = re.compile(
    r"^\W*(explain|describe|walk|compare|contrast|name|list|give|define|derive|show|state|"
    r"outline|sketch|write|rewrite|design|discuss|estimate|calculate|compute|work out|predict|"
    r"suggest|choose|pick|identify|justify|argue|summari[sz]e|review|fix|find|spot|lay out|"
    r"plan|propose|recommend|rank|order|match|complete|draw|trace|debug|implement|prove|"
    r"evaluate|assess|analy[sz]e|interpret|tell|decide|diagnose|how|what|why|when|which|"
    r"where|who|whose|should|can|could|would|is|are|do|does|did|will|in what|given|suppose|"
    r"imagine|consider)\b",
    re.IGNORECASE,
)
_ASKS_ZH = re.compile(
    "请|为什么|为何|什么|如何|怎么|怎样|哪|吗|呢|说明|解释|描述|比较|列出|列举|"
    "给出|推导|计算|估算|设计|讨论|判断|是否|多少|几|写出|指出|分析"
)


def asks_something(text: str) -> bool:
    """Whether a prompt asks: a question mark, or a sentence that asks or tells to do."""
    if "?" in text or "？" in text or _ASKS_ZH.search(text):
        return True
    return any(_ASKS_EN.search(part) for part in re.split(r"(?<=[.!:;])\s+|\n", text))


# -- Markdown ----------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(?:[-*+]|\d+[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A question written as a bold line: **What is X?** (optionally numbered: 1. **...**)
_BOLD = re.compile(r"^\s*(?:\d+[.)]\s+)?(\*\*|__)(?P<text>[^*_].*?)\1\s*[:：]?\s*$")
_SUMMARY = re.compile(r"(?is)<summary>(.*?)</summary>")
_DETAILS = re.compile(r"(?is)<details\b[^>]*>(.*?)</details>")
# <details> whose summary only says "answer": its body is the answer of the question above.
_REVEAL = re.compile(
    r"(?i)^\W*(answers?|solutions?|show( the)? answers?|click( to expand)?|reveal|expand|"
    "explanation|答案|解答|参考答案|显示答案|点击展开)\\W*$"
)
_SEPARATOR = re.compile(r"(?i)^\s*(<br\s*/?>|<hr\s*/?>|-{3,}|\*{3,}|_{3,})\s*$")


@dataclass
class _Section:
    title: str | None
    level: int
    line: int
    body: list[tuple[int, str]]
    parents: tuple[str, ...] = ()  # the headings above it


def parse_markdown(text: str, path: Path, skipped: list[str] | None = None) -> list[Card]:
    """Questions written as headings, bold lines, numbered or bulleted items, or <details>
    blocks, each with its answer beneath; the headings above a question become its tags.
    Questions with no answer are listed in `skipped` (when given) and left out."""
    sections = _sections(text)
    titles = [s for s in sections if s.level == 1]
    document_title = titles[0].title if len(titles) == 1 else None
    cards, errors = [], []
    for section in sections:
        tags = tuple(_tag(t) for t in section.parents if t != document_title)
        _section(section, tags, path, cards, errors, skipped, section.title == document_title)
    return _checked(cards, errors, path)


def markdown_title(text: str, path: Path) -> str:
    """A bank title for Markdown notes: their one top-level heading, else the file's name."""
    titles = [s.title for s in _sections(text) if s.level == 1 and s.title]
    return html_to_text(titles[0])[0] if len(titles) == 1 else _file_title(path)


def _sections(text: str) -> list[_Section]:
    sections = [_Section(None, 0, 0, [])]
    stack: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            stack = [(lvl, t) for lvl, t in stack if lvl < level]
            sections.append(_Section(title, level, number, [], tuple(t for _, t in stack)))
            stack.append((level, title))
        else:
            sections[-1].body.append((number, line.rstrip()))
    return sections


def _tag(heading: str) -> str:
    return re.sub(r"[^a-z0-9\u4e00-\u9fff]+", "-", html_to_text(heading)[0].lower()).strip("-")


def _section(section: _Section, tags, path, cards, errors, skipped, is_title=False) -> None:
    own = (*tags, _tag(section.title)) if section.title else tags
    own = tuple(t for t in own if t)
    body = section.body
    content = [(n, t) for n, t in body if t.strip() and not _SEPARATOR.match(t)]
    if _bold_questions(body):
        _from_bold(body, own, cards, skipped)
        return
    if _question_details(body):
        _from_details(body, own, cards, skipped)
        return
    top = [(n, t) for n, t in content if not t[:1].isspace()]
    bullets = [(n, _BULLET.match(t)) for n, t in top]
    items = _bullet_items(body) if top and all(m for _, m in bullets) else []
    if items and any(answer for _, _, answer in items):
        for number, question, answer in items:
            card = _card(question, answer, number, own) if answer else None
            if card and card.back:
                cards.append(card)
            elif asks_something(question):
                errors.append(
                    say(
                        en=f"{path}:{number}: the question {question!r} has no answer beneath",
                        zh=f"{path}:{number}：问题 {question!r} 下面没有答案",
                    )
                )
            # else a plain item (a table of contents, a legend): not a question
        return
    if section.title is None or is_title or not content:
        return  # text before the first heading or under the document's title, or a heading
        # that only names a section
    answer = "\n".join(t for _, t in body if not _SEPARATOR.match(t)).strip("\n")
    card = _card(section.title, answer, section.line, tuple(t for t in tags if t))
    if card.back:
        cards.append(card)


def _outside_fences(body: list[tuple[int, str]]):
    fenced = False
    for number, line in body:
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def _bold_questions(body) -> list[tuple[int, str]]:
    found = []
    for number, line in _outside_fences(body):
        match = _BOLD.match(line)
        if match and not _REVEAL.match(match.group("text")):
            found.append((number, match.group("text").strip()))
    return found


def _from_bold(body, tags, cards, skipped) -> None:
    """Each bold line asks; the lines down to the next bold question answer it."""
    starts = dict(_bold_questions(body))
    current: tuple[int, str] | None = None
    answer: list[str] = []

    def close() -> None:
        if current is None:
            return
        text = _details_as_text("\n".join(answer)).strip("\n")
        card = _card(current[1], text, current[0], tags) if text.strip() else None
        if card and card.back:
            cards.append(card)
        elif skipped is not None:
            skipped.append(current[1])

    for number, line in body:
        if number in starts:
            close()
            current, answer = (number, starts[number]), []
        elif current is not None and not _SEPARATOR.match(line):
            answer.append(line)
    close()


def _question_details(body) -> list[str]:
    """<details> blocks in `body` whose summary asks a question."""
    text = "\n".join(line for _, line in body)
    found = []
    for block in _DETAILS.findall(text):
        summary = _SUMMARY.search(block)
        if summary and not _REVEAL.match(html_to_text(summary.group(1))[0]):
            found.append(block)
    return found


def _from_details(body, tags, cards, skipped) -> None:
    """<details><summary>Question?</summary> answer </details>."""
    text = "\n".join(line for _, line in body)
    for match in _DETAILS.finditer(text):
        summary = _SUMMARY.search(match.group(1))
        if not summary or _REVEAL.match(html_to_text(summary.group(1))[0]):
            continue
        line = body[0][0] + text[: match.start()].count("\n") if body else 0
        question = html_to_text(summary.group(1))[0]
        answer = match.group(1)[summary.end() :].strip("\n")
        if answer.strip():
            cards.append(_card(question, answer, line, tags))
        elif skipped is not None:
            skipped.append(question)


def _details_as_text(text: str) -> str:
    """A <details> block's body kept as answer text, its "Answer" summary dropped."""
    return _DETAILS.sub(lambda m: _SUMMARY.sub("", m.group(1)), text)


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


def _card(question: str, answer: str, line: int, tags: tuple[str, ...] = ()) -> Card:
    """Bullets in the answer become key points; the reference answer keeps the prose, or,
    when the answer is only bullets, the points joined into one line. HTML becomes text."""
    question, question_media = html_to_text(question)
    answer, answer_media = _html_outside_fences(answer)
    points, prose = _key_points(answer)
    if points:
        answer = re.sub(r"\n{3,}", "\n\n", "\n".join(prose)).strip()
        answer = answer or "; ".join(re.sub(r"[.;]$", "", p) for p in points)
    return Card(question.strip(), answer.strip(), line, tags, tuple(points),
                images=question_media + answer_media)  # fmt: skip


def _html_outside_fences(text: str) -> tuple[str, int]:
    """`text` with HTML made plain except inside code fences, and its image count."""
    out: list[str] = []
    chunk: list[str] = []
    images, fenced = 0, False

    def flush() -> None:
        nonlocal images
        if chunk:
            plain, found = html_to_text("\n".join(chunk))
            images += found
            before = "\n" if out and not chunk[0].strip() else ""
            after = "\n" if not chunk[-1].strip() else ""
            out.append(before + plain + after)
            chunk.clear()

    for line in text.splitlines():
        if _FENCE.match(line):
            flush()
            fenced = not fenced
            out.append(line)
        elif fenced:
            out.append(line)
        else:
            chunk.append(line)
    flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip(), images


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
        raise UserError(
            say(en=f"{path}: found no questions with answers", zh=f"{path}：没有找到带答案的问题"),
            exit_code=1,
        )
    return cards


# -- already in the bank -----------------------------------------------------------------------


def skip_known(cards: list[Card], bank_path: Path, lang: str) -> tuple[list[Card], list[Card]]:
    """`cards` split into those to add and those the bank at `bank_path` already has: the
    same Anki guid, or the same prompt in the card's language (`lang`, or detected when
    `lang` is "auto"; whitespace and case ignored), so importing twice adds nothing."""
    prompts = {code: bank_prompts(bank_path, code) for code in ("en", "zh")}
    guids = bank_guids(bank_path)

    def known(card: Card) -> bool:
        code = language_of(card.front) if lang == "auto" else lang
        return bool(card.guid and card.guid in guids) or _same(card.front) in prompts[code]

    return [c for c in cards if not known(c)], [c for c in cards if known(c)]


def _bank_questions(path: Path) -> list:
    try:
        data = yamlsource.load(path) if Path(path).is_file() else None
    except yamlsource.SourceError:
        return []
    questions = data.get("questions") if isinstance(data, dict) else None
    return [q for q in questions if isinstance(q, dict)] if isinstance(questions, list) else []


def bank_prompts(path: Path, lang: str) -> set[str]:
    """The prompts (normalised) of the bank at `path` in `lang`, plain-string prompts
    included; none for a missing or unreadable bank (writing to it reports the latter)."""
    found = set()
    for question in _bank_questions(path):
        prompt = question.get("prompt")
        text = prompt.get(lang) if isinstance(prompt, dict) else prompt
        if isinstance(text, str):
            found.add(_same(text))
    return found


def bank_guids(path: Path) -> set[str]:
    """The Anki guids the bank at `path` was imported with."""
    return {str(q["guid"]) for q in _bank_questions(path) if q.get("guid")}


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
    """YAML list items (indent 2) for `cards` as open questions, and their generated ids.
    `lang` "auto" files each side under the language it is written in."""
    from grader.authoring import unique_id

    items, ids = [], []
    for card in cards:
        qid = unique_id(f"{topic}-{_slug(card.front) or 'question'}", taken)
        taken.add(qid)
        ids.append(qid)
        asks = language_of(card.front) if lang == "auto" else lang
        says = language_of(card.back) if lang == "auto" else lang
        all_tags = ", ".join(_flow(t) for t in dict.fromkeys((*tags, *card.tags)))
        lines = [
            f"  - id: {qid}",
            "    type: open",
            f"    difficulty: {difficulty}",
            f"    tags: [{all_tags}]",
            "    prompt:",
            f"      {asks}: {_scalar(card.front, 8)}",
            "    answer:",
            f"      {says}: {_scalar(card.back, 8)}",
        ]
        if card.key_points:
            lines.append("    key_points:")
            lines += [f"      - {{{says}: {_flow(p)}}}" for p in card.key_points]
        lines += [
            "    explanation:",
            f"      en: {_scalar(EXPLANATION['en'], 8)}",
            f"      zh: {_scalar(EXPLANATION['zh'], 8)}",
            f"    source: {_flow(f'{source}, line {card.line}')}",
        ]
        if card.guid:
            lines.append(f"    guid: {_flow(card.guid)}")
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
