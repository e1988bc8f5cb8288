"""The emulation's sandbox: bubblewrap with the cloud session's boundaries, and their limits.

One sandbox per emulation (Linux, ``bwrap``): new network, PID, IPC, UTS and user namespaces; the
network is loopback only, and the step's allowlist proxy (on this machine) is reached through a
Unix socket bound into the sandbox and a bridge on the sandbox's 127.0.0.1; the system folders
are read-only and filtered by the image profile; the clone, the empty HOME, TMPDIR and the step
logs are the only writable places; nothing of the real home or working tree is there. The
sandbox's first process (``inside.py agent``) starts every step; it ends with the emulation, and
every process inside ends with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parity.emulate.environment import BASE_SYSTEM_DIRS, homes
from parity.emulate.result import LimitStatus

if TYPE_CHECKING:
    from parity.emulate.environment import ImageView
    from parity.emulate.workspace import Workspace

MODES = ("auto", "required", "off")
MODE_VAR = "PARITY_EMULATE_SANDBOX"  # the default of --sandbox
BWRAP_VAR = "PARITY_BWRAP"  # the bubblewrap program to use (default: bwrap on PATH)
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install "
    "bubblewrap; Arch: pacman -S bubblewrap) and check that it can create user namespaces"
)
NOT_ENFORCED = (
    "programs that ignore the proxy reach the network directly, programs the image lacks still "
    "run by their full path, and your home and this working tree stay readable and writable"
)
GIB = 1024**3
# Where the sandbox's own pieces are, inside it.
_RUN = "/run/parity"
_AGENT = "/run/parity-inside.py"
_READY_TIMEOUT = 10.0
_FILTER_FORMAT = 2  # bump when the filters' computation changes
_SYSTEM_TREES = ("/usr", "/etc")
_ROOT_ENTRIES = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Where programs are installed to be run, on PATH or not (besides BASE_SYSTEM_DIRS).
_PROGRAM_DIRS = ("/usr/local/bin", "/usr/local/sbin", "/usr/games", "/usr/local/games")
# Tool managers that keep a whole toolchain (and no credentials) in one folder of the home.
_TOOL_HOMES = (
    ".pyenv",
    ".rbenv",
    ".nodenv",
    ".goenv",
    ".jenv",
    ".nvm",
    ".volta",
    ".asdf",
    ".sdkman",
    ".bun",
    ".deno",
    ".pixi",
    ".juliaup",
    ".dotnet",
    "miniconda3",
    "anaconda3",
    "miniforge3",
    "mambaforge",
    ".local/share/mise",
    ".local/share/fnm",
    ".local/share/uv/python",
    ".local/share/pipx",
    ".local/share/claude",
)
# Where the sandbox has private, empty temporary folders (mount points, not files parity writes).
_TEMP_TOPS = ("/tmp", "/var/tmp")  # noqa: S108


class SandboxUnavailable(Exception):
    """bubblewrap cannot start here; the message says why."""


@dataclass(frozen=True)
class Limits:
    """The cloud VM's documented size (reference §6.1): 4 vCPU, 16 GB, 30 GB disk."""

    cpus: int = 4
    memory: int = 16 * GIB
    disk: int = 30 * GIB


def bwrap_program() -> str | None:
    """The bubblewrap program: ``$PARITY_BWRAP``, or ``bwrap`` on this machine's PATH."""
    explicit = os.environ.get(BWRAP_VAR)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) and os.path.isfile(explicit) else None
    return shutil.which("bwrap")


def unavailable_reason() -> str | None:
    """Why the sandbox cannot be tried at all (not Linux, no bubblewrap), or None."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if bwrap_program() is None:
        explicit = os.environ.get(BWRAP_VAR)
        if explicit:
            return f"{BWRAP_VAR}={explicit} is not an executable program"
        return "bubblewrap (bwrap) is not installed"
    return None


@dataclass
class _Mounts:
    """bubblewrap arguments, and the host folders that are visible inside (for the filters)."""

    args: list[str] = field(default_factory=list)
    visible: list[str] = field(default_factory=list)
    _real: dict[str, str] = field(default_factory=dict)

    def real(self, path: str) -> str:
        """``os.path.realpath``, remembered per folder (one ``lstat`` per file of a folder)."""
        found = self._real.get(path)
        if found is None:
            parent, name = os.path.split(path)
            if name and parent != path and ".." not in path and not os.path.islink(path):
                found = os.path.join(self.real(parent), name)
            else:
                found = os.path.realpath(path)
            self._real[path] = found
        return found

    def sees(self, path: str) -> bool:
        """True when ``path`` (followed through its links) is visible in the sandbox."""
        real = self.real(path)
        return any(_under(real, root) for root in self.visible)

    def ro(self, source: str, dest: str | None = None) -> None:
        self.args += ["--ro-bind", source, dest or source]
        self.visible.append(self.real(dest or source))

    def rw(self, source: str, dest: str | None = None) -> None:
        self.args += ["--bind", source, dest or source]
        self.visible.append(self.real(dest or source))


class Sandbox:
    """One bubblewrap sandbox for one emulation; ``wrap()`` runs a step inside it."""

    def __init__(
        self,
        workspace: Workspace,
        view: ImageView,
        *,
        image: str,
        hidden: Sequence[Path] = (),
        expose: Sequence[Path] = (),
        files: Sequence[str] = (),
        limits: Limits | None = None,
        bwrap: str | None = None,
    ) -> None:
        self.workspace = workspace
        self.view = view
        self.image = image
        self.hidden = [os.path.realpath(p) for p in hidden]
        self.expose = [str(p) for p in expose]
        self.files = list(files)
        self.limits = limits
        self.bwrap = bwrap or bwrap_program() or "bwrap"
        self.run_dir = workspace.base / "run"
        self.control = self.run_dir / "control.sock"
        self.limit_status: tuple[LimitStatus, ...] = ()
        self._proc: subprocess.Popen[bytes] | None = None
        self._cgroup: _Cgroup | None = None
        self._mounts: _Mounts | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Start bubblewrap and its agent; raise ``SandboxUnavailable`` when it cannot run."""
        return self.launch().wait()

    def launch(self) -> Sandbox:
        """Start bubblewrap and its agent, without waiting for them (``wait()`` does)."""
        reason = unavailable_reason()
        if reason is not None:
            raise SandboxUnavailable(reason)
        self.run_dir.mkdir(exist_ok=True)
        config = self._limits_config()
        argv = [*self._bwrap_argv(), _python(), "-I", "-S", _AGENT, "agent"]
        argv += [f"{_RUN}/control.sock", ",".join(f"{k}={v}" for k, v in config.items())]
        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise SandboxUnavailable(f"cannot run {self.bwrap}: {exc.strerror}") from None
        return self

    def wait(self) -> Sandbox:
        """Wait until the agent is ready; raise ``SandboxUnavailable`` when bubblewrap failed."""
        if self._proc is None:
            raise SandboxUnavailable("the sandbox was not launched")
        if not self._ready():
            self.close()
            err = b""
            with contextlib.suppress(OSError):
                err = self._proc.stderr.read() if self._proc.stderr is not None else b""
            lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
            raise SandboxUnavailable(lines[-1].strip() if lines else "bubblewrap did not start")
        if self._cgroup is not None:
            self._cgroup.add(self._agent_pid())
        for pipe in (self._proc.stdout, self._proc.stderr):  # nothing more to read there
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        return self

    def _ready(self) -> bool:
        proc = self._proc
        if proc is None or proc.stdout is None:
            return False
        import selectors

        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            if not sel.select(_READY_TIMEOUT):
                return False
        return proc.stdout.readline().strip() == b"ready"

    def _agent_pid(self) -> int:
        """The agent's process id on this machine (the kernel translates it for us)."""
        with contextlib.closing(_unix_client(self.control)) as sock:
            creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        pid: int = struct.unpack("3i", creds)[0]
        return pid

    def close(self) -> None:
        """End the sandbox and every process in it (the PID namespace goes with its first one)."""
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(OSError):
                if proc.stdin is not None:
                    proc.stdin.close()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            with contextlib.suppress(OSError):
                if proc.stdout is not None:
                    proc.stdout.close()
        if self._cgroup is not None:
            self._cgroup.remove()
            self._cgroup = None

    # -- steps ----------------------------------------------------------------------------------

    def proxy_socket(self) -> tuple[Path, str]:
        """A new proxy socket: where this machine listens, and the same file inside the sandbox.

        Hooks start in parallel threads: each name is drawn at random, not counted.
        """
        name = f"proxy-{secrets.token_hex(6)}.sock"
        return self.run_dir / name, f"{_RUN}/{name}"

    def wrap(
        self,
        argv: Sequence[str],
        cwd: Path,
        env: Mapping[str, str],
        log_dir: Path | None,
        proxy: str | None,
    ) -> tuple[list[str], dict[str, str]]:
        """What to start on this machine so that ``argv`` runs inside the sandbox."""
        request = {
            "argv": list(argv),
            "cwd": str(cwd),
            "env": dict(env),
            "log": str(log_dir) if log_dir is not None else "",
            "proxy": proxy,
        }
        # A file, not a variable: the environment may be larger than one variable can hold.
        path = self.run_dir / f"request-{secrets.token_hex(8)}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(request, handle)
        enter = [sys.executable, "-I", "-S", str(_inside_script()), "enter", str(self.control)]
        return [*enter, str(path)], {"PATH": "/usr/bin:/bin"}

    # -- the mounts -----------------------------------------------------------------------------

    def _bwrap_argv(self) -> list[str]:
        ws = self.workspace
        m = _Mounts()
        m.args += [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session"]
        if os.getuid() != 0:
            # The cloud runs as root: the sandbox's user is root in its own user namespace.
            m.args += ["--unshare-user", "--uid", "0", "--gid", "0"]
        # No capability but binding port 53 (the DNS sink) in the sandbox's own network.
        m.args += ["--cap-drop", "ALL", "--cap-add", "CAP_NET_BIND_SERVICE"]
        for tree in _SYSTEM_TREES:
            m.ro(tree)
        for entry in _ROOT_ENTRIES:
            if os.path.islink(entry):
                m.args += ["--symlink", os.readlink(entry), entry]
            elif os.path.isdir(entry):
                m.ro(entry)
        m.args += ["--ro-bind-try", "/sys", "/sys", "--proc", "/proc", "--dev", "/dev"]
        m.args += ["--dir", "/var", "--tmpfs", "/run"]
        for private in _TEMP_TOPS:
            m.args += ["--tmpfs", private]
        m.args += ["--ro-bind-try", "/var/lib/dpkg", "/var/lib/dpkg"]
        for hidden in self.hidden:  # the real working tree, when it sits in a visible folder
            if m.sees(hidden):
                m.args += ["--tmpfs", hidden]
        roots, masks = self._filters(m)
        for root in roots:
            m.ro(root)
        m.args += masks
        view = str(self.view.bin.parent)
        if not m.sees(view):
            m.ro(view)
        for path in self.files:  # certificate files of this machine's CA settings
            if not m.sees(path):
                m.ro(path)
        for folder in (ws.project, ws.home, ws.tmp, ws.logs):
            m.rw(str(folder))
        m.rw(str(self.run_dir), _RUN)
        m.args += ["--ro-bind", str(_inside_script()), _AGENT]
        resolv = self.run_dir / "resolv.conf"
        resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n", "utf-8")
        _resolv_conf(m, str(resolv))
        m.args += ["--chdir", str(ws.project), "--remount-ro", "/"]
        self._mounts = m
        return m.args

    def shows(self, path: str) -> bool:
        """True when ``path`` of this machine is there, as itself, inside the sandbox."""
        m = self._mounts
        if m is None:
            return True
        real = m.real(path)
        if not m.sees(real):
            return False
        args = m.args
        for i, arg in enumerate(args[:-2]):
            if arg == "--ro-bind" and args[i + 1] == str(self.view.masked) and args[i + 2] == real:
                return False  # a program the image lacks: its stand-in fails as absent
            if arg == "--tmpfs" and _under(real, args[i + 1]) and real != args[i + 1]:
                emptied = args[i + 1]
                name = real[len(emptied) + 1 :].split("/", 1)[0]
                if f"{emptied}/{name}" not in args[i + 2 :]:
                    return False  # hidden under an emptied folder (not put back)
        return True

    def _filters(self, mounts: _Mounts) -> tuple[list[str], list[str]]:
        """The installations to show and the programs to hide: the image profile's filter.

        Both depend only on the image's view and this machine's programs, so they are kept
        beside the view (a thousand ``lstat`` calls are slow on some machines) and computed
        again when a folder on PATH changed.
        """
        programs = [*self.view.targets, _python(), *self.expose]
        hidden = [*self.hidden, str(self.workspace.base)]
        folder = self.view.bin.parent
        key = _filter_key(programs, folder)
        cache = folder / "sandbox-filter.json"
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved["key"] == key:
                roots, masks = list(saved["roots"]), list(saved["masks"])
                if not any(_under(h, root) for h in hidden for root in roots):
                    return roots, masks
        scratch = _Mounts(list(mounts.args), list(mounts.visible), mounts._real)
        roots = _tool_roots(programs, homes(), hidden, scratch)
        for root in roots:
            scratch.ro(root)
        before = len(scratch.args)
        _mask(scratch, self.view, str(self.view.masked), roots)
        masks = scratch.args[before:]
        with contextlib.suppress(OSError):
            staging = cache.with_name(f".{cache.name}.{secrets.token_hex(4)}")
            staging.write_text(json.dumps({"key": key, "roots": roots, "masks": masks}), "utf-8")
            staging.replace(cache)
        return roots, masks

    def _limits_config(self) -> dict[str, Any]:
        if self.limits is None:
            return {}
        statuses: list[LimitStatus] = []
        config: dict[str, Any] = {"file_size": self.limits.disk}
        available = len(os.sched_getaffinity(0))
        cpus = self.limits.cpus
        if available > cpus:
            config["cpus"] = cpus
            statuses.append(LimitStatus("cpus", str(cpus), True, "CPU affinity"))
        else:
            statuses.append(LimitStatus("cpus", str(cpus), True, f"this machine has {available}"))
        self._cgroup = _Cgroup.create(self.limits.memory)
        memory = f"{self.limits.memory // GIB} GiB"
        if self._cgroup is not None:
            statuses.append(LimitStatus("memory", memory, True, self._cgroup.how))
        else:
            statuses.append(
                LimitStatus(
                    "memory",
                    memory,
                    False,
                    "no cgroup this user may write; run parity under `systemd-run --user "
                    "--scope -p MemoryMax=16G` to get one",
                )
            )
        statuses.append(
            LimitStatus(
                "disk",
                f"{self.limits.disk // GIB} GiB",
                True,
                "RLIMIT_FSIZE, per file; the total written is not limited",
            )
        )
        self.limit_status = tuple(statuses)
        return config


def _python() -> str:
    """The Python that runs the agent inside: this one's base interpreter (standard library)."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return os.path.realpath(base)


def _inside_script() -> Path:
    return Path(__file__).with_name("inside.py")


def _unix_client(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    name = os.fsencode(path)
    if len(name) < 100:
        sock.connect(name)
    else:
        folder = os.open(path.parent, os.O_PATH | os.O_DIRECTORY)
        try:
            sock.connect(f"/proc/self/fd/{folder}/{path.name}")
        finally:
            os.close(folder)
    return sock


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _tool_root(path: str, homes: Sequence[str]) -> str:
    """The folder to show so that the program at ``path`` runs: its installation, not more."""
    for home in [*homes, *(f"/home/{name}" for name in _home_names())]:
        if _under(path, home) and path != home:
            for tool in _TOOL_HOMES:
                if _under(path, f"{home}/{tool}"):
                    return f"{home}/{tool}"
            folder = os.path.dirname(path)
            parent = os.path.dirname(folder)
            if os.path.basename(folder) == "bin" and parent not in (home, f"{home}/.local"):
                return parent  # <home>/sdk/go1.22/bin/go -> <home>/sdk/go1.22
            return folder
    if any(_under(path, top) for top in _TEMP_TOPS):
        return os.path.dirname(path)
    parts = path.split("/")
    if len(parts) > 3 and parts[1] in ("opt", "srv", "mnt", "media"):
        return "/".join(parts[:3])  # /opt/node/bin/node -> /opt/node
    return "/" + parts[1] if len(parts) > 2 else path


def _home_names() -> list[str]:
    with contextlib.suppress(OSError):
        return os.listdir("/home")
    return []


def _tool_roots(
    programs: Iterable[str], homes: Sequence[str], hidden: Sequence[str], mounts: _Mounts
) -> list[str]:
    """Installation folders of the programs outside the system folders (never a home itself)."""
    wanted: list[str] = []
    for program in dict.fromkeys(programs):
        if not mounts.sees(program) and os.path.exists(program):
            wanted += [program, mounts.real(program)]
    roots: list[str] = []
    for program in dict.fromkeys(wanted):
        for candidate in (_tool_root(program, homes), os.path.dirname(program), program):
            unsafe = any(_under(h, candidate) for h in [*hidden, *homes, "/home", *_TEMP_TOPS])
            if not unsafe:
                roots.append(candidate)
                break
    kept: list[str] = []
    for root in sorted(set(roots), key=len):
        if not any(_under(root, other) for other in kept):
            kept.append(root)
    return kept


def _mask(mounts: _Mounts, view: ImageView, stub: str, roots: Sequence[str]) -> None:
    """Programs the image lacks are absent (or fail as absent) also by their full path.

    That is, in every folder where programs are installed to be run: the system's, those on
    PATH (this machine's, whatever the session's is), and the ``bin`` folders of the
    installations shown.
    """
    names = set(view.linked)
    path_dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if os.path.isabs(d)]
    tool_dirs = [f"{root}/{sub}" for root in roots for sub in ("bin", "sbin")]
    base = {mounts.real(d) for d in BASE_SYSTEM_DIRS}
    seen: set[str] = set()
    for directory in [*BASE_SYSTEM_DIRS, *_PROGRAM_DIRS, *path_dirs, *tool_dirs]:
        real = mounts.real(directory)
        if real in seen or not mounts.sees(real) or not os.path.isdir(real):
            continue
        seen.add(real)
        entries = _entries(real)
        allowed = _keep_closure(real, entries, names)
        masked = [name for name, entry in entries.items() if name not in allowed and entry.program]
        if not masked:
            continue
        if real in base or len(masked) <= len(allowed):
            kept = {_target(mounts, entries[name]) for name in allowed}
            for name in masked:
                target = _target(mounts, entries[name])
                if target not in kept and mounts.sees(target):
                    mounts.args += ["--ro-bind", stub, target]
            continue
        # Many programs to hide: an empty folder, then the image's programs put back.
        mounts.args += ["--tmpfs", real]
        for name in sorted(allowed):
            entry = entries[name]
            if entry.link is not None:
                mounts.args += ["--symlink", entry.link, f"{real}/{name}"]
            else:
                mounts.args += ["--ro-bind", entry.path, f"{real}/{name}"]
        mounts.args += ["--remount-ro", real]


@dataclass(frozen=True)
class _Entry:
    """One entry of a folder on PATH."""

    path: str
    link: str | None  # the symlink's text, when it is one
    program: bool  # an executable file (through the link)


def _entries(directory: str) -> dict[str, _Entry]:
    """The entries of ``directory``: a stat only for links and files (the folder says which)."""
    found: dict[str, _Entry] = {}
    try:
        with os.scandir(directory) as scan:
            for entry in scan:
                link = None
                if entry.is_symlink():
                    with contextlib.suppress(OSError):
                        link = os.readlink(entry.path)
                try:
                    program = entry.is_file() and os.access(entry.path, os.X_OK)
                except OSError:
                    program = False
                found[entry.name] = _Entry(entry.path, link, program)
    except OSError:
        pass
    return found


def _target(mounts: _Mounts, entry: _Entry) -> str:
    return mounts.real(entry.path) if entry.link is not None else entry.path


def _keep_closure(directory: str, entries: Mapping[str, _Entry], names: set[str]) -> set[str]:
    """The image's programs in ``directory``, with the entries their symlinks lead to there."""
    keep = {name for name, entry in entries.items() if name in names or not entry.program}
    todo = list(keep)
    while todo:
        link = entries[todo.pop()].link
        if link is not None:
            target = os.path.normpath(os.path.join(directory, link))
            name = os.path.basename(target)
            if os.path.dirname(target) == directory and name in entries and name not in keep:
                keep.add(name)
                todo.append(name)
    return keep


def _filter_key(programs: Sequence[str], view: Path) -> str:
    """What the filters depend on: the programs, PATH and its folders' contents, the homes."""
    import hashlib

    folders = [*BASE_SYSTEM_DIRS, *_PROGRAM_DIRS, *os.environ.get("PATH", "").split(os.pathsep)]
    stamps = []
    for folder in dict.fromkeys(folders):
        with contextlib.suppress(OSError):
            stamps.append((folder, os.stat(folder).st_mtime_ns))
    text = json.dumps([_FILTER_FORMAT, str(view), programs, stamps, homes()])
    return hashlib.sha256(text.encode()).hexdigest()


def _resolv_conf(mounts: _Mounts, ours: str) -> None:
    """Point name resolution at the DNS sink (127.0.0.1:53 inside): lookups fail, and are seen."""
    path = "/etc/resolv.conf"
    if os.path.islink(path):
        target = os.path.normpath(os.path.join("/etc", os.readlink(path)))
        if _under(target, "/run") or (os.path.isfile(target) and mounts.sees(target)):
            mounts.args += ["--ro-bind", ours, target]
    elif os.path.isfile(path):
        mounts.args += ["--ro-bind", ours, path]


class _Cgroup:
    """A memory cgroup for the sandbox's agent and everything it starts (v2, or v1's memory)."""

    def __init__(self, path: Path, how: str) -> None:
        self.path = path
        self.how = how

    @classmethod
    def create(cls, memory: int) -> _Cgroup | None:
        """A new child of this process's cgroup with the memory limit, or None (no permission)."""
        try:
            lines = Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        name = f"parity-emulate-{secrets.token_hex(4)}"
        for line in lines:
            _, controllers, rel = line.split(":", 2)
            if controllers == "":
                folder = Path("/sys/fs/cgroup") / rel.lstrip("/")
                limit, how = "memory.max", "cgroup v2 memory.max"
            elif "memory" in controllers.split(","):
                folder = Path("/sys/fs/cgroup/memory") / rel.lstrip("/")
                limit, how = "memory.limit_in_bytes", "cgroup v1 memory.limit_in_bytes"
            else:
                continue
            child = folder / name
            try:
                child.mkdir()
            except OSError:
                continue
            try:
                (child / limit).write_text(str(memory), encoding="ascii")
                (child / "cgroup.procs").stat()
            except OSError:
                with contextlib.suppress(OSError):
                    child.rmdir()
                continue
            return cls(child, how)
        return None

    def add(self, pid: int) -> None:
        """Move ``pid`` in: what it starts from now on is limited with it."""
        with contextlib.suppress(OSError):
            (self.path / "cgroup.procs").write_text(str(pid), encoding="ascii")

    def remove(self) -> None:
        """Remove the cgroup once its processes are gone."""
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)
