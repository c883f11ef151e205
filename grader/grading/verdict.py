"""What a grading produced: one result per expected check, and the total."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from grader.sandbox.tiers import TIERS
from grader.text import Text


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    score: int
    max_score: int
    message: str  # learner-facing: what was called, what came back, what was expected
    hint: Text = field(default_factory=Text)
    duration_s: float = 0.0  # how long the check ran (0 when it never ran)


@dataclass(frozen=True)
class Verdict:
    exercise: str
    passed: bool
    score: int
    max_score: int
    duration_s: float
    checks: tuple[CheckResult, ...]
    error: str | None  # None, or timeout | memory | processes | output | syntax | missing | crashed
    sandbox: str  # the sandbox tier: "bubblewrap", or why grading ran without it
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

    @property
    def sandbox_tier(self) -> str:
        """The tier's one-word name: bubblewrap, unprivileged or none."""
        return sandbox_tier(self.sandbox)

    def with_durations(self, durations: dict[str, float]) -> Verdict:
        """This verdict with each check's running time filled in from `durations`."""
        checks = tuple(
            replace(c, duration_s=round(durations.get(c.name, c.duration_s), 3))
            for c in self.checks
        )
        return replace(self, checks=checks)

    @classmethod
    def from_dict(cls, data: dict) -> Verdict:
        """The verdict back from its `--json` form (as `mlkata grade --json` printed it)."""
        checks = tuple(
            CheckResult(
                name=str(c["name"]),
                passed=bool(c["passed"]),
                score=int(c["score"]),
                max_score=int(c["max_score"]),
                message=str(c.get("message") or ""),
                duration_s=float(c.get("duration_s") or 0.0),
            )
            for c in data.get("checks") or []
        )
        return cls(
            exercise=str(data["exercise"]),
            passed=bool(data["passed"]),
            score=int(data["score"]),
            max_score=int(data["max_score"]),
            duration_s=float(data.get("duration_s") or 0.0),
            checks=checks,
            error=data.get("error"),
            sandbox=str(data.get("sandbox") or ""),
            output=str(data.get("output") or ""),
        )

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


def sandbox_tier(sandbox: str) -> str:
    """The tier a verdict's `sandbox` text names: its first word when that is a tier;
    "none" for the older "no sandbox (...)" wording; else "bubblewrap" for a note such
    as "bubblewrap 0.8.0"."""
    words = sandbox.strip().split()
    first = words[0].lower().rstrip(":,") if words else "none"
    if first in TIERS:
        return first
    if first == "no" or not words:
        return "none"
    return "bubblewrap" if "bubblewrap" in sandbox.lower() else "none"
