"""A clock that ticks on a terminal's bottom line while the learner thinks and types.

Drawn as apt draws its progress bar: the scrolling region is set to every row but the
last, and a thread rewrites the last row when its text changes, saving the cursor before
and restoring it after, so the question scrolls above and typing is undisturbed. On the
way out the region is reset and the row cleared. Only for a terminal: piped output never
sees an escape sequence (the interview prints its clock as a line before each question).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TextIO

SAVE, RESTORE = "\0337", "\0338"
POLL_SECONDS = 0.25  # how often the text is asked for; it is drawn only when it changes


class LiveClock:
    """`with LiveClock(stream, render):` keeps `render()` on the bottom row of `stream`."""

    def __init__(self, stream: TextIO, render: Callable[[], str]) -> None:
        self.stream = stream
        self.render = render
        self.rows = 0
        self.shown = ""
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._tick, name="mlkata-clock", daemon=True)

    def __enter__(self) -> LiveClock:
        rows = self._size()[0]
        if rows < 3:  # no room for a status line: the clock lines before questions remain
            return self
        # A new line first, so the row the cursor is on is not the one given to the clock.
        self._write("\n" + self._region(rows) + "\033[1A")
        self._draw()
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        if self.rows:
            rows = self.rows
            self._write(f"{SAVE}\033[r\033[{rows};1H\033[2K{RESTORE}")

    def _tick(self) -> None:
        while not self.stop.wait(POLL_SECONDS):
            try:
                self._draw()
            except (OSError, ValueError):  # the terminal went away
                return

    def _draw(self) -> None:
        rows, columns = self._size()
        region = self._region(rows) if rows != self.rows else ""
        text = self.render()
        if not region and text == self.shown:
            return
        self.shown = text
        fitted = _fit(text, columns - 1)
        self._write(f"{region}{SAVE}\033[{rows};1H\033[2K\033[1m{fitted}\033[0m{RESTORE}")

    def _region(self, rows: int) -> str:
        """Scroll rows 1 to rows-1 only (setting it moves the cursor home: kept instead)."""
        self.rows = rows
        return f"{SAVE}\033[1;{rows - 1}r{RESTORE}"

    def _size(self) -> tuple[int, int]:
        try:
            size = os.get_terminal_size(self.stream.fileno())
        except (OSError, ValueError):
            return 0, 0
        return size.lines, size.columns

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _fit(text: str, columns: int) -> str:
    """`text` cut to `columns` terminal cells (a Chinese character takes two)."""
    from rich.cells import cell_len, set_cell_size

    return text if cell_len(text) <= columns else set_cell_size(text, max(columns, 0))
