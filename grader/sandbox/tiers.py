"""Which sandbox this machine can give a submission, best first, and why.

- `bubblewrap`: namespaces and an allowlisted filesystem (`allowlist.py`). As root, the
  submission never runs as root: bwrap itself is started as an unprivileged uid where it can
  reach the interpreter (so even a bwrap or kernel bug leaves an unprivileged process);
  where the interpreter lives in a private folder (e.g. pyenv under /root), bwrap starts
  as root without a user namespace and `setpriv` drops to that uid, with no capabilities
  and no_new_privs, before the worker starts.
- `unprivileged`: where bubblewrap cannot start but the grader is root (Gradescope's and
  most Docker containers): the worker runs as a uid of its own with no account and no
  groups, with rlimits, in a private scratch folder, and cannot write anything of the
  grader's. It can read world-readable files and reach the network.
- `none`: a plain limited subprocess, for a learner grading their own code on their own
  machine. `batch` and the platform entry points refuse it unless told
  `--unsafe-no-sandbox`.

`MLKATA_SANDBOX=unprivileged` or `=none` asks for a lower tier (tests, debugging).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

TIERS = ("bubblewrap", "unprivileged", "none")


@dataclass(frozen=True)
class Tier:
    name: str  # bubblewrap | unprivileged | none
    reason: str  # why this tier and not a better one ("" for bubblewrap)
    bwrap: str | None = None
    drop: str = ""  # as root: "before" bwrap starts, "inside" it (setpriv), or ""

    @property
    def drops_privileges(self) -> bool:
        """Whether the worker's process is started as its own uid (not the grader's)."""
        return self.name == "unprivileged" or self.drop == "before"


_FIRST_WORKER_UID = 100_000
_workers_started = 0


def worker_uid() -> int:
    """A uid (and gid) of its own for the next worker, with no account behind it: two
    workers graded at once (batch) can then neither signal, trace nor read each other,
    even without namespaces. Unique among live workers: this process's pid, and a
    counter for the at most two workers a process holds at once (one warm)."""
    global _workers_started
    _workers_started += 1
    return _FIRST_WORKER_UID + (os.getpid() << 2) + (_workers_started & 3)


def as_user(uid: int) -> dict:
    """Popen arguments that start a child as `uid` with no groups (only as root)."""
    return {"user": uid, "group": uid, "extra_groups": []}


def setpriv(uid: int) -> list[str]:
    """What runs first inside a root-started bwrap: `uid`, no capabilities, no way back."""
    return ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]  # fmt: skip


# As root without a user namespace (its uid map would map the worker's uid to root).
ROOT_NAMESPACES = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                   "--unshare-cgroup-try"]  # fmt: skip


def namespaces(tier: Tier) -> list[str]:
    return ROOT_NAMESPACES if tier.drop == "inside" else ["--unshare-all", "--cap-drop", "ALL"]


_chosen: Tier | None = None


def use(tier: Tier) -> None:
    """Adopt a tier chosen by the parent process (the checks process does not probe again)."""
    global _chosen
    _chosen = tier


def reset() -> None:
    """Forget the chosen tier and the probes (tests that switch MLKATA_SANDBOX)."""
    global _chosen
    _chosen = None
    _probe.cache_clear()


def current() -> Tier:
    """The best tier that works here (cached: the probes start processes)."""
    return _chosen or _probe()


@functools.cache
def _probe() -> Tier:
    asked = os.environ.get("MLKATA_SANDBOX", "")
    if asked == "none":
        return Tier("none", "sandbox disabled by MLKATA_SANDBOX=none")
    why_not_bwrap = "MLKATA_SANDBOX=unprivileged"
    if asked != "unprivileged":
        root = os.geteuid() == 0
        bwrap, why_not_bwrap = _probe_bubblewrap(root and "before")
        if bwrap:
            return Tier("bubblewrap", "", bwrap, drop="before" if root else "")
        if root:
            bwrap, _ = _probe_bubblewrap("inside")
            if bwrap:
                return Tier("bubblewrap", "", bwrap, drop="inside")
    if os.geteuid() != 0:
        return Tier("none", f"{why_not_bwrap}, and the grader is not root")
    problem = _probe_unprivileged()
    if problem:
        return Tier("none", f"{why_not_bwrap}; {problem}")
    return Tier("unprivileged", why_not_bwrap)


def _probe_bubblewrap(drop: str | bool) -> tuple[str | None, str]:
    """bwrap's path if it starts here with the options the worker needs."""
    from grader.sandbox.allowlist import bwrap_arguments

    path = shutil.which("bwrap")
    if path is None:
        return None, "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="mlkata-probe-") as scratch:
        os.chmod(scratch, 0o755)
        from grader.sandbox.launch import readable_worker_script

        cmd = [path, *bwrap_arguments(Path(scratch), readable_worker_script(), (), 1 << 20)]
        tier = Tier("bubblewrap", "", path, drop=drop or "")
        cmd += [*namespaces(tier), "--die-with-parent", "--"]
        # bwrap fails while binding an unreachable source, before it runs anything; then
        # the worker's interpreter must be there, runnable by its uid (`test -x` is cheap;
        # starting Python would add 40-100 ms to every grading).
        uid = worker_uid()  # probe with the kind of uid the workers will get
        cmd += [*(setpriv(uid) if drop == "inside" else []), "/usr/bin/test", "-x", sys.executable]
        extra = as_user(uid) if drop == "before" else {}
        try:
            subprocess.run(cmd, capture_output=True, timeout=20, check=True, **extra)
        except subprocess.CalledProcessError as exc:
            said = exc.stderr.decode("utf-8", "replace").strip().splitlines()
            return None, f"bubblewrap cannot start here ({said[-1] if said else exc})"
        except (OSError, subprocess.SubprocessError) as exc:
            return None, f"bubblewrap cannot start here ({exc})"
    return path, ""


def _probe_unprivileged() -> str:
    """'' if a worker's uid can run this Python, else why not."""
    try:
        subprocess.run([sys.executable, "-I", "-c", "pass"], capture_output=True, timeout=20,
                       check=True, cwd="/", **as_user(worker_uid()))  # fmt: skip
    except subprocess.CalledProcessError as exc:
        said = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"an unprivileged uid cannot run {sys.executable} ({said[-1] if said else exc})"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"an unprivileged uid cannot run {sys.executable} ({exc})"
    return ""
