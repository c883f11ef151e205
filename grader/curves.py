"""Learning curves from the epochs a training exercise reports: terminal text, or a PNG.

The PNG is drawn by hand (a 3x5 pixel font, lines, zlib and struct) so that
mlkata does not need matplotlib for one picture.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UserError
from grader.messages import say

SPARKS = "▁▂▃▄▅▆▇█"
MARKERS = "•+ox#@"
COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189))


_METRIC_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_MAX_METRICS = 8


@dataclass(frozen=True)
class Stage:
    """A note from the grader itself on what the learner is waiting for, e.g. a model
    being built for the first time. Events from the sandbox arrive as dicts; a Stage
    can only come from this process, so its text is shown as it is."""

    text: str


def clean_event(event: object) -> dict | None:
    """A progress event from the sandbox, reduced to data safe to show; None if malformed.

    Events come from the learner's process: only small whole numbers, plain metric
    names and finite floats survive, so nothing in them can steer the terminal.
    """
    if not isinstance(event, dict):
        return None

    def count(key: str) -> int | None:
        value = event.get(key)
        return value if type(value) is int and 0 <= value < 10**7 else None

    epoch = count("epoch")
    logs = event.get("logs")
    if epoch is None or not isinstance(logs, dict):
        return None
    metrics = {
        name: float(value)
        for name, value in list(logs.items())[:_MAX_METRICS]
        if isinstance(name, str)
        and _METRIC_NAME.fullmatch(name)
        and type(value) in (int, float)
        and math.isfinite(value)
    }
    return {
        "epoch": epoch,
        "epochs": count("epochs"),
        "step": count("step"),
        "steps": count("steps"),
        "logs": metrics,
    }


def describe_event(event: dict) -> str:
    """`epoch 3/6  loss 0.2130  accuracy 0.9510` for a cleaned event."""
    total = event["epochs"] if event["epochs"] is not None else "?"
    metrics = "  ".join(f"{name} {value:.4f}" for name, value in event["logs"].items())
    return f"epoch {event['epoch']}/{total}  {metrics}".rstrip()


class History:
    """Per-epoch metrics of the first training run of a grading; call it with each event.

    Epoch-end events look like {"epoch": 3, "epochs": 6, "logs": {"loss": 0.2, ...}};
    events carrying a "step" are progress within an epoch and are not kept. When the
    epoch count starts again, the checks are training again for their own experiments
    (a leak probe, say): the learner's curve is the first run, so later ones are ignored.
    """

    def __init__(self) -> None:
        self.epochs: list[int] = []
        self.metrics: dict[str, list[float]] = {}
        self.total: int | None = None
        self.finished = False  # a second run began: keep the first

    def __call__(self, event: dict) -> None:
        event = clean_event(event)
        if event is None or event["step"] is not None:
            return
        epoch = event["epoch"]
        if self.finished or (self.epochs and epoch <= self.epochs[-1]):
            self.finished = True
            return
        self.total = event["epochs"]
        self.epochs.append(epoch)
        for name, value in event["logs"].items():
            series = self.metrics.setdefault(name, [])
            series.extend([math.nan] * (len(self.epochs) - 1 - len(series)))
            series.append(value)

    def __bool__(self) -> bool:
        return bool(self.epochs)


def sparkline(values: list[float]) -> str:
    """One character per value, ▁ for the lowest and █ for the highest."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    low, high = min(finite), max(finite)
    span = high - low or 1.0
    return "".join(
        " " if not math.isfinite(v) else SPARKS[round((v - low) / span * (len(SPARKS) - 1))]
        for v in values
    )


def text_summary(history: History) -> list[str]:
    """One line per metric: name, first value, sparkline, last value."""
    width = max((len(name) for name in history.metrics), default=0)
    lines = []
    for name, values in history.metrics.items():
        finite = [v for v in values if math.isfinite(v)]
        if finite:
            lines.append(f"{name:<{width}}  {finite[0]:.3f} {sparkline(values)} {finite[-1]:.3f}")
    return lines


def text_chart(history: History, height: int = 11, column: int = 4) -> str:
    """A small chart of the losses (training and validation) with a y axis and a legend.

    Accuracy and the other metrics have their own scale: `text_summary` shows them.
    """
    names = [n for n in history.metrics if n.endswith("loss")][:2] or list(history.metrics)[:2]
    if not names:
        return ""
    top = _nice_top(max(v for n in names for v in history.metrics[n] if math.isfinite(v)))
    width = len(history.epochs) * column
    grid = [[" "] * width for _ in range(height)]
    for marker, name in zip(MARKERS, names, strict=False):
        for i, value in enumerate(history.metrics[name]):
            if math.isfinite(value):
                row = height - 1 - min(height - 1, round(value / top * (height - 1)))
                cell = i * column + column // 2
                grid[row][cell] = marker if grid[row][cell] in (" ", marker) else "*"
    lines = []
    for r, cells in enumerate(grid):
        label = f"{top * (height - 1 - r) / (height - 1):5.2f}" if r % 2 == 0 else " " * 5
        lines.append(f"{label} ┤{''.join(cells)}")
    lines.append("      └" + "─" * width)
    ticks = "".join(f"{e:^{column}}" for e in history.epochs)
    lines.append("       " + ticks + " epoch")
    legend = "   ".join(f"{m} {n}" for m, n in zip(MARKERS, names, strict=False))
    if any("*" in cells for cells in grid):
        legend += "   * several"
    lines.append("       " + legend)
    return "\n".join(lines)


def write_png(history: History, path: Path, width: int = 640, height: int = 400) -> None:
    """Draw the curves into a PNG at `path`; a UserError if there is nothing to draw."""
    if not history:
        raise UserError(
            say(
                en="no training epochs were reported, so there is no curve to plot",
                zh="没有收到任何训练轮次（epoch），所以无法画出曲线",
            )
        )
    data = encode_png(width, height, _draw(history, width, height))
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise UserError(
            say(en=f"cannot write the plot {path}: {exc}", zh=f"无法写入图片 {path}：{exc}")
        ) from None


def encode_png(width: int, height: int, rgb: bytes | bytearray) -> bytes:
    """An 8-bit RGB PNG from `width * height * 3` bytes, rows top to bottom."""
    stride = width * 3
    raw = b"".join(b"\x00" + bytes(rgb[y * stride : (y + 1) * stride]) for y in range(height))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _nice_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


class _Canvas:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def dot(self, x: int, y: int, colour, size: int = 1) -> None:
        for dy in range(size):
            for dx in range(size):
                px, py = x + dx, y + dy
                if 0 <= px < self.width and 0 <= py < self.height:
                    at = (py * self.width + px) * 3
                    self.pixels[at : at + 3] = bytes(colour)

    def line(self, x0: int, y0: int, x1: int, y1: int, colour, size: int = 1) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            x = x0 + (x1 - x0) * i / steps
            y = y0 + (y1 - y0) * i / steps
            self.dot(round(x) - size // 2, round(y) - size // 2, colour, size)

    def text(self, x: int, y: int, words: str, colour, scale: int = 2) -> None:
        for char in words.upper():
            for row, bits in enumerate(_FONT.get(char, _FONT[" "])):
                for col, bit in enumerate(bits):
                    if bit == "#":
                        self.dot(x + col * scale, y + row * scale, colour, scale)
            x += 4 * scale


def _draw(history: History, width: int, height: int) -> bytearray:
    canvas = _Canvas(width, height)
    left, right, top_margin, bottom = 64, width - 16, 16, height - 44
    values = [v for series in history.metrics.values() for v in series if math.isfinite(v)]
    top = _nice_top(max(values, default=1.0))
    epochs = history.epochs
    span = max(epochs[-1] - epochs[0], 1)

    def x_of(epoch: int) -> int:
        if len(epochs) == 1:
            return (left + right) // 2
        return left + round((epoch - epochs[0]) / span * (right - left))

    def y_of(value: float) -> int:
        return bottom - round(value / top * (bottom - top_margin))

    grey, ink = (225, 225, 225), (60, 60, 60)
    for i in range(5):
        value = top * i / 4
        canvas.line(left, y_of(value), right, y_of(value), grey)
        canvas.text(8, y_of(value) - 5, f"{value:.2f}", ink)
    step = max(1, math.ceil(len(epochs) / 10))
    for epoch in epochs[::step]:
        canvas.line(x_of(epoch), bottom, x_of(epoch), bottom + 4, ink)
        canvas.text(x_of(epoch) - 3, bottom + 10, str(epoch), ink)
    canvas.text((left + right) // 2 - 20, bottom + 28, "epoch", ink)
    canvas.line(left, top_margin, left, bottom, ink)
    canvas.line(left, bottom, right, bottom, ink)
    for n, (name, series) in enumerate(history.metrics.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = [
            (x_of(e), y_of(v)) for e, v in zip(epochs, series, strict=False) if math.isfinite(v)
        ]
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            canvas.line(x0, y0, x1, y1, colour, size=2)
        for x, y in points:
            canvas.dot(x - 3, y - 3, colour, size=6)
        legend_y = top_margin + 6 + n * 16
        canvas.dot(right - 150, legend_y, colour, size=10)
        canvas.text(right - 134, legend_y, name[:14], ink)
    return canvas.pixels


# A 3x5 pixel font: upper-case letters, digits and a little punctuation.
_GLYPHS = """
A .#. #.# ### #.# #.#|B ##. #.# ##. #.# ##.|C ### #.. #.. #.. ###|D ##. #.# #.# #.# ##.
E ### #.. ##. #.. ###|F ### #.. ##. #.. #..|G .## #.. #.# #.# .##|H #.# #.# ### #.# #.#
I ### .#. .#. .#. ###|J ..# ..# ..# #.# .#.|K #.# #.# ##. #.# #.#|L #.. #.. #.. #.. ###
M #.# ### ### #.# #.#|N ##. #.# #.# #.# #.#|O .#. #.# #.# #.# .#.|P ##. #.# ##. #.. #..
Q .#. #.# #.# ##. .##|R ##. #.# ##. #.# #.#|S .## #.. .#. ..# ##.|T ### .#. .#. .#. .#.
U #.# #.# #.# #.# ###|V #.# #.# #.# #.# .#.|W #.# #.# ### ### #.#|X #.# #.# .#. #.# #.#
Y #.# #.# .#. .#. .#.|Z ### ..# .#. #.. ###|0 ### #.# #.# #.# ###|1 .#. ##. .#. .#. ###
2 ### ..# ### #.. ###|3 ### ..# ### ..# ###|4 #.# #.# ### ..# ..#|5 ### #.. ### ..# ###
6 ### #.. ### #.# ###|7 ### ..# ..# ..# ..#|8 ### #.# ### #.# ###|9 ### #.# ### ..# ###
. ... ... ... ... .#.|- ... ... ### ... ...|_ ... ... ... ... ###|: ... .#. ... .#. ...
"""
_FONT = {" ": ("...",) * 5}
for _entry in _GLYPHS.replace("\n", "|").split("|"):
    if _entry.strip():
        _char, *_rows = _entry.split()
        _FONT[_char] = tuple(_rows)
