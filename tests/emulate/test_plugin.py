"""The pytest plugin: a `cloud_session` fixture, loaded through the pytest11 entry point."""

from __future__ import annotations

import re
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


README_EXAMPLE = re.search(
    r"<!-- snippet: pytest-fixture -->\n```python\n(.*?)```",
    (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8"),
    re.S,
)

# Stands in for a machine where parity is not installed: the plugin is not there, and neither
# is the package.
NOT_INSTALLED = """
import sys

sys.modules["parity"] = None
"""


def _readme_example() -> str:
    assert README_EXAMPLE, "the README has no pytest-fixture snippet"
    return README_EXAMPLE.group(1)


def test_the_readme_example_runs(pytester: pytest.Pytester) -> None:
    repo = make_repo(pytester.path / "project", EMULATE_FIXTURES / "ready")
    (repo / "test_cloud.py").write_text(_readme_example())
    result = pytester.runpytest_subprocess(str(repo / "test_cloud.py"), "--rootdir", str(repo))
    result.assert_outcomes(passed=1)


def test_the_readme_example_skips_where_parity_is_not_installed(
    pytester: pytest.Pytester,
) -> None:
    repo = make_repo(pytester.path / "project", EMULATE_FIXTURES / "ready")
    (repo / "conftest.py").write_text(NOT_INSTALLED)
    (repo / "test_cloud.py").write_text(_readme_example())
    args = (str(repo / "test_cloud.py"), "--rootdir", str(repo), "-p", "no:parity", "-rs")
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*claude-parity is not installed*"])
    # Without the importorskip line, the same test is an error there: the pattern is needed.
    (repo / "test_cloud.py").write_text(_readme_example().replace("pytest.importorskip", "#"))
    broken = pytester.runpytest_subprocess(*args)
    broken.assert_outcomes(errors=1)
    broken.stdout.fnmatch_lines(["*fixture 'cloud_session' not found*"])


USES_THE_FIXTURE = """
def test_start(cloud_session):
    cloud_session.start()
"""


def test_the_fixture_skips_with_a_reason_when_emulation_cannot_run(
    pytester: pytest.Pytester,
) -> None:
    plain = pytester.path / "plain"  # not a git repository
    plain.mkdir()
    (plain / "test_cloud.py").write_text(USES_THE_FIXTURE)
    result = pytester.runpytest_subprocess(str(plain), "--rootdir", str(plain), "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*cloud_session: the emulation cannot run here: *not inside a git*"]
    )
    fresh = make_repo(pytester.path / "fresh", commit=False)
    (fresh / "test_cloud.py").write_text(USES_THE_FIXTURE)
    result = pytester.runpytest_subprocess(str(fresh), "--rootdir", str(fresh), "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*the repository has no commit yet*"])


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
