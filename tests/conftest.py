"""Fixtures the whole suite shares: a private MLKATA_HOME per test, and the real CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

# Before numpy loads (pytest and its plugins do not import it): one OpenBLAS thread in the
# test processes, as the grader sets for its own; an idle OpenBLAS thread spins after
# each BLAS call, and two pytest-xdist workers already keep both cores busy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Gradings fork their checks process from a zygote that imported numpy, pytest and, for
# TensorFlow exercises, Keras once (grader/grading/zygote.py), as `batch` and `verify` do:
# the full suite's 65-odd TensorFlow gradings would each import Keras again (3 to 4.5 s of
# CPU), every numpy grading numpy and pytest (0.35 s). `mlkata grade` and `watch`, which
# the CLI tests run, still start theirs fresh, so both ways are tested.
from grader.grading import zygote  # noqa: E402 - after the OpenBLAS setting

zygote.enable()

# Fixture folders hold data (banks, courses, submissions), never tests to collect.
collect_ignore = ["fixtures"]

REPO = Path(__file__).resolve().parent.parent
BANKS = Path(__file__).resolve().parent / "fixtures" / "banks"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile the grader once, before any test starts a process that imports it:
    with PYTHONDONTWRITEBYTECODE set (as on the project's machines) no process writes
    its .pyc, and every `mlkata` run and checks process compiled the grader from source
    again. An installed mlkata is compiled when pip installs it; compileall writes
    anyway."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        import compileall

        compileall.compile_dir(REPO / "grader", quiet=1)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of rebuildable files (the finetune exercise's pretrained base) for the
    whole run, shared by pytest-xdist's workers: built once, not once per test."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    return root / "mlkata-cache"


@pytest.fixture(autouse=True)
def mlkata_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> Path:
    """Every test keeps its progress in its own folder, never the learner's real one."""
    home = tmp_path / "mlkata-home"
    monkeypatch.setenv("MLKATA_HOME", str(home))
    monkeypatch.setenv("MLKATA_MODEL_CACHE", str(shared_cache))
    # The CLI remembers the language it resolved; a test starts from the locale again.
    from grader import messages

    monkeypatch.setenv(messages.LANG_VARIABLE, "")  # unset, and restored after the test
    monkeypatch.setattr(messages, "_current", None)
    return home


@pytest.fixture(autouse=True)
def _edit_loop_stays_without_tensorflow(request: pytest.FixtureRequest):
    """A test the edit loop runs must not load TensorFlow in this process: its import alone
    is 3 s of CPU. Mark such a test slow (see pytest_collection_modifyitems)."""
    loaded = "tensorflow" in sys.modules
    yield
    slow = request.node.get_closest_marker("slow") is not None
    if not loaded and not slow and "tensorflow" in sys.modules:
        pytest.fail("this test loaded TensorFlow in the test process: mark it slow")


# A program a test starts inherits this process's SIGINT: ignored here, it is ignored
# there, and a test of what Ctrl-C does fails (seen in CI: a quiz and an interview that
# never saw the SIGINT sent to them). A non-interactive shell starts its background jobs
# with SIGINT ignored, and CI harnesses start the suite so; Ctrl-C is put back here, in
# the controller and in each pytest-xdist worker, before any test runs.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _ctrl_c_reaches_the_programs_tests_start():
    """No test leaves SIGINT ignored or blocked for the tests after it: put back, and
    say which test left it so."""
    import warnings

    yield
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if blocked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    if ignored or blocked:
        warnings.warn(f"SIGINT was left {'ignored' if ignored else 'blocked'} in the test "
                      "process after this test; put back", stacklevel=1)  # fmt: skip


@pytest.fixture
def signal_state():
    """`signal_state(pid)`: the signals a process ignores, blocks and catches, as its
    /proc status says (for the message of a test about Ctrl-C)."""

    def read(pid: int) -> list[str]:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        return [line for line in status if line.startswith(("SigIgn", "SigBlk", "SigCgt"))]

    return read


@pytest.fixture
def mlkata(mlkata_home: Path):
    """Run `python -m grader ARGS...` as a subprocess; stdin is `input` (piped)."""

    def run(*args: str, input: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
        env = {**os.environ, "MLKATA_HOME": str(mlkata_home), "PYTHONIOENCODING": "utf-8"}
        return subprocess.run(
            [sys.executable, "-m", "grader", *args],
            input=input, capture_output=True, text=True, encoding="utf-8",
            cwd=REPO, env=env, timeout=timeout,
        )  # fmt: skip

    return run


@pytest.fixture(params=["bubblewrap", "unprivileged"])
def sandbox_tier(request, monkeypatch):
    """Run the test under each sandbox tier CI can run as root. CI must have both; a
    developer's machine without one skips that tier, saying why."""
    from grader.sandbox import tiers

    wanted = request.param
    monkeypatch.setenv("MLKATA_SANDBOX", "" if wanted == "bubblewrap" else wanted)
    tiers.reset()
    tier = tiers.current()
    if tier.name != wanted:
        tiers.reset()
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the {wanted} tier: {tier.reason}")
        pytest.skip(f"the {wanted} tier is not available here: {tier.reason}")
    yield tier
    monkeypatch.delenv("MLKATA_SANDBOX")
    tiers.reset()


@pytest.fixture
def course(mlkata, tmp_path: Path) -> Path:
    """A course with the scaffolded `sumup` exercise (2 checks, 1 point each) and a
    3-second wall limit."""
    root = tmp_path / "course"
    root.mkdir()
    assert mlkata("new", "exercise", "sumup", "--root", str(root)).returncode == 0
    manifest = root / "exercises" / "exercises.yaml"
    manifest.write_text(manifest.read_text().replace("wall_seconds: 30", "wall_seconds: 3"))
    return root


# The corpora: answers written to prove each check fair (fair/), to show it names each
# mistake (wrong/) and to show it cannot be gamed (gaming/).
CORPORA = tuple(Path(__file__).resolve().parent / name for name in ("fair", "wrong", "gaming"))


def _grades_a_corpus_answer(params: dict) -> bool:
    for value in params.values():
        if isinstance(value, Path) and value.resolve().parent in CORPORA:
            return True
        named = isinstance(value, str) and value.endswith(".py")
        if named and any((folder / value).is_file() for folder in CORPORA):
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Three kinds of test are slow, wherever they are and whoever adds them; the edit
    loop, `pytest -m "not slow"`, leaves them to the full suite:
    - a test that grades a TensorFlow exercise (its solution trains, its stub imports
      Keras in the sandbox);
    - the second run of a test made for both sandbox tiers: the edit loop runs every
      hostile submission once, in bubblewrap, and the full suite in both tiers;
    - a test that grades one answer of a corpus: they judge each check's content, one
      grading per answer, and whoever edits a check runs its corpus (README)."""
    from grader.exercises import Exercise, load_manifest

    tensorflow = {e.id for e in load_manifest() if e.tensorflow}
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("sandbox_tier") == "unprivileged" or _grades_a_corpus_answer(params):
            item.add_marker(pytest.mark.slow)
            continue
        for value in params.values():
            if (isinstance(value, Exercise) and value.tensorflow) or (
                isinstance(value, str) and value in tensorflow
            ):
                item.add_marker(pytest.mark.slow)
                break
