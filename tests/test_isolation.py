"""The test suite's own guard: a fake home, and a failure for any access to the real one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from tests import conftest


def test_home_is_fake(fake_home: Path) -> None:
    assert Path(os.environ["HOME"]) == fake_home
    assert conftest.REAL_HOME not in fake_home.parents
    assert "CLAUDE_CONFIG_DIR" not in os.environ
    assert Path.home() == fake_home


def test_guard_records_real_home_access() -> None:
    # A path under the real ~/.claude that cannot exist: the open is attempted, nothing is read.
    probe = conftest.REAL_HOME / ".claude" / "parity-guard-probe-does-not-exist" / "x"
    with contextlib.suppress(OSError):
        probe.open()
    assert conftest._touched, "the audit hook did not see the access"
    conftest._touched.clear()  # this test meant to touch it; do not fail it


def test_guard_ignores_the_fake_home(fake_home: Path) -> None:
    (fake_home / ".claude").mkdir()
    (fake_home / ".claude" / "settings.json").write_text("{}")
    assert not conftest._touched
