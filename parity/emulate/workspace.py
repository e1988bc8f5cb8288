"""The emulated machine's folders: a fresh clone of the committed tree, an empty home, a tmp dir."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from parity import git
from parity.errors import ParityError, UsageError

# A fixed identity for the temporary commit of the index: never the user's, never their refs.
_STAGED_IDENTITY = {
    "GIT_AUTHOR_NAME": "parity emulate",
    "GIT_AUTHOR_EMAIL": "emulate@parity.invalid",
    "GIT_COMMITTER_NAME": "parity emulate",
    "GIT_COMMITTER_EMAIL": "emulate@parity.invalid",
}


@dataclass(frozen=True)
class Workspace:
    """Folders of one emulated session, all under ``base`` (removed at the end unless kept)."""

    base: Path
    project: Path  # the fresh clone: the session's CLAUDE_PROJECT_DIR
    home: Path  # an empty HOME
    tmp: Path  # TMPDIR
    bin: Path  # the image's view of the host's commands (PATH)
    logs: Path  # what the emulation's shims and hooks record
    commit: str  # the commit checked out
    describe: str  # what was asked for: "HEAD", a ref, or "staged index"
    branch: str = "claude/parity-emulate"  # the branch the clone is on

    def cleanup(self) -> None:
        """Remove every folder of the session."""
        remove_tree(self.base)


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    # ``repo`` is the top of the work tree (or, for the clone, a new folder of ours).
    return git.output(repo, *args, env=env).decode("utf-8", "replace").strip()


def _probe(repo: Path, *args: str) -> str | None:
    """The output of a git command that may fail (None when it does)."""
    proc = git.run(repo, *args)
    return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None


def resolve_commit(repo: Path, ref: str | None, staged: bool) -> tuple[str, str]:
    """The commit to clone and a description: ``ref`` (default HEAD) or a commit of the index.

    The index becomes a commit object (``git write-tree`` + ``git commit-tree``) that no ref
    points to, so the user's branches, HEAD and index are left exactly as they were.
    """
    if staged and ref is not None:
        raise UsageError("--ref and --staged cannot be used together")
    if staged:
        tree = _git(repo, "write-tree")
        parents: list[str] = []
        head = _probe(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}")
        if head is not None:
            parents = ["-p", head]
        commit = _git(
            repo,
            "commit-tree",
            tree,
            *parents,
            "-m",
            "parity emulate: the staged index",
            env=_STAGED_IDENTITY,
        )
        return commit, "staged index"
    name = git.check_revision(ref, "--ref") if ref is not None else "HEAD"
    probe = _probe(repo, "rev-parse", "--verify", "-q", f"{name}^{{commit}}")
    if probe is None:
        if ref is None:
            raise UsageError(
                "the repository has no commit yet; commit first, or use --staged for the index"
            )
        raise UsageError(f"--ref {ref}: not a commit in this repository")
    return probe, name


MEMORY_FS = "/dev/shm"  # noqa: S108 - only ever the parent of a mkdtemp folder (0700, unique)
_MEMORY_ROOM = 8 * 1024**3  # free room a memory file system needs before a session goes there


def workspace_parent(explicit: Path | None = None) -> Path | None:
    """Where the session's folders go: ``explicit``, else the system's temporary folder.

    When ``TMPDIR`` is not set and ``/dev/shm`` (memory) has 8 GiB free and allows programs to
    run, the folders go there: writing a 10,000-file clone takes seconds on some disks and a
    fraction of a second in memory (Bazel's sandbox offers the same for the same reason). The
    folders live only as long as the session.
    """
    if explicit is not None or os.environ.get("TMPDIR"):
        return explicit
    try:
        fs = os.statvfs(MEMORY_FS)
    except OSError:
        return None
    roomy = fs.f_bavail * fs.f_frsize >= _MEMORY_ROOM
    runnable = not fs.f_flag & os.ST_NOEXEC and os.access(MEMORY_FS, os.W_OK | os.X_OK)
    return Path(MEMORY_FS) if roomy and runnable else None


def create_workspace(
    repo: Path,
    ref: str | None = None,
    *,
    staged: bool = False,
    base: Path | None = None,
    checkout: bool = True,
) -> Workspace:
    """Clone the committed tree (or the staged index) of ``repo`` into a new temp folder.

    Without ``checkout`` only the toolkit's configuration files (``*.toml`` at the root) are
    written; ``checkout_workspace`` writes the rest (the session starts its sandbox meanwhile).
    """
    commit, describe = resolve_commit(repo, ref, staged)
    root = Path(tempfile.mkdtemp(prefix="parity-emulate-", dir=workspace_parent(base))).resolve()
    try:
        project = root / "project"
        # A local clone copies the object store, so the unreferenced commit of --staged is there.
        _git(root, "clone", "--quiet", "--no-checkout", str(repo), str(project))
        branch = "claude/parity-emulate"
        if ref is None and not staged:
            branch = _probe(repo, "symbolic-ref", "-q", "--short", "HEAD") or branch
        folders = {name: root / name for name in ("home", "tmp", "bin", "logs")}
        for folder in folders.values():
            folder.mkdir()
        ws = Workspace(
            base=root, project=project, commit=commit, describe=describe, branch=branch, **folders
        )
        if checkout:
            checkout_workspace(ws)
        else:  # a commit without such files is fine: the pathspec then matches nothing
            git.run(project, "checkout", "-q", commit, "--", ":(glob)*.toml", literal=False)
        return ws
    except BaseException:
        remove_tree(root)
        raise


def checkout_workspace(ws: Workspace) -> None:
    """Write the clone's files (by parallel workers: several times faster on a slow disk)."""
    workers = str(max(4, os.cpu_count() or 1))
    _git(
        ws.project,
        *("-c", f"checkout.workers={workers}", "-c", "checkout.thresholdForParallelism=200"),
        *("checkout", "--quiet", "--force", "-B", ws.branch, ws.commit),
    )


# What a session start reads: the config files, wherever they are, and the toolkit's own config.
_CONFIG_PATHSPECS = (
    ":(glob)**/.claude/**",
    ":(glob)**/.mcp.json",
    ":(glob)**/CLAUDE.md",
    "pyproject.toml",
    "parity.toml",
    ":(exclude,glob)**/.claude/settings.local.json",
)


def uncommitted_config(
    repo: Path, extra: tuple[str, ...] = (), *, staged_counts: bool = False
) -> list[str]:
    """Config files whose working-tree state a clone of HEAD (or, ``staged_counts``, of the
    index) would not have: modified, added, deleted or untracked (ignored files do not count).
    """
    status = ["status", "--porcelain=v1", "-z", "--untracked-files=all"]
    try:
        proc = git.run(repo, *status, "--", *_CONFIG_PATHSPECS, *extra, literal=False)
    except (OSError, ParityError):
        return []
    if proc.returncode != 0:
        return []
    changed = []
    entries = proc.stdout.decode("utf-8", "replace").split("\0")
    skip = False
    for entry in entries:
        if skip:  # the source path of a rename
            skip = False
            continue
        if len(entry) < 4:
            continue
        index, tree, path = entry[0], entry[1], entry[3:]
        skip = index in "RC"
        if entry[:2] == "??" or tree != " " or (index != " " and not staged_counts):
            changed.append(path)
    return changed


def remove_tree_soon(path: Path, budget: float = 1.0) -> bool:
    """Remove ``path``; when that takes longer than ``budget`` seconds, a detached process ends
    the job (a large ``node_modules`` takes minutes on some disks). True when it is gone."""
    worker = threading.Thread(target=remove_tree, args=(path,), daemon=True)
    worker.start()
    worker.join(budget)
    if not worker.is_alive():
        return not path.exists()
    with contextlib.suppress(OSError):
        subprocess.Popen(
            [
                sys.executable,
                "-I",  # never a module of the working directory (the repository, perhaps)
                "-c",
                "import pathlib, sys; from parity.emulate.workspace import remove_tree; "
                "remove_tree(pathlib.Path(sys.argv[1]))",
                str(path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    return False


def remove_tree(path: Path) -> None:
    """Remove ``path`` even when parts of it are read-only (git objects, Go module caches)."""

    def make_writable(func: object, target: str, _exc: object) -> None:
        with contextlib.suppress(OSError):
            parent = os.path.dirname(target)
            os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, os.stat(target).st_mode | stat.S_IWUSR | stat.S_IXUSR)
                shutil.rmtree(target, ignore_errors=True)
            else:
                os.unlink(target)

    if path.exists():
        shutil.rmtree(path, onerror=make_writable)
