"""Replaying ``parity check``: a warm run that prints what the same command printed last time.

The results cache (``parity.cache``) spares a warm check the rules, but not the command line:
click and the reporters cost a cache hit more than the lookup itself. So a check that ends
normally also stores what it printed, keyed by the whole invocation (parity's code, the
arguments, the working directory, the environment, whether standard output is a terminal),
with every input the report was made from: the files the rules read (recorded as the results
cache records them), the baseline, and git's listing of the repository. The next identical
invocation prints the stored output when all of them are unchanged, before click is imported;
anything else (another option, an edited file, a new file, a different environment) runs the
command as usual. A replay knows git's listing unchanged from the index's checksum, git's
configuration files and the time stamps of every folder, and asks git only about the untracked
entries, if any (see :func:`_tree`): reading a 100,000-file tree again costs git far more than
the rest of a replay.

Only a check that writes nothing is stored: no ``--fix``, ``--diff``, ``--output``,
``--write-baseline`` or ``--changed-since``, and nothing that makes the results cache store
nothing (a rule that starts a process or reads the clock).
"""

from __future__ import annotations

import os
import sys

from parity import cache

# Not typing's, nor pathlib, json or hashlib: what a replay imports is most of what it costs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path
    from typing import Any

    from parity.cache import Recorder
    from parity.discover import Repo

KIND = "replay"
PREFIX = "r-"
# Where and under which key the running `parity check` stores what it prints, set by the
# command line (parity.cli) from :func:`lookup` only: a check run any other way is not stored.
pending: tuple[str, str] | None = None
# What a replay that found git's listing changed listed (:func:`_valid`), for the check that runs
# instead (:func:`relisted`): the command-line paths, and the repository and what found it.
_RELISTED: list[tuple[list[str], Repo, list[Path], Recorder]] = []


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
    doc = (
        cache.code_fingerprint(),
        prog_name,
        list(args),
        os.getcwd(),
        # All of it but what a shell sets to the command it ran (`time parity` and `parity`).
        sorted(item for item in os.environ.items() if item[0] != "_"),
        _isatty(),
    )
    # repr: one text for each value (strings, lists and a bool), with no import.
    return cache.key_of(repr(doc))


def lookup(args: Sequence[str], prog_name: str) -> tuple[str, str] | None:
    """The cache folder and key under which this invocation is stored, or None when it cannot
    be replayed (not a check, no results cache, output that is not UTF-8)."""
    if not args or args[0] != "check" or "--no-cache" in args or not _encoding_ok():
        return None
    if not cache.enabled():
        return None
    try:
        # The working directory's repository keeps the results cache (found without git).
        folder = cache.cache_folder(os.getcwd())
    except OSError:
        return None
    return None if folder is None else (folder, invocation_key(args, prog_name))


def replay(folder: str, key: str) -> int | None:
    """Print the stored output of the invocation ``key`` and return its exit code, or None (and
    print nothing) when there is none or any of its inputs changed."""
    try:
        entry = cache.read_json(os.path.join(folder, f"{PREFIX}{key}.json"))
        stored = _valid(entry, key, folder)
    except (OSError, ValueError, UnicodeDecodeError, TypeError, KeyError):
        return None
    if stored is None:
        return None
    text, code = stored
    sys.stdout.write(text)
    sys.stdout.flush()
    return code


def _valid(entry: Any, key: str, folder: str) -> tuple[str, int] | None:
    """The output and exit code of ``entry`` (stored in ``folder``) when it is this invocation's
    and still holds."""
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
    text, code = entry["stdout"], entry["exit"]
    if not isinstance(text, str) or not isinstance(code, int):
        return None
    tree = entry["tree"]
    if tree is not None and _unchanged(tree):
        return text, code
    from pathlib import Path

    from parity.ahead import import_ahead
    from parity.discover import discover_repo, locate
    from parity.errors import ParityError

    try:
        with cache.recording(exclude=(folder,)) as found:
            root, named, top = locate([Path(p) for p in entry["paths"]], Path.cwd())
            if str(root) != entry["root"] or [str(p) for p in named] != entry["named"]:
                return None
            # A listing that changed is the check's (relisted), which then has its imports.
            repo = discover_repo(root, top, meanwhile=import_ahead)
        if repo.listing != entry["listing"]:
            _RELISTED[:] = [(entry["paths"], repo, named, found)]
            return None
        # git lists the same files, though the index or the folders changed (an index git
        # rewrote, a configuration edited) or the tree had just changed when the entry was
        # stored: keep what the tree is now, so the next replay need not ask git again.
        tree = _tree(found, repo)
        if tree is not None:
            cache.write_entry(folder, f"{PREFIX}{key}", {**entry, "tree": tree})
    except (ParityError, OSError):
        return None
    return text, code


def _unchanged(tree: dict[str, Any]) -> bool:
    """True when git would list the repository as it did: the index, git's configuration and
    every folder it read are unchanged, and so is what found the repository, and git lists the
    same untracked and ignored files (see :func:`_tree`)."""
    for kind, path, signature in tree["inputs"]:
        if cache.current(kind, path) != signature:
            return False
    if cache.folders(tree["top"], tree["folders"]) != tree["signature"]:
        return False
    if tree["rerun"] is None:
        return True
    # Limited to the untracked entries, where git reads little.
    from pathlib import Path

    from parity.discover import untracked_digest
    from parity.errors import ParityError
    from parity.git import Worktree

    *commands, digest = tree["rerun"]
    try:
        others, ignored = Worktree(Path(tree["top"])).outputs(*(tuple(c) for c in commands))
    except (ParityError, OSError):
        return False
    return bool(untracked_digest(others, ignored) == digest)


def forget_listing() -> None:
    """The invocation is over (parity.cli): no listing is handed on to another."""
    _RELISTED.clear()


def relisted(paths: Sequence[Path]) -> tuple[Repo, list[Path], Recorder] | None:
    """The repository, the files named and what found them, as the replay of this invocation
    of the command-line ``paths`` just found them, with a listing other than the stored one;
    else None. Once: listing a 100,000-file tree again costs git about 130 ms."""
    if not _RELISTED:
        return None
    (listed, repo, named, found) = _RELISTED.pop()
    return (repo, named, found) if listed == [str(p) for p in paths] else None


def recording() -> AbstractContextManager[Recorder | None]:
    """Record what the check in the ``with`` block reads, for :func:`store` (None: no cache)."""
    if pending is None:
        import contextlib

        return contextlib.nullcontext()
    return cache.recording(exclude=(pending[0],))


def store(
    recorder: Recorder | None,
    *,
    found: Recorder | None,
    paths: Sequence[Path],
    repo: Repo,
    named: Sequence[Path],
    text: str,
    code: int,
) -> bool:
    """Store what this invocation printed, to be replayed; False when it cannot be.

    ``recorder`` recorded the check, ``found`` what found the repository ``repo`` (git's
    processes aside).
    """
    if recorder is None or pending is None or not repo.listing:
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
        "root": str(repo.root),
        "named": [str(p) for p in named],
        "listing": repo.listing,
        "tree": _tree(found, repo),
        "stdout": text,
        "exit": code,
    }
    return cache.write_entry(folder, f"{PREFIX}{key}", entry)


def _tree(found: Recorder | None, repo: Repo) -> dict[str, Any] | None:
    """What lets a replay know git's listing unchanged without running git, or None.

    git lists a tree (:func:`parity.discover.listed_folders`) from the index, its configuration
    and the entries of the folders it reads, then lists the untracked and ignored files under
    the untracked entries it found there. A replay that finds the same index (by its checksum),
    the same configuration files, the same time stamps on every folder and the same answers to
    what found the repository (``found``: the folders and files probed from the working
    directory up to the work tree's top, and to classify its links, inside the tree or out),
    and gets the same answers from those last two listings (``rerun``: their commands, then the
    digest of their output), would get the same listing. A tree where any of them changed
    within the last seconds is not stored this way (as the results cache's "racy" rule).
    """
    from parity.discover import listed_folders

    if found is None or found.volatile not in (None, "subprocess.Popen"):
        return None
    if repo.worktree is None:
        return None
    sources = repo.worktree.listing_sources()
    if sources is None:
        return None
    index, config = sources
    # An index or a configuration written within the last seconds (the first check after
    # `git add` or a commit) keeps the tree from being stored: known before the folders of
    # every file are read (a 100,000-file tree's, for nothing).
    if found.racy() or cache.changed_since([index[0], *config], found.started - cache.RACY_SECONDS):
        return None
    listed = listed_folders(repo)
    if listed is None:
        return None
    tree, rels, rerun = listed
    top = str(tree.top)
    dotgit = os.path.join(top, ".git")  # a file names the git directory; a folder is "dir"
    signature = cache.folders(top, rels)
    inputs = found.inputs(probes=True)
    inputs += [["tail", path, cache.current("tail", path)] for path in index]
    inputs += [["read", path, cache.current("read", path)] for path in [*config, dotgit]]
    # After the signatures: what changed since the run started may differ from what git read.
    # Not a split index's shared index: named by its checksum, it is never rewritten (git sets
    # its time each time it reads it).
    written = [*(os.path.join(top, rel) if rel else top for rel in rels), index[0], *config]
    if os.path.isfile(dotgit):
        written.append(dotgit)
    if found.racy() or cache.changed_since(written, found.started - cache.RACY_SECONDS):
        return None
    return {
        "top": top,
        "folders": rels,
        "signature": signature,
        "inputs": inputs,
        "rerun": None if rerun is None else [*rerun[0], rerun[1]],
    }
