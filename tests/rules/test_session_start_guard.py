"""PAR204's reading of idempotent SessionStart scripts: when does an install run at every start?"""

from __future__ import annotations

import pytest

from parity.findings import Location
from parity.rules._cloud import HOOK, SCRIPT, Site, install_of, word_column
from parity.rules.par204_unguarded_session_start import only_when_missing
from parity.shell import parse, parse_script


def _script_install(text: str) -> Site:
    """The site of the first install in a SessionStart script."""
    lines = text.split("\n")
    for cmd in parse_script(text):
        if install_of(cmd) is not None:
            col = word_column(lines[cmd.line - 1], cmd.argv[0]) + 1
            loc = Location("s.sh", cmd.line, col)
            return Site(
                cmd, loc, SCRIPT, "SessionStart", "s.sh", text, line_text=lines[cmd.line - 1]
            )
    raise AssertionError("no install in the script")


def _hook_install(command: str) -> Site:
    cmd = next(c for c in parse(command) if install_of(c) is not None)
    return Site(cmd, Location("settings.json", 1, 1), HOOK, "SessionStart", None, command)


SKIPS_WHEN_INSTALLED = [
    'poetry run python -c "import fastapi" 2>/dev/null && exit 0\npoetry install\n',
    "python3 -c 'import yaml' 2>/dev/null && exit 0\npip install pyyaml\n",
    "[ -d node_modules ] && exit 0\nnpm ci\n",
    'if [ -f "$STAMP" ]; then\n  echo "up to date"\n  exit 0\nfi\nnpm ci\ntouch "$STAMP"\n',
    'if [ "$(cat .deps-stamp 2>/dev/null)" = "$HASH" ]; then exit 0; fi\nnpm ci\n',
    "set -e\n[ -d node_modules ] || npm ci\n",
    "if [ ! -d .venv ]; then\n  uv sync --frozen\nfi\n",
    "if ! command -v jq >/dev/null; then\n  apt-get install -y jq\nfi\n",
    "node -e \"require('esbuild')\" 2>/dev/null || npm ci\n",
    "test -d vendor/bundle || bundle install\n",
]


@pytest.mark.parametrize("text", SKIPS_WHEN_INSTALLED)
def test_installs_skipped_when_present_are_not_run_every_start(text: str) -> None:
    assert only_when_missing(_script_install(text))


RUNS_EVERY_START = [
    "npm ci\n",
    "[ -f package.json ] && npm ci\n",  # the manifest is always there
    "if [ -f requirements.txt ]; then\n  pip install -r requirements.txt\nfi\n",
    "npm ci || npm install\n",  # a fallback, not a check
    "[ -d node_modules ] || echo missing\nnpm ci\n",  # the test guards something else
    "if [ -d node_modules ]; then\n  echo present\nfi\nnpm ci\n",
    '[ -n "$CI" ] && exit 0\nnpm ci\n',  # not about the install
    "[ -d node_modules ] || exit 0\nnpm ci\n",  # exits when missing: installs when present
]


@pytest.mark.parametrize("text", RUNS_EVERY_START)
def test_installs_that_run_at_every_start_stay_reported(text: str) -> None:
    assert not only_when_missing(_script_install(text))


@pytest.mark.parametrize(
    ("command", "skipped"),
    [
        ("[ -d node_modules ] || npm ci", True),
        ("test -d .venv || uv sync", True),
        ("[ ! -d node_modules ] && npm ci", True),
        ("[ -f package.json ] && npm ci", False),
        ("cd web && npm ci", False),
        ("test -d vendor/bundle || bundle install", True),
        ("npm ci", False),
    ],
)
def test_hook_commands(command: str, skipped: bool) -> None:
    assert only_when_missing(_hook_install(command)) is skipped
