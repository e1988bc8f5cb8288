"""Replaying ``parity check``: a warm run that prints what the same command printed last time.

The results cache (``parity.cache``) spares a warm check the rules, but not the command line:
click and the reporters cost a cache hit more than the lookup itself. So a check that ends
normally also stores what it printed, keyed by the whole invocation (parity's code, the
arguments, the working directory, the environment, whether standard output is a terminal),
with every input the report was made from: the files the rules read (recorded as the results
cache records them), the baseline, and git's listing of the repository. The next identical
invocation prints the stored output when all of them are unchanged, before click is imported;
anything else (another option, an edited file, a new file, a different environment) runs the
command as usual.

Only a check that writes nothing is stored: no ``--fix``, ``--diff``, ``--output``,
``--write-baseline`` or ``--changed-since``, and nothing that makes the results cache store
nothing (a rule that starts a process or reads the clock).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path

from parity import cache

# Not typing's: what a replay imports is most of what it costs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from parity.cache import Recorder

KIND = "replay"
PREFIX = "r-"
# Where and under which key the running `parity check` stores what it prints, set by the
# command line (parity.cli) from :func:`lookup` only: a check run any other way is not stored.
pending: tuple[Path, str] | None = None


def _encoding_ok() -> bool:
    # The stored output is text: written as is only to the UTF-8 stream click writes it to.
    encoding = getattr(sys.stdout, "encoding", None)
    return isinstance(encoding, str) and encoding.lower().replace("_", "-") in ("utf-8", "utf8")


def _isatty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def invocation_key(args: Sequence[str], prog_name: str) -> str:
    """Everything about this process that could change what the command prints."""
    doc = {
        "code": cache.code_fingerprint(),
        "prog": prog_name,
        "args": list(args),
        "cwd": os.getcwd(),
        # All of it but what a shell sets to the command it ran (`time parity` and `parity`).
        "env": sorted(item for item in os.environ.items() if item[0] != "_"),
        "tty": _isatty(),
    }
    text = json.dumps(doc, sort_keys=True)
    raw = text.encode("utf-8", "surrogateescape")
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


def lookup(args: Sequence[str], prog_name: str) -> tuple[Path, str] | None:
    """The cache folder and key under which this invocation is stored, or None when it cannot
    be replayed (not a check, no results cache, output that is not UTF-8)."""
    if not args or args[0] != "check" or "--no-cache" in args or not _encoding_ok():
        return None
    if not cache.enabled():
        return None
    try:
        # The working directory's repository keeps the results cache (found without git).
        folder = cache.cache_dir(Path.cwd())
    except OSError:
        return None
    return None if folder is None else (folder, invocation_key(args, prog_name))


def replay(folder: Path, key: str) -> int | None:
    """Print the stored output of the invocation ``key`` and return its exit code, or None (and
    print nothing) when there is none or any of its inputs changed."""
    try:
        entry = json.loads((folder / f"{PREFIX}{key}.json").read_text(encoding="utf-8"))
        stored = _valid(entry, key)
    except (OSError, ValueError, UnicodeDecodeError, TypeError, KeyError):
        return None
    if stored is None:
        return None
    text, code = stored
    sys.stdout.write(text)
    sys.stdout.flush()
    return code


def _valid(entry: Any, key: str) -> tuple[str, int] | None:
    """The output and exit code of ``entry`` when it is this invocation's and still holds."""
    if not (
        isinstance(entry, dict)
        and entry.get("tool") == cache.TOOL
        and entry.get("format") == cache.FORMAT
        and entry.get("kind") == KIND
        and entry.get("key") == key
    ):
        return None
    # The files' contents first: they cost no process.
    for kind, path, signature in entry["inputs"]:
        if cache.current(kind, path) != signature:
            return None
    from parity.discover import discover_repo, locate
    from parity.errors import ParityError

    try:
        root, named, top = locate([Path(p) for p in entry["paths"]], Path.cwd())
        if str(root) != entry["root"] or [str(p) for p in named] != entry["named"]:
            return None
        if discover_repo(root, top).listing != entry["listing"]:
            return None
    except (ParityError, OSError):
        return None
    text, code = entry["stdout"], entry["exit"]
    if not isinstance(text, str) or not isinstance(code, int):
        return None
    return text, code


@contextlib.contextmanager
def recording() -> Iterator[Recorder | None]:
    """Record what the check in the ``with`` block reads, for :func:`store` (None: no cache)."""
    if pending is None:
        yield None
        return
    with cache.recording(exclude=(str(pending[0]),)) as recorder:
        yield recorder


def store(
    recorder: Recorder | None,
    *,
    paths: Sequence[Path],
    root: Path,
    named: Sequence[Path],
    listing: str,
    text: str,
    code: int,
) -> bool:
    """Store what this invocation printed, to be replayed; False when it cannot be."""
    if recorder is None or pending is None or not listing:
        return False
    if recorder.volatile is not None or recorder.racy():
        return False
    folder, key = pending
    entry = {
        "tool": cache.TOOL,
        "format": cache.FORMAT,
        "kind": KIND,
        "key": key,
        "inputs": recorder.inputs(),
        "paths": [str(p) for p in paths],
        "root": str(root),
        "named": [str(p) for p in named],
        "listing": listing,
        "stdout": text,
        "exit": code,
    }
    return cache.write_entry(folder, f"{PREFIX}{key}", entry)
