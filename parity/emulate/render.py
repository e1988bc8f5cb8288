"""Render an emulation result as text (rich) or JSON; the CLI only prints what this returns."""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any

from parity.emulate.result import EmulationResult, Progress, Status, StepResult
from parity.text import NAME_LIMIT, clean, dumps

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {
    Status.OK: "green",
    Status.FAILED: "bold red",
    Status.TIMEOUT: "bold red",
    Status.SKIPPED: "dim",
    Status.NOT_EMULATED: "yellow",
}


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _short(name: str) -> str:
    # A step's name is its hook command: masked before it is cut, so no piece of a key shows.
    return clean(" ".join(name.split()), NAME_LIMIT)


def summary_line(result: EmulationResult) -> str:
    """``Emulation failed: …`` or ``Emulation passed …``, with the counts that decide it."""
    failed = [s for s in result.steps if s.status in (Status.FAILED, Status.TIMEOUT)]
    if not result.failed:
        return f"Emulation passed: {_plural(len(result.steps), 'step')} in {result.duration:.2f}s."
    parts = []
    if failed:
        parts.append(_plural(len(failed), "failed step"))
    if result.blocked_hosts:
        parts.append(_plural(len(result.blocked_hosts), "blocked host"))
    if result.direct_connections:
        parts.append(_plural(len(result.direct_connections), "direct connection"))
    if result.missing_commands:
        parts.append(_plural(len(result.missing_commands), "missing command"))
    broken = {c for s in result.steps for c in s.broken_commands}
    if broken:
        parts.append(_plural(len(broken), "broken command"))
    return f"Emulation failed: {', '.join(parts)} in {result.duration:.2f}s."


def _details(step: StepResult) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for host in step.blocked_hosts:
        rows.append(("blocked host", f"{host} (403 x-deny-reason: host_not_allowed)"))
    for host in step.direct_connections:
        rows.append(
            (
                "direct connection (no proxy)",
                f"{host} (looked up without the proxy: in a cloud session only the proxy leads "
                "out; use HTTPS_PROXY)",
            )
        )
    for command in step.missing_commands:
        rows.append(("missing command", f"{command} (not in the image: exit 127)"))
    for command in step.broken_commands:
        rows.append(("broken command", f"{command} (fails behind the cloud's proxy)"))
    if step.env_exports:
        rows.append(("exports", ", ".join(step.env_exports)))
    rows.extend(("note", message) for message in step.messages)
    if len(step.reasons) > 1:
        rows.extend(("stderr", line) for line in step.reasons)
    if step.log and step.failed:
        rows.append(("log", f"{step.log} (the whole stdout and stderr)"))
    return rows


def render_text(result: EmulationResult, *, color: bool = False) -> str:
    """The human report: one line per step, the causes under it, a summary line."""
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=100 if color else 10_000,
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(
        Text(
            clean(
                f"parity emulate: {result.engine} engine, network {result.network}, image "
                f"{result.image}, source {result.source}, {result.ref}, "
                f"{result.sandbox.summary}"
            ),
            style="bold",
        ),
        soft_wrap=True,
    )
    if result.sandbox.limits:
        parts = [
            f"{limit.name} {limit.value} ({limit.how})"
            if limit.enforced
            else f"{limit.name} {limit.value} NOT enforced ({limit.how})"
            for limit in result.sandbox.limits
        ]
        console.print(Text("limits: " + ", ".join(parts)), soft_wrap=True)
    for step in result.steps:
        line = Text("  ")
        line.append(f"{step.status.value:<12}", style=_STYLE[step.status])
        line.append(f" {step.kind:<12} ")
        line.append(_short(step.name))
        if step.status not in (Status.SKIPPED, Status.NOT_EMULATED):
            line.append(f"  {step.duration:.2f}s", style="dim")
            if step.kind in ("hook", "setup-script", "command") and step.captured:
                line.append(f"  stdout {_size(step.stdout_size)}", style="dim")
        console.print(line, soft_wrap=True)
        for label, detail in _details(step):
            row = Text(f"      {label}: ", style="dim" if label in ("note", "stderr") else "bold")
            row.append(clean(detail))
            console.print(row, soft_wrap=True)
    for warning in result.warnings:
        console.print(Text(f"warning: {clean(warning)}", style="yellow"), soft_wrap=True)
    for folder in result.kept:
        console.print(Text(f"kept: {clean(folder)}"), soft_wrap=True)
    console.print(
        Text(summary_line(result), style="bold red" if result.failed else "bold green"),
        soft_wrap=True,
    )
    return buf.getvalue()


def render_json(result: EmulationResult) -> str:
    """The JSON report (hook commands are step names: secrets in them are masked)."""
    from parity.secrets import redact

    return redact(dumps(result.to_json())) + "\n"


class LiveProgress:
    """The steps as they run, on a terminal: a spinner, what runs, how long it has taken.

    Cleared when it stops (the report follows); a listener for ``CloudSession``. Hooks run in
    parallel, so events come from several threads.
    """

    def __init__(self, console: Console) -> None:
        from rich.progress import Progress as Bar
        from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Bar(
            SpinnerColumn(finished_text=" "),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._tasks: dict[tuple[str, str], Any] = {}
        self._phase: Any = None
        self._lock = threading.Lock()

    def __call__(self, event: Progress) -> None:
        with self._lock:
            if event.event == "phase":
                self._end_phase()
                self._phase = self.bar.add_task(event.name, total=1)
            elif event.event == "start" and event.kind == "command":
                self.bar.stop()  # the command's own output goes to the terminal now
            elif event.event == "start":
                self._end_phase()
                task = self.bar.add_task(f"{event.kind} {_short(event.name)}", total=1)
                self._tasks[(event.kind, event.name)] = task
            elif event.event == "end":
                task = self._tasks.pop((event.kind, event.name), None)
                if task is not None:
                    status = event.status.value if event.status is not None else "done"
                    self.bar.update(
                        task,
                        completed=1,
                        description=f"{status:<7} {event.kind} {_short(event.name)}",
                    )
                    self.bar.stop_task(task)

    def _end_phase(self) -> None:
        if self._phase is not None:
            self.bar.update(self._phase, completed=1)
            self.bar.remove_task(self._phase)
            self._phase = None

    def start(self) -> LiveProgress:
        """Show the display."""
        self.bar.start()
        return self

    def stop(self) -> None:
        """Clear the display (idempotent)."""
        self.bar.stop()
