"""PAR208: a stdio MCP server whose command the cloud image does not have."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from parity.findings import Severity, Violation
from parity.rules._cloud import images, mcp_argv, mcp_servers, provided_by_setup
from parity.rules.base import Context, Rule

_SYSTEM_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/sbin")
# Home folders are PAR1xx's business (repo config referencing a home); not reported twice.
_HOME_PREFIXES = ("~", "/Users/", "/home/", "/root/", "C:\\", "c:\\")
_WINDOWS = frozenset(
    {"cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh.exe", "wsl", "wsl.exe"}
)
_MAC_ONLY = ("/opt/homebrew/", "/Applications/", "/usr/local/Cellar/", "/Library/")


def check(ctx: Context) -> Iterator[Violation]:
    """Report stdio servers started by an absolute path or a program the image lacks."""
    for doc, name, server in mcp_servers(ctx):
        argv = mcp_argv(server)
        if argv is None:
            continue
        command = argv[0]
        if "$" in command or command.startswith(_HOME_PREFIXES):
            continue
        program = PurePosixPath(command).name
        if program.lower() in _WINDOWS or "\\" in command:
            yield Violation(
                doc.locate(("mcpServers", name, "command")),
                f'MCP server "{name}" starts `{program}`, a Windows program: the cloud image is '
                "Linux, so the server fails to start in a cloud session.",
                fix="Start the server directly (for example `npx -y pkg@1.2.3`) instead of "
                "through cmd or PowerShell; the client needs no Windows shell wrapper on Linux.",
            )
            continue
        for image, label in images(ctx):
            if command.startswith("/"):
                system = str(PurePosixPath(command).parent) in _SYSTEM_DIRS
                if system and image.has(program):
                    continue
                mac = command.startswith(_MAC_ONLY)
                on_path = image.has(program)
                # A system folder the profile does not list everything of: likely, not certain.
                sure = mac or (not on_path and not system) or image.lacks(program)
                yield Violation(
                    doc.locate(("mcpServers", name, "command")),
                    f'MCP server "{name}" starts {command}, a path '
                    + ("that exists only on macOS" if mac else "from one machine")
                    + f"{label}: the {image.name} image has no such file, so the server fails "
                    "to start in a cloud session.",
                    fix=(
                        f'Use "command": "{program}" and let PATH find it.'
                        if on_path
                        else f"Install {program} in the setup script and use its bare name, or run "
                        "a script committed to the repository."
                    ),
                    severity=Severity.ERROR if sure else Severity.WARNING,
                )
                break
            if "/" in command or image.has(program) or provided_by_setup(ctx, program):
                continue
            known = image.lacks(program)
            yield Violation(
                doc.locate(("mcpServers", name, "command")),
                f'MCP server "{name}" runs `{program}`, which the {image.name} image '
                + (
                    "does not have"
                    if known
                    else "does not list (a personal or globally installed binary?)"
                )
                + f"{label} and the setup does not install: the server fails to start in a cloud "
                "session.",
                fix=f"Install {program} in the setup script (`parity cloud-init` does), or start "
                "the server with `npx -y pkg@version` / `uvx pkg==version`.",
                severity=Severity.ERROR if known else Severity.WARNING,
            )
            break


RULE = Rule(
    code="PAR208",
    name="mcp-command-missing",
    severity=Severity.ERROR,
    variants=((Severity.WARNING, "when the image is not known to lack the program"),),
    summary="A stdio MCP server whose command will not exist on the cloud image.",
    fix="Start the server with a program the image has (npx, uvx, node, python3) or install it.",
    tags=("cloud", "mcp"),
    check=check,
    docs="""
## What it does
Checks the `command` of each stdio server in `.mcp.json` against the environment's image profile:
absolute paths outside `/usr/bin` and `/bin` (`/opt/homebrew/bin/…`, `/usr/local/bin/…`),
programs the image is known not to have (`deno`, `terraform`, …, an error) and programs it does
not list at all (personal binaries, a warning), unless the setup installs them. Paths under a
home folder are left to the scope-parity rules.

## Why is this bad?
Cloud sessions load `.mcp.json` servers without asking, on a fresh image: a command that exists
only on the author's machine makes the server fail at start and its tools are missing for the
whole session, with only a line in `claude mcp list`.

## Example
```json
{"mcpServers": {"files": {"command": "/opt/homebrew/bin/mcp-files", "args": ["."]}}}
```

## Fix
```json
{"mcpServers": {"files": {"command": "npx", "args": ["-y", "mcp-files@1.4.2", "."]}}}
```
""",
)
