"""The pytest plugin the hidden checks run under: it hands them the `submission` proxy
and records every outcome, so the verdict never depends on pytest's own report."""

from __future__ import annotations

import pytest

from grader.grading.proxy import Submission

SUBMISSION = pytest.StashKey[Submission]()


@pytest.fixture(scope="session")
def submission(request) -> Submission:
    """The learner's code, reachable only through the sandbox."""
    return request.config.stash[SUBMISSION]


class ChecksPlugin:
    """Registered with `pytest.main(plugins=[this module, ChecksPlugin(...)])`."""

    def __init__(self, submission: Submission):
        self._submission = submission
        self.collected: list[str] = []
        self.docs: dict[str, str] = {}
        self.failures: dict[str, BaseException | str] = {}
        self.finished: set[str] = set()

    def pytest_configure(self, config):
        config.stash[SUBMISSION] = self._submission

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

    def pytest_collectreport(self, report):
        if report.failed:
            self.failures.setdefault("<collection>", str(report.longrepr)[-2000:])
