"""Find the files of every scope: the repository through git, the user scope through $HOME."""

from __future__ import annotations

import errno
import functools
import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from fnmatch import fnmatchcase
from itertools import repeat
from operator import getitem
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from parity.errors import ParityError

if TYPE_CHECKING:
    from parity.git import Worktree

MODE_EXECUTABLE = 0o100755
MODE_SYMLINK = 0o120000
# A plain directory (no git) is walked, but never deeper than this or into these folders.
_WALK_MAX_FILES = 200_000
_WALK_SKIP = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", "dist"})
# An untracked file as Files keeps it: (tracked, index mode).
_UNTRACKED: tuple[bool, int | None] = (False, None)
# A file as Files keeps it: (tracked, index mode), or a tracked file's record of git's listing
# ("<tag> <mode> <object> <stage>\t<name>"), whose mode is read when the file is looked up.
_Entries = dict[str, "tuple[bool, int | None] | str"]


class RepoFile(NamedTuple):
    """One file of the working tree, as git sees it (a tuple: a monorepo has 100,000 of them)."""

    rel: str
    tracked: bool
    mode: int | None = None  # the index mode of a tracked file (0o100644, 0o100755, 0o120000)

    @property
    def executable_in_index(self) -> bool:
        """True when git records the file as executable (what a fresh clone will have)."""
        return self.mode == MODE_EXECUTABLE


class Files(MutableMapping[str, RepoFile]):
    """The files of a working tree by repo-relative path, each a :class:`RepoFile` on lookup.

    A monorepo has 100,000 files and the rules look up a few: each path keeps one of a handful
    of shared ``(tracked, mode)`` pairs, and its RepoFile is only built when asked for. Given a
    function instead of the pairs, they are built by it on first use (a results-cache hit never
    asks); given ``listed`` too, a lookup is answered from git's listing itself until something
    walks or changes the files (:class:`_Listed`).
    """

    __slots__ = ("_listed", "_source")

    def __init__(
        self, entries: _Entries | Callable[[], _Entries], listed: _Listed | None = None
    ) -> None:
        self._source = entries
        self._listed = listed

    @property
    def _entries(self) -> _Entries:
        source = self._source
        if not isinstance(source, dict):
            source = self._source = source()
            self._listed = None
        return source

    def __getitem__(self, rel: str) -> RepoFile:
        listed = self._listed
        entry = self._entries[rel] if listed is None else listed[rel]
        if isinstance(entry, str):
            return RepoFile(rel, True, int(entry[2:8], 8))
        return RepoFile(rel, *entry)

    def __setitem__(self, rel: str, entry: RepoFile) -> None:
        self._entries[rel] = (entry.tracked, entry.mode)

    def __delitem__(self, rel: str) -> None:
        del self._entries[rel]

    def __contains__(self, rel: object) -> bool:
        listed = self._listed
        if listed is None or not isinstance(rel, str):
            return rel in self._entries
        return listed.get(rel) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def untracked(self) -> list[str]:
        """The files git does not track, read off the entries (no RepoFile made per file)."""
        if self._listed is not None:
            return self._listed.untracked()
        # A tracked file's entry is its record of git's listing, any other (tracked, mode).
        return [rel for rel, e in self._entries.items() if not isinstance(e, str) and not e[0]]

    def __len__(self) -> int:
        return len(self._entries)


# A tracked listing this long (about 3,000 files) is looked up where git wrote it (_Listed):
# below, a dict of the names costs less than the lookups' binary searches.
_LISTED_FROM = 256 * 1024


class _Listed:
    """The files of a large tree where git's listings have them: the tracked ones in the
    ``ls-files -z --stage`` listing as git wrote it, the untracked ones by name.

    Sorting the listing into a dict costs three strings or entries per file (three quarters of
    what a check spends on the files of a 100,000-file tree), for a check that looks up a few
    hundred. Here a file is found by a binary search of the listing, which is in git's index
    order: sorted by the names' bytes, a conflicted file's stages next to each other (git
    refuses an index that is not). It is kept only for a listing in ASCII (whose bytes sort as
    its text does) whose names all lie below the checked folder; the lookups' answers are those
    of :func:`_entries`, the last record of a name winning.
    """

    __slots__ = ("_others", "_skip", "_starts", "_text", "_untracked")

    def __init__(self, text: bytes, skip: int, untracked: list[str]) -> None:
        self._text = text
        self._skip = skip  # where a name starts in each record, past the checked folder's prefix
        self._untracked = frozenset(untracked)
        self._others = "\0" + "\0".join(untracked) + "\0"  # searched as Repo._joined
        self._starts: dict[str, int] = {}  # name -> where its last record starts (-1: none)

    @classmethod
    def of(cls, staged: bytes, prefix: str, untracked: list[str]) -> _Listed | None:
        """The listing of ``staged`` (``prefix``: the checked folder's, with its "/"), or None
        where the dict of :func:`_entries` is due."""
        if not staged or len(staged) < _LISTED_FROM:
            return None
        if not staged.isascii() or not prefix.isascii():
            return None
        skip = staged.index(b"\t") + 1
        # Sorted, the names all lie below the folder when the first and the last do.
        first = staged[skip : staged.index(b"\0")]
        last = staged[staged.rfind(b"\0", 0, len(staged) - 1) + 1 + skip : -1]
        folder = prefix.encode()
        if not (first.startswith(folder) and last.startswith(folder)):
            return None
        return cls(staged, skip + len(folder), untracked)

    def __getitem__(self, rel: str) -> tuple[bool, int | None]:
        entry = self.get(rel)
        if entry is None:
            raise KeyError(rel)
        return entry

    def get(self, rel: str) -> tuple[bool, int | None] | None:
        """``rel``'s ``(tracked, index mode)``, or None when git lists no such file."""
        start = self._starts.get(rel)
        if start is None:
            start = self._starts[rel] = self._find(rel)
        if start >= 0:
            return True, int(self._text[start + 2 : start + 8], 8)
        return _UNTRACKED if rel in self._untracked else None

    def _find(self, rel: str) -> int:
        """Where the last record of ``rel`` starts, -1 without one."""
        if not rel.isascii():
            return -1
        name = rel.encode()
        text, skip = self._text, self._skip
        low, high = 0, len(text)  # each the start of a record (or the end)
        while low < high:
            middle = (low + high) // 2
            start = text.rfind(b"\0", low, middle) + 1 or low
            end = text.index(b"\0", start)
            if text[start + skip : end] <= name:
                low = end + 1
            else:
                high = start
        # ``low`` ends the last record whose name is at most ``name``.
        if low == 0:
            return -1
        start = text.rfind(b"\0", 0, low - 1) + 1
        return start if text[start + skip : low - 1] == name else -1

    def untracked(self) -> list[str]:
        """The files git lists as untracked (none of them is tracked too)."""
        return list(self._untracked)

    def folders(self, prefix: str) -> set[str]:
        """The folders of the files relative to the work tree's top (``prefix``: the checked
        folder's, with its "/"), as :func:`listed_folders` reads them off ``repo.files``,
        without sorting the listing into a dict first."""
        records = self._text.decode().split("\0")
        records.pop()  # after the last NUL
        # Each path from the work tree's top (the checked folder's prefix kept), sliced in C.
        paths: Iterable[str] = map(getitem, records, repeat(slice(self._skip - len(prefix), None)))
        found = {path.rpartition("/")[0] for path in paths}
        found.update(f"{prefix}{rel}".rpartition("/")[0] for rel in self._untracked)
        return found

    def ending(self, ends: tuple[str, ...]) -> dict[str, set[str]]:
        """For each of ``ends`` (non-empty), the names that end with it, tracked or untracked:
        what :meth:`search` finds for ``end + "\\0"``, for all of them in one pass over the
        listing instead of one search each (a regex that the ends' NUL closes, so each match
        ends a record)."""
        found: dict[str, set[str]] = {end: set() for end in ends}
        if not ends:
            return found
        named = _found_in(self._others, tuple(f"{end}\0" for end in ends))
        wanted = [end for end in ends if end.isascii()]  # (no name of the listing holds another)
        if wanted:
            ors = b"|".join(re.escape(end.encode()) for end in wanted)
            pattern = re.compile(b"(?:%b)\0" % ors)
            text, skip, starts = self._text, self._skip, self._starts
            for m in pattern.finditer(text):
                start = text.rfind(b"\0", 0, m.start()) + 1
                # (A match that starts in the record's tag, mode, object or folder prefix finds
                # a name only when the name itself ends with one of the ends.)
                rel = text[start + skip : m.end() - 1].decode()
                named.add(rel)
                starts[rel] = start  # a later record of the name comes later: the last wins
        for rel in named:
            for end in ends:
                if rel.endswith(end):
                    found[end].add(rel)
        return found

    def search(self, needles: tuple[str, ...]) -> set[str]:
        """The names holding any of ``needles`` (as :meth:`Repo._search` builds them: a name's
        end is followed by a NUL), tracked or untracked."""
        found = _found_in(self._others, needles)
        text, skip, starts = self._text, self._skip, self._starts
        for needle in needles:
            if not needle.isascii():
                continue  # no name of an ASCII listing holds it
            wanted = needle.encode()
            tail = len(wanted) - 1 if wanted.endswith(b"\0") else 0
            at = text.find(wanted)
            while at != -1:
                start = text.rfind(b"\0", 0, at) + 1
                if at < start + skip:  # in the record's tag, mode, object or folder: not its name
                    at = text.find(wanted, start + skip)
                    continue
                end = text.index(b"\0", at + tail)
                rel = text[start + skip : end].decode()
                found.add(rel)
                starts[rel] = start  # a later record of the name comes later: the last wins
                at = text.find(wanted, end + 1)
        return found


class Link(NamedTuple):
    """A symbolic link of the working tree and where it leads.

    Only the classification is kept, never the link's text: a link out of the repository often
    names a path in its author's home.
    """

    rel: str
    target: str | None  # the repo-relative file or folder it leads to, when that exists inside
    leaves: bool = False  # True when it leads out of the repository (or is an absolute path)
    spelled: str | None = None  # the repo-relative path it names when it dangles inside

    @property
    def broken(self) -> bool:
        """True when a fresh clone has a dangling link here (it leaves or leads nowhere)."""
        return self.target is None


class Repo:
    """The repository being checked: its root and what git knows about each file.

    (A plain class, like Home a NamedTuple: a replayed check imports this module, and the
    dataclasses module costs it more than its own work.)
    """

    def __init__(
        self,
        root: Path,
        is_git: bool,
        files: MutableMapping[str, RepoFile],
        *,
        ignored_dirs: tuple[str, ...] = (),
        ignored_files: frozenset[str] = frozenset(),
        listing: str | Callable[[], str] = "",
        worktree: Worktree | None = None,
        links: dict[str, Link] | None = None,
    ) -> None:
        self.root = root
        self.is_git = is_git
        self.files = files
        self.ignored_dirs = ignored_dirs
        self.ignored_files = ignored_files
        # A digest of git's file listing (index modes, where links lead); "" without git. Given
        # a function, it is made on first use: a check without the results cache never asks.
        self._listing = listing
        self.worktree = worktree  # where git runs for this repository (None: not git)
        self.links: dict[str, Link] = {} if links is None else links
        self._real_root = root.resolve()
        # Set by discover_repo for a git work tree (see listed_folders).
        self._plain: tuple[Worktree, tuple[Commands, str] | None] | None = None
        self._real_folders: dict[str, str] = {}  # folder -> its resolved path (safe_path)
        self._found: dict[tuple[tuple[str, ...], tuple[str, ...]], frozenset[str]] = {}

    def __repr__(self) -> str:
        return f"Repo({str(self.root)!r}, is_git={self.is_git}, {len(self.files)} files)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Repo):
            return NotImplemented
        return self._compared() == other._compared()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the files it holds

    def _compared(self) -> dict[str, object]:
        # What __init__ was given; the underscored attributes are caches derived from it.
        given = {name: value for name, value in vars(self).items() if not name.startswith("_")}
        return {**given, "listing": self.listing}

    @property
    def listing(self) -> str:
        """A digest of git's file listing (index modes, where links lead); "" without git."""
        listing = self._listing
        if not isinstance(listing, str):
            listing = self._listing = listing()
        return listing

    def with_files(self, files: MutableMapping[str, RepoFile]) -> Repo:
        """This repository with another file list (what a planned fix leaves)."""
        return Repo(
            self.root,
            self.is_git,
            files,
            ignored_dirs=self.ignored_dirs,
            ignored_files=self.ignored_files,
            listing=self._listing,
            worktree=self.worktree,
            links=self.links,
        )

    def broken_link(self, rel: str) -> Link | None:
        """The link at ``rel``, or at one of its parent folders, that a fresh clone has dangling."""
        if not self.links:
            return None
        parts = PurePosixPath(rel).parts
        for i in range(len(parts), 0, -1):
            link = self.links.get("/".join(parts[:i]))
            if link is not None:
                return link if link.broken else None
        return None

    def link_target(self, rel: str) -> str:
        """The file ``rel`` stands for once links inside the repository are followed."""
        link = self.links.get(rel)
        return link.target if link is not None and link.target is not None else rel

    def get(self, rel: str) -> RepoFile | None:
        """The entry for repo-relative POSIX path ``rel`` (tracked or untracked), or None."""
        return self.files.get(rel)

    def is_ignored(self, rel: str) -> bool:
        """True when git ignores ``rel`` (a fresh clone will not have it)."""
        if rel in self.ignored_files:
            return True
        return any(rel == d.rstrip("/") or rel.startswith(d) for d in self.ignored_dirs)

    def exists(self, rel: str) -> bool:
        """True when ``rel`` exists in the working tree (tracked, untracked or ignored)."""
        return self.safe_path(rel) is not None and (self.root / rel).exists()

    def untracked(self) -> list[str]:
        """The files of the working tree that git does not track (a fresh clone lacks them)."""
        files = self.files
        if isinstance(files, Files):  # read off its entries, no RepoFile made per file
            return files.untracked()
        return [rel for rel, entry in files.items() if not entry.tracked]

    def in_clone(self, rel: str) -> bool:
        """True when a fresh clone of the committed tree has ``rel``."""
        entry = self.files.get(rel)
        return entry is not None and entry.tracked

    def abspath(self, rel: str) -> Path:
        """The absolute path of repo-relative ``rel`` (not resolved)."""
        return self.root / rel

    def safe_path(self, rel: str) -> Path | None:
        """The path of ``rel`` if it stays inside the repository once links resolve, else None."""
        return self.root / rel if self.inside(rel) else None

    def inside(self, rel: str) -> bool:
        """True when ``rel`` stays inside the repository once links resolve (:meth:`safe_path`
        without building its path: every configuration file is asked about once a check)."""
        # PurePosixPath(rel)'s test, on the text: its parts are the pieces between slashes but
        # "" and ".", so ".." is one of them exactly when it is one of these.
        if not rel or rel.startswith("/") or ".." in rel.split("/"):
            return False
        real = self._resolved(self._joined_path(rel))
        if real is None:
            return False
        root = str(self._real_root)
        return real == root or real.startswith(root if root.endswith("/") else root + "/")

    def _joined_path(self, rel: str) -> str:
        """``str(self.root / rel)``, without pathlib for a path as git lists them."""
        top = str(self.root)
        if (
            not top.startswith("/")
            or rel == "."
            or rel.startswith("./")
            or rel.endswith(("/", "/."))
            or "//" in rel
            or "/./" in rel
        ):
            return str(self.root / rel)  # pathlib drops empty and "." parts
        return f"{top}/{rel}" if top != "/" else f"/{rel}"

    def _resolved(self, path: str) -> str | None:
        """What ``Path(path).resolve()`` gives, None where it raises (a symlink loop, a link
        that cannot be read).

        The same result for less work: a path resolves to its folder's resolved path joined
        with its name unless the name is itself a link, so each folder is resolved once for all
        of its files (a folder's resolution takes a system call per part of the path), and a
        file that is a link, or lies in a loop, is resolved whole as before.
        """
        folder, name = os.path.split(path)
        real_folder = self._real_folders.get(folder)
        if real_folder is None and not os.path.isabs(folder):  # resolved from the cwd: no cache
            return self._resolved_whole(path)
        if real_folder is None:
            try:
                real_folder = self._real_folder(folder)
            except OSError:
                return None
        joined = os.path.join(real_folder, name)
        try:
            is_link = stat.S_ISLNK(os.lstat(joined).st_mode)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # resolve() raises for a loop in the folders
                return None
            is_link = False  # missing: resolve() leaves the name as it is
        return joined if not is_link else self._resolved_whole(path)

    def _real_folder(self, folder: str) -> str:
        """``os.path.realpath(folder)`` (absolute), each folder resolved from its parent's.

        realpath takes the parts from the top, keeping the path it has resolved so far and
        adding each name that is not a link (a system call each): so a folder is its resolved
        parent and its name unless the name is a link, or "." or "..", which realpath resolves
        whole as before. A monorepo's setups share their parents, resolved once.
        """
        known = self._real_folders
        pending = []
        at = folder
        while at not in known:
            parent, name = os.path.split(at)
            if not name or parent == at:  # the file system's root
                known[at] = os.path.realpath(at)
                break
            pending.append((at, name))
            at = parent
        real = known[at]
        for at, name in reversed(pending):
            joined = os.path.join(real, name)
            try:
                is_link = stat.S_ISLNK(os.lstat(joined).st_mode)
            except OSError:
                is_link = False  # as realpath reads a name it cannot look at
            whole = is_link or name in (".", "..")
            real = known[at] = os.path.realpath(at) if whole else joined
        return real

    @staticmethod
    def _resolved_whole(path: str) -> str | None:
        try:
            return str(Path(path).resolve())
        except (OSError, RuntimeError):  # symlink loops
            return None

    def rel(self, path: Path) -> str | None:
        """The repo-relative POSIX form of ``path``, or None when it is outside the repository."""
        try:
            return path.absolute().relative_to(self.root.absolute()).as_posix()
        except ValueError:
            try:
                return path.resolve().relative_to(self._real_root).as_posix()
            except (ValueError, OSError, RuntimeError):
                return None

    def glob(self, *patterns: str) -> Iterator[str]:
        """Known files (tracked, or untracked and not ignored) matching any glob pattern.

        Patterns match from the right, like ``PurePosixPath.match``: ``package.json`` finds every
        package.json. A plain name, or ``*`` and a plain ending (``*.txt``), is found by one
        search of every path at once; other names from an index of the file names built once,
        so a monorepo is not walked per pattern.
        """
        found: set[str] = set()
        for pattern in patterns:
            last = pattern.rsplit("/", 1)[-1]
            end = _searched_end(last)
            if end is not None and not _wild(last):
                rels = self.paths_with(ends=(end,))
                if last in self.files:
                    rels.add(last)
            elif end is not None:
                rels = {
                    rel
                    for rel in self.paths_with(ends=(end,))
                    if fnmatchcase(rel.rsplit("/", 1)[-1], last)
                }
            else:
                index = self._by_name
                rels = {rel for n in index if fnmatchcase(n, last) for rel in index[n]}
            for rel in rels:
                if "/" not in pattern or PurePosixPath(rel).match(pattern):
                    found.add(rel)
        yield from sorted(found)

    def paths_with(self, *parts: str, ends: tuple[str, ...] = ()) -> set[str]:
        """Known files whose path holds one of ``parts`` or ends with one of ``ends`` (each a
        non-empty string).

        One substring search of every path at once: of a monorepo's 100,000 files, only those
        that match are visited; and once per question, however many rules ask it (several
        look for the same package-manager files), like :attr:`_joined` itself.
        """
        key = (parts, ends)
        known = self._found.get(key)
        if known is None:
            known = self._found[key] = frozenset(self._search(parts, ends))
        return set(known)

    def glob_ahead(self, *patterns: str) -> None:
        """Make now the searches :meth:`glob` makes for ``patterns``, in one pass over a large
        tree's listing: the rules glob each package-manager file in turn, and each search of a
        100,000-file listing reads its 8 MB (a smaller tree's are made when asked, as before)."""
        files = self.files
        listed = files._listed if isinstance(files, Files) else None
        ends = {_searched_end(pattern.rsplit("/", 1)[-1]): None for pattern in patterns}
        todo = tuple(end for end in ends if end is not None and ((), (end,)) not in self._found)
        if listed is None or len(todo) < 2:
            return
        for end, rels in listed.ending(todo).items():
            self._found[(), (end,)] = frozenset(rels)

    def _search(self, parts: tuple[str, ...], ends: tuple[str, ...]) -> set[str]:
        needles = (*parts, *(f"{end}\0" for end in ends))
        files = self.files
        listed = files._listed if isinstance(files, Files) else None
        if listed is not None:
            return listed.search(needles)
        return _found_in(self._joined, needles)

    @functools.cached_property
    def _joined(self) -> str:
        # Every path between NULs, which no file name holds.
        return "\0" + "\0".join(self.files) + "\0"

    @functools.cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for rel in self.files:
            index.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        return index


def _found_in(text: str, needles: tuple[str, ...]) -> set[str]:
    """The paths of ``text`` (each between NULs) that hold any of ``needles``."""
    found: set[str] = set()
    for needle in needles:
        at = text.find(needle, 1)
        while at != -1:
            start = text.rfind("\0", 0, at) + 1
            end = text.index("\0", at + len(needle) - 1 if needle.endswith("\0") else at)
            found.add(text[start:end])
            at = text.find(needle, end + 1)
    return found


def _searched_end(name: str) -> str | None:
    """The ending :meth:`Repo.glob` searches every path for, to find the files ``name`` (a
    pattern's last part) matches: "/" and a plain name, or a plain ending after a "*"; None
    when the names themselves are matched instead."""
    if not _wild(name):
        return f"/{name}"
    if name[:1] == "*" and name[1:] and not _wild(name[1:]):
        return name[1:]
    return None


def _wild(name: str) -> bool:
    return any(c in name for c in "*?[")


def git_root(start: Path) -> Path | None:
    """The top of the git work tree containing ``start``, or None outside a repository."""
    from parity.git import toplevel

    return toplevel(start)


def resolve_root(paths: Sequence[Path], cwd: Path) -> tuple[Path, list[Path]]:
    """The repository root to check and the files named on the command line."""
    root, named, _top = locate(paths, cwd)
    return root, named


class Target(NamedTuple):
    """What a command names: the folder to check, the files named, and the top of the git work
    tree holding the folder (None outside git), to hand to :func:`discover_repo`."""

    root: Path
    named: list[Path]
    top: Path | None


def locate(paths: Sequence[Path], cwd: Path) -> Target:
    """The folder to check for command-line ``paths`` (default ``cwd``'s repository)."""
    from parity.errors import UsageError

    dirs = [p for p in paths if p.is_dir()]
    files = [p for p in paths if not p.is_dir()]
    for p in files:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
    if len(dirs) > 1:
        raise UsageError("name one repository directory at a time")
    anchor = dirs[0] if dirs else (files[0].parent if files else cwd)
    top = root = git_root(anchor.absolute())
    if root is None:
        root = anchor.absolute()
    elif dirs and dirs[0].resolve() != root.resolve():
        # A sub-folder of a repository named explicitly: check that folder's configuration.
        root = dirs[0].absolute()
    return Target(root, [f.absolute() for f in files], top)


def discover_repo(
    root: Path,
    top: Path | None = None,
    meanwhile: Callable[[Callable[[float], bool]], None] | None = None,
) -> Repo:
    """Read the file list of ``root``: through git when it is a work tree, else a bounded walk.

    ``top`` is the top of the work tree holding ``root`` when the caller knows it (it costs a
    git process to find). ``meanwhile`` is work to do while git lists the tree: it is called
    with ``busy``, and is to return soon after ``busy(seconds)`` says git has ended (which it
    waits up to ``seconds`` for).
    """
    from parity.git import worktree

    tree = worktree(root, top)
    if tree is None:
        return _walk(root)
    # git runs from the top of the work tree, never from ``root`` (a folder of the repository's
    # content: see parity.git); for a sub-folder checked as its own project only the files below
    # it are listed, relative to it.
    prefix = f"{tree.prefix}/" if tree.prefix else ""
    staged, others, ignored, commands = _listings(tree, meanwhile)
    untracked = _names(others, prefix)
    # Untracked files carry no index mode: a symbolic link among them is found on disk.
    linked = [rel for rel in untracked if _is_link(root / rel)]
    links: dict[str, Link] = {}
    # A tracked link's record holds its mode (" 120000 "). Most trees hold no link: their files
    # are then sorted into entries only when something looks them up.
    linkless = not linked and b" 120000 " not in staged
    if not linkless:
        entries = _entries(staged, prefix, untracked, linked)
        # A link's entry: (tracked, 0o120000), or a record with " 120000 " as its mode.
        pending = [
            rel
            for rel, entry in entries.items()
            if (entry[2:8] == "120000" if isinstance(entry, str) else entry[1] == MODE_SYMLINK)
        ]
        files = Files(entries)
        links = _follow_links(root, files, pending)
    else:
        files = Files(
            functools.partial(_entries, staged, prefix, untracked, linked),
            _Listed.of(staged, prefix, untracked),
        )
    dirs: list[str] = []
    plain: set[str] = set()
    for rel in _names(ignored, prefix):
        if rel.endswith("/"):
            dirs.append(rel)
        else:
            plain.add(rel)
    # Where each link leads is in the listing too (the results cache's key): git's listing has
    # the committed link, not one pointed elsewhere since or never added.
    where = "\0".join(f"{k.rel}\1{k.target}\1{k.leaves}\1{k.spelled}" for k in links.values())
    repo = Repo(
        root,
        True,
        files,
        ignored_dirs=tuple(dirs),
        ignored_files=frozenset(plain),
        # Digested when the results cache asks (never with --no-cache): 8 MB at 100,000 files.
        listing=functools.partial(_listing_digest, staged, others, ignored, where),
        worktree=tree,
        links=links,
    )
    rerun = None if commands is None else (commands, untracked_digest(others, ignored))
    repo._plain = (tree, rerun)
    return repo


def listed_folders(repo: Repo) -> tuple[Worktree, list[str], tuple[Commands, str] | None] | None:
    """The folders git reads to list ``repo``'s tracked files and untracked entries (relative to
    the work tree's top, "" for the top), with the commands of git's listings of untracked and
    ignored files and :func:`untracked_digest` (None when git found no untracked entry); None
    for a folder outside git.

    git's listing depends on the index, on the entries of these folders and on those two
    listings alone. Every folder git reads holds a tracked file: they are the tracked files'
    parents (and the untracked ones': more than git reads is only more to compare), and no file
    or folder can appear or go without changing one of their time stamps. A replayed check
    compares these time stamps and the index, and asks git only for the untracked and ignored
    files, limited to the untracked entries (parity.replay). Where a link leads is not in them:
    the replay has it from what was probed to classify the links (readlink, and lstat along
    the way), recorded with what found the repository.
    """
    if repo._plain is None:
        return None
    tree, rerun = repo._plain
    folders = {""}
    prefix = f"{tree.prefix}/" if tree.prefix else ""
    files = repo.files
    listed = files._listed if isinstance(files, Files) else None
    if listed is not None:
        parents = listed.folders(prefix)
    elif prefix:
        parents = {f"{prefix}{rel}".rpartition("/")[0] for rel in repo.files}
    else:  # the top: no path to build per file (100,000 of them)
        parents = {rel.rpartition("/")[0] for rel in repo.files}
    # The checked folder and those above it too (git looks at them first, tracked files or not).
    parents.add(tree.prefix)
    for parent in parents:
        folder = parent
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return tree, sorted(folders), rerun


def _entries(staged: bytes, prefix: str, untracked: list[str], linked: list[str]) -> _Entries:
    """Each file's ``(tracked, index mode)``: the untracked ones, then the tracked ones of the
    ``ls-files --stage`` listing ``staged``; ``linked`` are the untracked symbolic links."""
    entries: _Entries = dict.fromkeys(untracked, _UNTRACKED)
    # A tracked file's record is "<tag> <mode> <object> <stage>\t<name>" (tag "H", or "S" for a
    # skip-worktree file): the name starts at the same offset in every record (one object format
    # per repository), so the listing is cut, not parsed record by record. A name may hold a tab
    # or a newline itself.
    # Each name keeps its record: the mode is read from it only for the few files looked up
    # (a 100,000-file tree's modes were a third of the time spent here).
    records = _records(staged)
    if records:
        start = records[0].index("\t") + 1
        # Each name sliced off its record in C (map, not a comprehension: -7% of this sort).
        names: Iterable[str] = map(getitem, records, repeat(slice(start, None)))
        if prefix:
            names = [name.removeprefix(prefix) for name in names]
        entries.update(zip(names, records, strict=True))
    for rel in linked:
        if entries[rel] is _UNTRACKED:
            entries[rel] = (False, MODE_SYMLINK)
    return entries


# At most this many untracked entries (or bytes of their names) are handed back to git to limit
# its second look at the tree; more, and the whole folder is walked again instead.
_MAX_PATHSPECS = 1_000
_MAX_PATHSPEC_BYTES = 100_000


def _listings(
    tree: Worktree, meanwhile: Callable[[Callable[[float], bool]], None] | None = None
) -> tuple[bytes, bytes, bytes, Commands | None]:
    """git's three listings of the checked folder (``ls-files -z``): tracked files with their
    tag and index mode (``--stage``), untracked files that are not ignored (``--others
    --exclude-standard``), and what git ignores (``--others --ignored --exclude-standard
    --directory``); and the commands that made the last two, or None when git found no untracked
    entry at all (an empty folder is one, though neither of the last two listings shows it).

    Reading every folder of the tree is what costs at 100,000 files, and configuration may lie
    at any depth (a nested CLAUDE.md or .claude/), so no pathspec can spare the reading; it is
    done once. The first listing has the tracked files and every untracked path, with a folder
    that holds no tracked file as one entry (git does not look inside it). The other two are
    asked only for those entries (literal pathspecs), where git reads nothing else: a clean
    checkout needs one git process, and a tree with a few untracked entries (node_modules/,
    build/, a new file) only that much more.

    ``meanwhile`` runs while git reads the tree (see :func:`discover_repo`).
    """
    scope = ("--", tree.prefix) if tree.prefix else ()
    args = ("ls-files", "-z", "-t", "--stage", "--others", "--directory", *scope)
    try:
        running = tree.start(*args)
    except OSError:  # no file to hold the output (not even a temporary one): through a pipe
        listing = tree.output(*args)
    else:
        if meanwhile is not None:
            try:
                meanwhile(lambda within: not running.ended(within))
            except BaseException:
                running.stop()  # (an interrupted check says so, not that git failed)
                raise
        listing = running.output()
    # Untracked entries ("? NAME") come before the tracked ones, which never start with "? ".
    cut = 0
    while listing.startswith(b"? ", cut):
        cut = listing.index(b"\0", cut) + 1
    if cut == 0:
        return listing, b"", b"", None
    specs = [os.fsdecode(record[2:].rstrip(b"/")) for record in listing[:cut].split(b"\0")[:-1]]
    if len(specs) > _MAX_PATHSPECS or cut > _MAX_PATHSPEC_BYTES:
        return listing[cut:], *_untracked(tree, scope)
    try:
        return listing[cut:], *_untracked(tree, ("--", *specs))
    except ParityError:
        return listing[cut:], *_untracked(tree, scope)  # as git answers for the whole folder


# git's arguments for its listings of untracked files and of ignored files.
Commands = tuple[tuple[str, ...], tuple[str, ...]]


def _untracked(tree: Worktree, scope: tuple[str, ...]) -> tuple[bytes, bytes, Commands]:
    """The untracked files git does not ignore, and what it ignores, within ``scope``; and the
    commands that list them."""
    commands = (
        ("ls-files", "-z", "--others", "--exclude-standard", *scope),
        ("ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", *scope),
    )
    others, ignored = tree.outputs(*commands)
    return others, ignored, commands


def _listing_digest(staged: bytes, others: bytes, ignored: bytes, where: str) -> str:
    """The digest of git's three listings and of where the links lead (Repo.listing)."""
    from parity._sha256 import sha256

    # SHA-256: most x86 and ARM processors run it in hardware, three times blake2b's speed on
    # the 8 MB listing of a 100,000-file tree (OpenSSL's, for such a listing: parity._sha256).
    rest = (others, ignored, where.encode("utf-8", "surrogateescape"))
    digest = sha256(staged, size=len(staged) + sum(len(listed) + 3 for listed in rest))
    for listed in rest:
        digest.update(b"\0\1\0" + listed)
    return digest.hexdigest()


def untracked_digest(others: bytes, ignored: bytes) -> str:
    """What a replay compares of git's listings of untracked and of ignored files."""
    from parity.cache import digest

    return digest(others + b"\0\1\0" + ignored)


def _records(out: bytes) -> list[str]:
    """The NUL-terminated records of a ``git ls-files -z`` listing, decoded as file names are."""
    records = os.fsdecode(out).split("\0")
    records.pop()  # after the last NUL (empty, or all of an empty listing)
    return records


def _names(out: bytes, prefix: str) -> list[str]:
    """The non-empty names of a ``git ls-files -z`` listing, relative to the checked folder."""
    if not prefix:
        return [name for name in _records(out) if name]
    return [rel for rel in (name.removeprefix(prefix) for name in _records(out)) if rel]


def _walk(root: Path) -> Repo:
    files: dict[str, RepoFile] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        # A linked folder is listed as an entry, like git does, and not descended into.
        linked = [d for d in dirnames if _is_link(Path(dirpath) / d)]
        dirnames[:] = sorted(d for d in dirnames if d not in _WALK_SKIP and d not in linked)
        for name in [*filenames, *linked]:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            mode = MODE_SYMLINK if name in linked or _is_link(path) else None
            files[rel] = RepoFile(rel, tracked=False, mode=mode)
            if len(files) >= _WALK_MAX_FILES:
                return Repo(root, False, files, links=_follow_links(root, files, _linked(files)))
    return Repo(root, False, files, links=_follow_links(root, files, _linked(files)))


def _linked(files: Mapping[str, RepoFile]) -> list[str]:
    return [rel for rel, entry in files.items() if entry.mode == MODE_SYMLINK]


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(path.lstat().st_mode)
    except OSError:
        return False


# At most this many entries are added for the files under linked folders (a link to a large
# vendored tree must not multiply a monorepo's file list).
_MAX_LINKED_FILES = 20_000


def _follow_links(
    root: Path, files: MutableMapping[str, RepoFile], linked: list[str]
) -> dict[str, Link]:
    """Classify every symbolic link of ``files`` and follow those that stay inside the repository.

    The client follows links, so ``CLAUDE.md -> AGENTS.md`` is CLAUDE.md with AGENTS.md's text,
    and ``.claude/skills -> ../skills`` holds the skills of ``skills/``. A link to a file takes
    the target's index mode and is in a fresh clone only when the target is too; the files under
    a linked folder are added under the link's path. ``linked`` names the links of ``files``,
    which is updated in place.
    """
    links: dict[str, Link] = {}
    real_root = root.resolve()
    pending = sorted(linked)
    names: list[str] | None = None
    added = 0
    while pending:
        rel = pending.pop(0)
        if rel in links:
            continue
        link = _classify_link(root, real_root, rel)
        if link is None:
            continue
        links[rel] = link
        if link.target is None:
            continue
        entry = files[rel]
        target = files.get(link.target)
        if target is not None:
            files[rel] = RepoFile(rel, entry.tracked and target.tracked, target.mode)
            continue
        if (root / link.target).is_file():
            files[rel] = RepoFile(rel, False)  # a file git ignores: a clone has the link only
            continue
        # Here, not at the top: a repository without a link to a folder needs no bisect (a C
        # extension: loading it costs about a million instructions).
        from bisect import bisect_left

        if names is None:
            names = sorted(files)
        prefix = link.target + "/"
        i = bisect_left(names, prefix)
        while i < len(names) and names[i].startswith(prefix):
            name, i = names[i], i + 1
            alias = rel + name[len(link.target) :]
            inner = files[name]
            if alias in files or added >= _MAX_LINKED_FILES:
                continue
            added += 1
            files[alias] = RepoFile(alias, entry.tracked and inner.tracked, inner.mode)
            if inner.mode == MODE_SYMLINK:
                pending.append(alias)
    return links


def _classify_link(root: Path, real_root: Path, rel: str) -> Link | None:
    path = root / rel
    try:
        text = os.readlink(path)
    except OSError:
        return None  # recorded as a link, checked out as a plain file (core.symlinks=false)
    if os.path.isabs(text):
        # Even a path into this very repository: a clone somewhere else has nothing there.
        return Link(rel, None, leaves=True)
    spelled = posixpath.normpath(posixpath.join(posixpath.dirname(rel), text.replace("\\", "/")))
    if spelled == ".." or spelled.startswith("../"):
        return Link(rel, None, leaves=True)
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        return Link(rel, None, spelled=spelled)
    if real != real_root and real_root not in real.parents:
        return Link(rel, None, leaves=True)  # a chain of links that ends outside
    return Link(rel, real.relative_to(real_root).as_posix())


class Home(NamedTuple):
    """The user scope: ``~/.claude`` (or ``$CLAUDE_CONFIG_DIR``) and ``~/.claude.json``."""

    home: Path
    config_dir: Path
    global_config: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Home:
        """The user scope as the client finds it from the environment."""
        env = os.environ if environ is None else environ
        home = Path(env.get("HOME") or Path.home())
        custom = env.get("CLAUDE_CONFIG_DIR")
        if custom:
            config_dir = Path(custom).expanduser()
            return cls(home, config_dir, config_dir / ".claude.json")
        return cls(home, home / ".claude", home / ".claude.json")

    def display(self, path: Path) -> str:
        """``~/...`` for paths under the home; the absolute path otherwise."""
        try:
            return "~/" + path.relative_to(self.home).as_posix()
        except ValueError:
            return path.as_posix()

    def files(self, sub: str, pattern: str) -> list[Path]:
        """Regular files under ``config_dir/sub`` matching ``pattern``, not following links out."""
        base = self.config_dir / sub
        if not base.is_dir() or base.is_symlink():
            return []
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if path.match(pattern) and _is_regular(path):
                    found.append(path)
        return found


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False
