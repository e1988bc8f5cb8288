"""The results cache of ``parity check``: a report stored with every input it was made from.

Like ruff's and mypy's caches, but the inputs are not a hand-kept list: while a check runs
without a cache hit, every file it opens, every folder it lists and every path it probes
(``stat``, ``exists``, links) is recorded, whoever does it (the loader, a rule, a helper). The
entry stores each of those with a signature (a content hash for files read, the entries of
folders listed, the type and mode of paths probed). A later run with the same key (parity's
version and code, the options, the repository's file listing from git) is a hit only when every
recorded input still has its signature; then the stored findings are reported without importing
a rule, jsonschema or PyYAML.

A run that starts a process, opens a socket or reads the clock (a rule whose result depends on
the date) stores nothing. Entries live in the git directory (``.git/parity-cache/``), are
written atomically, and anything unreadable there is a miss, never an error.
"""

from __future__ import annotations

import _thread
import os
import stat
import sys
import time

from parity import __version__

try:
    # What hashlib.blake2b is, without the OpenSSL bindings hashlib loads first.
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b

# Not typing's: a replayed `parity check` (parity.replay) imports this module and little else
# (so neither pathlib, json, contextlib nor threading at the top: each costs a replay more than
# its own work).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from contextlib import AbstractContextManager
    from pathlib import Path
    from typing import Any, ClassVar

FORMAT = 1
TOOL = "claude-parity"
MAX_ENTRIES = 64
# Files changed this recently (seconds) may have changed during the run: such a run is not
# stored (the "racy git" rule: a timestamp cannot tell two writes within its granularity).
RACY_SECONDS = 2.0
_PACKAGE = os.path.dirname(os.path.realpath(__file__))

# Audit events that bring in something no recorded file describes.
_VOLATILE_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "socket.connect",
        "socket.getaddrinfo",
        "urllib.Request",
    }
)


def enabled(no_cache: bool = False) -> bool:
    """False with ``--no-cache``, with ``PARITY_NO_CACHE`` set (to anything but 0 or empty),
    and before Python 3.11 (whose pathlib binds ``os.stat`` where the recorder cannot see it)."""
    if no_cache or os.environ.get("PARITY_NO_CACHE", "") not in ("", "0"):
        return False
    return sys.version_info >= (3, 11)


# --------------------------------------------------------------------------------------------
# Recording what a run reads


class Recorder:
    """Paths a run read, listed and probed, and whether it did anything unrecordable."""

    def __init__(self, exclude: tuple[str, ...] = ()) -> None:
        # Folders whose files are not inputs (the cache's own folder, for a recording that
        # encloses a results-cache lookup).
        self.exclude = tuple(os.path.join(os.path.abspath(e), "") for e in exclude)
        self.opened: set[str] = set()
        self.listed: set[str] = set()
        self.probed: set[tuple[str, bool]] = set()  # (path, follow symlinks)
        self.links: set[str] = set()
        self.volatile: str | None = None
        self.started = time.time()

    def inputs(self, *, probes: bool = False) -> list[list[str]]:
        """Every recorded input with its current signature, outside parity and Python; with
        ``probes``, the paths probed (stat, lstat, readlink) inside Python's folders too (the
        import system does not probe through the os module: those are parity's own probes,
        such as where a link of the repository into /usr leads)."""
        out: list[list[str]] = []
        for path in sorted(self.opened):
            if self._relevant(path):
                out.append(["read", path, _content(path)])
        for path in sorted(self.listed):
            if self._relevant(path):
                out.append(["list", path, _listing(path)])
        probed = self._probed if probes else self._relevant
        for path, follow in sorted(self.probed):
            if probed(path) and path not in self.opened:
                out.append(["stat" if follow else "lstat", path, _mode(path, follow=follow)])
        for path in sorted(self.links):
            if probed(path):
                out.append(["link", path, _link(path)])
        return out

    def _probed(self, path: str) -> bool:
        return not (path + os.sep).startswith((*self.exclude, _PACKAGE + os.sep))

    def _relevant(self, path: str) -> bool:
        return _relevant(path) and not (path + os.sep).startswith(self.exclude)

    def racy(self) -> bool:
        """True when an input changed so recently that the run may have seen an older state."""
        limit = self.started - RACY_SECONDS
        for path in self.opened | self.listed:
            if not self._relevant(path):
                continue
            try:
                if os.stat(path).st_mtime >= limit:
                    return True
            except OSError:
                continue
        return False


class _State:
    """The recordings in progress (nested in one thread: the innermost is last) and whether the
    hook is installed."""

    active: ClassVar[list[Recorder]] = []
    hooked = False
    lock = _thread.RLock()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    recorders = _State.active
    if not recorders:
        return
    if event == "open":
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            for recorder in recorders:
                recorder.opened.add(_norm(path))
    elif event in ("os.scandir", "os.listdir"):
        path = "." if args[0] is None else args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            for recorder in recorders:
                recorder.listed.add(_norm(path))
    elif event in _VOLATILE_EVENTS:
        for recorder in recorders:
            recorder.volatile = event


def note_volatile(reason: str) -> None:
    """Say that the running check depends on something no file holds (such as the clock)."""
    for recorder in _State.active:
        recorder.volatile = reason


def _norm(path: Any) -> str:
    return os.path.abspath(os.fsdecode(path))


def _wrap_probe(original: Callable[..., Any], *, follow: bool) -> Callable[..., Any]:
    def probe(path: Any, *args: Any, **kwargs: Any) -> Any:
        if _State.active and isinstance(path, (str, bytes, os.PathLike)):
            seen = (_norm(path), follow and kwargs.get("follow_symlinks", True))
            for recorder in _State.active:
                recorder.probed.add(seen)
        return original(path, *args, **kwargs)

    return probe


def _wrap_readlink(original: Callable[..., Any]) -> Callable[..., Any]:
    def readlink(path: Any, *args: Any, **kwargs: Any) -> Any:
        if _State.active and isinstance(path, (str, bytes, os.PathLike)):
            for recorder in _State.active:
                recorder.links.add(_norm(path))
        return original(path, *args, **kwargs)

    return readlink


def recording(exclude: tuple[str, ...] = ()) -> AbstractContextManager[Recorder]:
    """Record what the code in the ``with`` block reads (one thread at a time; a recording
    inside another adds to both), leaving out what is under the ``exclude`` folders."""
    import contextlib

    return contextlib.contextmanager(_record)(exclude)


def _record(exclude: tuple[str, ...]) -> Iterator[Recorder]:
    with _State.lock:
        if not _State.hooked:
            sys.addaudithook(_audit)
            _State.hooked = True
        recorder = Recorder(exclude)
        outermost = not _State.active
        saved = (os.stat, os.lstat, os.access, os.readlink)
        if outermost:
            # pathlib, os.path and os.walk's callers look these up on the os module at each call.
            os.stat = _wrap_probe(saved[0], follow=True)
            os.lstat = _wrap_probe(saved[1], follow=False)
            os.access = _wrap_probe(saved[2], follow=True)
            os.readlink = _wrap_readlink(saved[3])
        _State.active.append(recorder)
        try:
            yield recorder
        finally:
            _State.active.remove(recorder)
            if outermost:
                os.stat, os.lstat, os.access, os.readlink = saved


def _relevant(path: str) -> bool:
    # parity's own files are in the key (code_fingerprint); Python's are its version's.
    return not (
        (path + os.sep).startswith(_ignored_prefixes())
        or path in ("/dev/null", "/dev/urandom", "/dev/random")
    )


def _ignored_prefixes() -> tuple[str, ...]:
    if not _IGNORED:
        roots = {_PACKAGE, *(_schema_dirs())}
        for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix):
            roots.add(os.path.realpath(prefix))
        _IGNORED.extend(r + os.sep for r in roots)
    return tuple(_IGNORED)


_IGNORED: list[str] = []


def _schema_dirs() -> list[str]:
    # As parity._resources.schemas_dir finds them, without importing importlib.resources.
    packaged = os.path.join(_PACKAGE, "_schemas")
    if os.path.isdir(packaged):
        return [packaged]
    return [os.path.join(os.path.dirname(_PACKAGE), "schemas")]


# --------------------------------------------------------------------------------------------
# Signatures


def _content(path: str) -> str:
    # os.read, not open(): a replay hashes a few hundred files, and io's file objects cost
    # twice the reading of a small one.
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"error:{exc.errno}"
    digest = blake2b(digest_size=16)
    try:
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
    except IsADirectoryError:
        return "dir"
    except OSError as exc:
        return f"error:{exc.errno}"
    finally:
        os.close(fd)
    return digest.hexdigest()


def _listing(path: str) -> str:
    try:
        with os.scandir(path) as entries:
            names = sorted(f"{e.name}\0{e.is_dir()}\0{e.is_symlink()}" for e in entries)
    except OSError as exc:
        return f"error:{exc.errno}"
    return blake2b("\n".join(names).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _mode(path: str, *, follow: bool) -> str:
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except OSError as exc:
        return f"error:{exc.errno}"
    # Type and permission bits: what existence, is_file and executable checks see.
    return f"{stat.S_IFMT(st.st_mode):o}:{stat.S_IMODE(st.st_mode):o}"


def _link(path: str) -> str:
    try:
        return "->" + os.readlink(path)
    except OSError as exc:
        return f"error:{exc.errno}"


def _tail(path: str) -> str:
    # A file that ends with a checksum of the rest (git's index): its size and last 32 bytes
    # (a SHA-1 or SHA-256 checksum), or its content when git wrote no checksum (index.skipHash).
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(size - 32, 0))
            tail = handle.read()
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"error:{exc.errno}"
    return f"{size}:{tail.hex()}" if any(tail[-20:]) else _content(path)


def folders(top: str, rels: list[str]) -> str:
    """A signature of the folders ``rels`` (relative to ``top``; "" for ``top``) that changes
    when an entry is added to, removed from or renamed in any of them, or one is replaced."""
    # A replay of a 100,000-file tree checks a thousand folders: little more per folder than
    # lstat. Each one's change time and inode: any change to a folder's entries sets both its
    # modification and change times, and a change time cannot be set back (a modification
    # time can).
    base = os.path.join(top, "")
    stamps = []
    for rel in rels:
        try:
            st = os.lstat(base + rel if rel else top)
        except OSError as exc:
            stamps.append(-1 - (exc.errno or 0))  # below every time and inode
            continue
        stamps.append(st.st_ctime_ns)
        stamps.append(st.st_ino)
    return digest(repr(stamps).encode())


def changed_since(paths: list[str], since: float) -> bool:
    """True when one of ``paths`` was modified at ``since`` or later (a folder too: when an
    entry was added, removed or renamed)."""
    for path in paths:
        try:
            if os.stat(path).st_mtime >= since:
                return True
        except OSError:
            continue
    return False


def current(kind: str, path: str) -> str:
    """The signature ``path`` has now, as an input of ``kind`` (read, list, stat, lstat, link,
    tail: see :func:`_tail`)."""
    if kind == "read":
        return _content(path)
    if kind == "tail":
        return _tail(path)
    if kind == "list":
        return _listing(path)
    if kind == "link":
        return _link(path)
    return _mode(path, follow=kind == "stat")


# --------------------------------------------------------------------------------------------
# The key and the store


def code_fingerprint() -> str:
    """parity's version and the size and time of each of its files (an edited install too)."""
    parts = [__version__, f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}"]
    for base in (_PACKAGE, *_schema_dirs()):
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".pyc", ".pyo")):
                    continue
                full = os.path.join(dirpath, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                parts.append(f"{full}\0{st.st_size}\0{st.st_mtime_ns}")
    return blake2b("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def make_key(**parts: Any) -> str:
    """The key of an entry: parity's code fingerprint and whatever the caller names."""
    import json

    doc = json.dumps({"code": code_fingerprint(), **parts}, sort_keys=True, default=str)
    return key_of(doc)


def digest(data: bytes) -> str:
    """A digest of ``data`` to compare it by."""
    return blake2b(data).hexdigest()[:32]


def key_of(text: str) -> str:
    """The key of an entry described by ``text``."""
    return blake2b(text.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def cache_dir(root: Path) -> Path | None:
    """Where entries for the repository at ``root`` live: ``$PARITY_CACHE_DIR``, else
    ``parity-cache`` in its git directory; None outside a git work tree."""
    from pathlib import Path

    folder = cache_folder(str(root.absolute()))
    return None if folder is None else Path(folder)


def cache_folder(start: str) -> str | None:
    """:func:`cache_dir` for the absolute path ``start``, without pathlib."""
    custom = os.environ.get("PARITY_CACHE_DIR")
    if custom:
        return custom
    folder = start
    while True:
        dotgit = os.path.join(folder, ".git")
        if os.path.isdir(dotgit):
            return os.path.join(dotgit, "parity-cache")
        if os.path.isfile(dotgit):
            try:
                with open(dotgit, encoding="utf-8") as handle:
                    text = handle.read().strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not text.startswith("gitdir:"):
                return None
            # (A relative path is relative to the folder; join keeps an absolute one.)
            return os.path.join(folder, text.removeprefix("gitdir:").strip(), "parity-cache")
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


class _Options:
    # What json.loads hands its scanner (json.decoder.JSONDecoder's defaults).
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity and -Infinity, as json reads them


def read_json(path: str | os.PathLike[str]) -> Any:
    """The JSON document in the file ``path``, as json.loads reads it (ValueError when it holds
    none), through json's own C scanner: the json package compiles regular expressions at
    import, which would cost a replay more than reading the entry."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        from _json import make_scanner

        # The scanner reads its options from any object's attributes (the stub wants another
        # scanner: json passes the decoder).
        value, end = make_scanner(_Options)(text, 0)  # type: ignore[arg-type]
    except (ImportError, StopIteration, SystemError, TypeError, AttributeError):
        # No C scanner, or not a document: the scanner raises its errors through json.decoder,
        # which is not imported (a SystemError without it), so json says what is wrong. (A
        # Python whose private scanner takes other options is answered by json too.)
        end = -1
    if end == len(text):
        return value
    import json  # space around the document, or not one: as json answers

    return json.loads(text)


def load(folder: Path, key: str) -> dict[str, Any] | None:
    """The stored result for ``key`` if every input it recorded is unchanged, else None."""
    try:
        entry = read_json(os.path.join(folder, f"{key}.json"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not (
        isinstance(entry, dict)
        and entry.get("tool") == TOOL
        and entry.get("format") == FORMAT
        and entry.get("key") == key
        and isinstance(entry.get("inputs"), list)
        and isinstance(entry.get("result"), dict)
    ):
        return None
    try:
        for kind, path, signature in entry["inputs"]:
            if current(kind, path) != signature:
                return None
    except (TypeError, ValueError):
        return None
    result: dict[str, Any] = entry["result"]
    return result


def store(folder: Path, key: str, recorder: Recorder, result: dict[str, Any]) -> bool:
    """Write the entry atomically; False (and nothing written) when the run cannot be cached."""
    if recorder.volatile is not None or recorder.racy():
        return False
    entry = {
        "tool": TOOL,
        "format": FORMAT,
        "key": key,
        "inputs": recorder.inputs(),
        "result": result,
    }
    return write_entry(folder, key, entry)


def write_entry(folder: str | Path, name: str, entry: dict[str, Any]) -> bool:
    """Write ``entry`` as ``folder/NAME.json`` atomically and drop the oldest entries beyond
    MAX_ENTRIES; False (and nothing written) when the folder cannot be written."""
    import contextlib
    import json

    data = json.dumps(entry, separators=(",", ":")).encode("utf-8", "surrogateescape")
    try:
        os.makedirs(folder, exist_ok=True)
        # A name of this process's own (tempfile would cost more to import than a hit takes).
        unique = f"{os.getpid()}.{_thread.get_ident()}.{time.time_ns()}"
        tmp = os.path.join(folder, f".entry.{unique}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, os.path.join(folder, f"{name}.json"))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(folder)
    except OSError:
        return False  # a read-only repository, a full disk: the check itself still succeeded
    return True


def _prune(folder: str | Path) -> None:
    import contextlib

    entries = []
    with os.scandir(folder) as it:
        for e in it:
            if e.name.endswith(".json"):
                with contextlib.suppress(OSError):
                    entries.append((e.stat().st_mtime, e.path))
    for _, path in sorted(entries)[:-MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            os.unlink(path)
