"""Property tests: names from the repository stay inert in the generated SessionStart script.

Folder, file, MCP server and package names of every character class (line breaks, quotes, `$()`,
backticks, controls, bidi characters, bytes that are not UTF-8): the script passes ``bash -n`` and
shellcheck, and in a cloud session it runs exactly the commands that a plain-named repository's
script runs (issue 24.1).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parity.cloudinit.detect import _NPM_NAME, _SKIP_PARTS
from parity.cloudinit.recipes import recipe_for
from parity.shell import parse
from parity.text import display
from tests.cloudinit.stubs import make_stubs, run_script
from tests.cloudinit.test_script import _shellcheck, bash_syntax, shellcheck
from tests.helpers import git, run

SCRIPT = ".claude/hooks/session-start.sh"
PROPERTY = settings(
    # Each example runs git, bash -n, shellcheck and the script: 20 keep CI fast; raise it to
    # search harder (PARITY_PROPERTY_EXAMPLES=500).
    max_examples=int(os.environ.get("PARITY_PROPERTY_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Every character a file name can hold (not "/" or NUL), plus bytes that are not UTF-8, which
# os.fsdecode turns into the surrogates U+DC80..U+DCFF.
_RAW_BYTES = st.sampled_from([chr(0xDC80 + i) for i in range(128)])
NAME_CHAR = st.characters(exclude_characters="/\0", exclude_categories=("Cs",)) | _RAW_BYTES
TRICKY = st.sampled_from(["\n", "\r", "'", '"', "`", "$(", "#", "\\", " ", "\x1b", "\u202e", "*"])
# Text for JSON strings: anything, lone surrogates included (valid JSON as \ud800 escapes).
ANY_TEXT = (
    st.lists(st.text(st.characters(), max_size=4) | TRICKY, min_size=1, max_size=5)
    .map("".join)
    .filter(bool)
)


@st.composite
def folder_names(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.text(NAME_CHAR, max_size=4) | TRICKY, min_size=1, max_size=4))
    name = "".join(parts)
    assume(name and not name.startswith(".") and name not in _SKIP_PARTS)
    assume(len(os.fsencode(name)) < 200 and "git~" not in name.lower())
    return name


def fresh_repo(files: dict[str, str | bytes]) -> Path | None:
    """A committed repository holding ``files``; None when git refuses a name."""
    root = Path(tempfile.mkdtemp(prefix="parity-prop-")) / "repo"
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    git(root.parent, "init", "-q", "-b", "main", str(root))
    added = subprocess.run(["git", "-C", str(root), "add", "-A"], capture_output=True, check=False)
    if added.returncode != 0:
        return None
    git(root, "commit", "-qm", "fixture")
    return root


def start(root: Path, tmp: Path, env_file: Path | None = None) -> list[bytes]:
    """Write the script, check it, run it as a cloud session's SessionStart; the stub calls."""
    written = run(["cloud-init", "--write"], cwd=root)
    assert written.code == 0, written.err
    script = root / SCRIPT
    text = script.read_bytes()
    assert all(display(line) == line for line in text.decode("utf-8").split("\n"))
    syntax = bash_syntax(script)
    assert syntax.returncode == 0, syntax.stderr
    if _shellcheck() is not None:
        checked = shellcheck(script)
        assert checked.returncode == 0, checked.stdout
    stubs = make_stubs(tmp / "stubs")
    proc = run_script(
        script,
        stubs,
        cwd=root,
        home=tmp / "home",
        remote=True,
        project_dir=str(root),
        env_file=env_file,
    )
    assert proc.returncode == 0, proc.stderr
    return stubs.raw_calls()


def calls_for(files: dict[str, str | bytes]) -> tuple[Path, list[bytes]] | None:
    root = fresh_repo(files)
    if root is None:
        return None
    return root, start(root, root.parent)


LOCKS: dict[str, dict[str, str]] = {
    "npm": {"package.json": '{"name": "x"}\n', "package-lock.json": '{"lockfileVersion": 3}\n'},
    "go": {"go.mod": "module x\n", "go.sum": ""},
    "cargo": {"Cargo.toml": "[package]\nname = 'x'\n", "Cargo.lock": "version = 3\n"},
    "pip": {"requirements.txt": "requests==2.32.3\n"},
}


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="file names as Linux stores them")
@PROPERTY
@given(name=folder_names(), manager=st.sampled_from(sorted(LOCKS)))
def test_folder_names_stay_inert(name: str, manager: str) -> None:
    def tree(folder: str) -> dict[str, str | bytes]:
        return {f"{folder}/{rel}": text for rel, text in LOCKS[manager].items()}

    plain = calls_for(tree("plain"))
    assert plain is not None
    plain_root, plain_calls = plain
    weird = calls_for(tree(name))
    assume(weird is not None)
    assert weird is not None
    root, calls = weird
    folder = os.fsencode(str(root / name))
    expected = [c.replace(os.fsencode(str(plain_root / "plain")), folder) for c in plain_calls]
    assert calls == expected
    assert not list(root.rglob("PWNED"))
    if manager == "pip":  # the session's shell gets the folder's virtualenv, byte for byte
        env_file = root.parent / "env.sh"
        start(root, root.parent / "again", env_file)
        sourced = subprocess.run(
            ["bash", "-c", f'. {env_file.as_posix()!r} && printf %s "$VIRTUAL_ENV"'],
            capture_output=True,
            check=True,
        )
        assert sourced.stdout == folder + b"/.venv"


@PROPERTY
@given(
    suffixes=st.lists(
        st.text(st.characters(categories=("L", "N")) | st.sampled_from("_.-"), max_size=6),
        min_size=1,
        max_size=3,
        unique=True,
    )
)
def test_requirements_file_names_are_passed_as_they_are(suffixes: list[str]) -> None:
    names = sorted(f"requirements{s}.txt" for s in suffixes)
    assume(all(len(os.fsencode(n)) < 200 for n in names))
    result = calls_for(dict.fromkeys(names, "requests==2.32.3\n"))
    assume(result is not None)
    assert result is not None
    root, calls = result
    flags = " ".join(f"-r {n}" for n in names)
    assert [os.fsdecode(c) for c in calls] == [
        f"python3 -m venv .venv|{root}",
        f"python -m pip install --disable-pip-version-check {flags}|{root}",
    ]


@PROPERTY
@given(server=ANY_TEXT, package=ANY_TEXT, uvx=ANY_TEXT)
def test_server_and_package_names_stay_inert(server: str, package: str, uvx: str) -> None:
    spec = f"{package}@1.2.3"
    servers = {
        server: {"command": "npx", "args": ["-y", spec]},
        server + "-uvx": {"command": "uvx", "args": [uvx]},
    }
    result = calls_for({".mcp.json": json.dumps({"mcpServers": servers})})
    assert result is not None
    root, calls = result
    installed = [os.fsdecode(c) for c in calls]
    if _NPM_NAME.fullmatch(package):
        assert installed == [f"npm exec --yes --package={spec} -- true|{root}"]
    else:
        assert installed == []


@PROPERTY
@given(command=ANY_TEXT)
def test_hook_commands_stay_inert(command: str) -> None:
    assume(all(recipe_for(c.name) is None for c in parse(command)))
    assume("\0" not in command)
    settings_json = {"hooks": {"Stop": [{"hooks": [{"type": "command", "command": command}]}]}}
    result = calls_for({".claude/settings.json": json.dumps(settings_json)})
    assert result is not None
    _root, calls = result
    assert calls == []


def _project_dirs_by_pathlib(files: list[str]) -> dict[str, set[str]]:
    # The folders as PurePosixPath read them for each file (before the per-file pathlib went).
    from pathlib import PurePosixPath

    from parity.cloudinit.detect import MAX_DEPTH

    dirs: dict[str, set[str]] = {}
    for rel in files:
        path = PurePosixPath(rel)
        parts = path.parent.parts
        if (
            len(parts) > MAX_DEPTH
            or _SKIP_PARTS & set(parts)
            or any(p.startswith(".") for p in parts)
        ):
            continue
        dirs.setdefault(path.parent.as_posix(), set()).add(path.name)
    return dirs


_DIR_PIECES = [
    "a",
    "b",
    ".",
    "..",
    "",
    "node_modules",
    ".hidden",
    "package.json",
    "x.lock",
    "tests",
]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "/", "./", "//", "///"]),
            st.lists(st.sampled_from(_DIR_PIECES), min_size=1, max_size=5).map("/".join),
            st.sampled_from(["", "/", "/."]),
        ).map("".join),
        max_size=20,
    )
)
def test_project_folders_are_read_as_pathlib_reads_the_paths(files: list[str]) -> None:
    from parity.cloudinit.detect import _project_dirs

    assert _project_dirs(files) == _project_dirs_by_pathlib(files)
