"""Load a YAML file safely, remembering the line of every key and list item.

Mappings come back as `LineDict` (`.line`, and `.lines[key]` for each key) and
sequences as `LineList` (`.line`, `.lines[i]`); scalars are plain Python values.
Anything unreadable raises `SourceError(path, line, message)`: files over
`MAX_BYTES` (refused before reading them), bytes that are not UTF-8, YAML
syntax errors, duplicate keys, aliases (so no "billion laughs"), deep nesting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:  # libyaml's parser when PyYAML was built with it: much faster
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - pure-Python PyYAML
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40


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


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


class _Loader(_Parser, Composer, SafeConstructor, Resolver):
    """The C (or Python) parser with PyYAML's Python composer, so aliases can be refused."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0

    # CParser defines its own composer; take the Python one so compose_node runs.
    get_single_node = Composer.get_single_node
    compose_document = Composer.compose_document

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _Refused(
                event.start_mark.line + 1,
                f"YAML aliases (*{event.anchor}) are not allowed here; write the value out",
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(self.peek_event().start_mark.line + 1, "nested too deeply")
        try:
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, refusing big files (before reading them) and non-UTF-8 bytes."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            size = path.stat().st_size
            if size > max_bytes:
                raise SourceError(
                    path, None, f"file is {_size(size)}; the limit is {_size(max_bytes)}"
                )
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(path, None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SourceError(path, None, f"file is over the limit of {_size(max_bytes)}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            path, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None


def load(path: Path, max_bytes: int = MAX_BYTES) -> Any:
    """Parse one YAML document from `path` into LineDict / LineList / scalars."""
    path = Path(path)
    text = read_text(path, max_bytes)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return _build(loader, node, path) if node is not None else None
    except _Refused as exc:
        raise SourceError(path, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = exc.problem or "syntax error"
        if exc.context:
            start = exc.context_mark
            since = f" from line {start.line + 1}" if start and start.line + 1 != line else ""
            message += f" ({exc.context}{since})"
        raise SourceError(path, line, f"invalid YAML: {message}") from None
    except yaml.YAMLError as exc:
        raise SourceError(path, None, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _build(loader: _Loader, node: Node, path: Path) -> Any:
    if isinstance(node, MappingNode):
        loader.flatten_mapping(node)  # `<<` merge keys; harmless without aliases
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.lines = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                raise SourceError(path, key_line, "a mapping key must be plain text")
            key = loader.construct_object(key_node)
            if key in result.lines:
                raise SourceError(
                    path, key_line, f"duplicate key {key!r} (first at line {result.lines[key]})"
                )
            result.lines[key] = key_line
            result[key] = _build(loader, value_node, path)
        return result
    if isinstance(node, SequenceNode):
        result = LineList(_build(loader, item, path) for item in node.value)
        result.line = node.start_mark.line + 1
        result.lines = [item.start_mark.line + 1 for item in node.value]
        return result
    try:
        return loader.construct_object(node)
    except yaml.YAMLError as exc:
        raise SourceError(path, node.start_mark.line + 1, f"invalid value: {exc}") from None


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"
