"""Scripts a hook command runs, as script_refs finds them."""

from __future__ import annotations

from parity.hooks import script_refs
from parity.shell import parse


def _refs(command: str) -> list[str | None]:
    return [r.rel or r.home_rel for c in parse(command) for r in script_refs(c)]


def test_interpreter_running_inline_code_runs_no_script() -> None:
    assert _refs("python3 -c 'import x; x.run()'") == []
    assert _refs("node -e \"require('x').y()\"") == []
    assert _refs("python -m tools.check") == []


def test_interpreter_and_direct_scripts() -> None:
    assert _refs("bash -e scripts/setup.sh") == ["scripts/setup.sh"]
    assert _refs("python3 tools/check.py --fast") == ["tools/check.py"]
    assert _refs('"$CLAUDE_PROJECT_DIR"/.claude/hooks/x.sh') == [".claude/hooks/x.sh"]
    assert _refs("bash -c './run.sh'") == ["run.sh"]
