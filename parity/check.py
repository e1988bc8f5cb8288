"""Run the selected rules over the inventory and collect the findings into a report."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from parity._sha256 import sha256
from parity.ahead import import_ahead
from parity.discover import Home, Repo, discover_repo, locate
from parity.errors import ParityError, UsageError
from parity.findings import REPORT_ORDER, Edit, Finding, Fix, Safety, Severity
from parity.report import CollectorPaused, Report

_new_tuple = tuple.__new__

if TYPE_CHECKING:
    from parity.config import Config
    from parity.findings import Violation
    from parity.rules.base import Context, Rule


class CheckOptions(NamedTuple):
    """What ``parity check`` was asked to do (command-line values override the config)."""

    paths: tuple[Path, ...] = ()
    user: bool = False
    config_file: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    fail_on: Severity | None = None
    changed_since: str | None = None
    baseline: Path | None = None
    write_baseline: bool = False
    no_cache: bool = False  # --no-cache: neither read nor write the results cache
    home: Home | None = None


def fingerprint(code: str, path: str, where: str) -> str:
    """A stable identity for baselines and SARIF: rule, file, and where in the file (the
    pointer, or the line's text with its spacing normalised)."""
    key = f"{code}\0{path}\0{where}"
    # surrogatepass: a file name that is not UTF-8 arrives with lone surrogates in it.
    digest = sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:16]


def run_check(options: CheckOptions, cwd: Path | None = None) -> Report:
    """Lint the repository (and the user scope with ``--user``) and return the report."""
    return check_repo(options, *discover(options, cwd))


def discover(options: CheckOptions, cwd: Path | None = None) -> tuple[Repo, list[Path]]:
    """The repository a check of ``options.paths`` reads, and the files named among them."""
    root, named, top = locate(options.paths, cwd or Path.cwd())
    return discover_repo(root, top, meanwhile=import_ahead), named


def check_repo(
    options: CheckOptions,
    repo: Repo,
    named: Sequence[Path] = (),
    overlay: dict[str, bytes] | None = None,
) -> Report:
    """The report of one check of ``repo``.

    ``overlay`` holds file contents that replace the disk's (as ``parity check --fix`` plans
    them; see :class:`parity.model.Inventory`): such a check never reads or writes the results
    cache.
    """
    home = (options.home or Home.from_env()) if options.user else None
    named = list(named)
    if overlay is None:
        result = _checked(options, repo, home, named)
    else:
        result = _run_rules(options, repo, home, named, overlay)
    findings = _filter_named(list(result.findings), repo, named, options)
    # A file whose name holds a secret is shown masked, and not fixed (its edits would name it).
    findings = [
        f
        if f.path not in result.shown
        else f._replace(path=result.shown[f.path], autofix=None, applicability=None)
        for f in findings
    ]
    baseline_path = options.baseline or configured_baseline(repo.root, result.baseline)
    baselined = 0
    if options.write_baseline:
        if baseline_path is None:
            raise UsageError("--write-baseline needs --baseline FILE or `baseline` in the config")
        write_baseline(baseline_path, findings)
        baselined, findings = len(findings), []
    elif baseline_path is not None and baseline_path.exists():
        known = read_baseline(baseline_path)
        kept = [f for f in findings if f.fingerprint not in known]
        baselined, findings = len(findings) - len(kept), kept
    elif options.baseline is not None:
        raise UsageError(f"{options.baseline}: baseline file not found")
    return Report(
        findings=tuple(sorted(findings, key=REPORT_ORDER)),
        rules=result.rules,
        files_checked=result.files_checked,
        fail_on=options.fail_on or result.fail_on,
        baselined=baselined,
        root=repo.root,
        fix_by_default=result.fix,
    )


class _Result(NamedTuple):
    """What the rules found, before the filters that do not depend on the inputs' content
    (files named on the command line, --changed-since, the baseline): what the cache stores."""

    findings: tuple[Finding, ...]
    shown: dict[str, str]  # paths to show masked (a secret in a file name)
    rules: _RulesByCode  # every selected rule, also those that had nothing to read
    files_checked: int
    fail_on: Severity
    baseline: str | None
    fix: bool = False  # the configuration's `fix = true`

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": [_finding_json(f) for f in self.findings],
            "shown": self.shown,
            "rules": list(self.rules.codes),
            "files_checked": self.files_checked,
            "fail_on": self.fail_on.label,
            "baseline": self.baseline,
            "fix": self.fix,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> _Result:
        return cls(
            findings=tuple(_finding_from_json(f) for f in doc["findings"]),
            shown={str(k): str(v) for k, v in doc["shown"].items()},
            rules=_RulesByCode(tuple(str(c) for c in doc["rules"])),
            files_checked=int(doc["files_checked"]),
            fail_on=Severity.parse(doc["fail_on"]),
            baseline=None if doc["baseline"] is None else str(doc["baseline"]),
            fix=bool(doc["fix"]),
        )


def _finding_json(f: Finding) -> list[Any]:
    return [
        f.path,
        f.line,
        f.column,
        f.code,
        f.message,
        f.name,
        f.severity.label,
        f.pointer,
        f.fix,
        f.end_line,
        f.end_column,
        f.fingerprint,
        None if f.autofix is None else _fix_json(f.autofix),
        None if f.applicability is None else f.applicability.value,
    ]


def _fix_json(fix: Fix) -> dict[str, Any]:
    return {
        "title": fix.title,
        "edits": [
            [e.path, e.start, e.end, e.content, e.basis, e.line, e.column, e.end_line, e.end_column]
            for e in fix.edits
        ],
        "executable": list(fix.executable),
        "environment": list(fix.environment),
        "safety": None if fix.safety is None else fix.safety.value,
    }


def _fix_from_json(doc: dict[str, Any]) -> Fix:
    return Fix(
        title=str(doc["title"]),
        edits=tuple(Edit(*row) for row in doc["edits"]),
        executable=tuple(doc["executable"]),
        environment=tuple(doc["environment"]),
        safety=None if doc["safety"] is None else Safety(doc["safety"]),
    )


def _finding_from_json(row: list[Any]) -> Finding:
    path, line, column, code, message, name, severity, ptr, fix, end_line, end_column, fp = row[:12]
    autofix, applicability = row[12:]
    return Finding(
        path=path,
        line=line,
        column=column,
        code=code,
        message=message,
        name=name,
        severity=Severity.parse(severity),
        pointer=ptr,
        fix=fix,
        end_line=end_line,
        end_column=end_column,
        fingerprint=fp,
        autofix=None if autofix is None else _fix_from_json(autofix),
        applicability=None if applicability is None else Safety(applicability),
    )


class _RulesByCode(Sequence["Rule"]):
    """The rules of a report, imported only if a reporter asks for them (SARIF)."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        self._codes = codes
        self._rules: tuple[Rule, ...] | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """The rules' codes, without importing them."""
        return self._codes

    def _resolve(self) -> tuple[Rule, ...]:
        if self._rules is None:
            from parity.rules import load

            self._rules = tuple(load(code) for code in self._codes)
        return self._rules

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, index: Any) -> Any:
        return self._resolve()[index]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._resolve())


def _checked(options: CheckOptions, repo: Repo, home: Home | None, named: list[Path]) -> _Result:
    """The rules' findings from the results cache when every input is unchanged, else a run."""
    from parity import cache

    folder = cache.cache_dir(repo.root) if cache.enabled(options.no_cache) else None
    if folder is None or not repo.listing:
        return _run_rules(options, repo, home, named)
    key = cache.make_key(
        root=str(repo.root),
        listing=repo.listing,
        home=None
        if home is None
        else [str(home.home), str(home.config_dir), str(home.global_config)],
        select=options.select,
        ignore=options.ignore,
        extend_select=options.extend_select,
        config_file=None if options.config_file is None else str(options.config_file.absolute()),
        extra=_extra_files(repo, named),
    )
    stored = cache.load(folder, key)
    if stored is not None:
        try:
            return _Result.from_json(stored)
        except (KeyError, TypeError, ValueError):
            pass  # an entry of another shape: run, and replace it
    with cache.recording() as recorder:
        result = _run_rules(options, repo, home, named)
    cache.store(folder, key, recorder, result.to_json())
    return result


def _extra_files(repo: Repo, named: Sequence[Path]) -> list[str]:
    """Named files that add to what a full check sees (outside the known layout): any other
    named file only narrows what is shown, so the full check's entry serves for it."""
    from parity.model import classify

    extra = []
    for path in named:
        rel = repo.rel(path)
        if rel is None or rel not in repo.files or classify(rel) is None:
            extra.append(str(path))
    return sorted(extra)


def _run_rules(
    options: CheckOptions,
    repo: Repo,
    home: Home | None,
    named: list[Path],
    overlay: dict[str, bytes] | None = None,
) -> _Result:
    with CollectorPaused():  # (thousands of findings, no garbage cycles: see CollectorPaused)
        return _run_rules_unpaused(options, repo, home, named, overlay)


def _run_rules_unpaused(
    options: CheckOptions,
    repo: Repo,
    home: Home | None,
    named: list[Path],
    overlay: dict[str, bytes] | None,
) -> _Result:
    from parity.config import load_config
    from parity.model import Inventory
    from parity.rules import globbed, inputs, load, runs_on, select_codes

    config = load_config(repo.root, options.config_file)
    inventory = Inventory.build(repo, home, extra=named, overlay=overlay, exclude=config.excluded)
    selected = select_codes(
        options.select if options.select is not None else config.select,
        (*config.ignore, *config.extend_ignore, *options.ignore),
        (*config.extend_select, *options.extend_select),
    )
    # Only the rules that can find something here are imported: a rule has nothing to read when
    # none of its config kinds and other inputs (environments, links, --user, files by name) is
    # there.
    present = {cf.kind.value for cf in inventory.files}
    has = inputs(repo, config, user=options.user)
    rules = [load(code) for code in selected if runs_on(code, present, has)]
    findings: list[Finding] = []
    if rules:
        # Here, not at the top: with no rule to run (no config), parity.rules.base is not needed.
        from parity.rules.base import Context

        ctx = Context(inventory, config, user=options.user)
        # The files the rules find by name, in one search of a large tree (each of the rules'
        # searches would read all of its listing).
        repo.glob_ahead(*globbed(rule.code for rule in rules))
        findings = _filter_config(_applicable(_suppress(ctx, _collect(ctx, rules)), config), config)
    shown: dict[str, str] = {}
    if findings:
        # The scanner is costly to import: a clean check has no path to mask.
        from parity.secrets import redact

        # Each path once (a file dense with findings names it thousands of times), in order.
        paths = dict.fromkeys(f.path for f in findings)
        shown = {path: masked for path in paths if (masked := redact(path)) != path}
    return _Result(
        findings=tuple(findings),
        shown=shown,
        # Every selected rule, as reports (SARIF) list them, imported only if one asks.
        rules=_RulesByCode(tuple(selected)),
        files_checked=len(inventory.files),
        fail_on=config.fail_on,
        baseline=config.baseline,
        fix=config.fix,
    )


def _collect(ctx: Context, rules: Sequence[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str, int, int, str]] = set()
    lines_cache: dict[str, list[str]] = {}

    def line_text(path: str, line: int) -> str:
        return _line_text(ctx, path, line, lines_cache)

    for rule in rules:
        for v in rule.check(ctx):
            finding = _finding(rule, v, line_text)
            key = (finding.code, finding.path, finding.line, finding.column, finding.message)
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return findings


def _finding(
    rule: Rule, v: Violation, line_text: Callable[[str, int], str] = lambda path, line: ""
) -> Finding:
    """The finding of a rule's violation; ``line_text`` gives the text of a line of a file
    (its fingerprint, when the finding has no pointer)."""
    # The safety net: whatever a rule quoted from the user's files, no secret leaves here, and
    # messages are display text (no control character reaches a terminal or a report).
    loc = v.location
    pointer = _safety_net()[0](loc.pointer) if loc.pointer else ""  # (text findings have none)
    fix = v.fix if v.fix is not None else rule.fix
    where = pointer or " ".join(line_text(loc.display, loc.line).split())
    # (All fields in order, built as Finding._make would: a file dense with keys makes
    # thousands, and Finding() is a Python function.)
    return _new_tuple(
        Finding,
        (
            loc.display,
            loc.line,
            loc.column,
            rule.code,
            # A message is often the same for many findings too (a key's kind and length).
            _clean(v.message),
            rule.name,
            v.severity or rule.severity,
            pointer,
            # A rule's fix text is the same for many findings: masked and escaped once.
            _clean(fix) if fix is not None else None,
            loc.end_line,
            loc.end_column,
            fingerprint(rule.code, loc.display, where),
            # Only a rule that declares its fix may carry one (docs and reports say it from there).
            v.autofix if rule.autofix is not None else None,
            None,  # applicability: set once the configuration is read (_applicable)
        ),
    )


@functools.lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    # parity.text.clean(text) without a key or a limit: masked, then made display text.
    redact, display = _safety_net()
    return display(redact(text))


@functools.cache
def _safety_net() -> tuple[Callable[[str], str], Callable[[str], str]]:
    # redact and display, imported once (not per finding: a file dense with keys has thousands).
    from parity.secrets import redact
    from parity.text import display

    return redact, display


def _applicable(findings: list[Finding], config: Config) -> list[Finding]:
    """Findings with their fix's safety under the configuration: none for an ``unfixable``
    rule, safe for a rule in ``extend-safe-fixes``, else the fix's own or the rule's."""
    from parity.rules import get, matches

    out = []
    for f in findings:
        if f.autofix is None:
            out.append(f)
            continue
        if not all(_in_repository(path) for path in f.autofix.paths):
            # Only repository files are ever fixed: never the home (--user), never elsewhere.
            out.append(f._replace(autofix=None))
            continue
        declared = get(f.code).autofix
        safety = f.autofix.safety or (declared.safety if declared else Safety.UNSAFE)
        if any(matches(s, f.code) for s in config.unfixable):
            out.append(f._replace(autofix=None))
            continue
        if any(matches(s, f.code) for s in config.extend_safe_fixes):
            safety = Safety.SAFE
        out.append(f._replace(applicability=safety))
    return out


def _in_repository(path: str) -> bool:
    from pathlib import PurePosixPath

    pure = PurePosixPath(path)
    outside = path.startswith("~") or pure.is_absolute() or ".." in pure.parts
    return bool(path) and not outside


def _suppress(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Drop the findings an inline comment of their Markdown file silences (parity.suppress)."""
    paths = {path for path in {f.path for f in findings} if path.lower().endswith(".md")}
    if not paths:
        return findings
    from parity.rules import codes
    from parity.suppress import Suppressions, directives, suppressions

    known = codes()
    by_path: dict[str, Suppressions] = {}
    for cf in ctx.inventory.files:
        if cf.display in paths and cf.display not in by_path:
            by_path[cf.display] = suppressions(directives(ctx.inventory.load(cf).text, known))
    # A file without a suppression comment silences nothing: its findings need no test each.
    by_path = {path: found for path, found in by_path.items() if found.by_line or found.whole_file}
    if not by_path:
        return findings
    return [
        f for f in findings if not (f.path in by_path and by_path[f.path].covers(f.code, f.line))
    ]


def _line_text(ctx: Context, path: str, line: int, cache: dict[str, list[str]]) -> str:
    lines = cache.get(path)
    if lines is None:
        lines = []
        for cf in ctx.inventory.files:
            if cf.display == path:
                lines = ctx.inventory.load(cf).text.splitlines()
                break
        else:
            # A repository file that is not config (a script a hook runs, a file CLAUDE.md
            # imports): its line still tells two findings in it apart.
            doc = ctx.inventory.repo_file(path)
            lines = doc.text.splitlines() if doc is not None else []
        cache[path] = lines
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _filter_config(findings: list[Finding], config: Config) -> list[Finding]:
    """Findings outside the configuration's ``exclude`` and ``per-file-ignores``."""
    excluded = config.excluded
    if excluded is not None:
        # Excluded config was never read; this also drops findings in other files there (a
        # script or an imported file) that a rule reached from outside.
        findings = [f for f in findings if not excluded(f.path)]
    if config.per_file_ignores:
        import pathspec  # only when the config uses path patterns: it is slow to import
    for glob, codes in config.per_file_ignores:
        spec = pathspec.PathSpec.from_lines("gitignore", [glob])
        findings = [
            f
            for f in findings
            if not (
                spec.match_file(f.path) and any(f.code.startswith(c) or c == "ALL" for c in codes)
            )
        ]
    return findings


def _filter_named(
    findings: list[Finding], repo: Repo, named: Sequence[Path], options: CheckOptions
) -> list[Finding]:
    """Findings in the files named on the command line and changed since ``--changed-since``."""
    if named:
        # Staged-file mode: every rule saw the whole repository; report on the named files only.
        shown = {repo.rel(p) or p.as_posix() for p in named}
        findings = [f for f in findings if f.path in shown]
    if options.changed_since:
        changed = changed_files(repo, options.changed_since)
        findings = [f for f in findings if f.path in changed]
    return findings


def changed_files(repo: Repo, rev: str) -> set[str]:
    """Repo-relative paths changed since ``rev`` (committed, staged, unstaged and untracked)."""
    from parity.git import NO_DIFF_DRIVERS, check_revision

    tree = repo.worktree
    if tree is None:
        raise UsageError("--changed-since needs a git repository")
    check_revision(rev, "--changed-since")
    # Paths relative to the checked folder (a sub-folder checked as its own project), as findings.
    relative = (f"--relative={tree.prefix}",) if tree.prefix else ()
    proc = tree.run("diff", *NO_DIFF_DRIVERS, "--name-only", "-z", *relative, rev, "--")
    if proc.returncode != 0:
        raise UsageError(f"--changed-since: git does not know revision {rev!r}")
    changed = {p for p in proc.stdout.decode("utf-8", "replace").split("\0") if p}
    changed.update(repo.untracked())
    return changed


BASELINE_VERSION = 1


def configured_baseline(root: Path, baseline: str | None) -> Path | None:
    """``baseline`` of the configuration, held to what ``apply`` may write.

    The configuration is the repository's (a pull request can change it): the file must be
    inside the repository once links resolve and outside git's folders, for reading as for
    ``--write-baseline``. A ``--baseline FILE`` typed on the command line is the user's choice
    and is used as given.
    """
    if baseline is None:
        return None
    from parity.apply import Fence

    rel = baseline.removeprefix("./")
    return Fence.of(root).target(rel, action="use the configured baseline")


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    """Record the fingerprints of ``findings`` (never a message or a value) atomically."""
    import json  # here: a check without a baseline (or a cache) has no JSON to write or read

    from parity.fsutil import atomic_write

    entries = sorted(
        {(f.fingerprint, f.code, f.path) for f in findings}, key=lambda e: (e[2], e[1], e[0])
    )
    doc = {
        "version": BASELINE_VERSION,
        "tool": "claude-parity",
        "findings": [{"fingerprint": fp, "code": code, "path": p} for fp, code, p in entries],
    }
    atomic_write(path, (json.dumps(doc, indent=2) + "\n").encode())


def read_baseline(path: Path) -> set[str]:
    """Fingerprints from a baseline file (ours, or a previous ``--format json`` report)."""
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {str(entry["fingerprint"]) for entry in doc["findings"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParityError(f"{path}: not a parity baseline ({exc.__class__.__name__})") from None
