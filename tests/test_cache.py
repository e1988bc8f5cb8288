"""The results cache: a hit reports exactly what a run would, and any changed input is a miss."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from parity import cache
from parity import check as check_module
from tests.helpers import FIXTURES, ONE_PROCESSOR, install_home, make_repo, run, write

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="the cache needs Python 3.11")

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
SETTINGS = json.dumps(
    {
        "hooks": {
            "SessionStart": [
                {
                    "hooks": [
                        {
                            "type": "command",
                            "command": '"$CLAUDE_PROJECT_DIR"/.claude/hooks/start.sh',
                        }
                    ]
                }
            ]
        }
    }
)


@pytest.fixture(autouse=True)
def cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rest of the suite runs without the cache (tests/conftest.py); these turn it on."""
    monkeypatch.delenv("PARITY_NO_CACHE", raising=False)
    monkeypatch.delenv("PARITY_CACHE_DIR", raising=False)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the checks that ran the rules (a miss) rather than reading the cache (a hit)."""
    calls: list[int] = []
    original = check_module._run_rules

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check_module, "_run_rules", counting)
    return calls


def settle(*roots: Path) -> None:
    """Date every file and folder a minute back: a file written just now may still be changing,
    so a run that read one is not stored (the cache's "racy" rule)."""
    past = time.time() - 60
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            if ".git" in Path(dirpath).parts:
                continue
            for name in [*dirnames, *filenames]:
                os.utime(Path(dirpath) / name, (past, past), follow_symlinks=False)
        os.utime(root, (past, past))


def check_json(repo: Path, *args: str) -> dict[str, object]:
    result = run(["check", "--format", "json", *args, str(repo)])
    assert result.code in (0, 1), result.err
    doc: dict[str, object] = json.loads(result.out)
    return doc


def codes(doc: dict[str, object]) -> list[str]:
    return sorted(f["code"] for f in doc["findings"])  # type: ignore[attr-defined,index]


@pytest.fixture
def repo(tmp_path: Path, fake_home: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    write(root, ".claude/settings.json", SETTINGS)
    write(root, ".claude/hooks/start.sh", "#!/bin/sh\necho ready\n", mode=0o755)
    write(root, "CLAUDE.md", "# Project\n\nRun the tests.\n")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "setup"], check=True)
    settle(root, fake_home)
    return root


def test_second_run_is_a_hit_with_the_same_report(repo: Path, runs: list[int]) -> None:
    first = check_json(repo)
    second = check_json(repo)
    assert runs == [1]
    assert first == second
    assert list((repo / ".git" / "parity-cache").glob("*.json"))


@pytest.mark.parametrize(
    ("rel", "text", "code"),
    [
        # a script a hook runs: read by the rules, not a configuration file itself
        (".claude/hooks/start.sh", f"#!/bin/sh\nexport GITHUB_TOKEN={TOKEN}\n", "PAR402"),
        # a configuration file
        ("CLAUDE.md", f"# Project\n\nUse the token {TOKEN} for the API.\n", "PAR402"),
    ],
)
def test_changing_a_file_a_rule_reads_is_a_miss(
    repo: Path, runs: list[int], rel: str, text: str, code: str
) -> None:
    before = check_json(repo)
    assert code not in codes(before)
    (repo / rel).write_text(text, encoding="utf-8")  # same listing: only the content changed
    settle(repo)
    after = check_json(repo)
    assert code in codes(after)
    assert runs == [1, 1]
    assert check_json(repo) == after
    assert runs == [1, 1]


def test_a_home_file_with_user_is_an_input(repo: Path, fake_home: Path, runs: list[int]) -> None:
    before = check_json(repo, "--user")
    assert "PAR101" not in codes(before)
    write(fake_home, ".claude/CLAUDE.md", "# Mine\n\nAlways use the staging database.\n")
    settle(fake_home)
    after = check_json(repo, "--user")
    assert "PAR101" in codes(after)
    server = {"mcpServers": {"alpha-docs": {"command": "npx", "args": ["-y", "docs@1.0.0"]}}}
    write(fake_home, ".claude.json", json.dumps(server))
    settle(fake_home)
    assert "alpha-docs" in json.dumps(check_json(repo, "--user"))
    (fake_home / ".claude.json").write_text(json.dumps(server).replace("alpha", "beta"))
    settle(fake_home)
    changed = json.dumps(check_json(repo, "--user"))
    assert "beta-docs" in changed
    assert "alpha-docs" not in changed
    assert runs == [1, 1, 1, 1]


def test_a_config_option_is_an_input(repo: Path, runs: list[int]) -> None:
    (repo / ".claude" / "hooks" / "start.sh").write_text(
        f"#!/bin/sh\nexport GITHUB_TOKEN={TOKEN}\n", encoding="utf-8"
    )
    settle(repo)
    assert "PAR402" in codes(check_json(repo))
    write(repo, "pyproject.toml", '[tool.parity]\nignore = ["PAR402"]\n')
    settle(repo)
    assert "PAR402" not in codes(check_json(repo))
    assert runs == [1, 1]


def test_the_command_line_selection_is_in_the_key(repo: Path, runs: list[int]) -> None:
    write(repo, "CLAUDE.md", f"Use the token {TOKEN}.\n")
    settle(repo)
    assert "PAR402" in codes(check_json(repo))
    assert codes(check_json(repo, "--ignore", "PAR402")) == []
    assert runs == [1, 1]


def test_parity_version_is_in_the_key(
    repo: Path, runs: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    check_json(repo)
    monkeypatch.setattr(cache, "__version__", "999.0")
    check_json(repo)
    assert runs == [1, 1]


def test_parity_code_is_in_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An edited install (same version) must not serve reports made by the old code.
    package = tmp_path / "pkg"
    write(package, "rules/x.py", "A = 1\n")
    monkeypatch.setattr(cache, "_PACKAGE", package)
    monkeypatch.setattr(cache, "_schema_dirs", lambda: [])
    before = cache.code_fingerprint()
    write(package, "rules/x.py", "A = 22\n")
    assert cache.code_fingerprint() != before


def test_an_image_profile_is_an_input(repo: Path, runs: list[int]) -> None:
    from parity.image import load_profile

    profile = json.loads((ROOT / "parity/data/images/claude-cloud.json").read_text())
    write(repo, ".parity/images/team.json", json.dumps(profile))
    write(repo, "pyproject.toml", '[tool.parity.environments.default]\nimage = "team"\n')
    write(repo, ".claude/hooks/start.sh", "#!/bin/sh\nterraform init\n", mode=0o755)
    settle(repo)
    load_profile.cache_clear()  # each command is a new process
    before = codes(check_json(repo))
    profile["commands"] = sorted({*profile.get("commands", []), "terraform"})
    write(repo, ".parity/images/team.json", json.dumps(profile))
    settle(repo)
    load_profile.cache_clear()
    after = codes(check_json(repo))
    assert runs == [1, 1]
    assert before != after


def test_a_new_rule_reading_a_new_file_is_tracked(
    repo: Path, runs: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No list of inputs to keep up to date: whatever a rule reads or probes is recorded.
    from parity import rules
    from parity.findings import Location, Severity, Violation
    from parity.rules.base import Rule

    def check(ctx: object) -> Iterator[Violation]:
        notes = ctx.repo.root / "docs" / "notes.txt"  # type: ignore[attr-defined]
        if notes.exists() and "deploy" in notes.read_text(encoding="utf-8"):
            yield Violation(Location("docs/notes.txt"), "notes mention deploy")

    docs = "\n".join(["## What it does", "## Why is this bad?", "## Example", "## Fix"])
    extra = Rule("PAR999", "test-only", Severity.WARNING, "test", docs, check=check)
    entry = rules.INDEX[0]._replace(code="PAR999", name="test-only", module="-", kinds=None)
    monkeypatch.setattr(rules, "INDEX", (*rules.INDEX, entry))
    monkeypatch.setattr(rules, "_BY_CODE", {**rules._BY_CODE, "PAR999": entry})
    real = rules.load
    monkeypatch.setattr(rules, "load", lambda code: extra if code == "PAR999" else real(code))
    assert "PAR999" not in codes(check_json(repo))
    write(repo, "docs/notes.txt", "nothing\n")  # ignored by git: the listing does not change
    write(repo, ".git/info/exclude", "docs/\n")
    settle(repo)
    assert "PAR999" not in codes(check_json(repo))
    (repo / "docs" / "notes.txt").write_text("deploy on friday\n", encoding="utf-8")
    settle(repo)
    assert "PAR999" in codes(check_json(repo))
    assert len(runs) == 3


def test_no_cache_flag_and_environment(
    repo: Path, runs: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    check_json(repo, "--no-cache")
    assert not (repo / ".git" / "parity-cache").exists()
    check_json(repo)
    check_json(repo, "--no-cache")
    monkeypatch.setenv("PARITY_NO_CACHE", "1")
    check_json(repo)
    assert runs == [1, 1, 1, 1]


@pytest.mark.parametrize("garbage", [b"", b"{", b"\xff\xfe", b"[]", b'{"tool": "other"}'])
def test_a_corrupt_or_foreign_entry_is_a_miss_and_is_replaced(
    repo: Path, runs: list[int], garbage: bytes
) -> None:
    first = check_json(repo)
    (entry,) = (repo / ".git" / "parity-cache").glob("*.json")
    entry.write_bytes(garbage)
    assert check_json(repo) == first
    assert check_json(repo) == first
    assert runs == [1, 1]
    assert json.loads(entry.read_text())["tool"] == "claude-parity"


def test_an_entry_of_another_shape_is_a_miss(repo: Path, runs: list[int]) -> None:
    first = check_json(repo)
    (entry,) = (repo / ".git" / "parity-cache").glob("*.json")
    doc = json.loads(entry.read_text())
    doc["result"] = {"findings": "not a list"}
    entry.write_text(json.dumps(doc))
    assert check_json(repo) == first
    assert runs == [1, 1]


def test_an_unwritable_cache_is_not_an_error(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PARITY_CACHE_DIR", str(blocker / "cache"))
    assert check_json(repo) == check_json(repo)


def test_a_run_that_reads_the_clock_is_not_stored(repo: Path, runs: list[int]) -> None:
    task = {
        "id": "t1",
        "cron": "13 9 * * 1-5",
        "prompt": "Audit",
        "createdAt": 1775880219539,
        "recurring": True,
    }
    write(repo, ".claude/scheduled_tasks.json", json.dumps({"tasks": [task]}))
    settle(repo)
    check_json(repo)
    check_json(repo)
    assert runs == [1, 1]


def test_files_named_reuse_the_full_check(repo: Path, runs: list[int]) -> None:
    write(repo, "CLAUDE.md", f"Use the token {TOKEN}.\n")
    settle(repo)
    full = check_json(repo)
    assert full["findings"]
    named = run(["check", "--format", "json", str(repo / "CLAUDE.md")], cwd=repo)
    assert runs == [1]
    doc = json.loads(named.out)
    assert doc["findings"] == [f for f in full["findings"] if f["path"] == "CLAUDE.md"]  # type: ignore[union-attr]


def test_concurrent_runs_leave_a_readable_entry(repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PARITY_NO_CACHE"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "parity", "check", "--format", "json", str(repo)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode in (0, 1) for p in procs), [e for _, e in outs]
    assert len({o for o, _ in outs}) == 1
    for entry in (repo / ".git" / "parity-cache").iterdir():
        assert not entry.name.endswith(".tmp")
        assert json.loads(entry.read_text())["tool"] == "claude-parity"


def test_a_hit_imports_no_rule_jsonschema_or_yaml(repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PARITY_NO_CACHE"}
    probe = ONE_PROCESSOR + (
        "import sys\nfrom parity.cli import main\ncode = main(['check', sys.argv[1]])\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('parity.rules', 'jsonschema', "
        "'yaml', 'parity._yaml', 'parity.validate')))\nprint('HEAVY', heavy)\n"
    )
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", probe, str(repo)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert proc.stdout.splitlines()[-1] == "HEAVY []", proc.stderr


def _fixture_repos() -> list[Path]:
    found = sorted(p for p in (FIXTURES / "rules").glob("*/*") if p.is_dir())
    return found + sorted(p for p in (FIXTURES / "repos").iterdir() if p.is_dir())


@pytest.mark.parametrize("source", _fixture_repos(), ids=lambda p: f"{p.parent.name}-{p.name}")
def test_cached_reports_equal_uncached_reports(
    source: Path, tmp_path: Path, fake_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo", source / "repo" if (source / "repo").is_dir() else source)
    if (source / "home").is_dir():
        install_home(source / "home", fake_home, repo)
    settle(repo, fake_home)
    for fmt in ("json", "sarif", "text"):
        args = ["check", "--user", "--format", fmt, str(repo)]
        uncached = run([*args[:1], "--no-cache", *args[1:]])
        cold = run(args)
        warm = run(args)
        assert cold == uncached
        assert warm == uncached


# Links and imports: the files they lead to are inputs too, and so is where a link leads.
HOME_IMPORT = "# Agents\n\nTeam notes: @~/.claude/team-notes.md\n"


@pytest.fixture
def linked(repo: Path) -> Path:
    write(repo, "CLAUDE.md", "@docs/guide.md\n")
    write(repo, "docs/guide.md", "# Guide\n\nRun the tests.\n")
    write(repo, "docs/plain.md", "# Agents\n\nBe brief.\n")
    write(repo, "docs/home.md", HOME_IMPORT)
    (repo / "AGENTS.md").unlink(missing_ok=True)
    (repo / ".claude" / "CLAUDE.md").symlink_to("../docs/plain.md")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "links"], check=True)
    settle(repo)
    return repo


def test_the_file_a_link_leads_to_is_an_input(linked: Path, runs: list[int]) -> None:
    assert "PAR102" not in codes(check_json(linked))
    (linked / "docs" / "plain.md").write_text(HOME_IMPORT, encoding="utf-8")
    settle(linked)
    assert "PAR102" in codes(check_json(linked))
    assert runs == [1, 1]


@pytest.mark.parametrize("staged", [False, True])
def test_pointing_a_link_elsewhere_is_a_miss(linked: Path, runs: list[int], staged: bool) -> None:
    # Unstaged, git's listing still has the old link: only where it leads now tells them apart.
    assert "PAR102" not in codes(check_json(linked))
    link = linked / ".claude" / "CLAUDE.md"
    link.unlink()
    link.symlink_to("../docs/home.md")
    if staged:
        subprocess.run(["git", "-C", str(linked), "add", "-A"], check=True)
    settle(linked)
    assert "PAR102" in codes(check_json(linked))
    link.unlink()
    link.symlink_to("../docs/missing.md")  # now dangling
    settle(linked)
    assert "PAR111" in codes(check_json(linked))
    assert runs == [1, 1, 1]


def test_an_imported_file_is_an_input(linked: Path, runs: list[int]) -> None:
    assert codes(check_json(linked)) == codes(check_json(linked))
    (linked / "docs" / "guide.md").write_text("# Guide\n\nSee @docs/missing.md\n")
    settle(linked)
    assert "PAR113" in codes(check_json(linked))
    write(linked, "docs/docs/missing.md", "# Found\n")  # ignored: the listing does not change
    write(linked, ".git/info/exclude", "docs/docs/\n")
    settle(linked)
    assert "PAR113" not in codes(check_json(linked))
    assert runs == [1, 1, 1]


def test_allow_unknown_settings_is_an_input(repo: Path, runs: list[int]) -> None:
    write(repo, ".claude/settings.json", json.dumps({"x-team": "core", "teamNotes": "hi"}))
    settle(repo)
    assert codes(check_json(repo)) == ["PAR011", "PAR011"]
    write(repo, "pyproject.toml", '[tool.parity]\nallow-unknown-settings = ["x-*"]\n')
    settle(repo)
    assert codes(check_json(repo)) == ["PAR011"]
    write(repo, "pyproject.toml", '[tool.parity]\nallow-unknown-settings = ["x-*", "team*"]\n')
    settle(repo)
    assert codes(check_json(repo)) == []
    assert runs == [1, 1, 1]


def test_an_inline_suppression_comment_is_an_input(repo: Path, runs: list[int]) -> None:
    skill = "---\nname: sync\ndescription: Sync notes.\n---\n\nRead ~/.claude/notes/a.md first.\n"
    write(repo, ".claude/skills/sync/SKILL.md", skill)
    settle(repo)
    assert "PAR102" in codes(check_json(repo))
    write(repo, ".claude/skills/sync/SKILL.md", skill + "<!-- parity: ignore-file PAR102 -->\n")
    settle(repo)
    assert "PAR102" not in codes(check_json(repo))
    assert "PAR102" not in codes(check_json(repo))  # a hit keeps the comment's effect
    write(repo, ".claude/skills/sync/SKILL.md", skill + "<!-- parity: ignore-file PAR1O2 -->\n")
    settle(repo)
    assert {"PAR004", "PAR102"} <= set(codes(check_json(repo)))  # a typo silences nothing
    assert runs == [1, 1, 1]


def test_show_all_unfolds_a_cached_report(repo: Path, runs: list[int]) -> None:
    hooks = [{"type": "command", "command": f"~/.claude/hooks/step{n}.sh"} for n in range(6)]
    write(repo, ".claude/settings.json", json.dumps({"hooks": {"Stop": [{"hooks": hooks}]}}))
    settle(repo)
    folded = run(["check", str(repo)])
    shown = run(["check", "--show-all", str(repo)])
    assert runs == [1]
    assert "more PAR102 like this" in folded.out
    assert "more PAR102 like this" not in shown.out
    assert all(f"~/.claude/hooks/step{n}.sh" in shown.out for n in range(6))


def test_an_untracked_script_becoming_gitignored_is_a_miss(repo: Path, runs: list[int]) -> None:
    # The hook's script lies outside every place configuration can live: git is asked about it
    # only as an untracked entry of the tree, and its answer (untracked, then ignored, then
    # untracked beside an untracked folder) keys the cache all the same.
    settings = json.loads(SETTINGS)
    settings["hooks"]["SessionStart"][0]["hooks"][0]["command"] = "bash scripts/setup.sh"
    write(repo, ".claude/settings.json", json.dumps(settings))
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "hook"], check=True)
    write(repo, "scripts/setup.sh", "#!/bin/sh\necho ready\n", mode=0o755)
    settle(repo)

    def why() -> list[str]:
        doc = check_json(repo)
        return [
            f["message"].split(", which ")[1].split(":")[0]  # type: ignore[index]
            for f in doc["findings"]  # type: ignore[attr-defined]
            if f["code"] == "PAR103"  # type: ignore[index]
        ]

    assert why() == ["is not committed"]
    write(repo, ".git/info/exclude", "scripts/\n")  # the listing of tracked files is unchanged
    settle(repo)
    assert why() == ["is gitignored"]
    write(repo, ".git/info/exclude", "")
    write(repo, "build/out.js", "x\n")
    settle(repo)
    assert why() == ["is not committed"]
    assert runs == [1, 1, 1]


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [1, 2.5, 1e400, 12345678901234567890, true, null, "\\udc80 \\u00e9"]}',
        ' {"a": 1}\n',
        '{"a": NaN, "b": -Infinity}',
        '{"a": 1, "a": 2}',
        '"\\u0001"',
        "",
        "{not json",
        "[1, 2",
        '{"a": 1}{"b": 2}',
        '"\x01"',
    ],
)
def test_entries_are_read_as_json_reads_them(tmp_path: Path, text: str) -> None:
    # Without importing json (parity.replay): its C scanner raises its errors through json.
    path = tmp_path / "entry.json"
    path.write_text(text, encoding="utf-8")
    code = (
        "import sys\n"
        "from parity import cache\n"
        "def answer(read):\n"
        "    try:\n"
        "        return repr(read())\n"
        "    except ValueError as exc:\n"
        "        return type(exc).__name__\n"
        "first = answer(lambda: cache.read_json(sys.argv[1]))\n"
        "import json\n"
        "print(first == answer(lambda: json.loads(open(sys.argv[1], encoding='utf-8').read())))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.stdout == "True\n", proc.stderr


def test_an_entry_is_read_by_json_when_the_private_scanner_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # _json.make_scanner is CPython's private API: another Python's may take other options.
    import _json

    def other(context: object) -> object:
        raise TypeError("make_scanner() takes other arguments")

    monkeypatch.setattr(_json, "make_scanner", other)
    path = tmp_path / "entry.json"
    path.write_text('{"a": [1, 2.5]}', encoding="utf-8")
    assert cache.read_json(path) == {"a": [1, 2.5]}


def test_probes_inside_pythons_folders_are_kept_when_asked() -> None:
    # A replay keeps where a repository's links lead even inside Python's folders (a system
    # Python's prefix is /usr); the results cache leaves out what Python itself looks at.
    inside = os.path.join(sys.prefix, "no-such-parity-probe")
    with cache.recording() as recorder:
        os.path.lexists(inside)
        os.path.realpath(os.path.join(inside, "x"))
    assert all(path != inside for _, path, _ in recorder.inputs())
    assert ["lstat", inside, "error:2"] in recorder.inputs(probes=True)
    assert all(not path.startswith(cache._PACKAGE) for _, path, _ in recorder.inputs(probes=True))
