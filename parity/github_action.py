"""Entry points of the GitHub Action: one check that writes annotations, SARIF and the summary."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import click

from parity.errors import UsageError
from parity.findings import Finding, Severity
from parity.report import Report
from parity.text import md_code, md_text

# GitHub shows at most 10 error, 10 warning (and 10 notice) annotations per step and 50 per job;
# the rest are dropped silently, so we choose which ones are shown and say how many were not.
ANNOTATIONS_PER_LEVEL = 10
# Findings listed in the job summary (each step's summary is capped at 1 MiB).
SUMMARY_ROWS = 50
LOG_FORMATS = ("text", "json", "junit", "sarif")
DEFAULT_SARIF = "claude-parity.sarif"


@dataclass(frozen=True)
class ActionInputs:
    """The action's inputs, read from the environment the composite step sets (never inlined)."""

    workspace: Path
    path: Path
    config: Path | None
    fail_on: Severity | None
    select: tuple[str, ...] | None
    ignore: tuple[str, ...]
    changed_since: str
    log_format: str
    sarif_file: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionInputs:
        """Parse ``INPUT_*`` variables; a bad value is a UsageError (one line, exit 2)."""
        workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd()).absolute()
        path = workspace / (env.get("INPUT_PATH", "").strip() or ".")
        if not path.is_dir():
            raise UsageError(f"input path: {env.get('INPUT_PATH')!r} is not a directory")
        config = env.get("INPUT_CONFIG", "").strip()
        fail_on_text = env.get("INPUT_FAIL_ON", "").strip()
        try:
            fail_on = Severity.parse(fail_on_text) if fail_on_text else None
        except ValueError as exc:
            raise UsageError(f"input fail-on: {exc}") from None
        log_format = env.get("INPUT_FORMAT", "").strip() or "text"
        if log_format not in LOG_FORMATS:
            raise UsageError(f"input format: {log_format!r} is not one of {', '.join(LOG_FORMATS)}")
        sarif = env.get("INPUT_SARIF_FILE", "").strip()
        runner_temp = Path(env.get("RUNNER_TEMP") or workspace)
        return cls(
            workspace=workspace,
            path=path,
            config=workspace / config if config else None,
            fail_on=fail_on,
            select=_codes(env.get("INPUT_SELECT", "")) or None,
            ignore=_codes(env.get("INPUT_IGNORE", "")),
            changed_since=env.get("INPUT_CHANGED_SINCE", "").strip(),
            log_format=log_format,
            sarif_file=workspace / sarif if sarif else runner_temp / DEFAULT_SARIF,
        )


def _codes(text: str) -> tuple[str, ...]:
    """Rule selectors separated by commas, spaces or newlines."""
    return tuple(code for code in text.replace(",", " ").split() if code)


class Workflow:
    """Where a step writes: the log, outputs and the job summary (the runner's files)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def echo(self, text: str) -> None:
        """A line (or lines) in the step's log."""
        click.echo(text)

    @contextmanager
    def literal(self) -> Iterator[None]:
        """Log lines from repository content that must never be read as workflow commands."""
        token = secrets.token_hex(16)
        self.echo(f"::stop-commands::{token}")
        try:
            yield
        finally:
            self.echo(f"::{token}::")

    def output(self, **values: object) -> None:
        """Set step outputs (plain ``key=value`` lines; our values hold no newline)."""
        self._append(
            "GITHUB_OUTPUT", "".join(f"{k.replace('_', '-')}={v}\n" for k, v in values.items())
        )

    def summary(self, markdown: str) -> None:
        """Append Markdown to the job summary."""
        self._append("GITHUB_STEP_SUMMARY", markdown)

    def _append(self, var: str, text: str) -> None:
        target = self.env.get(var)
        if not target:
            return
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)


def annotation_lines(findings: Sequence[Finding]) -> tuple[list[str], int]:
    """The workflow commands to print (most severe first, within GitHub's limits) and how many
    findings they leave out."""
    from parity.report.github import command, most_severe_first

    ordered = most_severe_first(findings)
    per_level = Counter(f.severity for f in ordered)
    over = sum(max(0, n - ANNOTATIONS_PER_LEVEL) for n in per_level.values())
    # One notice slot is kept for saying how many findings were left out.
    cap = {s: ANNOTATIONS_PER_LEVEL for s in Severity}
    if over:
        cap[Severity.INFO] -= 1
    shown: list[str] = []
    used: Counter[Severity] = Counter()
    for f in ordered:
        if used[f.severity] < cap[f.severity]:
            used[f.severity] += 1
            shown.append(command(f))
    return shown, len(ordered) - len(shown)


def rebase(report: Report, workspace: Path) -> Report:
    """Paths relative to the workspace (the checkout root), as annotations and SARIF need them."""
    root = report.root
    if root is None:
        return report
    try:
        prefix = PurePosixPath(root.resolve().relative_to(workspace.resolve()).as_posix())
    except ValueError:
        return report
    if str(prefix) == ".":
        return report
    findings = tuple(
        f if f.path.startswith("~") else f._replace(path=str(prefix / f.path))
        for f in report.findings
    )
    return report._replace(findings=findings)


def resolve_revision(root: Path, rev: str, workflow: Workflow) -> bool:
    """True when ``rev`` is a commit here; a shallow checkout fetches it from ``origin`` first."""
    from parity.git import check_revision, worktree

    check_revision(rev, "input changed-since")
    tree = worktree(root)

    def known() -> bool:
        return (
            tree is not None
            and tree.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode == 0
        )

    if known():
        return True
    if tree is not None:
        # actions/checkout fetches one commit by default; the pull request's base is not in it.
        with suppress(subprocess.TimeoutExpired):
            tree.run("fetch", "--quiet", "--no-tags", "--depth=1", "origin", rev, timeout=120)
        if known():
            return True
    workflow.echo(
        f"::warning title=claude-parity::changed-since: revision {rev} is not in this checkout "
        "and could not be fetched; reporting the findings of every file (use "
        "actions/checkout with fetch-depth: 0)"
    )
    return False


def only_changed(report: Report, rev: str, workflow: Workflow) -> tuple[Report, bool]:
    """The report narrowed to files changed since ``rev`` (and whether it was narrowed)."""
    from parity.check import changed_files
    from parity.discover import discover_repo

    if not rev or report.root is None or not resolve_revision(report.root, rev, workflow):
        return report, False
    changed = changed_files(discover_repo(report.root), rev)
    return report._replace(findings=tuple(f for f in report.findings if f.path in changed)), True


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no HTML, no markup, no column break, one line)."""
    return md_text(" ".join(text.split()))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _link(f: Finding, env: Mapping[str, str]) -> str:
    where = f"{f.path}:{f.line}:{f.column}"
    server, repo, sha = (
        env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")
    )
    if not (server and repo and sha) or f.path.startswith("~"):
        return md_code(where)
    # The path percent-encoded: a ")" or a space in a file name cannot end the link early.
    return f"[{md_code(where)}]({server}/{repo}/blob/{sha}/{quote(f.path)}#L{f.line})"


def summary_markdown(
    report: Report,
    *,
    shown_root: str,
    changed_since: str,
    exit_code: int,
    left_out: int,
    env: Mapping[str, str],
) -> str:
    """The job summary: counts, the verdict, the findings table and counts per rule."""
    from parity.report.github import most_severe_first

    counts = report.counts()
    total = len(report.findings)
    verdict = "failed" if exit_code else "passed"
    lines = [
        f"## claude-parity: {verdict}",
        "",
        f"**{_plural(total, 'finding')}** ({_plural(counts['error'], 'error')}, "
        f"{_plural(counts['warning'], 'warning')}, {_plural(counts['info'], 'info')}) "
        f"in {md_code(shown_root)}, {report.files_checked} files checked; "
        f"fail-on `{report.fail_on.label}`"
        + (f"; only files changed since {md_code(changed_since[:12])}" if changed_since else "")
        + ".",
        "",
    ]
    if total:
        lines += ["| severity | rule | where | message |", "|---|---|---|---|"]
        ordered = most_severe_first(report.findings)
        for f in ordered[:SUMMARY_ROWS]:
            message = _cell(f.message) + (f"<br>**Fix:** {_cell(f.fix)}" if f.fix else "")
            lines.append(
                f"| {f.severity.label} | `{f.code}` {_cell(f.name)} | {_link(f, env)} | {message} |"
            )
        if total > SUMMARY_ROWS:
            lines += [
                "",
                f"_{total - SUMMARY_ROWS} more findings are in the log and the SARIF file._",
            ]
        if left_out:
            lines += [
                "",
                f"_{left_out} of {total} findings are not annotated on the diff: GitHub shows at "
                f"most {ANNOTATIONS_PER_LEVEL} errors and {ANNOTATIONS_PER_LEVEL} warnings per "
                "step._",
            ]
        per_rule = Counter((f.code, f.name) for f in report.findings)
        lines += ["", "<details><summary>Findings per rule</summary>", ""]
        lines += ["| rule | name | count |", "|---|---|---:|"]
        for (code, name), n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"| `{code}` | {_cell(name)} | {n} |")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n\n"


def _config_args(config: Path | None) -> list[str]:
    return ["--config", str(config)] if config is not None else []


def parity_command(*args: str) -> list[str]:
    """The command line running this installed parity, never a module of the working directory.

    These run in the checkout, which is the pull request's code: plain ``python -m parity`` puts
    the working directory first on ``sys.path``, so a planted ``parity/__init__.py`` would run.
    Isolated mode (``-I``) leaves out the working directory and ``PYTHON*`` variables.
    """
    return [sys.executable, "-I", "-m", "parity", *args]


def status_markdown(root: Path, config: Path | None = None) -> str:
    """The ``parity status`` table as Markdown, or "" when this version has no status command."""
    from parity.cli import COMMANDS

    if "status" not in COMMANDS:
        return ""
    proc = subprocess.run(
        parity_command("status", "--format", "markdown", *_config_args(config)),
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        first = (proc.stderr.strip().splitlines() or ["no output"])[0]
        return f"### Parity table\n\n_`parity status` failed: {_cell(first)}_\n\n"
    return f"### Parity table\n\n{proc.stdout.rstrip()}\n\n"


def run_action_check(inputs: ActionInputs, workflow: Workflow) -> int:
    """Check once; write the log, annotations, SARIF, summary and outputs; return the verdict."""
    from parity.check import CheckOptions, run_check
    from parity.fsutil import atomic_write
    from parity.report import renderer

    full = run_check(
        CheckOptions(
            paths=(inputs.path,),
            config_file=inputs.config,
            select=inputs.select,
            ignore=inputs.ignore,
            fail_on=inputs.fail_on,
        ),
        cwd=inputs.workspace,
    )
    narrowed, was_narrowed = only_changed(full, inputs.changed_since, workflow)
    # Code scanning compares whole analyses: the SARIF holds every finding, or alerts in files
    # the pull request did not touch would show as fixed. Annotations and the gate use the diff.
    full = rebase(full, inputs.workspace)
    report = rebase(narrowed, inputs.workspace)
    atomic_write(inputs.sarif_file, renderer("sarif")(full, color=False).encode("utf-8"))

    # The log lists every finding (annotations are capped): no folding of repeats in it.
    options = {"show_all": True} if inputs.log_format == "text" else {}
    with workflow.literal():
        workflow.echo(renderer(inputs.log_format)(report, color=False, **options).rstrip("\n"))
    shown, left_out = annotation_lines(report.findings)
    for line in shown:
        workflow.echo(line.rstrip("\n"))
    if left_out:
        workflow.echo(
            f"::notice title=claude-parity::{left_out} more findings are not annotated (GitHub "
            "shows only the first few per step); see the job summary and the SARIF file"
        )
    exit_code = report.exit_code()
    root = report.root or inputs.path
    try:
        shown_root = root.resolve().relative_to(inputs.workspace.resolve()).as_posix()
    except ValueError:
        shown_root = str(root)
    workflow.summary(
        summary_markdown(
            report,
            shown_root=shown_root,
            changed_since=inputs.changed_since if was_narrowed else "",
            exit_code=exit_code,
            left_out=left_out,
            env=workflow.env,
        )
        + status_markdown(root, inputs.config)
    )
    counts = report.counts()
    workflow.output(
        findings=len(report.findings),
        errors=counts["error"],
        warnings=counts["warning"],
        infos=counts["info"],
        sarif_file=inputs.sarif_file,
        exit_code=exit_code,
    )
    return 0


def run_action_emulate(inputs: ActionInputs, workflow: Workflow) -> int:
    """Run ``parity emulate`` (it executes repository code: only when the workflow asks)."""
    from parity.cli import COMMANDS

    if "emulate" not in COMMANDS:
        workflow.echo(
            "::warning title=claude-parity::emulate: this version of parity has no "
            "`parity emulate` command; nothing was emulated"
        )
        workflow.summary("### Emulation\n\n_Not run: this version of parity cannot emulate._\n\n")
        workflow.output(exit_code=0)
        return 0
    workflow.echo("Running `parity emulate` (it runs the repository's setup and hooks)")
    with workflow.literal():
        sys.stdout.flush()
        proc = subprocess.run(
            parity_command("emulate", *_config_args(inputs.config)),
            cwd=inputs.path,
            check=False,
        )
    verdict = "passed" if proc.returncode == 0 else f"failed (exit code {proc.returncode})"
    workflow.summary(f"### Emulation\n\nThe cloud session start {verdict}; see the log.\n\n")
    workflow.output(exit_code=proc.returncode)
    return 0


def run_action_gate(env: Mapping[str, str], workflow: Workflow) -> int:
    """Fail the step when the check reached the threshold or the emulation failed."""
    failures = []
    if env.get("PARITY_CHECK_EXIT", "0").strip() not in ("", "0"):
        n = env.get("PARITY_FINDINGS", "").strip() or "some"
        failures.append(f"{n} findings at or above the fail-on level")
    if env.get("PARITY_EMULATE_EXIT", "0").strip() not in ("", "0"):
        failures.append("the emulated cloud session start failed")
    if not failures:
        workflow.echo("claude-parity: passed")
        return 0
    workflow.echo(f"claude-parity: {'; '.join(failures)} (see the annotations and job summary)")
    return 1


@click.group()
def action() -> None:
    """Steps of the claude-parity GitHub Action (inputs come from INPUT_* variables)."""


@action.command("check")
def check_step() -> int:
    """Check the repository; write annotations, SARIF, the job summary and outputs."""
    return run_action_check(ActionInputs.from_env(os.environ), Workflow(os.environ))


@action.command("emulate")
def emulate_step() -> int:
    """Run the emulated cloud session start (only when the `emulate` input is true)."""
    return run_action_emulate(ActionInputs.from_env(os.environ), Workflow(os.environ))


@action.command("gate")
def gate_step() -> int:
    """Exit 1 when the check or the emulation failed."""
    return run_action_gate(os.environ, Workflow(os.environ))


def main(argv: Iterable[str] | None = None) -> int:
    """Run one action step under the CLI's error handling."""
    from parity.cli import main as cli_main

    return cli_main(
        list(argv) if argv is not None else None,
        command=action,
        prog_name="python -m parity.github_action",
    )


if __name__ == "__main__":
    sys.exit(main())
