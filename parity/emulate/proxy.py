"""A small HTTP/HTTPS (CONNECT) proxy on 127.0.0.1 that enforces a network allowlist."""

from __future__ import annotations

import contextlib
import os
import select
import selectors
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from parity.emulate.result import HostRequest

if TYPE_CHECKING:
    from parity.network import Allowlist

Resolver = Callable[[str], str]

# The real cloud proxy's answer for a host outside the allowlist.
DENY_HEADER = "x-deny-reason"
DENY_REASON = "host_not_allowed"
_MAX_HEAD = 64 * 1024  # request line + headers
_MAX_RECORDS = 10_000  # hosts remembered per proxy
_IDLE_TIMEOUT = 120.0  # seconds a relay may stay silent before it is closed
_CONNECT_TIMEOUT = 15.0


def _identity(host: str) -> str:
    return host


class AllowlistProxy:
    """A threaded proxy: blocked hosts get 403 + ``x-deny-reason``; allowed ones pass through.

    Every host asked for is recorded (``requests``). ``resolve`` maps a host name to the address
    actually connected to (tests map test names to 127.0.0.1). It listens on 127.0.0.1, or on the
    Unix socket ``unix_path`` (what the sandbox reaches through its bridge). Use as a context
    manager, or ``start()`` / ``stop()``; stopping is immediate and closes every open relay.
    """

    def __init__(
        self,
        allowlist: Allowlist,
        resolve: Resolver | None = None,
        *,
        unix_path: Path | None = None,
    ) -> None:
        self.allowlist = allowlist
        self.resolve = resolve or _identity
        self.unix_path = unix_path
        self._requests: list[HostRequest] = []
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._stopping = threading.Event()
        if unix_path is None:
            self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._listener.bind(("127.0.0.1", 0))
        else:
            self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            bind_unix(self._listener, unix_path)
        self._listener.listen(128)
        # Stopping writes to this pipe: the accept loop wakes at once instead of polling.
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the proxy listens on (0 on a Unix socket)."""
        if self.unix_path is not None:
            return 0
        port: int = self._listener.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, for the proxy environment variables."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> tuple[HostRequest, ...]:
        """Every host asked for so far, in order."""
        with self._lock:
            return tuple(self._requests)

    def start(self) -> AllowlistProxy:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in sel.select():
                    if key.fileobj == self._wake_r or self._stopping.is_set():
                        return
                    try:
                        client, _ = self._listener.accept()
                    except OSError:
                        continue
                    threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(_IDLE_TIMEOUT)
        self._track(client)
        try:
            _serve_one(self, client)
        except OSError:
            pass
        finally:
            self._untrack(client)
            with contextlib.suppress(OSError):
                client.close()

    def stop(self) -> None:
        """Stop serving and close every open connection (idempotent, does not wait)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            self._listener.close()
        if self.unix_path is not None:
            with contextlib.suppress(OSError):
                self.unix_path.unlink()
        with self._lock:
            open_sockets = list(self._sockets)
            self._sockets.clear()
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self) -> AllowlistProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, host: str, port: int, allowed: bool, method: str) -> None:
        with self._lock:
            if len(self._requests) < _MAX_RECORDS:
                self._requests.append(HostRequest(host, port, allowed, method))

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)


def bind_unix(sock: socket.socket, path: Path) -> None:
    """Bind a Unix socket to ``path``, also when the path is longer than the kernel allows.

    A socket address holds about 107 bytes; a longer path (deep temp folders) is reached through
    ``/proc/self/fd`` of its folder, which names the same file.
    """
    name = os.fsencode(path)
    if len(name) < 100:
        sock.bind(name)
        return
    folder = os.open(path.parent, os.O_PATH | os.O_DIRECTORY)
    try:
        sock.bind(f"/proc/self/fd/{folder}/{path.name}")
    finally:
        os.close(folder)


def _serve_one(proxy: AllowlistProxy, client: socket.socket) -> None:
    head, rest = _read_head(client)
    if head is None:
        return
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        _answer(client, 400, "Bad Request", "malformed request line")
        return
    method, target, version = parts
    if method.upper() == "CONNECT":
        host, port = _split_host_port(target, 443)
    else:
        url = urlsplit(target)
        if url.scheme.lower() != "http" or not url.hostname:
            _answer(client, 400, "Bad Request", "a proxy request needs an absolute http URL")
            return
        host, port = url.hostname, url.port or 80
    host = host.lower().rstrip(".")
    allowed = proxy.allowlist.allows(host)
    proxy._record(host, port, allowed, method.upper())
    if not allowed:
        _answer(
            client,
            403,
            "Forbidden",
            f"Host not in allowlist: {host}",
            extra=f"{DENY_HEADER}: {DENY_REASON}\r\n",
        )
        return
    try:
        upstream = socket.create_connection((proxy.resolve(host), port), timeout=_CONNECT_TIMEOUT)
    except OSError as exc:
        _answer(client, 502, "Bad Gateway", f"cannot reach {host}:{port}: {exc}")
        return
    upstream.settimeout(_IDLE_TIMEOUT)
    proxy._track(upstream)
    try:
        if method.upper() == "CONNECT":
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            upstream.sendall(_origin_form(method, target, version, lines[1:]) + rest)
            rest = b""
        if rest:
            upstream.sendall(rest)
        _relay(proxy, client, upstream)
    finally:
        proxy._untrack(upstream)
        with contextlib.suppress(OSError):
            upstream.close()


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > _MAX_HEAD:
            return None, b""
        chunk = sock.recv(8192)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _split_host_port(target: str, default: int) -> tuple[str, int]:
    if target.startswith("["):  # [v6]:port
        host, _, tail = target[1:].partition("]")
        port = tail.lstrip(":")
    else:
        host, _, port = target.rpartition(":") if ":" in target else (target, "", "")
    try:
        return host, int(port) if port else default
    except ValueError:
        return host, default


def _origin_form(method: str, target: str, version: str, headers: list[str]) -> bytes:
    url = urlsplit(target)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    kept = [
        h
        for h in headers
        if h and h.split(":", 1)[0].strip().lower() not in ("proxy-connection", "connection")
    ]
    # One request per connection: the upstream closes after its answer, so the relay ends.
    lines = [f"{method} {path} {version}", *kept, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _answer(sock: socket.socket, code: int, reason: str, body: str, extra: str = "") -> None:
    payload = body.encode("utf-8") + b"\n"
    head = (
        f"HTTP/1.1 {code} {reason}\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        sock.sendall(head.encode("latin-1") + payload)


def _relay(proxy: AllowlistProxy, a: socket.socket, b: socket.socket) -> None:
    peers = {a: b, b: a}
    last = time.monotonic()
    while not proxy._stopping.is_set():
        readable, _, _ = select.select(list(peers), [], [], 0.2)
        if not readable and time.monotonic() - last > _IDLE_TIMEOUT:
            return
        last = time.monotonic()
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            peers[sock].sendall(data)
