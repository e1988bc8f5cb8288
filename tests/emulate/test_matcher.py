"""SessionStart matcher semantics (reference §3.3) and the handlers a source selects."""

from __future__ import annotations

import pytest

from parity.emulate.hookrun import HookSpec, matcher_matches, select_hooks


@pytest.mark.parametrize(
    ("matcher", "source", "expected"),
    [
        (None, "startup", True),
        ("", "compact", True),
        ("*", "resume", True),
        ("startup", "startup", True),
        ("startup", "resume", False),
        ("startup|resume", "resume", True),
        ("startup, resume", "resume", True),
        ("start", "startup", False),  # exact names: no prefix match
        ("start.*", "startup", True),  # a regex
        ("art", "startup", False),
        ("^(clear|compact)$", "compact", True),
        ("res.me", "resume", True),
        ("(", "startup", False),  # an invalid regex matches nothing
    ],
)
def test_matcher_semantics(matcher: str | None, source: str, expected: bool) -> None:
    assert matcher_matches(matcher, source) is expected


def test_select_hooks_skips_other_sources_and_runs_identical_handlers_once() -> None:
    a = HookSpec("startup", {"type": "command", "command": "a"})
    again = HookSpec("startup|resume", {"type": "command", "command": "a"})
    b = HookSpec("compact", {"type": "command", "command": "b"})
    chosen, skipped = select_hooks([a, again, b], "startup")
    assert chosen == [a]
    assert skipped == [b]


def test_handler_argv_shell_and_exec_form() -> None:
    assert HookSpec(None, {"type": "command", "command": "echo hi"}).argv() == [
        "/bin/sh",
        "-c",
        "echo hi",
    ]
    assert HookSpec(None, {"type": "command", "command": "x"}).argv("/usr/bin/dash")[0] == (
        "/usr/bin/dash"
    )
    exec_form = HookSpec(None, {"type": "command", "command": "python3", "args": ["-V"]})
    assert exec_form.argv() == ["python3", "-V"]
    assert exec_form.name == "python3 -V"
    assert HookSpec(None, {"type": "command", "command": "x", "timeout": 2}).timeout == 2.0
    assert HookSpec(None, {"type": "command", "command": "x"}).timeout == 600.0
