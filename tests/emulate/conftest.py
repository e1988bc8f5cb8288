"""Shared pieces of the emulation tests: a view cache per run, local servers, a test resolver."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from parity.emulate import EmulateOptions
from parity.emulate.sandbox import MODE_VAR, bwrap_program, unavailable_reason

EMULATE_FIXTURES = Path(__file__).parents[1] / "fixtures" / "emulate"


@functools.cache
def sandbox_unavailable() -> str | None:
    """Why bubblewrap cannot run on this machine (None: it can), tried once per test run."""
    reason = unavailable_reason()
    if reason is not None:
        return reason
    proc = subprocess.run(
        [str(bwrap_program()), "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return lines[-1] if lines else f"bwrap exited {proc.returncode}"
    return None


def needs_sandbox() -> None:
    """Skip (saying why) where bubblewrap cannot run; .ci/run installs it so CI runs these."""
    reason = sandbox_unavailable()
    if reason is not None:
        pytest.skip(f"the sandbox cannot run here ({reason}); .ci/run installs bubblewrap")


@pytest.fixture(params=["auto", "off"], ids=["sandbox", "unsandboxed"])
def sandbox_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with the sandbox (where it can run) and without it."""
    mode: str = request.param
    if mode == "auto":
        needs_sandbox()
    monkeypatch.setenv(MODE_VAR, mode)
    return mode


@pytest.fixture(scope="package", autouse=True)
def _no_workspace_left_behind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every emulation of this run removes its folders: none is left when the tests end.

    The emulations make their temp folders in a folder of this run (also those of the CLI run
    as a child process), so that other runs on the machine do not count.
    """
    private = tmp_path_factory.mktemp("emulate-tmp")
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(private)
    tempfile.tempdir = str(private)
    try:
        yield
    finally:
        if saved[0] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[0]
        tempfile.tempdir = saved[1]
    left = sorted(p.name for p in private.glob("parity-emulate-*"))
    assert not left, f"emulations left their folders behind: {left}"


@pytest.fixture(scope="session")
def view_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One image-view cache for the whole run (building a view is the slow part)."""
    return tmp_path_factory.mktemp("views")


@pytest.fixture(autouse=True)
def _shared_view_cache(view_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARITY_EMULATE_CACHE", str(view_cache))


def resolve_test_hosts(host: str) -> str:
    """Test host names (``*.test``) are local servers; everything else stays unreachable."""
    return "127.0.0.1" if host == "test" or host.endswith(".test") else "192.0.2.1"


def options(repo: Path, **kwargs: object) -> EmulateOptions:
    """EmulateOptions for a test: offline resolver, no network surprises."""
    kwargs.setdefault("resolve", resolve_test_hosts)
    return EmulateOptions(repo=repo, **kwargs)  # type: ignore[arg-type]


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello from {self.headers.get('Host')} {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[int]:
    """A plain HTTP server on 127.0.0.1; yields its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def echo_server() -> Iterator[int]:
    """A TCP echo server on 127.0.0.1 (stands in for a TLS server behind CONNECT)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    while data := conn.recv(4096):
                        conn.sendall(data)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()
