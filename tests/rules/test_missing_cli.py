"""PAR202 the other way round: what the image has and the repository installs, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import make_repo, run, write


def _reported(tmp_path: Path, script: str, **files: str) -> list[str]:
    """The programs PAR202 reports for a Stop hook running ``script``, on the default image."""
    repo = make_repo(tmp_path / "repo", commit=False)
    hook = {"type": "command", "command": '"$CLAUDE_PROJECT_DIR"/.claude/hooks/stop.sh'}
    write(repo, ".claude/settings.json", json.dumps({"hooks": {"Stop": [{"hooks": [hook]}]}}))
    write(repo, ".claude/hooks/stop.sh", "#!/bin/bash\n" + script, mode=0o755)
    for rel, text in files.items():
        write(repo, rel.replace("__", "/"), text)
    result = run(["check", "--select", "PAR202", "--format", "json", str(repo)])
    return [f["message"].split("`")[1] for f in json.loads(result.out)["findings"]]


QUIET = {
    "builtins and keywords": (
        'set -euo pipefail\ncd "$CLAUDE_PROJECT_DIR"\nexport X=1\nread -r line\n'
        'if [[ "$F" =~ \\.(ts|md)$ ]]; then echo ok; fi\nwhile :; do break; done\n'
        "for f in *.py; do printf '%s' \"$f\"; done\nlocal_var=$((1 + 2)); (( n++ ))\n"
    ),
    "the base system": "sed -n 1p x | awk '{print $1}' | sort | uniq -c | xargs -n1 basename\n"
    "find . -name '*.py' | head | tee out.txt; sha256sum out.txt; column -t out.txt\n",
    "toolchains": "python3 -m pytest -q && npm test && cargo fmt && go vet ./... && rg TODO\n",
    "case patterns and arrays": (
        'FILES=(a.py b.py)\ncase "$TOOL" in\n  Edit|Write) ruff format "$F" ;;\n'
        "  *.md)\n    echo md\n    ;;\n  *) exit 0 ;;\nesac\narr+=(c d)\n"
    ),
    "variables and paths": '"$FORMATTER" "$F"\n${RUNNER:-npx} prettier .\n./scripts/x.sh\n',
    "a function": 'notify() { echo "$1"; }\nnotify done\nfunction lint { ruff check .; }\nlint\n',
    "a check first": "command -v notify-send >/dev/null || exit 0\nnotify-send done\n",
    "installed before": "npm install -g @biomejs/biome@1.9.4\nbiome check .\n",
    "a curl installer": "curl -fsSL https://flox.dev/install.sh | bash\nflox activate -- make\n",
    "unconfirmed": "rsync -a src/ dst/ && lsof -i :3000 || true\n",
}


@pytest.mark.parametrize("name", sorted(QUIET))
def test_what_the_image_or_the_script_provides_is_not_reported(
    tmp_path: Path, fake_home: Path, name: str
) -> None:
    assert _reported(tmp_path, QUIET[name]) == []


PACKAGE_JSON = json.dumps(
    {"devDependencies": {"prettier": "3.3.3", "typescript": "5.6.2", "@biomejs/biome": "1.9.4"}}
)
PYPROJECT = """
[project]
name = "app"
dependencies = ["django>=5", "pre_commit"]
[project.scripts]
appctl = "app.cli:main"
[dependency-groups]
dev = ["sqlfluff==3.2.0"]
"""


@pytest.mark.parametrize(
    ("script", "files"),
    [
        ("prettier --check . && tsc --noEmit && biome check .\n", {"package.json": PACKAGE_JSON}),
        ("appctl migrate && django-admin check && pre-commit run\n", {"pyproject.toml": PYPROJECT}),
        ("sqlfluff lint sql/\n", {"pyproject.toml": PYPROJECT}),
        ("rubocop -a\n", {"Gemfile": "source 'https://rubygems.org'\ngem 'rubocop', '~> 1.66'\n"}),
        ("eslint .\n", {"web__package.json": json.dumps({"devDependencies": {"eslint": "9.0.0"}})}),
        (
            "tsx scripts/gen.ts\n",
            {
                "package-lock.json": json.dumps(
                    {"packages": {"node_modules/tsx": {"version": "4.19.1", "bin": {"tsx": "x"}}}}
                )
            },
        ),
        ("black .\n", {"requirements-dev.txt": "black==24.8.0\n"}),
    ],
)
def test_what_the_package_files_install_is_not_reported(
    tmp_path: Path, fake_home: Path, script: str, files: dict[str, str]
) -> None:
    assert _reported(tmp_path, script, **files) == []


@pytest.mark.parametrize(
    ("script", "programs"),
    [
        ("flox activate -- npm test\n", ["flox"]),
        ('nu -c "open x.json"\n', ["nu"]),
        ("prettier --write .\n", ["prettier"]),  # no package.json provides it
        ('notify-send "Claude finished"\n', ["notify-send"]),
        ("osascript -e 'display notification \"done\"'\n", ["osascript"]),
        ("terraform fmt -check\n", ["terraform"]),  # known to be missing
        ("biome check .\nnpm install -g @biomejs/biome\n", ["biome"]),  # installed after use
    ],
)
def test_programs_nothing_provides_are_reported(
    tmp_path: Path, fake_home: Path, script: str, programs: list[str]
) -> None:
    assert _reported(tmp_path, script) == programs


def test_the_message_gives_the_profile_date(tmp_path: Path, fake_home: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    hook = {"type": "command", "command": "flox activate -- make"}
    write(repo, ".claude/settings.json", json.dumps({"hooks": {"Stop": [{"hooks": [hook]}]}}))
    result = run(["check", "--select", "PAR202", "--format", "json", str(repo)])
    (finding,) = json.loads(result.out)["findings"]
    assert "(as of 2026-11-22)" in finding["message"]
    assert finding["severity"] == "warning"
