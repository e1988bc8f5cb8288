"""The inside of the emulation's sandbox: a process supervisor, the proxy bridge and a DNS sink.

This file runs on its own, with the standard library only (``python -I -S inside.py MODE ...``):

- ``agent CONTROL LIMITS`` is the sandbox's first process (bubblewrap starts it; ``LIMITS`` is
  ``cpus=N,file_size=N`` or empty). It listens on the control socket ``CONTROL``, starts each
  step's program there, bridges the step's proxy (a Unix socket bound into the sandbox) to a
  port on the sandbox's own 127.0.0.1, answers every DNS question (nothing resolves: only the
  proxy leads out) and notes which step asked.
- ``enter CONTROL REQUEST`` runs on this machine, one per step: it hands its standard streams
  and the request (a file it removes once read) to the agent, waits, and exits as the program
  did. Killing it kills the program's process group inside the sandbox.

The request is JSON: ``argv``, ``cwd``, ``env``, ``log`` (the step's log folder) and ``proxy``
(the Unix socket of the step's proxy, or null). A variable whose value is ``PROXY_PLACEHOLDER``
gets the address of the step's bridge.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import socket
import struct
import sys

TYPE_CHECKING = False  # typing is not imported at run time: this file starts once per step
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

PROXY_PLACEHOLDER = "http://127.0.0.1:0"
_HEADER = struct.Struct("!I")
_MAX_REQUEST = 16 * 1024 * 1024
_DNS_PORT = 53


# -- shared framing ---------------------------------------------------------------------------


def _send_exit(sock: socket.socket, code: int) -> None:
    """Tell ``enter`` how the program ended: ``exit CODE`` (negative: killed by that signal)."""
    with contextlib.suppress(OSError):
        sock.sendall(f"exit {code}\n".encode())


def _connect(path: str) -> socket.socket:
    """Connect to a Unix socket; a path too long for an address is reached from its folder."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if len(os.fsencode(path)) < 100:
        sock.connect(path)
    else:
        os.chdir(os.path.dirname(path))
        sock.connect(os.path.basename(path))
    return sock


# -- enter: on this machine, one per step ------------------------------------------------------


def enter(control: str, request_file: str) -> int:
    """Run the request in ``request_file`` in the sandbox, with this process's streams."""
    try:
        with open(request_file, "rb") as handle:
            request = handle.read()
        os.unlink(request_file)
        sock = _connect(control)
        socket.send_fds(sock, [b"R"], [0, 1, 2])
        sock.sendall(_HEADER.pack(len(request)) + request)
    except OSError as exc:
        print(f"parity emulate: the sandbox is not running ({exc})", file=sys.stderr)
        return 125
    reader = sock.makefile("rb")
    for line in reader:
        word, _, value = line.decode("ascii", "replace").partition(" ")
        if word == "exit":
            code = int(value)
            if code < 0:  # killed by a signal: end the same way, so the caller sees it
                with contextlib.suppress(OSError, ValueError):
                    signal.signal(-code, signal.SIG_DFL)
                os.kill(os.getpid(), -code)
            return code
    print("parity emulate: the sandbox ended before the step did", file=sys.stderr)
    return 125


# -- agent: the sandbox's first process --------------------------------------------------------


class Agent:
    """Starts the steps' programs and keeps the map of steps for the DNS sink."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.steps: dict[int, str] = {}  # process group (and session) id -> log folder
        self.lock = _thread.allocate_lock()
        self.hostname = socket.gethostname()

    def serve(self, control: str) -> None:
        """Accept step requests forever (the sandbox ends when this machine's side says so)."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(control)
        listener.listen(64)
        _spawn(self._dns_sink)
        # Ready: the host waits for this line before it starts the first step; what the steps
        # need is imported meanwhile (the first step waits for it, if it comes before).
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        _spawn(_warm_up)
        # This machine's side holds our stdin: when it goes away, so does the sandbox.
        _spawn(_exit_on_eof)
        while True:
            conn, _ = listener.accept()
            _spawn(lambda c=conn: self._step(c))  # type: ignore[misc]

    def _step(self, conn: socket.socket) -> None:
        import json

        fds: list[int] = []
        try:
            _, fds, _, _ = socket.recv_fds(conn, 1, 3)
            size = _HEADER.unpack(_read_exactly(conn, _HEADER.size))[0]
            if len(fds) != 3 or size > _MAX_REQUEST:
                return
            request = json.loads(_read_exactly(conn, size))
            self._run(conn, request, fds)
        except (OSError, ValueError):
            pass
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            with contextlib.suppress(OSError):
                conn.close()

    def _run(self, conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
        import subprocess

        env = {str(k): str(v) for k, v in request["env"].items()}
        argv = [str(a) for a in request["argv"]]
        log = str(request.get("log") or "")
        bridge = None
        if request.get("proxy"):
            bridge = _Bridge(str(request["proxy"]))
            env = {k: bridge.url if v == PROXY_PLACEHOLDER else v for k, v in env.items()}
        try:
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=request["cwd"],
                    env=env,
                    stdin=fds[0],
                    stdout=fds[1],
                    stderr=fds[2],
                    start_new_session=True,
                )
            except FileNotFoundError:
                if os.path.isdir(request["cwd"]) and log:
                    _append(os.path.join(log, "missing"), argv[0])
                _send_exit(conn, 127)
                return
            except OSError as exc:
                os.write(fds[2], f"parity emulate: cannot run {argv[0]}: {exc}\n".encode())
                _send_exit(conn, 126)
                return
            for fd in fds:
                os.close(fd)
            fds.clear()
            with self.lock:
                self.steps[proc.pid] = log
            done: list[bool] = []

            def wait() -> None:
                code = proc.wait()
                done.append(True)
                _send_exit(conn, code)

            _spawn(wait)
            # The other end closes when the step is over, or when it is abandoned (a timeout,
            # an interruption): then the program's whole process group is ended.
            with contextlib.suppress(OSError):
                while conn.recv(1024):
                    pass
            if not done:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        finally:
            if bridge is not None:
                bridge.close()

    # -- the DNS sink --------------------------------------------------------------------------

    def _dns_sink(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind(("127.0.0.1", _DNS_PORT))
        except OSError:
            return  # without the sink a lookup fails at once (connection refused): still no way out
        while True:
            try:
                data, address = sock.recvfrom(4096)
            except OSError:
                continue
            name, end = _question(data)
            if name and self._noteworthy(name):
                log = self._step_of(address[1])
                if log:
                    _append(os.path.join(log, "direct-dns"), name)
            with contextlib.suppress(OSError):
                sock.sendto(_nxdomain(data, end), address)

    def _noteworthy(self, name: str) -> bool:
        """A lookup worth reporting: a real host name, not this machine's own or a reverse one."""
        lowered = name.lower().rstrip(".")
        return (
            "." in lowered
            and lowered != self.hostname.lower()
            and not lowered.endswith((".in-addr.arpa", ".ip6.arpa", ".localhost"))
        )

    def _step_of(self, port: int) -> str:
        """The log folder of the step whose process sent from ``port`` (empty when unknown)."""
        inodes = set()
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            with contextlib.suppress(OSError), open(table, encoding="ascii") as handle:
                next(handle, None)
                for line in handle:
                    fields = line.split()
                    if len(fields) > 9 and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{fields[9]}]")
        if not inodes:
            return ""
        for pid in _pids():
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                            return self._log_of(pid)
        return ""

    def _log_of(self, pid: int) -> str:
        """Walk up from ``pid`` (its session first) to a process the agent started."""
        seen = 0
        while pid > 1 and seen < 64:
            seen += 1
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                return ""
            with self.lock:
                for candidate in (pid, int(fields[3])):  # the process, then its session
                    if candidate in self.steps:
                        return self.steps[candidate]
            pid = int(fields[1])  # the parent
        return ""


class _Bridge:
    """127.0.0.1:PORT inside the sandbox, relayed to the step's proxy socket."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        _spawn(self._accept)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            _spawn(lambda c=client: self._relay(c))  # type: ignore[misc]

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = _connect(self.target)
        except OSError:
            client.close()
            return
        _spawn(lambda: _pump(client, upstream))
        _pump(upstream, client)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.listener.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy ``source`` to ``sink`` until end of file, then pass the end on."""
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.close()


def _question(data: bytes) -> tuple[str, int]:
    """The name asked for in a DNS query, and where its question section ends (0: malformed)."""
    labels: list[str] = []
    offset = 12
    try:
        while True:
            length = data[offset]
            if length == 0:
                offset += 1
                break
            if length >= 64:  # compression pointers do not occur in a question
                return "", 0
            labels.append(data[offset + 1 : offset + 1 + length].decode("ascii", "replace"))
            offset += 1 + length
        end = offset + 4  # type and class
        if end > len(data):
            return "", 0
    except IndexError:
        return "", 0
    return ".".join(labels), end


def _nxdomain(query: bytes, end: int) -> bytes:
    """The answer to every question: no such name (a malformed query gets a format error)."""
    if len(query) < 12:
        return b""
    flags = bytes([0x80 | (query[2] & 0x79), 0x80 | (3 if end else 1)])
    counts = b"\x00\x01\x00\x00\x00\x00\x00\x00" if end else b"\x00" * 8
    return query[:2] + flags + counts + (query[12:end] if end else b"")


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data


def _append(path: str, line: str) -> None:
    with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _spawn(target: Callable[[], object]) -> None:
    # _thread, not threading: importing threading costs more than the agent's whole start.
    _thread.start_new_thread(_quietly, (target,))


def _quietly(target: Callable[[], object]) -> None:
    # A thread's failure ends what it served (one step's connection), not the sandbox.
    with contextlib.suppress(Exception):
        target()


def _warm_up() -> None:
    import json  # noqa: F401
    import subprocess  # noqa: F401


def _exit_on_eof() -> None:
    with contextlib.suppress(OSError):
        while sys.stdin.buffer.read(4096):
            pass
    os._exit(0)


def apply_limits(config: dict[str, Any]) -> None:
    """CPU and file-size limits for everything the agent starts (inherited by every step)."""
    import resource

    cpus = config.get("cpus")
    if isinstance(cpus, int) and cpus > 0:
        allowed = sorted(os.sched_getaffinity(0))
        if len(allowed) > cpus:
            os.sched_setaffinity(0, allowed[:cpus])
    file_size = config.get("file_size")
    if isinstance(file_size, int) and file_size > 0:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))


def _setting(item: str) -> tuple[str, int]:
    name, _, value = item.partition("=")
    return name, int(value)


def main(argv: list[str]) -> int:
    """``agent CONTROL LIMITS`` or ``enter CONTROL REQUEST``."""
    if len(argv) == 3 and argv[0] == "enter":
        return enter(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "agent":
        config = dict(_setting(item) for item in argv[2].split(",") if "=" in item)
        apply_limits(config)
        Agent(config).serve(argv[1])
        return 0
    print("usage: inside.py agent CONTROL LIMITS | enter CONTROL REQUEST", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
