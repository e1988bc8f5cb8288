"""Every way an emulation ends removes its folders and ends its processes (unless --keep)."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from parity.emulate import CloudSession, EmulationResult, Status, emulate
from parity.emulate.workspace import remove_tree_soon
from parity.errors import ParityError
from tests.emulate.conftest import options
from tests.helpers import git, make_repo, write

pytestmark = pytest.mark.usefixtures("sandbox_mode")


def _repo(tmp_path: Path, *commands: str, timeout: int = 30) -> Path:
    repo = make_repo(tmp_path / "repo", commit=False)
    hooks = [{"type": "command", "command": c, "timeout": timeout} for c in commands]
    settings = {"hooks": {"SessionStart": [{"hooks": hooks}]}}
    write(repo, ".claude/settings.json", json.dumps(settings))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks")
    return repo


def _workspaces() -> list[Path]:
    return sorted(Path(os.environ["TMPDIR"]).glob("parity-emulate-*"))


def _sleepers(marker: str) -> list[str]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline and b"sleep" in cmdline:
                found.append(name)
    return found


class Boom(Exception):
    pass


@pytest.mark.parametrize("ending", ["success", "failure", "timeout", "exception", "interrupt"])
def test_every_ending_removes_the_workspace(tmp_path: Path, ending: str) -> None:
    command = {
        "success": "true",
        "failure": "echo broken >&2; exit 3",
        "timeout": "sleep 30",
    }.get(ending, "true")
    repo = _repo(tmp_path, command, timeout=1)
    before = _workspaces()
    raising = ending in ("exception", "interrupt")
    expected = pytest.raises((Boom, KeyboardInterrupt)) if raising else contextlib.nullcontext()
    with expected, CloudSession(options(repo)) as session:
        base = session.workspace.base
        assert base.is_dir()
        if ending == "exception":
            raise Boom
        if ending == "interrupt":
            raise KeyboardInterrupt
    assert not base.exists()
    assert _workspaces() == before


def test_a_failed_start_removes_the_workspace(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "true")
    before = _workspaces()
    with pytest.raises(ParityError, match="unknown image profile"):
        CloudSession(options(repo, image="no-such-image")).start()
    assert _workspaces() == before


def test_the_report_comes_before_the_cleanup_and_times_the_work(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "sleep 0.5")
    seen: list[tuple[EmulationResult, bool, float]] = []
    start = time.monotonic()

    def report(result: EmulationResult) -> None:
        seen.append((result, bool(_workspaces()), time.monotonic() - start))

    emulate(options(repo), report=report, cleanup_budget=5)
    [(result, present, waited)] = seen
    assert present  # printed while the folders were still there
    assert result.steps[0].status is Status.OK
    assert abs(result.duration - waited) < 0.5  # the summary's time is the time waited
    assert not _workspaces()


def test_a_slow_removal_goes_on_in_the_background(tmp_path: Path) -> None:
    folder = tmp_path / "parity-emulate-slow"
    for n in range(200):
        write(folder, f"d{n % 10}/f{n}", "x")
    start = time.monotonic()
    remove_tree_soon(folder, budget=0)
    assert time.monotonic() - start < 0.5  # it does not wait for the removal
    for _ in range(200):
        if not folder.exists():
            break
        time.sleep(0.05)
    assert not folder.exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interruption_stops_within_two_seconds(
    tmp_path: Path, sig: signal.Signals, sandbox_mode: str
) -> None:
    marker = f"{os.getpid()}{sig.value}{len(sandbox_mode)}"  # digits: a fraction of a second
    repo = _repo(
        tmp_path,
        f"sleep 60.{marker}",
        f"setsid sleep 61.{marker} >/dev/null 2>&1 </dev/null & sleep 62.{marker}",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "parity", "emulate"],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):  # wait until both hooks run
            if len(_sleepers(marker)) >= 3:
                break
            time.sleep(0.05)
        assert len(_sleepers(marker)) >= 3
        [base] = _workspaces()
        asked = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=10)
        took = time.monotonic() - asked
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert took < 2.0, took
    assert err.splitlines()[0] == (
        f"parity emulate: interrupted: ending 2 running steps and what they started, "
        f"removing {base}"
    )
    assert not base.exists()
    assert not _sleepers(marker)


def test_progress_shows_on_a_terminal_only(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "sleep 1")
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "parity", "emulate"],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=child,
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(child)
    shown = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(parent)
    assert proc.returncode == 0
    assert b"cloning HEAD" in shown
    assert b"hook sleep 1" in shown
    assert b"cloning" not in out  # the report itself has no progress in it
    piped = subprocess.run(
        [sys.executable, "-m", "parity", "emulate"],
        cwd=repo,
        capture_output=True,
        check=False,
    )
    assert piped.returncode == 0
    assert piped.stderr == b""


def test_the_workspace_goes_to_tmpdir_or_to_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parity.emulate.workspace import MEMORY_FS, workspace_parent

    assert workspace_parent(tmp_path) == tmp_path  # asked for: there
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert workspace_parent() is None  # TMPDIR set: the system's choice (tempfile uses it)
    monkeypatch.delenv("TMPDIR")
    chosen = workspace_parent()
    if chosen is not None:  # only a roomy memory file system that lets programs run
        fs = os.statvfs(MEMORY_FS)
        assert chosen == Path(MEMORY_FS)
        assert fs.f_bavail * fs.f_frsize >= 8 * 1024**3
        assert not fs.f_flag & os.ST_NOEXEC
