"""Shell parsing details the rules rely on."""

from __future__ import annotations

from parity.shell import parse


def test_command_v_looks_a_program_up_without_running_it() -> None:
    cmds = parse("if command -v bundle >/dev/null; then bundle install; fi")
    assert [c.argv for c in cmds] == [("command", "-v", "bundle"), ("bundle", "install")]


def test_command_as_a_wrapper_still_runs_the_program() -> None:
    assert [c.argv for c in parse("command npm ci")] == [("npm", "ci")]
