"""The ``cloud_session`` pytest fixture: an emulated cloud session start for a project's tests.

pytest loads this module in every test run of every project that installs parity, so it imports
nothing at load time beyond pytest itself; the emulation is imported when the fixture is used.

A project's tests that use the fixture should start with ``pytest.importorskip("parity")``, so
that they are skipped (not an error) wherever parity is not installed, a cloud session among
them. Where parity is installed but the emulation cannot run (no git, not a repository, no
commit yet), ``start()`` skips the test and says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from parity.emulate import CloudSession


class CloudSessionFactory:
    """Starts emulated sessions for one test and closes them at its end."""

    def __init__(self, root: Path, temp_dir: Path) -> None:
        self.root = root
        self.temp_dir = temp_dir
        self.sessions: list[CloudSession] = []

    def start(self, repo: Path | str | None = None, **options: Any) -> CloudSession:
        """Run the session start of ``repo`` (default: pytest's root folder) and return it.

        ``options`` are the fields of ``parity.emulate.EmulateOptions`` (``network``, ``allow``,
        ``source``, ``env_values``, ``probe_mcp``, ``engine``, ``ref``, ``staged``…). Inspect
        ``session.hook_results`` and ``session.result()``; run commands with ``session.run()``.
        """
        from parity.emulate import CloudSession, EmulateOptions
        from parity.emulate.session import cannot_emulate

        options.setdefault("temp_dir", self.temp_dir)
        settings = EmulateOptions(repo=Path(repo or self.root), **options)
        reason = cannot_emulate(settings)
        if reason is not None:
            pytest.skip(f"cloud_session: the emulation cannot run here: {reason}")
        session = CloudSession(settings)
        self.sessions.append(session)
        return session.start()

    __call__ = start

    def close(self) -> None:
        """Close every session started (proxies stopped, processes ended, folders removed)."""
        while self.sessions:
            self.sessions.pop().close()


@pytest.fixture
def cloud_session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CloudSessionFactory]:
    """Start an emulated Claude Code cloud session of the project: ``cloud_session.start()``."""
    factory = CloudSessionFactory(request.config.rootpath, tmp_path_factory.mktemp("cloud-session"))
    try:
        yield factory
    finally:
        factory.close()
