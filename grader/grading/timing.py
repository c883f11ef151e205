"""How long each check ran: the checks plugin announces each finished check, and
`grade_timed` puts the times into the verdict (JUnit and the platforms report them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


class CheckTimed(dict):
    """Sent through `on_progress` by the checks plugin (trusted side) when a check ends.

    A dict, so that a channel that carries progress as JSON carries it too; only an
    instance of this class counts, so events from the sandbox (plain dicts) cannot
    pass for one."""

    def __init__(self, name: str, seconds: float):
        super().__init__(check=name, seconds=seconds)

    @property
    def name(self) -> str:
        return self["check"]

    @property
    def seconds(self) -> float:
        return self["seconds"]


def grade_timed(
    exercise, file: Path, on_progress: Callable[[object], None] | None = None, **kwargs
):
    """`runner.grade`, with each check's running time in its CheckResult.duration_s.
    CheckTimed events are kept here; every other event goes on to `on_progress`."""
    from grader.grading.runner import grade

    times: dict[str, float] = {}

    def relay(event: object) -> None:
        if isinstance(event, CheckTimed):
            times[event.name] = times.get(event.name, 0.0) + event.seconds
        elif on_progress is not None:
            on_progress(event)

    verdict = grade(exercise, file, on_progress=relay, **kwargs)
    return verdict.with_durations(times)
