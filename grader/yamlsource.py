"""Load a YAML file safely, remembering the line of every key and list item.

Mappings come back as `LineDict` (`.line`, and `.lines[key]` for each key) and
sequences as `LineList` (`.line`, `.lines[i]`); scalars are plain Python values.
Anything unreadable raises `SourceError(path, line, message)`: files over
`MAX_BYTES` (refused before reading them), bytes that are not UTF-8, YAML
syntax errors, duplicate keys, aliases (so no "billion laughs"), deep nesting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.messages import say

# PyYAML is imported by `load` only: `bank` needs LineDict and LineList to read what a
# cache (grader.bankcache) kept, and a quiz started from that cache never parses YAML.

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40
_STR = "tag:yaml.org,2002:str"
_ALIAS = re.compile(r"\*[^\s,\[\]{}]+")


@dataclass
class SourceError(Exception):
    """A file that cannot be read as YAML; `line` is 1-based, None for the whole file."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class LineDict(dict):
    """A YAML mapping; `line` is where it starts, `lines[key]` where each key is."""

    line: int
    lines: dict[Any, int]


class LineList(list):
    """A YAML sequence; `line` is where it starts, `lines[i]` where each item is."""

    line: int
    lines: list[int]


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, refusing big files (before reading them) and non-UTF-8 bytes."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            size = path.stat().st_size
            if size > max_bytes:
                raise SourceError(
                    path,
                    None,
                    say(
                        en=f"file is {_size(size)}; the limit is {_size(max_bytes)}",
                        zh=f"文件有 {_size(size)}；上限是 {_size(max_bytes)}",
                    ),
                )
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(
            path,
            None,
            say(en=f"cannot read: {exc.strerror or exc}", zh=f"无法读取：{exc.strerror or exc}"),
        ) from None
    if len(data) > max_bytes:
        raise SourceError(
            path,
            None,
            say(
                en=f"file is over the limit of {_size(max_bytes)}",
                zh=f"文件超过了 {_size(max_bytes)} 的上限",
            ),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            path,
            line,
            say(
                en=f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                zh=f"不是 UTF-8（字节 0x{data[exc.start]:02x}）；请把文件存为 UTF-8",
            ),
        ) from None


def load(path: Path, max_bytes: int = MAX_BYTES) -> Any:
    """Parse one YAML document from `path` into LineDict / LineList / scalars."""
    import yaml

    try:  # libyaml's parser and composer when PyYAML was built with it: much faster
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover - pure-Python PyYAML
        from yaml import SafeLoader as Loader  # type: ignore[assignment]

    path = Path(path)
    text = read_text(path, max_bytes)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        return _Builder(loader, path, text).build(node, 0, 1) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = exc.problem or "syntax error"
        if exc.context:
            start = exc.context_mark
            since = f" from line {start.line + 1}" if start and start.line + 1 != line else ""
            message += f" ({exc.context}{since})"
        raise SourceError(
            path, line, say(en=f"invalid YAML: {message}", zh=f"YAML 无效：{message}")
        ) from None
    except yaml.YAMLError as exc:
        raise SourceError(
            path, None, say(en=f"invalid YAML: {exc}", zh=f"YAML 无效：{exc}")
        ) from None
    finally:
        loader.dispose()


class _Builder:
    """Turns the composed node graph into LineDict / LineList / scalars.

    The composer resolves an alias to the very node it names, so a node met twice
    is an alias: refused at once, before any "billion laughs" can expand.
    """

    def __init__(self, loader: Any, path: Path, text: str) -> None:
        from yaml import YAMLError

        self.loader = loader
        self.path = path
        self.text = text
        self.seen: set[int] = set()
        self.yaml_error = YAMLError

    def build(self, node: Any, depth: int, line: int) -> Any:  # a yaml.nodes.Node
        if id(node) in self.seen:
            alias = _ALIAS.search(self.text.splitlines()[line - 1])
            name = alias.group() if alias else "*name"
            raise SourceError(
                self.path,
                line,
                say(
                    en=f"YAML aliases ({name}) are not allowed here; write the value out",
                    zh=f"这里不允许 YAML 别名（{name}）；请把值写出来",
                ),
            )
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise SourceError(
                self.path, node.start_mark.line + 1, say(en="nested too deeply", zh="嵌套太深")
            )
        if node.id == "mapping":  # yaml.nodes' own names for its node classes
            return self.mapping(node, depth)
        if node.id == "sequence":
            result = LineList()
            result.line = node.start_mark.line + 1
            result.lines = []
            for item in node.value:
                item_line = item.start_mark.line + 1
                item_line = max(item_line, result.lines[-1] if result.lines else result.line)
                result.append(self.build(item, depth + 1, item_line))
                result.lines.append(item_line)
            return result
        if node.tag == _STR:
            return node.value
        try:
            return self.loader.construct_object(node)
        except self.yaml_error as exc:
            raise SourceError(
                self.path, line, say(en=f"invalid value: {exc}", zh=f"无效的值：{exc}")
            ) from None

    def mapping(self, node: Any, depth: int) -> LineDict:
        self.loader.flatten_mapping(node)  # `<<` merge keys
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.lines = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.id != "scalar":
                raise SourceError(
                    self.path,
                    key_line,
                    say(en="a mapping key must be plain text", zh="映射的键必须是纯文本"),
                )
            key = self.build(key_node, depth + 1, key_line)
            if key in result.lines:
                raise SourceError(
                    self.path,
                    key_line,
                    say(
                        en=f"duplicate key {key!r} (first at line {result.lines[key]})",
                        zh=f"重复的键 {key!r}（第一次出现在第 {result.lines[key]} 行）",
                    ),
                )
            result.lines[key] = key_line
            result[key] = self.build(value_node, depth + 1, key_line)
        return result


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"
