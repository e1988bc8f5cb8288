"""The sandbox: each probe passes without it, and fails (or is absent) inside it, with the reason.

The probes are what a cloud session refuses: a connection that ignores the proxy, a file of the
developer's home, a program the image lacks called by its full path, a write outside the clone,
HOME and /tmp, a background process that outlives the run.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

from parity.emulate import CloudSession, Status, StepResult
from parity.emulate.sandbox import BWRAP_VAR, MODE_VAR
from parity.image import load_profile
from tests.emulate.conftest import needs_sandbox, options
from tests.helpers import git, make_repo, run, write

MODES = [
    pytest.param("off", id="unsandboxed"),
    pytest.param("auto", id="sandbox"),
]


def _hook_repo(tmp_path: Path, *commands: str) -> Path:
    repo = make_repo(tmp_path / "repo", commit=False)
    hooks = [{"type": "command", "command": command, "timeout": 30} for command in commands]
    write(
        repo, ".claude/settings.json", json.dumps({"hooks": {"SessionStart": [{"hooks": hooks}]}})
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks")
    return repo


def _run(repo: Path, mode: str, **kwargs: object) -> list[StepResult]:
    if mode == "auto":
        needs_sandbox()
    with CloudSession(options(repo, sandbox=mode, **kwargs)) as session:
        assert session.sandboxed is (mode == "auto")
        return session.hook_results


def _notes(step: StepResult) -> str:
    return "\n".join(step.messages)


@pytest.mark.parametrize("mode", MODES)
def test_a_connection_that_ignores_the_proxy(tmp_path: Path, mode: str, http_server: int) -> None:
    # curl is told where allowed.test is, and not to use the proxy: it dials the address itself.
    command = (
        f"curl -sS --max-time 5 --noproxy '*' --resolve allowed.test:{http_server}:127.0.0.1 "
        f"http://allowed.test:{http_server}/"
    )
    repo = _hook_repo(tmp_path, command)
    [step] = _run(repo, mode, network="custom", allow=("allowed.test",))
    if mode == "off":
        assert step.status is Status.OK, step
        assert step.stdout == f"hello from allowed.test:{http_server} /"
        return
    assert step.status is Status.FAILED
    assert "Failed to connect to allowed.test" in step.messages[0]


def test_a_lookup_without_the_proxy_is_a_direct_connection(tmp_path: Path) -> None:
    repo = _hook_repo(
        tmp_path,
        "curl -sS --max-time 5 --noproxy '*' https://pypi.org/simple/",
        "python3 -c \"import socket; socket.getaddrinfo('files.pythonhosted.org', 443)\"",
        "curl -sS --max-time 5 https://pypi.org/simple/ -o /dev/null || true",  # the proxy: fine
    )
    bypass, lookup, proxied = _run(repo, "auto", network="none")
    assert bypass.status is Status.FAILED
    assert bypass.direct_connections == ("pypi.org",)
    assert bypass.failed
    assert "Could not resolve host: pypi.org" in bypass.messages[0]
    assert lookup.direct_connections == ("files.pythonhosted.org",)
    assert proxied.direct_connections == ()
    assert proxied.blocked_hosts == ("pypi.org",)


def test_a_socket_to_a_literal_address(tmp_path: Path) -> None:
    needs_sandbox()
    repo = _hook_repo(
        tmp_path,
        "python3 -c \"import socket; socket.create_connection(('192.0.2.10', 443), timeout=5)\"",
    )
    [step] = _run(repo, "auto")
    assert step.status is Status.FAILED
    assert step.messages[0].endswith("OSError: [Errno 101] Network is unreachable")
    assert "direct connection (no proxy)" in _notes(step)


@pytest.mark.parametrize("mode", MODES)
def test_a_socket_to_this_machine(tmp_path: Path, mode: str, echo_server: int) -> None:
    script = (
        f"import socket; s = socket.create_connection(('127.0.0.1', {echo_server}), timeout=5); "
        "s.sendall(b'ping'); print(s.recv(4).decode())"
    )
    repo = _hook_repo(tmp_path, f"python3 -c {shlex.quote(script)}")
    [step] = _run(repo, mode)
    if mode == "off":
        assert (step.status, step.stdout) == (Status.OK, "ping\n")
        return
    assert step.status is Status.FAILED  # 127.0.0.1 is the sandbox's own loopback there
    assert step.messages[0].endswith("ConnectionRefusedError: [Errno 111] Connection refused")


@pytest.mark.parametrize("mode", MODES)
def test_a_file_of_the_real_home(tmp_path: Path, mode: str, fake_home: Path) -> None:
    canary = write(fake_home, ".npmrc", "//registry.npmjs.org/:_authToken=canary-home-token\n")
    repo = _hook_repo(tmp_path, f"cat {canary}")
    [step] = _run(repo, mode)
    if mode == "off":
        assert step.status is Status.OK
        assert "canary-home-token" in step.stdout
        return
    assert step.status is Status.FAILED
    assert "canary-home-token" not in step.stdout + step.stderr
    assert f"not in the sandbox: {canary} is on this machine" in _notes(step)


@pytest.mark.parametrize("mode", MODES)
def test_a_program_the_image_lacks_by_its_full_path(tmp_path: Path, mode: str) -> None:
    # A profile whose image lacks tac (a program every Linux machine has in /usr/bin), and a
    # program that only exists on this machine, outside every system folder.
    bundled = load_profile()
    profile = write(
        tmp_path,
        "no-tac.json",
        json.dumps(
            {
                "name": "no-tac",
                "commands": sorted(bundled.commands - {"tac"}),
                "known-missing": sorted(bundled.known_missing | {"tac"}),
                "broken": bundled.broken,
            }
        ),
    )
    tool = write(tmp_path, "laptop/bin/laptop-only-tool", "#!/bin/sh\necho tool ran\n", mode=0o755)
    repo = _hook_repo(tmp_path, "printf 'a\\nb\\n' | /usr/bin/tac", str(tool))
    system, laptop = _run(repo, mode, image=str(profile))
    if mode == "off":
        assert (system.status, system.stdout) == (Status.OK, "b\na\n")
        assert (laptop.status, laptop.stdout) == (Status.OK, "tool ran\n")
        return
    assert (system.status, system.exit_code) == (Status.FAILED, 127)
    assert system.missing_commands == ("/usr/bin/tac",)
    assert (laptop.status, laptop.exit_code) == (Status.FAILED, 127)
    assert laptop.missing_commands == (str(tool),)


@pytest.mark.parametrize("mode", MODES)
def test_writes_outside_the_clone_home_and_tmp(tmp_path: Path, mode: str) -> None:
    outside = tmp_path / "outside.txt"
    repo = _hook_repo(tmp_path, f"echo written > {outside}", 'echo fine > "$HOME/inside.txt"')
    into_tree = repo / "from-the-hook.txt"  # the real working tree is outside too
    repo_hooks = _hook_repo(tmp_path / "second", f"echo written > {into_tree}")
    outside_step, home_step = _run(repo, mode)
    [tree_step] = _run(repo_hooks, mode)
    assert home_step.status is Status.OK
    if mode == "off":
        assert outside_step.status is Status.OK
        assert outside.read_text() == "written\n"
        assert tree_step.status is Status.OK
        return
    assert not outside.exists()
    assert not into_tree.exists()
    for step, path in ((outside_step, outside), (tree_step, into_tree)):
        assert step.status is Status.FAILED
        assert f"not in the sandbox: {path} is on this machine" in _notes(step)


def test_system_folders_are_read_only(tmp_path: Path) -> None:
    repo = _hook_repo(tmp_path, "touch /usr/parity-probe", "touch /parity-probe")
    usr, root = _run(repo, "auto")
    for step, path in ((usr, "/usr/parity-probe"), (root, "/parity-probe")):
        assert step.status is Status.FAILED
        assert f"read-only in the sandbox: {path}" in _notes(step)
    assert not Path("/usr/parity-probe").exists()


@pytest.mark.parametrize("mode", MODES)
def test_a_background_process_is_gone_after_the_run(tmp_path: Path, mode: str) -> None:
    marker = f"{os.getpid() % 1000 + 100}.{len(mode)}25"
    repo = _hook_repo(tmp_path, f"setsid sleep {marker} >/dev/null 2>&1 </dev/null & echo started")
    [step] = _run(repo, mode)
    assert step.status is Status.OK
    assert step.duration < 20
    assert not _processes(f"sleep\0{marker}\0")


def _processes(cmdline: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if Path(f"/proc/{name}/cmdline").read_bytes() == cmdline.encode():
                    found.append(int(name))
            except OSError:
                continue
    return found


def test_parallel_hooks_get_their_own_lookups(tmp_path: Path) -> None:
    repo = _hook_repo(
        tmp_path,
        "getent hosts first.example.org; sleep 0.3; getent hosts first-again.example.org",
        "getent hosts second.example.org",
    )
    first, second = _run(repo, "auto")
    assert first.direct_connections == ("first.example.org", "first-again.example.org")
    assert second.direct_connections == ("second.example.org",)


def test_the_report_says_which_sandbox_ran(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    needs_sandbox()
    repo = _hook_repo(tmp_path, "true")
    sandboxed = json.loads(run(["emulate", "--format", "json"], cwd=repo).out)
    assert sandboxed["sandbox"] == {
        "mode": "auto",
        "active": True,
        "engine": "bubblewrap",
        "reason": None,
        "not_enforced": [],
        "limits": [],
    }
    text = run(["emulate"], cwd=repo).out
    assert text.splitlines()[0].endswith(", sandbox bubblewrap")
    monkeypatch.setenv(MODE_VAR, "off")
    off = json.loads(run(["emulate", "--format", "json"], cwd=repo).out)["sandbox"]
    assert (off["mode"], off["active"]) == ("off", False)
    assert off["not_enforced"]


def test_auto_falls_back_with_one_warning_and_required_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _hook_repo(tmp_path, "true")
    monkeypatch.setenv(BWRAP_VAR, str(tmp_path / "no-bwrap"))
    auto = run(["emulate"], cwd=repo)
    assert auto.code == 0
    [warning] = [line for line in auto.out.splitlines() if line.startswith("warning:")]
    assert warning.startswith(f"warning: no sandbox ({BWRAP_VAR}=")
    assert "programs that ignore the proxy reach the network directly" in warning
    assert auto.out.splitlines()[0].endswith(", no sandbox")
    required = run(["emulate", "--sandbox", "required"], cwd=repo)
    assert required.code == 2
    assert required.err.startswith("parity: error: --sandbox required: the sandbox cannot start (")
    assert "apt-get install bubblewrap" in required.err
    assert not list(Path(os.environ["TMPDIR"]).glob("parity-emulate-*"))


def test_limits_are_applied_and_reported(tmp_path: Path) -> None:
    needs_sandbox()
    repo = _hook_repo(tmp_path, "bash -c 'ulimit -f'")
    [step] = _run(repo, "auto", limits=True)
    assert step.stdout == f"{30 * 1024 * 1024}\n"  # 30 GiB in ulimit's 1024-byte blocks
    report = json.loads(run(["emulate", "--limits", "--format", "json"], cwd=repo).out)
    limits = {limit["name"]: limit for limit in report["sandbox"]["limits"]}
    assert set(limits) == {"cpus", "memory", "disk"}
    assert limits["disk"]["enforced"] is True
    assert limits["memory"]["value"] == "16 GiB"
