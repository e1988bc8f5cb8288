"""What start-up imports: `parity --version` no CLI framework, importing the rules no YAML, TOML
or package-resource machinery, a check of a repository without config nothing it has no use
for, and patterns compiled on first use behave as compiled ones."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from parity._lazy import lazy_compile
from parity._sha256 import LARGE, sha256
from tests.helpers import ONE_PROCESSOR, make_repo, write


def _modules_after(code: str, cwd: Path | None = None) -> tuple[str, list[str]]:
    # On one processor: nothing is imported ahead while git lists the tree (import_ahead, whose
    # own tests are below), so what a check imports does not depend on how long git took.
    probe = f"import sys\n{ONE_PROCESSOR}{code}\nprint('MODULES', ' '.join(sorted(sys.modules)))\n"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd
    )
    *out, last = proc.stdout.splitlines()
    return "\n".join(out), last.split()[1:]


def test_version_imports_no_click() -> None:
    out, modules = _modules_after("from parity.cli import main\nmain(['--version'])")
    assert out == "parity, version " + __import__("parity").__version__
    assert not [m for m in modules if m == "click" or m.startswith(("click.", "parity.rules"))]


def test_version_says_what_click_says() -> None:
    from click.testing import CliRunner

    from parity.cli import cli

    out, _ = _modules_after("from parity.cli import main\nmain(['-V'])")
    assert CliRunner().invoke(cli(), ["--version"]).output == out + "\n"


def test_importing_every_rule_imports_no_yaml_toml_or_resources() -> None:
    _, modules = _modules_after("from parity.rules import all_rules\nall_rules()")
    heavy = ("yaml", "tomlkit", "importlib.resources", "tempfile", "jsonschema")
    assert not [m for m in modules if m.startswith(heavy)]


# What a check of a repository without config has no use for: no rule reads anything there, no
# path needs masking, no finding needs folding or escaping.
_NOT_FOR_A_CLEAN_EMPTY_CHECK = (
    "parity.rules.par",
    "parity.rules.base",
    "parity.rules._",  # the rules' helpers (not the index: selection reads it)
    "parity._lazy",
    "parity.secrets",
    "parity.items",
    "parity.hooks",
    "parity.load",
    "parity.validate",
    "parity.report.fold",
    "parity.text",
    "jsonschema",
    "referencing",
    "yaml",
    "tomlkit",
    "rich",
    "importlib.resources",
    "bisect",  # (a C extension) for folder links, YAML positions and the scanner
    "_bisect",
)


@pytest.mark.parametrize("output", ["text", "json"])
def test_checking_a_repository_without_config_imports_nothing_it_does_not_use(
    output: str, tmp_path: Path, fake_home: Path
) -> None:
    write(tmp_path / "repo", "README.md", "# A project\n")
    write(tmp_path / "repo", "src/main.py", "print('hi')\n")
    repo = make_repo(tmp_path / "repo")
    code = f"from parity.cli import main\nmain(['check', '--no-cache', '--format', {output!r}])"
    out, modules = _modules_after(code, cwd=repo)
    assert '"total": 0' in out if output == "json" else out == "No problems found in 0 files."
    unused = [
        m
        for m in modules
        if m.startswith(_NOT_FOR_A_CLEAN_EMPTY_CHECK) and m != "parity.rules._index"
    ]
    # JSON output is written through parity.text (its escaping), findings or not.
    assert unused == ([] if output == "text" else ["parity.text"])


def test_checking_shared_config_imports_no_item_model(tmp_path: Path, fake_home: Path) -> None:
    # parity.items serves --user (PAR101), local-only files (PAR106) and a fix (PAR107).
    write(tmp_path / "repo", ".claude/settings.json", '{"enabledPlugins": {"a@b": true}}\n')
    write(tmp_path / "repo", "CLAUDE.md", "# Notes\n")
    repo = make_repo(tmp_path / "repo")
    _, modules = _modules_after("from parity.cli import main\nmain(['check', '--no-cache'])", repo)
    assert "parity.rules.par107_plugin_marketplace_not_declared" in modules
    assert "parity.items" not in modules


def test_a_python_project_without_parity_settings_imports_no_tomlkit(
    tmp_path: Path, fake_home: Path
) -> None:
    other = '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 99\n'
    write(tmp_path / "repo", "pyproject.toml", other)
    repo = make_repo(tmp_path / "repo")
    probe = "from parity.cli import main\nmain(['check', '--no-cache'])"
    out, modules = _modules_after(probe, repo)
    assert out == "No problems found in 0 files."
    assert not [m for m in modules if m.startswith("tomlkit")]
    # With a [tool.parity] table, tomlkit reads it as before (its values, its messages).
    write(repo, "pyproject.toml", '[project]\nname = "x"\n\n[tool.parity]\nignore = ["PAR1"]\n')
    assert "tomlkit" in _modules_after(probe, repo)[1]
    write(repo, "pyproject.toml", "[project\n")
    command = [sys.executable, "-m", "parity", "check", "--no-cache"]
    proc = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    assert (proc.returncode, proc.stderr.count("invalid TOML")) == (2, 1)


@pytest.mark.parametrize("flags", [0, re.IGNORECASE | re.MULTILINE])
def test_a_lazy_pattern_is_the_compiled_pattern(flags: int) -> None:
    text = "Token: abc\ntoken = XYZ\n"
    lazy, eager = (
        lazy_compile(r"^token\s*[:=]\s*(\w+)", flags),
        re.compile(r"^token\s*[:=]\s*(\w+)", flags),
    )
    assert [m.span(1) for m in lazy.finditer(text)] == [m.span(1) for m in eager.finditer(text)]
    assert lazy.sub("-", text) == eager.sub("-", text)
    assert (lazy.pattern, lazy.flags, lazy.groups) == (eager.pattern, eager.flags, eager.groups)


# A check of a typical repository defines no dataclass: each costs about 3.5 million
# instructions at import (its methods are generated source, compiled one by one), a NamedTuple
# about a fifth of that. Plain immutable records are NamedTuples (the mutable inventory a plain
# class, rules and fixes NamedTuples checked in __new__).
def test_a_typical_check_defines_no_dataclass(tmp_path: Path, fake_home: Path) -> None:
    # An unpinned npx package: a finding (PAR209), so the text report folds.
    server = '{"mcpServers": {"s": {"command": "npx", "args": ["-y", "@a/b"]}}}\n'
    write(tmp_path / "repo", ".mcp.json", server)
    write(tmp_path / "repo", ".claude/settings.json", '{"permissions": {"allow": ["Read"]}}\n')
    write(tmp_path / "repo", ".claude/agents/a.md", "---\nname: a\ndescription: A\n---\nHi\n")
    write(tmp_path / "repo", ".claude/skills/s/SKILL.md", "---\nname: s\ndescription: S\n---\n")
    write(tmp_path / "repo", "CLAUDE.md", "# Notes\n")
    repo = make_repo(tmp_path / "repo")
    probe = (
        "from parity.cli import main\nmain(['check', '--no-cache', '--exit-zero'])\n"
        "print('DATACLASSES', *sorted(f'{m.__name__}.{n}' for m in list(sys.modules.values())"
        " if m.__name__.startswith('parity') for n, c in vars(m).items()"
        " if isinstance(c, type) and c.__module__ == m.__name__"
        " and '__dataclass_fields__' in vars(c)))"
    )
    out, modules = _modules_after(probe, repo)
    defined = set(out.splitlines()[-1].split()[1:])
    assert "parity.rules.par020_mcp_schema" in modules
    assert "parity.report.fold" in modules
    assert defined == set()


def test_patterns_for_unusual_input_compile_on_first_use() -> None:
    # A check of well-formed JSON and frontmatter never uses these (about 10 M instructions).
    from parity import _yaml, load

    unusual = (
        load._DEPTH_TOKENS,
        load._NUMBER,
        load._JSON_MESSAGE_TAIL,
        load._NON_FINITE,
        load._FRONTMATTER_CLOSE,
        _yaml._PAIR,
        _yaml._INDICATOR,
        _yaml._LEADING_TABS,
    )
    assert not [p for p in unusual if isinstance(p, re.Pattern)]


def test_importing_the_scanner_builds_no_placeholder_pattern() -> None:
    # The tree of the placeholder words (25 words through re.escape: ~1.4 M instructions) is
    # built when the first value is tested, not by every run that imports the scanner.
    probe = (
        "seen = []\n"
        "def watch(frame, event, arg):\n"
        "    if event == 'call' and frame.f_code.co_name == '_alternation':\n"
        "        seen.append(repr(frame.f_locals.get('words')))\n"
        "sys.setprofile(watch)\n"
        "import parity.secrets\n"
        "sys.setprofile(None)\n"
        "print(any('placeholder' in words for words in seen), len(seen) > 0)\n"
        "print(parity.secrets.is_placeholder('your-api-key'))"
    )
    out, _ = _modules_after(probe)
    assert out.splitlines() == ["False True", "True"]


def test_printable_text_and_short_values_compile_no_pattern_of_the_text_module() -> None:
    # Most messages are printable and most quoted values short: the escaping and cutting
    # patterns (about 1.5 ms to compile, classes beyond Latin-1) are not needed for them.
    probe = (
        "from parity import text\n"
        "text.display('Run npm ci: é, 日本'); text.dumps({'a': ['b', 1]}); text.quote('x')\n"
        "print(text._compiled.cache_info().currsize)"
    )
    out, _ = _modules_after(probe)
    assert out == "0"


def test_markdown_without_frontmatter_or_special_scalars_compiles_no_frontmatter_pattern(
    tmp_path: Path,
) -> None:
    # Most Markdown has no frontmatter, and most frontmatter values are plain words: the
    # frontmatter patterns (one a class of JavaScript's blanks, ~0.5 ms to compile) and the
    # YAML scalar patterns are not needed for them.
    write(tmp_path, "CLAUDE.md", "# Notes\n\nUse the tests.\n")
    write(tmp_path, "a.md", "---\ndescription: Does things.\nmodel: opus\n---\nBody\n")
    probe = (
        "import re\nfrom pathlib import Path\nfrom parity import _yaml, load\n"
        f"root = Path({str(tmp_path)!r})\n"
        "plain = load.load_markdown(root / 'CLAUDE.md', 'CLAUDE.md')\n"
        "lazy = (load._CLIENT_FRONTMATTER, load._FRONTMATTER_OPEN, load._PREAMBLE,"
        " load._INDENTED_OPEN)\n"
        "print(sum(p._compiled is not None for p in lazy))\n"
        "meta = load.load_markdown(root / 'a.md', 'a.md')\n"
        "print(meta.value, sum(p._compiled is not None for table in"
        " _yaml._CORE_RESOLVERS.values() for _, p in table))"
    )
    out, _ = _modules_after(probe)
    assert out.splitlines() == ["0", "{'description': 'Does things.', 'model': 'opus'} 0"]


@pytest.mark.parametrize("size", [0, 1, 64, LARGE, LARGE + 1])
def test_sha256_without_openssl_gives_hashlibs_digest(size: int) -> None:
    import hashlib

    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    fed = sha256(data[:1], size=size)
    fed.update(data[1:])
    assert fed.hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_check_with_findings_loads_no_openssl(tmp_path: Path, fake_home: Path) -> None:
    # Fingerprints, fix bases, secret digests and the file listing's digest are SHA-256 of
    # short text: `import hashlib` (OpenSSL, ~11 M instructions) is for large inputs only.
    server = (
        '{"mcpServers": {"s": {"command": "npx", "args": ["-y", "@a/b"],'
        ' "env": {"API_KEY": "sk-ant-api03-' + "A" * 93 + 'AA"}}}}\n'
    )
    write(tmp_path / "repo", ".mcp.json", server)
    write(tmp_path / "repo", "CLAUDE.md", "# Notes\n")
    repo = make_repo(tmp_path / "repo")
    probe = "from parity.cli import main\nmain(['check', '--no-cache', '--exit-zero'])"
    out, modules = _modules_after(probe, repo)
    assert "PAR401" in out
    assert "PAR209" in out
    assert not [m for m in modules if m in ("hashlib", "_hashlib")]


def test_a_check_without_cache_baseline_or_json_imports_no_json(
    tmp_path: Path, fake_home: Path
) -> None:
    # The json module (~5 M instructions to import) is for the results cache, baselines, JSON
    # files and JSON output; an uncached text check of a repository without config needs none.
    write(tmp_path / "repo", "README.md", "# A project\n")
    repo = make_repo(tmp_path / "repo")
    probe = "from parity.cli import main\nmain(['check', '--no-cache'])"
    out, modules = _modules_after(probe, repo)
    assert out == "No problems found in 0 files."
    assert "json" not in modules


def test_what_a_check_imports_ahead_a_check_of_a_configured_repository_imports_anyway() -> None:
    # While git lists a large tree, a check imports what it will need (parity.ahead.import_ahead):
    # nothing that a check of a repository configured for Claude Code would not import too.
    example = Path(__file__).resolve().parents[1] / "docs" / "example"
    _, checked = _modules_after(
        "from parity.cli import main\nmain(['check', '--no-cache', '--exit-zero', '.'])", example
    )
    # (With a processor to spare, and a listing that never ends.)
    _, ahead = _modules_after(f"{_SPARE}c.import_ahead(lambda within: True)")
    assert {"jsonschema", "yaml", "parity.rules.par010_settings_schema"} <= set(ahead)
    assert sorted(set(ahead) - set(checked)) == []


# A probe's lines: parity.ahead as c, as if a processor were to spare.
_SPARE = "import parity.ahead as c\nc._spare_processor = lambda: True\n"


def test_nothing_is_imported_ahead_of_a_listing_that_ends_soon_or_on_one_processor() -> None:
    base = _modules_after(_SPARE)[1]
    assert _modules_after(f"{_SPARE}c.import_ahead(lambda within: False)")[1] == base
    # (_modules_after runs on one processor.)
    assert _modules_after("import parity.ahead as c\nc.import_ahead(lambda s: True)")[1] == base


@pytest.mark.parametrize(
    ("processors", "load", "spare"),
    [({0}, 0.0, False), ({0, 1}, 0.2, True), ({0, 1}, 1.6, False), ({0, 1, 2, 3}, 3.2, True)],
)
def test_a_processor_is_to_spare_when_the_load_leaves_one(
    monkeypatch: pytest.MonkeyPatch, processors: set[int], load: float, spare: bool
) -> None:
    import os

    import parity.ahead

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: processors, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert parity.ahead._spare_processor() is spare


def test_a_check_imports_ahead_while_git_lists_the_tree(
    tmp_path: Path, fake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import parity.check
    from parity.check import CheckOptions, run_check

    repo = make_repo(tmp_path / "repo")
    write(repo, ".claude/settings.json", "{}\n")
    calls: list[bool] = []
    monkeypatch.setattr(parity.check, "import_ahead", lambda busy: calls.append(busy(600)))
    run_check(CheckOptions(no_cache=True), cwd=repo)
    assert calls == [False]  # called once, while git ran, and waited for git to end
