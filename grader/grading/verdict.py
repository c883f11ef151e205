"""What a grading produced: one result per expected check, and the total."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from grader.text import Text


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    score: int
    max_score: int
    message: str  # learner-facing: what was called, what came back, what was expected
    hint: Text = field(default_factory=Text)


@dataclass(frozen=True)
class Verdict:
    exercise: str
    passed: bool
    score: int
    max_score: int
    duration_s: float
    checks: tuple[CheckResult, ...]
    error: str | None  # None, or timeout | memory | processes | output | syntax | missing | crashed
    sandbox: str  # "bubblewrap", or why grading ran without it
    output: str = ""  # what the submission printed (first kilobytes)

    @property
    def first_failure(self) -> CheckResult | None:
        return next((c for c in self.checks if not c.passed), None)

    def record(self, content_hash: str) -> None:
        """Keep this grade in the learner's progress database."""
        from grader import progress

        progress.record_grade(
            self.exercise, content_hash, self.score, self.max_score, self.passed, self.error,
            self.duration_s, checks_passed=sum(c.passed for c in self.checks),
            checks_total=len(self.checks))  # fmt: skip

    def to_dict(self) -> dict:
        """The `--json` form."""
        checks = []
        for check in self.checks:
            item = asdict(check)
            item.pop("hint")
            checks.append(item)
        return {
            "exercise": self.exercise,
            "passed": self.passed,
            "score": self.score,
            "max_score": self.max_score,
            "duration_s": round(self.duration_s, 3),
            "checks": checks,
            "error": self.error,
            "sandbox": self.sandbox,
        }
