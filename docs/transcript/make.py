"""Record the migrate -> cloud-init -> emulate flow on a fake home and a fixture project.

Run from the repository root (it needs nothing but this checkout's parity and git):

    .venv/bin/python docs/transcript/make.py            # docs/transcript/workflow.{md,cast}
    .venv/bin/python docs/transcript/make.py --readme   # ... and the README's sample blocks

Every command runs on a pseudo-terminal, as a person at a terminal would see it (colours, live
progress), with ``HOME`` pointed at a copy of ``tests/fixtures/homes/realistic``: the real home
is never read. ``workflow.cast`` is the recording with its timings (asciicast v2: play it with
``asciinema play``); ``workflow.md`` is what the terminal shows at the end of each command. The
README's blocks between ``<!-- transcript: NAME -->`` and ``<!-- /transcript -->`` are replaced
by the same text, so they always show what the code prints.

The emulation runs the generated setup script, which installs with ``uv`` and ``npm``: with
either missing from this machine the recording shows that step failing ("not emulated: in the
image but not on this machine"). ``pip install uv`` into the virtual environment and put its
``bin`` first on ``PATH`` to record the passing run committed here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HOME_FIXTURE = ROOT / "tests" / "fixtures" / "homes" / "realistic"
PROJECT_FIXTURE = ROOT / "tests" / "fixtures" / "repos" / "partial"
COLUMNS, ROWS = 100, 40
# Shown instead of the temporary folders, so that the transcript does not change between runs.
SHOWN_HOME = "/home/dev"
SHOWN_PROJECT = "/home/dev/src/acme"

# Files added to the fixture project: a Python service with uv and a web front end with npm.
EXTRA_FILES = {
    "pyproject.toml": '[project]\nname = "acme"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n',
    "uv.lock": (  # what `uv lock` writes for a project with no dependencies
        'version = 1\nrevision = 5\nrequires-python = ">=3.11"\n\n'
        '[[package]]\nname = "acme"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
    ),
    "web/package.json": '{"name": "acme-web", "private": true}\n',
    "web/package-lock.json": '{"name": "acme-web", "lockfileVersion": 3, "packages": {}}\n',
}


@dataclass(frozen=True)
class Step:
    """One command of the session, and the README block (if any) that shows its output."""

    command: str
    readme: str = ""


STEPS = (
    Step("parity status"),
    Step("parity migrate"),
    Step("parity migrate --apply", readme="migrate-apply"),
    Step("git add -A && git commit -qm 'Move my Claude Code setup into the repository'"),
    Step("parity cloud-init --write", readme="cloud-init-write"),
    Step('parity cloud-init --check; echo "exit code: $?"', readme="cloud-init-check-untracked"),
    Step("git add -A && git commit -qm 'Cloud session setup'", readme="cloud-init-commit"),
    Step('parity cloud-init --check; echo "exit code: $?"', readme="cloud-init-check"),
    Step("parity emulate"),
    Step("parity status"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="also rewrite the README blocks")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="parity-transcript-") as tmp:
        home, project = _setup(Path(tmp))
        recorded = [_run(step, home, project) for step in STEPS]
    (HERE / "workflow.md").write_text(_markdown(recorded), encoding="utf-8")
    (HERE / "workflow.cast").write_text(_cast(recorded), encoding="utf-8")
    if args.readme:
        readme = ROOT / "README.md"
        readme.write_text(_readme(readme.read_text(encoding="utf-8"), recorded), encoding="utf-8")
    return 0


def _setup(tmp: Path) -> tuple[Path, Path]:
    home = tmp / "home"
    project = home / "src" / "acme"
    shutil.copytree(HOME_FIXTURE, home)
    shutil.copytree(PROJECT_FIXTURE, project)
    for rel, text in EXTRA_FILES.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    config = home / ".claude.json"
    config.write_text(
        config.read_text(encoding="utf-8").replace("__REPO__", str(project)), encoding="utf-8"
    )
    env = _env(home)
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "Acme: service and web front end"],
    ):
        subprocess.run(command, cwd=project, env=env, check=True)
    return home, project


def _env(home: Path) -> dict[str, str]:
    """A small environment: the fake home, this checkout's parity first on PATH, git identity."""
    bin_dir = Path(sys.executable).parent
    env = {
        "HOME": str(home),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "COLUMNS": str(COLUMNS),
        "LINES": str(ROWS),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
    }
    if os.environ.get("PARITY_CLAUDE_BIN"):
        env["PARITY_CLAUDE_BIN"] = os.environ["PARITY_CLAUDE_BIN"]
    return env


@dataclass(frozen=True)
class Recorded:
    """What one step printed, as timed terminal output."""

    step: Step
    code: int
    events: tuple[tuple[float, str], ...]
    seconds: float


def _run(step: Step, home: Path, project: Path) -> Recorded:
    started = time.monotonic()
    code, events = _pty(["bash", "-c", step.command], cwd=project, env=_env(home))
    shown = tuple((t, _anonymise(text, home, project)) for t, text in events)
    return Recorded(step, code, shown, time.monotonic() - started)


def _anonymise(text: str, home: Path, project: Path) -> str:
    for real in {str(project), str(project.resolve())}:
        text = text.replace(real, SHOWN_PROJECT)
    for real in {str(home), str(home.resolve())}:
        text = text.replace(real, SHOWN_HOME)
    tmp = re.escape(tempfile.gettempdir().rstrip("/") + "/")
    return re.sub(tmp + r"[\w.-]+", "<temporary folder>", text)


def _pty(argv: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[int, list[tuple[float, str]]]:
    """Run ``argv`` on a pseudo-terminal; its exit code and its output chunks with their times."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower, close_fds=True
    )
    os.close(follower)
    events: list[tuple[float, str]] = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # the terminal closed: the command is done
                    break
                if not data:
                    break
                events.append((time.monotonic() - start, data.decode("utf-8", "replace")))
            elif proc.poll() is not None:
                break
    finally:
        os.close(leader)
    return proc.wait(), events


# --------------------------------------------------------------------------------------------
# What the terminal shows at the end: a small screen model (text, \r, \n, cursor up, erase).

_CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07")


def screen(output: str) -> str:
    """The lines a terminal holds after ``output`` (colours dropped, overwritten lines gone)."""
    lines: list[str] = [""]
    row = col = 0
    pos = 0
    for match in _CSI.finditer(output + "\x1b[0m"):
        for ch in output[pos : match.start()]:
            if ch == "\n":
                row += 1
                col = 0
                if row == len(lines):
                    lines.append("")
            elif ch == "\r":
                col = 0
            elif ch >= " ":
                line = lines[row].ljust(col)
                lines[row] = line[:col] + ch + line[col + 1 :]
                col += 1
        pos = match.end()
        arg, op = match.group(1) or "", match.group(2)
        n = int(arg) if arg.isdigit() else 1
        if op == "A":
            row = max(row - n, 0)
        elif op == "K":
            lines[row] = "" if arg == "2" else lines[row][:col]
        elif op == "G":
            col = n - 1
        elif op == "J" and arg in ("", "0"):
            lines[row] = lines[row][:col]
            del lines[row + 1 :]
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _markdown(recorded: list[Recorded]) -> str:
    out = [
        "# The workflow, as a terminal shows it",
        "",
        "Generated by `docs/transcript/make.py` (do not edit: run it again). A developer's",
        "personal setup (a fake home: `tests/fixtures/homes/realistic`) and a project that has",
        "part of it (`tests/fixtures/repos/partial`, plus a `uv.lock` and a `web/` front end) go",
        "through `parity status`, `parity migrate`, `parity cloud-init` and `parity emulate`.",
        "`workflow.cast` is the same session with its timings and live progress",
        "(`asciinema play docs/transcript/workflow.cast`).",
        "",
    ]
    for rec in recorded:
        out += [
            "```text",
            f"$ {rec.step.command}",
            screen("".join(t for _, t in rec.events)),
            "```",
            "",
        ]
    return "\n".join(out)


def _cast(recorded: list[Recorded]) -> str:
    header = {
        "version": 2,
        "width": COLUMNS,
        "height": ROWS,
        "env": {"TERM": "xterm-256color", "SHELL": "/bin/bash"},
        "title": "parity: migrate, cloud-init, emulate",
    }
    lines = [json.dumps(header)]
    clock = 0.0
    for rec in recorded:
        clock += 0.5
        lines.append(json.dumps([round(clock, 3), "o", f"$ {rec.step.command}\r\n"]))
        for t, text in rec.events:
            lines.append(json.dumps([round(clock + t, 3), "o", text]))
        clock += rec.seconds
    return "\n".join(lines) + "\n"


_BLOCK = re.compile(
    r"(<!-- transcript: ([\w-]+) -->\n```text\n)(.*?)(```\n<!-- /transcript -->)", re.S
)


def _readme(text: str, recorded: list[Recorded]) -> str:
    shown = {
        rec.step.readme: f"$ {rec.step.command}\n"
        + screen("".join(t for _, t in rec.events))
        + "\n"
        for rec in recorded
        if rec.step.readme
    }

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in shown:
            raise SystemExit(f"README block {name!r}: no step records it")
        return match.group(1) + shown[name] + match.group(4)

    return _BLOCK.sub(replace, text)


if __name__ == "__main__":
    raise SystemExit(main())
