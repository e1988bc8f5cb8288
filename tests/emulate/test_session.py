"""The emulated session start: workspace, environment, image, proxy, hooks and commands."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from parity.emulate import CloudSession, Status
from parity.emulate.environment import PLACEHOLDER
from parity.emulate.workspace import remove_tree
from tests.emulate.conftest import EMULATE_FIXTURES, options
from tests.helpers import git, make_repo, write

pytestmark = pytest.mark.usefixtures("sandbox_mode")


def _settings(repo: Path, *handlers: dict[str, object], matcher: str = "startup") -> None:
    write(
        repo,
        ".claude/settings.json",
        json.dumps({"hooks": {"SessionStart": [{"matcher": matcher, "hooks": list(handlers)}]}}),
    )


def _repo(tmp_path: Path, *handlers: dict[str, object]) -> Path:
    repo = make_repo(tmp_path / "repo", commit=False)
    _settings(repo, *handlers)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks")
    return repo


def _cmd(command: str, **extra: object) -> dict[str, object]:
    return {"type": "command", "command": command, **extra}


def test_hook_sees_the_client_stdin_cwd_and_cloud_environment(
    tmp_path: Path, fake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Canaries in the outer (fake) home and environment: none may reach the session.
    write(fake_home, "canary.txt", "outer home file")
    write(fake_home, ".claude/CLAUDE.md", "user memory")
    monkeypatch.setenv("GITHUB_TOKEN", "canary-github-token")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary-aws-secret")
    monkeypatch.setenv("PARITY_CANARY", "canary-variable")
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "probe")
    values = {"APP_MODE": "test", "FROM_SETTINGS": "environment-value"}
    with CloudSession(options(repo, env_values=values)) as session:
        probe = json.loads((session.workspace.tmp / "probe.json").read_text())
        [ran, skipped] = session.hook_results
        project, home = session.project, session.home
    assert ran.status is Status.OK, ran
    assert ran.stdout == "probe ran\n"
    assert ran.context_size == len("probe ran\n")
    assert ran.env_exports == ("FROM_HOOK",)
    assert skipped.status is Status.SKIPPED
    assert skipped.name == "echo compact-only"

    stdin = json.loads(probe["stdin"])
    assert stdin["hook_event_name"] == "SessionStart"
    assert stdin["source"] == "startup"
    assert stdin["cwd"] == str(project)
    assert set(stdin) == {"session_id", "transcript_path", "cwd", "hook_event_name", "source"}
    assert probe["cwd"] == str(project)

    env = probe["env"]
    assert env["CLAUDE_CODE_REMOTE"] == "true"  # the settings env cannot turn it off
    assert env["CLAUDE_PROJECT_DIR"] == str(project)
    assert env["CLAUDE_ENV_FILE"].startswith(str(home / ".claude" / "session-env"))
    assert env["FROM_SETTINGS"] == "settings-value"  # the client applies settings env last
    assert env["CLAUDE_CODE_SESSION_ID"] == stdin["session_id"]
    assert env["APP_MODE"] == "test"
    assert env["HOME"] == str(home)
    assert env["HTTPS_PROXY"].startswith("http://127.0.0.1:")
    for canary in ("GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "PARITY_CANARY"):
        assert canary not in env
    assert not any("canary" in value for value in env.values())
    assert str(fake_home) not in json.dumps(env)
    assert probe["home"] == [".claude"]  # only the session-env folder the client makes
    assert "canary.txt" not in probe["home"]


def test_untracked_ignored_and_unstaged_files_are_absent(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "probe")
    write(repo, ".gitignore", "secret.env\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore")
    write(repo, "secret.env", "TOKEN=x")
    write(repo, "untracked.txt", "not committed")
    write(repo, "CLAUDE.md", "changed but not committed")
    write(repo, ".claude/settings.local.json", json.dumps({"hooks": {}}))
    with CloudSession(options(repo)) as session:
        probe = json.loads((session.workspace.tmp / "probe.json").read_text())
        memory = (session.project / "CLAUDE.md").read_text()
    assert probe["project"] == [".claude", ".git", ".gitignore", "CLAUDE.md"]
    assert memory == "# Probe project\n"


def test_staged_index_without_touching_refs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "probe")
    head = git(repo, "rev-parse", "HEAD")
    refs = git(repo, "for-each-ref")
    write(repo, "CLAUDE.md", "staged text")
    git(repo, "add", "CLAUDE.md")
    write(repo, "CLAUDE.md", "unstaged text")
    with CloudSession(options(repo, staged=True)) as session:
        memory = (session.project / "CLAUDE.md").read_text()
        ref = session.result().ref
    assert memory == "staged text"
    assert ref.startswith("staged index")
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "for-each-ref") == refs
    assert git(repo, "diff", "--cached", "--name-only") == "CLAUDE.md\n"
    assert (repo / "CLAUDE.md").read_text() == "unstaged text"


def test_ref_option(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "probe")
    write(repo, "CLAUDE.md", "second")
    git(repo, "commit", "-q", "-am", "second")
    with CloudSession(options(repo, ref="HEAD~1")) as session:
        assert (session.project / "CLAUDE.md").read_text() == "# Probe project\n"


def test_user_and_local_scope_hooks_never_run(tmp_path: Path, fake_home: Path) -> None:
    marker = tmp_path / "ran"
    user_hook = {"type": "command", "command": f"touch {marker}-user"}
    write(
        fake_home,
        ".claude/settings.json",
        json.dumps({"hooks": {"SessionStart": [{"hooks": [user_hook]}]}}),
    )
    repo = _repo(tmp_path, _cmd("true"))
    local_hook = {"type": "command", "command": f"touch {marker}-local"}
    write(
        repo,
        ".claude/settings.local.json",
        json.dumps({"hooks": {"SessionStart": [{"hooks": [local_hook]}]}}),
    )
    with CloudSession(options(repo)) as session:
        names = [h.name for h in session.hook_results]
    assert names == ["true"]
    assert not Path(f"{marker}-user").exists()
    assert not Path(f"{marker}-local").exists()


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        _cmd('sleep 60 & echo $! > "$TMPDIR/child.pid"; echo started; wait', timeout=1),
    )
    with CloudSession(options(repo)) as session:
        [hook] = session.hook_results
        child = int((session.workspace.tmp / "child.pid").read_text())
        for _ in range(50):  # the kill is immediate; reaping may take a moment
            if not _alive(session, child):
                break
            time.sleep(0.1)
        assert not _alive(session, child)
    assert hook.status is Status.TIMEOUT
    assert hook.exit_code is None
    assert "timed out after 1s" in hook.messages[0]


def _alive(session: CloudSession, pid: int) -> bool:
    if session.sandboxed:  # the process id is one of the sandbox's: ask there
        return session.run(f"kill -0 {pid}", record=False).exit_code == 0
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def test_hooks_run_in_parallel(tmp_path: Path) -> None:
    # Each waits for the other's file: run one after the other, the first would fail.
    def waiter(mine: str, other: str) -> dict[str, object]:
        return _cmd(
            f'touch "$TMPDIR/{mine}"; for i in $(seq 100); do '
            f'[ -e "$TMPDIR/{other}" ] && exit 0; sleep 0.05; done; exit 1',
            timeout=30,
        )

    repo = _repo(tmp_path, waiter("a", "b"), waiter("b", "a"))
    with CloudSession(options(repo)) as session:
        statuses = [h.status for h in session.hook_results]
    assert statuses == [Status.OK, Status.OK]


def test_env_file_exports_reach_later_commands(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        _cmd('echo "export FIRST=one" >> "$CLAUDE_ENV_FILE"'),
        _cmd('echo "export SECOND=two" >> "$CLAUDE_ENV_FILE"; echo "$CLAUDE_ENV_FILE"'),
    )
    with CloudSession(options(repo)) as session:
        first, second = session.hook_results
        shell = session.run('echo "$FIRST $SECOND"')
        argv = session.run(["bash", "-c", 'echo "$SECOND"'])
        files = session.env_files
    assert first.env_exports == ("FIRST",)
    assert second.env_exports == ("SECOND",)
    assert second.stdout.strip().endswith("sessionstart-hook-1.sh")
    assert len(files) == 2
    assert shell.stdout == "one two\n"
    assert argv.stdout == "two\n"


def test_exit_codes_and_handler_types(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        _cmd("echo fine"),
        _cmd("echo 'nope' >&2; exit 2"),
        _cmd("echo 'broken' >&2; exit 3"),
        {"type": "prompt", "prompt": "Say hi"},
        {"type": "mcp_tool", "server": "memory", "tool": "read"},
        _cmd("python3", args=["-c", "print('exec form')"]),
    )
    with CloudSession(options(repo)) as session:
        ok, two, three, prompt, mcp_tool, exec_form = session.hook_results
        result = session.result()
    assert ok.status is Status.OK
    assert (two.status, two.exit_code) == (Status.FAILED, 2)
    assert "cannot block SessionStart" in two.messages[0]
    assert two.messages[0].endswith(": nope")
    assert (three.status, three.exit_code) == (Status.FAILED, 3)
    assert prompt.status is Status.FAILED
    assert "not supported for SessionStart" in prompt.messages[0]
    assert mcp_tool.status is Status.NOT_EMULATED
    assert exec_form.stdout == "exec form\n"
    assert result.exit_code == 1


def test_json_output_and_large_context(tmp_path: Path) -> None:
    payload = {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": "ctx"}}
    repo = _repo(
        tmp_path,
        _cmd(f"echo '{json.dumps(payload)}'"),
        _cmd("python3 -c \"print('x' * 20000)\""),
    )
    with CloudSession(options(repo)) as session:
        structured, large = session.hook_results
        result = session.result()
    assert structured.context_size == 3
    assert large.context_size == 20001
    assert large.status is Status.OK
    assert "20001 characters of output become Claude's context" in large.messages[0]
    assert result.exit_code == 0  # a warning, not a failure


def test_missing_commands_are_not_found_and_reported(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        _cmd("terraform version"),
        _cmd("sh -c 'aws s3 ls'"),
        _cmd("command -v kubectl || echo absent"),
        _cmd("no-such-tool-anywhere --x"),
        _cmd("gcloud", args=["version"]),
    )
    with CloudSession(options(repo)) as session:
        tf, aws, probe, unknown, exec_form = session.hook_results
        result = session.result()
    assert (tf.exit_code, tf.missing_commands) == (127, ("terraform",))
    assert (aws.exit_code, aws.missing_commands) == (127, ("aws",))
    assert probe.stdout == "absent\n"  # `command -v` does not count as running it
    assert probe.missing_commands == ()
    assert unknown.missing_commands == ("no-such-tool-anywhere",)
    assert (exec_form.exit_code, exec_form.missing_commands) == (127, ("gcloud",))
    assert result.missing_commands == ("terraform", "aws", "no-such-tool-anywhere", "gcloud")
    assert result.exit_code == 1


def test_bun_is_present_but_fetching_fails(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        _cmd("command -v bun"),
        _cmd("bun install"),
        _cmd("bunx cowsay hi"),
    )
    with CloudSession(options(repo)) as session:
        present, install, bunx = session.hook_results
    assert present.status is Status.OK
    assert present.broken_commands == ()
    assert (install.exit_code, install.broken_commands) == (1, ("bun",))
    assert "package fetching failed behind the proxy" in install.stderr
    assert bunx.broken_commands == ("bunx",)


def test_blocked_and_allowed_hosts_are_charged_to_their_step(
    tmp_path: Path, http_server: int
) -> None:
    fetch = (
        'python3 -c "import os, urllib.request as u; '
        "print(u.urlopen('http://{host}:' + os.environ['TEST_PORT'] + '/', timeout=10)"
        '.read().decode())"'
    )
    repo = _repo(
        tmp_path,
        _cmd(fetch.format(host="allowed.test")),
        _cmd(fetch.format(host="blocked.test")),
    )
    with CloudSession(
        options(
            repo,
            network="custom",
            allow=("allowed.test",),
            env_values={"TEST_PORT": str(http_server)},
        )
    ) as session:
        allowed, blocked = session.hook_results
        result = session.result()
    assert allowed.status is Status.OK
    assert allowed.stdout == f"hello from allowed.test:{http_server} /\n"
    assert allowed.blocked_hosts == ()
    assert [h.host for h in allowed.hosts] == ["allowed.test"]
    assert blocked.status is Status.FAILED
    assert blocked.blocked_hosts == ("blocked.test",)
    assert "403" in blocked.stderr
    assert result.blocked_hosts == ("blocked.test",)


def test_declared_variables_get_placeholders_and_a_warning(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "ready")
    with CloudSession(options(repo)) as session:
        step = session.run('echo "$APP_MODE"')
        warnings = session.result().warnings
    assert step.stdout == f"{PLACEHOLDER}\n"
    assert warnings == (
        "no value for the declared environment variable APP_MODE: set to a placeholder "
        "(give values with --env-file)",
    )


def test_setup_script_runs_first_and_must_exit_0(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "ready")
    with CloudSession(options(repo, env_values={"APP_MODE": "test"})) as session:
        kinds = [s.kind for s in session.steps]
        setup_file = session.home / ".cache" / "ready" / "setup.txt"
        assert setup_file.read_text() == "setup done\n"
    assert kinds == ["setup-script", "hook"]
    write(repo, "scripts/cloud-setup.sh", "exit 4\n")
    git(repo, "commit", "-q", "-am", "break setup")
    with CloudSession(options(repo, env_values={"APP_MODE": "test"})) as session:
        setup = session.steps[0]
    assert (setup.status, setup.exit_code) == (Status.FAILED, 4)
    assert "must exit 0" in setup.messages[-1]


def test_close_removes_the_workspace_unless_kept(tmp_path: Path) -> None:
    repo = _repo(tmp_path, _cmd("true"))
    with CloudSession(options(repo)) as session:
        base = session.workspace.base
        assert base.is_dir()
    assert not base.exists()
    with CloudSession(options(repo, keep=True)) as session:
        base = session.workspace.base
        kept = session.result().kept
    try:
        assert kept == (str(base),)
        assert (base / "project" / ".claude" / "settings.json").is_file()
    finally:
        remove_tree(base)


def test_setup_script_runs_before_the_client_without_the_settings_env(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(
        repo,
        "parity.toml",
        '[environments.default]\nsetup-script = "setup.sh"\nenv = ["MODE"]\n',
    )
    write(repo, "setup.sh", 'echo "${MODE}/${FROM_SETTINGS:-unset}/${CLAUDE_ENV_FILE:-none}"\n')
    write(
        repo,
        ".claude/settings.json",
        json.dumps({"env": {"FROM_SETTINGS": "s", "MODE": "from-settings"}}),
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "setup")
    with CloudSession(options(repo, env_values={"MODE": "cloud"})) as session:
        [setup] = session.steps
        later = session.run('echo "$MODE/$FROM_SETTINGS"')
    assert setup.stdout == "cloud/unset/none\n"
    assert later.stdout == "from-settings/s\n"


def test_certificate_settings_pass_through_with_their_files(
    tmp_path: Path, fake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = write(fake_home, "certs/company-ca.pem", "-----BEGIN CERTIFICATE-----\nca\n")
    write(fake_home, "certs/other-secret.txt", "not for the session")
    folder = fake_home / "certs"
    for name in ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.setenv(name, str(bundle))
    for name in ("PIP_CERT", "GIT_SSL_CAINFO"):
        monkeypatch.setenv(name, str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-such-dir"))
    repo = _repo(
        tmp_path,
        _cmd(
            'cat "$SSL_CERT_FILE"; env | grep -c -E "^(SSL_CERT_FILE|NODE_EXTRA_CA_CERTS|'
            'REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|PIP_CERT|GIT_SSL_CAINFO|SSL_CERT_DIR)="'
        ),
        _cmd(f"cat {folder}/other-secret.txt"),
    )
    with CloudSession(options(repo)) as session:
        certs, other = session.hook_results
        sandboxed = session.sandboxed
    assert certs.status is Status.OK, certs
    assert certs.stdout == "-----BEGIN CERTIFICATE-----\nca\n7\n"
    if sandboxed:  # only the named file is shown, not its folder
        assert other.status is Status.FAILED
