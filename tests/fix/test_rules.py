"""What each rule's fix does beyond its fixture: where it is offered, where it is not."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import calls_of, git, make_repo, run, write


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for rel, text in files.items():
        write(root, rel, text)
    return make_repo(root)


def _diff(repo: Path, code: str, *args: str) -> str:
    result = run(["check", "--select", code, "--diff", *args, str(repo)])
    assert result.code in (0, 1), result.err
    return result.out if result.code == 1 else ""


# --------------------------------------------------------------------------------------------
# PAR010


def _hooks(*events: str) -> str:
    handler = '[{"hooks": [{"type": "command", "command": "true"}]}]'
    members = ", ".join(f'"{e}": {handler}' for e in events)
    return '{"hooks": {' + members + "}}\n"


def test_par010_leaves_an_event_two_events_are_as_close_to(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {".claude/settings.json": _hooks("OnStart")})
    assert _diff(repo, "PAR010") == ""


def test_par010_never_makes_a_second_key_of_one_event(tmp_path: Path) -> None:
    # The event is there already, or two misspellings would both become it.
    there = _repo(tmp_path / "a", {".claude/settings.json": _hooks("Stop", "Stopp")})
    assert _diff(there, "PAR010") == ""
    twice = _repo(tmp_path / "b", {".claude/settings.json": _hooks("Stopp", "stop ")})
    assert _diff(twice, "PAR010") == ""


# --------------------------------------------------------------------------------------------
# PAR020


def test_par020_leaves_a_url_whose_transport_is_not_certain(tmp_path: Path) -> None:
    mcp = '{"mcpServers": {"api": {"url": "https://api.example.com/v1"}}}\n'
    assert _diff(_repo(tmp_path, {".mcp.json": mcp}), "PAR020") == ""


def test_par020_knows_the_transports() -> None:
    from parity.rules.par020_mcp_schema import transport

    assert transport("wss://x.example.com/anything") == "ws"
    assert transport("https://x.example.com/mcp?token=1") == "http"
    assert transport("http://localhost:8080/sse") == "sse"
    assert transport("https://x.example.com/") is None
    assert transport("https://mcp.example.com") is None
    assert transport("ftp://x.example.com/mcp") is None
    assert transport(5) is None


# --------------------------------------------------------------------------------------------
# PAR105


def _index_mode(repo: Path, rel: str) -> str:
    return git(repo, "ls-files", "-s", "--", rel).split(" ", 1)[0]


def test_par105_sets_the_mode_in_the_index_and_the_working_tree(tmp_path: Path) -> None:
    settings = '{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "./x.sh"}]}]}}'
    repo = _repo(tmp_path, {".claude/settings.json": settings, "x.sh": "#!/bin/sh\ntrue\n"})
    os.chmod(repo / "x.sh", 0o640)
    git(repo, "add", "x.sh")
    assert _index_mode(repo, "x.sh") == "100644"
    assert run(["check", "--select", "PAR105", "--fix", str(repo)]).code == 0
    assert _index_mode(repo, "x.sh") == "100755"
    assert oct((repo / "x.sh").stat().st_mode & 0o777) == "0o750"  # executable where readable
    assert run(["check", "--undo-fix", str(repo)]).code == 0
    assert _index_mode(repo, "x.sh") == "100644"
    assert oct((repo / "x.sh").stat().st_mode & 0o777) == "0o640"


def test_the_next_pass_sees_the_new_modes_over_the_files_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pass after a mode fix reads the files with the new modes laid over them, as a copy of
    # every file with them would answer, without a RepoFile made for each file.
    from parity.discover import MODE_EXECUTABLE, Files, RepoFile, discover_repo
    from parity.fix import _with_modes

    repo_path = _repo(tmp_path, {"x.sh": "#!/bin/sh\n", "a/y.sh": "#!/bin/sh\n", "b.md": "b\n"})
    write(repo_path, "new.sh", "#!/bin/sh\n")  # untracked: git keeps no mode for it
    repo = discover_repo(repo_path)
    expected = dict(repo.files)
    for rel in ("x.sh", "a/y.sh"):
        expected[rel] = expected[rel]._replace(mode=MODE_EXECUTABLE)
    made = calls_of(monkeypatch, Files, "__getitem__")
    fixed = _with_modes(repo, dict.fromkeys(["x.sh", "a/y.sh", "new.sh", "gone.sh"]))
    assert sorted(made) == ["a/y.sh", "gone.sh", "new.sh", "x.sh"]  # only those asked about
    monkeypatch.undo()
    assert list(fixed.files) == list(expected)
    assert {rel: fixed.files[rel] for rel in fixed.files} == expected
    assert fixed.get("new.sh") == RepoFile("new.sh", False)
    assert fixed.get("gone.sh") is None
    assert "x.sh" in fixed.files
    assert repo.files["x.sh"].mode != MODE_EXECUTABLE  # the checked repository is unchanged


# --------------------------------------------------------------------------------------------
# PAR107

_ENABLED = '{"enabledPlugins": {"tool@acme": true}}\n'


def _known(home: Path, source: str) -> None:
    write(home, ".claude/plugins/known_marketplaces.json", '{"acme": {"source": ' + source + "}}")


def test_par107_needs_the_user_scope(tmp_path: Path, fake_home: Path) -> None:
    _known(fake_home, '{"source": "github", "repo": "acme/plugins"}')
    repo = _repo(tmp_path, {".claude/settings.json": _ENABLED})
    assert _diff(repo, "PAR107") == ""  # without --user parity does not read the home
    assert "extraKnownMarketplaces" in _diff(repo, "PAR107", "--user")


def test_par107_prefers_the_user_settings_to_the_installed_copy(
    tmp_path: Path, fake_home: Path
) -> None:
    _known(fake_home, '{"source": "github", "repo": "acme/old"}')
    write(
        fake_home,
        ".claude/settings.json",
        '{"extraKnownMarketplaces": {"acme": {"source": {"source": "github", "repo": "acme/new"}, '
        '"autoUpdate": true}}}',
    )
    repo = _repo(tmp_path, {".claude/settings.json": _ENABLED})
    diff = _diff(repo, "PAR107", "--user")
    assert '"repo": "acme/new"' in diff
    assert "acme/old" not in diff
    assert "autoUpdate" not in diff  # the source, nothing else


def test_par107_never_copies_a_local_folder_or_a_credential(
    tmp_path: Path, fake_home: Path
) -> None:
    repo = _repo(tmp_path, {".claude/settings.json": _ENABLED})
    _known(fake_home, '{"source": "directory", "path": "/home/dev/plugins"}')
    assert _diff(repo, "PAR107", "--user") == ""
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    _known(fake_home, '{"source": "git", "url": "https://x:' + token + '@git.example.com/p.git"}')
    assert _diff(repo, "PAR107", "--user") == ""
    reported = run(["check", "--select", "PAR107", "--user", "--format", "json", str(repo)])
    assert token not in reported.out


# --------------------------------------------------------------------------------------------
# PAR401

_KEY_A = "q8Zr3LmX7vT2kP9wN4bY6cH1jD5fG0sA"
_KEY_B = "Zt5Wq1Lr8Xv3Mk7Np2Bc9Hd4Jf6Gs0Ya"


def _servers(**servers: str) -> str:
    members = ", ".join(
        f'"{name}": {{"command": "srv", "env": {{"API_KEY": "{value}"}}}}'
        for name, value in servers.items()
    )
    return '{"mcpServers": {' + members + "}}\n"


def test_par401_never_gives_two_secrets_one_name(tmp_path: Path) -> None:
    # "a" already reads ${API_KEY}: that variable is not the literal of "b" or "c".
    mcp = _servers(a="${API_KEY}", b=_KEY_A, c=_KEY_B, d=_KEY_A)
    repo = _repo(tmp_path, {".mcp.json": mcp})
    result = run(["check", "--select", "PAR401", "--fix", "--unsafe-fixes", str(repo)])
    assert result.code == 0, result.out + result.err
    assert (repo / ".mcp.json").read_text() == _servers(
        a="${API_KEY}", b="${API_KEY_2}", c="${API_KEY_3}", d="${API_KEY_2}"
    )
    assert (repo / "parity.toml").read_text() == (
        '[environments.default]\nenv = ["API_KEY_2", "API_KEY_3"]\n'
    )
    assert result.out.endswith(
        "Set API_KEY_2, API_KEY_3 in the cloud environment's settings and in your own "
        "environment: the fixes replaced literal values with references to them.\n"
    )
    assert _KEY_A not in result.out + result.err


def test_par401_is_applied_only_with_unsafe_fixes(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {".mcp.json": _servers(b=_KEY_A)})
    result = run(["check", "--select", "PAR401", "--fix", str(repo)])
    assert result.out.endswith("Fixed 0 problems (1 remaining, 1 more with `--unsafe-fixes`).\n")
    assert _KEY_A in (repo / ".mcp.json").read_text()
    assert _KEY_A not in result.out + result.err


def test_par401_leaves_a_secret_in_settings_env(tmp_path: Path) -> None:
    # Settings env is taken literally: "${NAME}" there would be the value, not a reference.
    settings = '{"env": {"SEARCH_API_KEY": "' + _KEY_A + '"}}\n'
    repo = _repo(tmp_path, {".claude/settings.json": settings})
    assert _diff(repo, "PAR401", "--unsafe-fixes") == ""


def test_par401_never_prints_the_value(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {".mcp.json": _servers(b=_KEY_A)})
    for args in (["--diff"], ["--fix", "--format", "json"], ["--fix-only"]):
        result = run(["check", "--select", "PAR401", "--unsafe-fixes", *args, str(repo)])
        assert _KEY_A not in result.out + result.err, args


# --------------------------------------------------------------------------------------------
# PAR204


def _session_start(handler: str) -> str:
    return '{"hooks": {"SessionStart": [{"hooks": [' + handler + "]}]}}\n"


def test_par204_guard_stops_the_hook_outside_the_cloud_only(tmp_path: Path) -> None:
    import subprocess

    handler = '{"type": "command", "command": "npm ci; touch ran"}'
    repo = _repo(tmp_path, {".claude/settings.json": _session_start(handler)})
    fixed = run(["check", "--select", "PAR204", "--fix", "--unsafe-fixes", str(repo)])
    assert fixed.out.endswith("Fixed 1 problem (0 remaining).\n"), fixed.out
    settings = json.loads((repo / ".claude/settings.json").read_text())
    command = settings["hooks"]["SessionStart"][0]["hooks"][0]["command"]
    # The client runs a shell-form hook with /bin/sh -c (dash on the cloud image).
    stub = tmp_path / "bin"
    write(stub, "npm", "#!/bin/sh\nexit 0\n", mode=0o755)
    path = f"{stub}:/usr/bin:/bin"
    for remote, ran in ((None, False), ("false", False), ("true", True)):
        env = {"PATH": path, **({"CLAUDE_CODE_REMOTE": remote} if remote else {})}
        (repo / "ran").unlink(missing_ok=True)
        done = subprocess.run(["/bin/sh", "-c", command], cwd=repo, env=env, check=False)
        assert (done.returncode, (repo / "ran").exists()) == (0, ran), remote


def test_par204_leaves_exec_form_and_powershell_hooks(tmp_path: Path) -> None:
    exec_form = '{"type": "command", "command": "npm", "args": ["ci"]}'
    powershell = '{"type": "command", "command": "npm ci", "shell": "powershell"}'
    for i, handler in enumerate((exec_form, powershell)):
        repo = _repo(tmp_path / str(i), {".claude/settings.json": _session_start(handler)})
        assert "PAR204" in run(["check", "--select", "PAR204", str(repo)]).out, handler
        assert _diff(repo, "PAR204", "--unsafe-fixes") == "", handler


# --------------------------------------------------------------------------------------------
# PAR201

_BUN_HOOK = _session_start('{"type": "command", "command": "bun install"}')


def test_par201_installs_with_the_one_other_lockfile(tmp_path: Path) -> None:
    cases = {
        "npm": ({"npm-shrinkwrap.json": "{}\n"}, "npm ci"),
        "yarn": ({"yarn.lock": "# yarn lockfile v1\n"}, "yarn install --frozen-lockfile"),
        "berry": ({"yarn.lock": "__metadata:\n  version: 8\n"}, "yarn install --immutable"),
        "rc": ({"yarn.lock": "", ".yarnrc.yml": ""}, "yarn install --immutable"),
    }
    for name, (files, command) in cases.items():
        repo = _repo(tmp_path / name, {".claude/settings.json": _BUN_HOOK, **files})
        diff = _diff(repo, "PAR201", "--unsafe-fixes")
        assert diff.endswith(f"+{_BUN_HOOK.replace('bun install', command)}"), name


def test_par201_needs_one_certain_committed_lockfile(tmp_path: Path) -> None:
    cases = {
        "none": {},
        "two": {"package-lock.json": "{}\n", "yarn.lock": ""},
        "elsewhere": {"web/package-lock.json": "{}\n"},
    }
    for name, files in cases.items():
        repo = _repo(tmp_path / name, {".claude/settings.json": _BUN_HOOK, **files})
        assert _diff(repo, "PAR201", "--unsafe-fixes") == "", name
    ignored = {".claude/settings.json": _BUN_HOOK, ".gitignore": "package-lock.json\n"}
    repo = _repo(tmp_path / "ignored", {**ignored, "package-lock.json": "{}\n"})
    assert _diff(repo, "PAR201", "--unsafe-fixes") == ""  # not in a fresh clone


def test_par201_leaves_what_is_not_certain(tmp_path: Path) -> None:
    lock = {"package-lock.json": "{}\n"}
    commands = {
        "cd": "cd web && bun install",
        "add": "bun add left-pad",
        "flags": "bun install --production",
        "twice": "bun install; bun install",
        "script-cd": "./setup.sh",
    }
    for name, command in commands.items():
        handler = '{"type": "command", "command": "' + command + '"}'
        files = {".claude/settings.json": _session_start(handler), **lock}
        files["setup.sh"] = '#!/bin/sh\ncd "$(dirname "$0")"\nbun install\n'
        repo = _repo(tmp_path / name, files)
        assert "PAR201" in run(["check", "--select", "PAR201", str(repo)]).out, name
        assert _diff(repo, "PAR201", "--unsafe-fixes") == "", name


# --------------------------------------------------------------------------------------------
# PAR209


def _npx(*args: str) -> str:
    return '{"mcpServers": {"s": {"command": "npx", "args": ' + json.dumps(list(args)) + "}}}\n"


def test_par209_reads_pnpm_and_uv_lockfiles(tmp_path: Path) -> None:
    pnpm = (
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    devDependencies:\n      srv-mcp:\n"
        "        specifier: ^1.0.0\n        version: 1.4.2(typescript@5.6.3)\n"
    )
    repo = _repo(tmp_path / "pnpm", {".mcp.json": _npx("-y", "srv-mcp"), "pnpm-lock.yaml": pnpm})
    assert '+{"mcpServers": {"s": {"command": "npx", "args": ["-y", "srv-mcp@1.4.2"]}}}' in (
        _diff(repo, "PAR209", "--unsafe-fixes")
    )
    uv = '[[package]]\nname = "Srv_MCP"\nversion = "0.9.1"\n'
    mcp = '{"mcpServers": {"s": {"command": "uvx", "args": ["--from", "srv-mcp", "srv"]}}}\n'
    repo = _repo(tmp_path / "uv", {".mcp.json": mcp, "uv.lock": uv})
    assert '["--from", "srv-mcp==0.9.1", "srv"]' in _diff(repo, "PAR209", "--unsafe-fixes")


def test_par209_pins_only_what_the_lockfile_makes_certain(tmp_path: Path) -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {"node_modules/srv-mcp": {"version": "1.4.2"}, "node_modules/dup": {}},
    }
    pnpm = "importers:\n  .:\n    dependencies:\n      srv-mcp:\n        version: 1.5.0\n"
    cases = {
        "range": (_npx("-y", "srv-mcp@^1"), {}),
        "tag": (_npx("-y", "srv-mcp@next"), {}),
        "absent": (_npx("-y", "other-mcp"), {}),
        "no version": (_npx("-y", "dup"), {}),
        "two lockfiles disagree": (_npx("-y", "srv-mcp"), {"pnpm-lock.yaml": pnpm}),
        "uncommitted": (_npx("-y", "srv-mcp"), {".gitignore": "package-lock.json\n"}),
    }
    for name, (mcp, files) in cases.items():
        tree = {".mcp.json": mcp, "package-lock.json": json.dumps(lock), **files}
        repo = _repo(tmp_path / name.replace(" ", "-"), tree)
        assert "PAR209" in run(["check", "--select", "PAR209", str(repo)]).out, name
        assert _diff(repo, "PAR209", "--unsafe-fixes") == "", name


# --------------------------------------------------------------------------------------------
# PAR014


def test_par014_fixes_only_the_spelling(tmp_path: Path) -> None:
    rules = [
        "WebFetch(https://example.com/api)",  # a URL: its path would widen to the domain
        "WebFetch(localhost)",  # not a host name parity can tell from a typo
        "deploy(prod)",  # not a built-in tool
        "Read()",  # not a spelling mistake
        "mcp__github__get_issue(x)",
    ]
    settings = json.dumps({"permissions": {"allow": rules}}) + "\n"
    repo = _repo(tmp_path, {".claude/settings.json": settings})
    reported = run(["check", "--select", "PAR014", "--format", "json", str(repo)])
    assert len(json.loads(reported.out)["findings"]) == len(rules)
    assert _diff(repo, "PAR014") == ""
