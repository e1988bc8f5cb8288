"""Shared pieces of the emulation tests: a view cache per run, local servers, a test resolver."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from parity.emulate import EmulateOptions

EMULATE_FIXTURES = Path(__file__).parents[1] / "fixtures" / "emulate"


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
