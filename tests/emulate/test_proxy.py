"""The allowlist proxy against local servers: allowed hosts pass, blocked ones get a 403."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

from parity.emulate.proxy import AllowlistProxy
from parity.network import allowlist_for
from tests.emulate.conftest import resolve_test_hosts


def _proxy(*allow: str, level: str = "custom") -> AllowlistProxy:
    return AllowlistProxy(allowlist_for(level, allow), resolve_test_hosts)


def _get(proxy: AllowlistProxy, url: str) -> tuple[int, str, dict[str, str]]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy.url}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def _connect(proxy: AllowlistProxy, target: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return sock, head


def test_allowed_http_host_is_passed_through(http_server: int) -> None:
    with _proxy("allowed.test") as proxy:
        status, body, _ = _get(proxy, f"http://allowed.test:{http_server}/x?y=1")
    assert status == 200
    assert body == f"hello from allowed.test:{http_server} /x?y=1"
    [request] = proxy.requests
    assert (request.host, request.port, request.allowed, request.method) == (
        "allowed.test",
        http_server,
        True,
        "GET",
    )


def test_blocked_http_host_gets_403_with_deny_reason(http_server: int) -> None:
    with _proxy("allowed.test") as proxy:
        status, body, headers = _get(proxy, f"http://blocked.test:{http_server}/")
    assert status == 403
    assert headers["x-deny-reason"] == "host_not_allowed"
    assert "blocked.test" in body
    assert [(r.host, r.allowed) for r in proxy.requests] == [("blocked.test", False)]


def test_connect_tunnel_to_allowed_host(echo_server: int) -> None:
    with _proxy("*.allowed.test") as proxy:
        sock, head = _connect(proxy, f"api.allowed.test:{echo_server}")
        with sock:
            assert head.startswith(b"HTTP/1.1 200")
            sock.sendall(b"ping through the tunnel")
            assert sock.recv(100) == b"ping through the tunnel"
    assert [(r.host, r.port, r.method) for r in proxy.requests] == [
        ("api.allowed.test", echo_server, "CONNECT")
    ]


def test_connect_to_blocked_host_is_refused(echo_server: int) -> None:
    with _proxy("allowed.test") as proxy:
        sock, head = _connect(proxy, f"evil.test:{echo_server}")
        sock.close()
    assert head.startswith(b"HTTP/1.1 403 Forbidden\r\n")
    assert b"\r\nx-deny-reason: host_not_allowed\r\n" in head
    assert proxy.requests[0].allowed is False


@pytest.mark.parametrize(
    ("level", "host", "allowed"),
    [
        ("none", "pypi.org", False),
        ("trusted", "pypi.org", True),
        ("trusted", "evil.test", False),
        ("full", "evil.test", True),
    ],
)
def test_network_levels(level: str, host: str, allowed: bool) -> None:
    with _proxy(level=level) as proxy:
        sock, head = _connect(proxy, f"{host}:9")  # port 9: nothing listens, nothing is sent
        sock.close()
    assert proxy.requests[0].allowed is allowed
    if not allowed:
        assert head.startswith(b"HTTP/1.1 403")


def test_stop_closes_open_tunnels(echo_server: int) -> None:
    proxy = _proxy("allowed.test").start()
    sock, head = _connect(proxy, f"allowed.test:{echo_server}")
    assert head.startswith(b"HTTP/1.1 200")
    proxy.stop()
    sock.settimeout(5)
    try:
        assert sock.recv(10) == b""  # the proxy closed its side
    except ConnectionResetError:
        pass
    finally:
        sock.close()


def test_malformed_request_gets_400() -> None:
    with _proxy() as proxy:
        sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        with sock:
            sock.sendall(b"GET /relative HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 400")
    assert proxy.requests == ()
