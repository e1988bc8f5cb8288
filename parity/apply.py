"""The one module that writes users' files: apply a Plan atomically, journal it, undo it.

Planning (``parity migrate``, ``parity cloud-init``) is pure: it reads files and returns a
:class:`Plan` of actions whose paths are repository-relative and whose edits carry the sha256 of
the content they were planned against. :func:`apply` then, file by file:

1. refuses the whole plan before writing anything when a path is unsafe (absolute, ``..``,
   inside ``.git``, or reached through a symlink that leads into a git directory or out of the
   repository: :class:`Fence`) or a target changed since planning
   (:class:`parity.errors.StaleError`);
2. for each action, saves the old bytes and mode in the journal and records the entry (atomic
   journal rewrite) *before* touching the target, so an interrupted apply can always be undone;
3. writes with :func:`parity.fsutil.atomic_write` (temp file + fsync + rename), so every file is
   either its old or its new version, never a part.

The journal lives under ``.git/parity/journal/`` in a git work tree (``.parity/journal/``
otherwise; never under the home). :func:`undo` restores the last applied plan byte for byte:
old content and mode put back, created files and folders removed, index modes reset.

Example::

    plan = Plan((WriteFile(".claude/hooks/x.sh", b"#!/bin/sh\\n", mode=0o755),
                 GitChmod(".claude/hooks/x.sh", executable=True)))
    journal = apply(plan, repo_root)
    undo(repo_root)   # back to before
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from parity.errors import ParityError, StaleError
from parity.fsutil import atomic_write
from parity.git import worktree

__all__ = [
    "Action",
    "Chmod",
    "Fence",
    "GitChmod",
    "Journal",
    "Plan",
    "Skipped",
    "WriteFile",
    "apply",
    "changed_since",
    "journal_dir",
    "last_journal",
    "locked",
    "safe_target",
    "sha256",
    "undo",
]

JOURNAL_VERSION = 1
# Where journals live outside a git work tree.
JOURNAL_FALLBACK = ".parity"


def sha256(data: bytes) -> str:
    """The hex sha256 of ``data`` (what ``expected_sha256`` holds)."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class WriteFile:
    """Create or replace the file at repo-relative ``path`` with ``content``.

    ``expected_sha256`` is the sha256 of the content planned against; None means the file did
    not exist when planning and must still not exist. ``mode`` (permission bits, e.g. 0o755)
    defaults to the existing file's mode, or 0o644 minus the umask for a new file. ``kind``,
    ``item``, ``source`` and ``reason`` describe the action for the plan output only.
    """

    path: str
    content: bytes
    mode: int | None = None
    expected_sha256: str | None = None
    kind: str = ""
    item: str = ""
    source: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Chmod:
    """Set the permission bits of an existing (or just written) file in the working tree."""

    path: str
    mode: int
    kind: str = ""
    item: str = ""
    source: str = ""
    reason: str = ""


@dataclass(frozen=True)
class GitChmod:
    """Set the executable bit of ``path`` in the git index, when the index has the file.

    A file git does not stage yet takes its mode from the working tree when it is added, so
    this is a no-op for it (and outside a git work tree).
    """

    path: str
    executable: bool = True
    kind: str = ""
    item: str = ""
    source: str = ""
    reason: str = ""


Action = WriteFile | Chmod | GitChmod


@dataclass(frozen=True)
class Skipped:
    """An item the plan does not move, and why (a conflict, a secret, an unsafe path, …)."""

    kind: str
    item: str
    source: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """What to write: actions in order, items skipped with a reason, and environment names.

    ``environment`` lists the variable names the cloud environment must provide (never values).
    """

    actions: tuple[Action, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    environment: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when applying would change nothing."""
        return not self.actions


@dataclass(frozen=True)
class Journal:
    """The record of one apply: where it is kept, which command made it and when, what it
    changed, and (after a forced undo) where the changes made since were saved."""

    path: Path
    entries: tuple[dict[str, Any], ...] = field(default=())
    command: str = ""  # "parity migrate --apply", "parity cloud-init --write"
    started: str = ""  # ISO 8601, UTC
    complete: bool = True
    backup: Path | None = None

    @property
    def changed(self) -> list[str]:
        """Repo-relative paths the apply touched, in order."""
        return [str(e["path"]) for e in self.entries]

    def reverts(self) -> list[tuple[str, str]]:
        """What undoing it does to each path, in words: ``(path, what)``, in order."""
        out: list[tuple[str, str]] = []
        for entry in self.entries:
            op = entry.get("op")
            if op == "write" and entry.get("old") is None:
                what = "delete (it created the file)"
            elif op == "write":
                what = "restore the version from before"
            elif op == "chmod":
                what = "restore its permissions"
            else:
                what = "restore its mode in the git index"
            out.append((str(entry["path"]), what))
        return out


# --------------------------------------------------------------------------------------------
# Safety


@dataclass(frozen=True)
class Fence:
    """Where :func:`apply` may write in the repository at ``root`` (see :meth:`target`).

    ``private`` holds the folders no write may reach once links resolve: the work tree's git
    directory and the common one (they differ for a linked worktree) and parity's journals.
    """

    root: Path
    real_root: Path
    private: tuple[Path, ...]

    @classmethod
    def of(cls, root: Path) -> Fence:
        """The fence of the repository at ``root`` (asks git where its directories are)."""
        root = root.absolute()
        tree = worktree(root)
        private = [*(tree.git_dirs() if tree is not None else ()), root / JOURNAL_FALLBACK]
        return cls(root, root.resolve(), tuple(dict.fromkeys(p.resolve() for p in private)))

    def target(self, rel: str, *, action: str = "write") -> Path:
        """The path to write for repo-relative ``rel``, or ParityError when it is not safe.

        Refused: empty, absolute, backslashes, ``..`` or ``.`` components, a ``.git``
        component, and anything that resolves (through symlinks, of folders or of the file
        itself) into a git directory or out of the repository. A symlink that stays inside is
        followed: its target is written in place and the link is kept. The path returned is the
        resolved one, below ``root``. ``action`` names what was refused in the message.
        """
        pure = PurePosixPath(rel)
        refused = f"refusing to {action} {rel!r}"
        if (
            not rel
            or "\\" in rel
            or "\0" in rel
            or pure.is_absolute()
            or any(part in ("..", ".", "") for part in rel.split("/"))
        ):
            raise ParityError(f"{refused}: not a plain path inside the repository")
        if any(part.lower() == ".git" for part in pure.parts):
            raise ParityError(f"{refused}: inside .git")
        if pure.parts[0] == JOURNAL_FALLBACK:
            raise ParityError(f"{refused}: inside {JOURNAL_FALLBACK} (parity's journal)")
        # From here on, only a symlink can lead elsewhere.
        try:
            real = self.root.joinpath(*pure.parts).resolve()
        except (OSError, RuntimeError) as exc:
            raise ParityError(f"{refused}: {exc.__class__.__name__}") from exc
        for private in self.private:
            if real == private or private in real.parents:
                raise ParityError(f"{refused}: a symlink leads into {self._show(private)}")
        if self.real_root not in real.parents:
            raise ParityError(f"{refused}: a symlink leads out of the repository")
        inside = real.relative_to(self.real_root)
        if any(part.lower() == ".git" for part in inside.parts):
            raise ParityError(f"{refused}: a symlink leads into a .git folder")
        return self.root / inside

    def _show(self, private: Path) -> str:
        try:
            return private.relative_to(self.real_root).as_posix()
        except ValueError:
            return str(private)


def safe_target(root: Path, rel: str) -> Path:
    """The path to write for repo-relative ``rel`` in ``root``; ParityError when unsafe.

    See :meth:`Fence.target`; a caller checking many paths builds one :class:`Fence`.
    """
    return Fence.of(root).target(rel)


def _current(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise ParityError(f"refusing to write {path}: it is a folder") from exc


def _check(fence: Fence, plan: Plan) -> None:
    for action in plan.actions:
        path = fence.target(action.path)
        if isinstance(action, WriteFile):
            now = _current(path)
            if action.expected_sha256 is None and now is not None:
                raise StaleError(
                    f"{action.path} was created since planning; plan again (nothing was written)"
                )
            if action.expected_sha256 is not None and (
                now is None or sha256(now) != action.expected_sha256
            ):
                raise StaleError(
                    f"{action.path} changed since planning; plan again (nothing was written)"
                )


# --------------------------------------------------------------------------------------------
# Journal


def journal_dir(root: Path) -> Path:
    """Where journals of ``root`` live: ``<git dir>/parity/journal`` or ``.parity/journal``."""
    gitdir = _git_dir(root)
    base = gitdir / "parity" if gitdir is not None else root / JOURNAL_FALLBACK
    return base / "journal"


def _git_dir(root: Path) -> Path | None:
    tree = worktree(root)
    return tree.git_dir() if tree is not None else None


def _in_index(root: Path, rel: str) -> int | None:
    """The index mode of ``rel`` (0o100644 / 0o100755), or None when git does not stage it."""
    tree = worktree(root)
    if tree is None:
        return None
    proc = tree.run("ls-files", "-z", "--stage", "--", tree.path(rel))
    if proc.returncode != 0 or not proc.stdout:
        return None
    return int(proc.stdout.split(b" ", 1)[0], 8)


def _git_chmod(root: Path, rel: str, executable: bool) -> None:
    flag = "+x" if executable else "-x"
    tree = worktree(root)
    if tree is None:
        raise ParityError(f"git update-index --chmod={flag} {rel}: not a git work tree")
    proc = tree.run("update-index", f"--chmod={flag}", "--", tree.path(rel))
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise ParityError(f"git update-index --chmod={flag} {rel} failed: {message}")


def _write_journal(
    path: Path, entries: list[dict[str, Any]], complete: bool, about: dict[str, str]
) -> None:
    data = {"version": JOURNAL_VERSION, **about, "complete": complete, "entries": entries}
    atomic_write(path / "journal.json", (json.dumps(data, indent=2) + "\n").encode(), 0o600)


LOCK_NAME = "apply.lock"


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the repository's apply lock; ParityError at once when another process holds it.

    One apply or undo at a time per repository: two would both pass the check against the
    files as planned and write two journals. The lock is an ``flock`` on a file beside the
    journals, so it ends with its process, however that ends. (Where the platform has no
    ``fcntl``, there is no lock.)
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    base = journal_dir(root).parent
    path = base / LOCK_NAME
    while True:
        base.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:  # the folder was removed since: a holder just finished
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ParityError(
                "another parity apply or undo is running in this repository; nothing was "
                "written: try again when it has finished"
            ) from None
        # A holder removes the file as it finishes: hold the lock of the file that is there now.
        try:
            current = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)
        _prune(base)


def _prune(base: Path) -> None:
    """Remove parity's folders when they are empty (no empty .parity/ left without git)."""
    for folder in (base / "journal", base):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _new_journal(root: Path) -> Path:
    base = journal_dir(root)
    base.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name) for p in base.iterdir() if p.name.isdigit()]
    path = base / f"{max(numbers, default=0) + 1:06d}"
    path.mkdir()
    return path


def _last_journal(root: Path) -> Path | None:
    base = journal_dir(root)
    if not base.is_dir():
        return None
    numbered = sorted((p for p in base.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    return numbered[-1] if numbered else None


def _missing_dirs(root: Path, path: Path) -> list[str]:
    """Folders between ``root`` and ``path`` that do not exist yet, outermost first."""
    missing: list[str] = []
    parent = path.parent
    while parent != root and not parent.exists():
        missing.append(parent.relative_to(root).as_posix())
        parent = parent.parent
    return list(reversed(missing))


# --------------------------------------------------------------------------------------------
# Apply and undo


def apply(plan: Plan, root: Path, *, command: str = "") -> Journal:
    """Write ``plan`` into the repository at ``root``; the journal that :func:`undo` reverts.

    ``command`` says what made the change (``parity migrate --apply``), for ``--undo`` to name.
    Refuses (ParityError / StaleError, nothing written) when any target is unsafe or changed
    since planning, or when another apply or undo runs in the repository (:func:`locked`). An
    empty plan writes nothing and records no journal.
    """
    root = root.absolute()
    if not plan.actions:
        return Journal(journal_dir(root), ())
    fence = Fence.of(root)
    with locked(root):
        # Checked under the lock: an apply that finished meanwhile makes this plan stale.
        _check(fence, plan)
        return _apply(plan, root, fence, command)


def _apply(plan: Plan, root: Path, fence: Fence, command: str) -> Journal:
    from datetime import datetime, timezone

    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    about = {"command": command, "started": started}
    jpath = _new_journal(root)
    entries: list[dict[str, Any]] = []
    _write_journal(jpath, entries, False, about)
    for action in plan.actions:
        path = fence.target(action.path)
        entry: dict[str, Any] = {"path": action.path}
        if isinstance(action, WriteFile):
            old = _current(path)
            entry.update(op="write", dirs=_missing_dirs(root, path), new=sha256(action.content))
            if old is None:
                entry["old"] = None
            else:
                entry["old"] = base64.b64encode(old).decode("ascii")
                entry["old_mode"] = stat.S_IMODE(path.stat().st_mode)
            entries.append(entry)
            _write_journal(jpath, entries, False, about)
            atomic_write(path, action.content, action.mode)
        elif isinstance(action, Chmod):
            entry.update(op="chmod", old_mode=stat.S_IMODE(path.stat().st_mode))
            entries.append(entry)
            _write_journal(jpath, entries, False, about)
            os.chmod(path, action.mode)
        else:
            # The file itself (a symlink inside the repository is written through, so is this).
            indexed = path.relative_to(root).as_posix()
            before = _in_index(root, indexed)
            if before is None:
                continue
            entry.update(op="git-chmod", old_index_mode=before)
            entries.append(entry)
            _write_journal(jpath, entries, False, about)
            _git_chmod(root, indexed, action.executable)
    _write_journal(jpath, entries, True, about)
    return Journal(jpath, tuple(entries), command, started)


def last_journal(root: Path) -> Journal | None:
    """The journal of the last apply in ``root`` (what :func:`undo` would revert), or None."""
    root = root.absolute()
    jpath = _last_journal(root)
    if jpath is None:
        return None
    data: dict[str, Any] = {}
    try:
        # No journal file: the apply stopped before its first entry, so it changed nothing.
        if (jpath / "journal.json").exists():
            data = json.loads((jpath / "journal.json").read_text(encoding="utf-8"))
        entries = tuple(data.get("entries", ()))
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        raise ParityError(f"the journal {jpath} is unreadable: {exc}") from exc
    return Journal(
        jpath,
        entries,
        str(data.get("command", "")),
        str(data.get("started", "")),
        bool(data.get("complete", not entries)),
    )


def changed_since(root: Path, journal: Journal) -> list[str]:
    """Paths the journal wrote whose content changed since (an undo would lose that)."""
    fence = Fence.of(root)
    out = []
    for entry in journal.entries:
        if entry.get("op") != "write":
            continue
        now = _current(fence.target(entry["path"]))
        old = None if entry["old"] is None else base64.b64decode(entry["old"])
        # Either version is fine (an interrupted apply may not have reached this file yet).
        if now is not None and now != old and sha256(now) != entry["new"]:
            out.append(str(entry["path"]))
    return out


def undo(root: Path, *, force: bool = False) -> Journal | None:
    """Revert the last apply in ``root`` (complete or interrupted); None when there is none.

    Raises StaleError, restoring nothing, when a file the apply wrote was changed since; with
    ``force`` those files are first copied to a backup folder (``Journal.backup``) and then
    reverted too. ParityError when another apply or undo runs in the repository.
    """
    root = root.absolute()
    if _last_journal(root) is None:
        return None
    with locked(root):
        journal = last_journal(root)
        return None if journal is None else _undo(root, journal, force)


def _undo(root: Path, journal: Journal, force: bool) -> Journal:
    fence = Fence.of(root)
    changed = changed_since(root, journal)
    backup: Path | None = None
    if changed and not force:
        raise StaleError(
            f"{changed[0]} changed after the apply; undo would lose that (nothing undone)"
        )
    if changed:
        from datetime import datetime, timezone

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        backup = journal.path.parent.parent / "backup" / f"{journal.path.name}-{stamp}"
        for rel in changed:
            data = _current(fence.target(rel))
            if data is not None:
                atomic_write(backup / rel, data, 0o600)
    for entry in reversed(journal.entries):
        path = fence.target(entry["path"])
        op = entry.get("op")
        if op == "write":
            if entry["old"] is None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                for folder in reversed(entry.get("dirs", [])):
                    with contextlib.suppress(OSError):  # not empty: something else is there
                        (root / folder).rmdir()
            else:
                atomic_write(path, base64.b64decode(entry["old"]), int(entry["old_mode"]))
        elif op == "chmod":
            with contextlib.suppress(FileNotFoundError):
                os.chmod(path, int(entry["old_mode"]))
        elif op == "git-chmod":
            indexed = path.relative_to(root).as_posix()
            _git_chmod(root, indexed, int(entry["old_index_mode"]) == 0o100755)
    _remove_journal(journal.path)
    return Journal(
        journal.path, journal.entries, journal.command, journal.started, journal.complete, backup
    )


def _remove_journal(jpath: Path) -> None:
    for child in jpath.iterdir():
        child.unlink()
    jpath.rmdir()


def describe(action: Action) -> dict[str, Any]:
    """An action as plain data for ``--format json`` (never the file content)."""
    op = {WriteFile: "write", Chmod: "chmod", GitChmod: "git-chmod"}[type(action)]
    return {
        "op": op,
        "kind": action.kind,
        "item": action.item,
        "source": action.source,
        "target": action.path,
        "reason": action.reason,
    }


def iter_paths(actions: Sequence[Action]) -> Iterator[str]:
    """The distinct target paths of ``actions``, in order."""
    seen: set[str] = set()
    for action in actions:
        if action.path not in seen:
            seen.add(action.path)
            yield action.path
