"""The pytest plugin: a `cloud_session` fixture, loaded through the pytest11 entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulate.conftest import EMULATE_FIXTURES
from tests.helpers import make_repo

pytest_plugins = ["pytester"]

USER_TESTS = """
from parity.emulate import Status


def test_session_start_passes(cloud_session):
    session = cloud_session.start(env_values={"APP_MODE": "test"})
    [hook] = session.hook_results
    assert hook.status is Status.OK
    assert hook.env_exports == ("READY_SRC",)
    assert session.result().exit_code == 0
    step = session.run("python3 run_tests.py")
    assert step.exit_code == 0, step.stdout
    assert "PASS check_ready.py::check_greet" in step.stdout


def test_blocked_network(cloud_session):
    session = cloud_session.start(network="none", env_values={"APP_MODE": "test"})
    step = session.run(
        "python3 -c \\"import urllib.request as u; u.urlopen('https://pypi.org/simple/')\\""
    )
    assert step.blocked_hosts == ("pypi.org",)
    assert step.exit_code == 1
"""


def test_cloud_session_fixture(pytester: pytest.Pytester, tmp_path: Path) -> None:
    repo = make_repo(pytester.path / "project", EMULATE_FIXTURES / "ready")
    (repo / "test_cloud.py").write_text(USER_TESTS)
    result = pytester.runpytest_subprocess(str(repo / "test_cloud.py"), "--rootdir", str(repo))
    result.assert_outcomes(passed=2)


def test_plugin_module_imports_nothing_heavy() -> None:
    code = (
        "import sys; import parity.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('parity')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['parity', 'parity.pytest_plugin']"


def test_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    [plugin] = [e for e in entry_points(group="pytest11") if e.name == "parity"]
    assert plugin.value == "parity.pytest_plugin"
