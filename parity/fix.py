"""``parity check --fix``, ``--diff`` and ``--undo-fix``: apply the rules' fixes, as ruff does.

Planning is pure. It runs the check, takes the fixes of the findings the check reports (the
safe ones; the unsafe ones too with ``--unsafe-fixes``) and applies their edits to the files'
text in memory. A fix whose edits overlap an edit already taken in this pass waits: the next
pass checks again over the planned content (the inventory's overlay, so the rules see the files
as they will be) and takes what is still to fix, until nothing is left or :data:`MAX_PASSES`
passes have run. The result is one :class:`parity.apply.Plan`: each changed file's new content,
planned against the bytes first read (a file changed meanwhile is refused, nothing written),
plus executable bits and the environment names to declare. :mod:`parity.apply` writes it (atomic,
journalled, never outside the repository); ``--undo-fix`` reverts the last fix from its journal.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections import ChainMap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from parity.apply import (
    Chmod,
    GitChmod,
    Journal,
    Plan,
    WriteFile,
    apply,
    last_journal,
    safe_target,
    sha256,
    undo,
)
from parity.check import CheckOptions, check_repo
from parity.discover import MODE_EXECUTABLE, Repo, RepoFile, discover_repo, locate
from parity.errors import ParityError, StaleError
from parity.findings import Edit, Finding, Fix, Safety
from parity.report import Report

__all__ = ["COMMAND", "MAX_PASSES", "FixRun", "plan_fixes", "render_diff", "undo_fix", "write"]

# Conflicting fixes are applied one per pass; a fix that never settles stops here.
MAX_PASSES = 10
COMMAND = "parity check --fix"  # what the journal of a fix records as the command that wrote
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class FixRun:
    """What ``--fix`` would write, and why."""

    root: Path
    plan: Plan
    fixed: tuple[Finding, ...]  # the findings whose fixes are planned, from every pass
    before: dict[str, bytes]  # the bytes of every file the plan writes, as first read
    hidden: int  # unsafe fixes left out (applied with --unsafe-fixes)
    converged: bool  # False when MAX_PASSES passes still left fixes to apply

    @property
    def empty(self) -> bool:
        """True when there is nothing to write."""
        return self.plan.empty


@dataclass
class _File:
    prefix: bytes  # a UTF-8 byte-order mark, kept as it was
    raw: bytes
    text: str


@dataclass
class _Pass:
    """The planning state carried from pass to pass."""

    root: Path
    files: dict[str, _File | None]  # None: a file whose fixes are not applied (not UTF-8)
    executable: dict[str, None]
    environment: dict[str, None]

    def file(self, rel: str) -> _File | None:
        if rel not in self.files:
            self.files[rel] = _read(self.root, rel)
        return self.files[rel]

    def overlay(self) -> dict[str, bytes]:
        return {
            rel: f.prefix + f.text.encode("utf-8")
            for rel, f in self.files.items()
            if f is not None and f.prefix + f.text.encode("utf-8") != f.raw
        }


def plan_fixes(options: CheckOptions, *, unsafe: bool = False, cwd: Path | None = None) -> FixRun:
    """Plan the fixes of what ``parity check`` with ``options`` reports (reads only)."""
    root, named, top = locate(options.paths, cwd or Path.cwd())
    repo = discover_repo(root, top)
    state = _Pass(repo.root, {}, {}, {})
    fixed: list[Finding] = []
    # Every pass runs the rules (an overlay, even an empty one, never uses the results cache).
    report = check_repo(options, repo, named, state.overlay())
    converged = False
    for _ in range(MAX_PASSES):
        taken = _take(state, _wanted(report, unsafe))
        if not taken:
            converged = True
            break
        fixed.extend(taken)
        report = check_repo(options, _with_modes(repo, state.executable), named, state.overlay())
    hidden = sum(1 for f in report.findings if f.applicability is Safety.UNSAFE and not unsafe)
    plan = _plan(state)  # first: the config file it declares names in joins the files read
    before = {rel: f.raw for rel, f in state.files.items() if f is not None}
    return FixRun(repo.root, plan, tuple(fixed), before, hidden, converged)


def _wanted(report: Report, unsafe: bool) -> list[Finding]:
    return [
        f
        for f in report.findings
        if f.autofix is not None
        and (f.applicability is Safety.SAFE or (unsafe and f.applicability is Safety.UNSAFE))
    ]


def _take(state: _Pass, findings: Sequence[Finding]) -> list[Finding]:
    """Apply the fixes that do not overlap one another to the planned text; the fixes taken."""
    taken: list[Finding] = []
    planned: dict[str, list[Edit]] = {}
    changed = False
    for finding in findings:
        fix = finding.autofix
        if (
            fix is None
            or not _usable(state, fix)
            or any(_overlap(e, other) for e in fix.edits for other in planned.get(e.path, []))
        ):
            continue
        for edit in fix.edits:
            if edit not in planned.setdefault(edit.path, []):
                planned[edit.path].append(edit)
        for rel in fix.executable:
            changed = changed or rel not in state.executable
            state.executable[rel] = None
        for name in fix.environment:
            changed = changed or name not in state.environment
            state.environment[name] = None
        taken.append(finding)
    for rel, edits in planned.items():
        file = state.file(rel)
        if file is None:  # _usable() refused its fixes: never reached
            continue
        text = file.text
        for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
            text = text[: edit.start] + edit.content + text[edit.end :]
        changed = changed or text != file.text
        file.text = text
    # Fixes that change nothing (already applied) must not keep the passes going.
    return taken if changed else []


def _usable(state: _Pass, fix: Fix) -> bool:
    """True when every file of ``fix`` can be edited and is the text the rule saw."""
    for edit in fix.edits:
        file = state.file(edit.path)
        if file is None:
            return False
        if sha256(file.text.encode("utf-8", "surrogatepass")) != edit.basis:
            raise StaleError(
                f"{edit.path} changed while parity was checking it; run it again "
                "(nothing was written)"
            )
    return True


def _overlap(a: Edit, b: Edit) -> bool:
    """True when two edits of one file cannot both apply (the same edit twice is one edit)."""
    if (a.start, a.end, a.content) == (b.start, b.end, b.content):
        return False
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one place: their order would matter
    return a.start < b.end and b.start < a.end


def _read(root: Path, rel: str) -> _File | None:
    path = safe_target(root, rel)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParityError(f"cannot read {rel}: {exc.strerror or exc}") from None
    if raw.startswith(_UTF16_BOMS):
        return None  # parity reads it as UTF-16, the client does not: PAR003 says so first
    prefix = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    try:
        text = raw[len(prefix) :].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _File(prefix, raw, text)


def _with_modes(repo: Repo, executable: dict[str, None]) -> Repo:
    """``repo`` as git will record it once ``executable`` files have mode 100755."""
    if not executable:
        return repo
    files = repo.files
    modes: dict[str, RepoFile] = {}
    for rel in executable:
        entry = files.get(rel)
        if entry is not None and entry.tracked:
            modes[rel] = entry._replace(mode=MODE_EXECUTABLE)
    # The new modes over the files as they are, not a copy of them (a RepoFile made for each of
    # a monorepo's 100,000 files, on every pass): the same lookups, the same order.
    return repo.with_files(ChainMap(modes, files))


def _plan(state: _Pass) -> Plan:
    actions: list[WriteFile | Chmod | GitChmod] = []
    for rel, file in sorted(state.files.items()):
        if file is None:
            continue
        content = file.prefix + file.text.encode("utf-8")
        if content != file.raw:
            actions.append(WriteFile(rel, content, expected_sha256=sha256(file.raw), kind="fix"))
    for rel in sorted(state.executable):
        path = safe_target(state.root, rel)
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = mode | ((mode & 0o444) >> 2)  # executable by whoever may read it
        if wanted != mode:
            actions.append(Chmod(rel, wanted, kind="fix"))
        actions.append(GitChmod(rel, executable=True, kind="fix"))
    declared = _declaration(state)
    if declared is not None:
        actions.append(declared)
    return Plan(tuple(actions), environment=tuple(state.environment))


def _declaration(state: _Pass) -> WriteFile | None:
    """The config file with the fixes' environment names declared (as migrate declares them)."""
    if not state.environment:
        return None
    from parity.config import declare_environment

    def read(rel: str) -> str:
        path = safe_target(state.root, rel)
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    declared = declare_environment(state.root, list(state.environment), read)
    if declared is None:
        return None
    path = safe_target(state.root, declared.path)
    before = path.read_bytes() if path.is_file() else None
    if before is not None:
        state.files.setdefault(declared.path, _File(b"", before, before.decode("utf-8")))
    return WriteFile(
        declared.path,
        declared.text.encode("utf-8"),
        expected_sha256=sha256(before) if before is not None else None,
        kind="fix",
        reason=f"declare {', '.join(declared.added)} in environment {declared.environment!r}",
    )


def write(run: FixRun) -> Journal:
    """Write the planned fixes (refused, nothing written, when a file changed since planning)."""
    return apply(run.plan, run.root, command=COMMAND)


def undo_fix(root: Path) -> Journal | None:
    """Revert the last ``--fix`` from its journal; None when parity has written nothing.

    Refused when the last change parity wrote was not a fix (``parity migrate --undo`` reverts
    that one).
    """
    journal = last_journal(root)
    if journal is None:
        return None
    if journal.command != COMMAND:
        made = f"`{journal.command}`" if journal.command else "another command"
        raise ParityError(
            f"the last change parity wrote here was made by {made}, not by a fix; "
            "`parity migrate --undo` reverts it"
        )
    return undo(root)


# --------------------------------------------------------------------------------------------
# The diff


def render_diff(run: FixRun) -> str:
    """The unified diff of every file the fixes change; no secret value in it."""
    from parity.diffs import mode_change, unified
    from parity.text import display

    out: list[str] = []
    for action in run.plan.actions:
        if isinstance(action, WriteFile):
            old = run.before.get(action.path)
            before = None if old is None else _masked(action.path, _decode(old))
            out.extend(unified(action.path, before, _masked(action.path, _decode(action.content))))
        elif isinstance(action, GitChmod):
            out.extend(mode_change(action.path, 0o100644, MODE_EXECUTABLE))
    return "".join(display(line.rstrip("\n")) + "\n" for line in out)


def _decode(data: bytes) -> str:
    return data.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace")


def _masked(rel: str, text: str) -> str:
    """``text`` with every secret masked: the values PAR401 finds in a JSON file (by the name
    they are stored under, too), then every provider format anywhere."""
    from parity.secrets import redact

    if rel.endswith(".json"):
        text = _masked_json(rel, text)
    return redact(text)


def _masked_json(rel: str, text: str) -> str:
    from parity.load import load_json
    from parity.rules._fixes import string_offsets
    from parity.rules._secrets import walk_strings
    from parity.secrets import mask, scan_value

    doc = load_json(Path(rel), rel, data=text.encode("utf-8"))
    if not doc.ok or doc.empty:
        return text
    spans: list[tuple[int, int, str]] = []
    mcp = os.path.basename(rel).endswith(".mcp.json") or "mcp" in os.path.basename(rel)
    for parts, key, value in walk_strings(doc.value):
        found = scan_value(value, key=key, references=mcp)
        span = doc.span(parts) if found is not None else None
        if found is None or span is None:
            continue
        offsets = string_offsets(text[span[0] : span[1]])
        if offsets is None:
            continue
        secret = value[found.start : found.end]
        spans.append((span[0] + offsets[found.start], span[0] + offsets[found.end], mask(secret)))
    for start, end, shown in sorted(spans, reverse=True):
        text = text[:start] + shown + text[end:]
    return text
