"""The pytest plugin the hidden checks run under: it hands them the `submission` proxy
and records every outcome, so the verdict never depends on pytest's own report."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from grader.curves import Stage
from grader.grading.proxy import Submission
from grader.grading.timing import CheckTimed

SUBMISSION = pytest.StashKey[Submission]()
ON_PROGRESS = pytest.StashKey[Callable[[object], None] | None]()
NOTES = pytest.StashKey[dict[str, str]]()


@pytest.fixture(scope="session")
def submission(request) -> Submission:
    """The learner's code, reachable only through the sandbox."""
    return request.config.stash[SUBMISSION]


@pytest.fixture(scope="session")
def announce(request) -> Callable[[str], None]:
    """Tell the learner what grading is waiting for (shown beside the progress bar)."""
    on_progress = request.config.stash.get(ON_PROGRESS, None)

    def say(text: str) -> None:
        if on_progress is not None:
            on_progress(Stage(text))

    return say


@pytest.fixture
def report(request) -> Callable[..., None]:
    """Say what a passing check saw, with its figure: `report(en=..., zh=...)`.
    Shown instead of the check's docstring when the check passes."""
    notes = request.config.stash[NOTES]
    name = getattr(request.node, "originalname", request.node.name)

    def say(en: str, zh: str | None = None) -> None:
        from grader.checks.support import language

        notes[name] = zh if (zh and language() == "zh") else en

    return say


class ChecksPlugin:
    """Registered with `pytest.main(plugins=[this module, ChecksPlugin(...)])`."""

    def __init__(
        self, submission: Submission | None, on_progress: Callable[[object], None] | None = None
    ):
        self._submission = submission
        self.on_progress = on_progress
        self.collected: list[str] = []
        self.docs: dict[str, str] = {}
        self.notes: dict[str, str] = {}  # what a passing check reported (its figure)
        self.failures: dict[str, BaseException | str] = {}
        self.finished: set[str] = set()
        self._times: dict[str, float] = {}

    def pytest_configure(self, config):
        config.stash[SUBMISSION] = self._submission
        config.stash[ON_PROGRESS] = self.on_progress
        config.stash[NOTES] = self.notes

    def attach(self, config, submission: Submission) -> None:
        """Hand the checks the submission once it exists (after collection)."""
        self._submission = config.stash[SUBMISSION] = submission

    def pytest_collection_modifyitems(self, items):
        for item in items:
            name = getattr(item, "originalname", item.name)
            self.collected.append(name)
            doc = (getattr(item.function, "__doc__", None) or "").strip()
            self.docs[name] = doc.splitlines()[0] if doc else name

    def pytest_runtest_makereport(self, item, call):
        name = getattr(item, "originalname", item.name)
        if call.excinfo is not None and name not in self.failures:
            self.failures[name] = call.excinfo.value
        if call.when == "call" and call.excinfo is None:
            self.finished.add(name)

    def pytest_runtest_logreport(self, report):
        """Announce each check's running time (setup, call and teardown) when it ends."""
        name = report.nodeid.rsplit("::", 1)[-1].split("[")[0]
        self._times[name] = self._times.get(name, 0.0) + report.duration
        if report.when == "teardown" and self.on_progress is not None:
            self.on_progress(CheckTimed(name, self._times.pop(name)))

    def pytest_collectreport(self, report):
        if report.failed:
            self.failures.setdefault("<collection>", str(report.longrepr)[-2000:])
