"""PAR209: an MCP server fetched by ``npx -y`` / ``uvx`` without a pinned version."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from parity._lazy import lazy_compile
from parity.findings import Fix, Safety, Severity, Violation
from parity.load import Document
from parity.rules._cloud import mcp_argv, mcp_servers
from parity.rules._fixes import json_value
from parity.rules.base import SOMETIMES, Autofix, Context, Rule

_EXACT_NPM = lazy_compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")
_EXACT_PY = lazy_compile(r"(?:==|@)v?\d+(?:\.\d+)*(?:[-+.]?[0-9A-Za-z]+)*$|@[0-9a-f]{7,40}$")
_NPX_VALUE_FLAGS = frozenset({"-p", "--package", "-c", "--call", "--cache", "--registry"})
_UVX_VALUE_FLAGS = frozenset(
    {"--from", "--with", "-w", "--python", "-p", "--index", "--index-url", "--extra-index-url"}
)


def _npm_pinned(spec: str) -> bool:
    if spec.startswith(("file:", "./", "../", "/", "git+", "github:", "http")):
        return True
    body = spec[1:] if spec.startswith("@") else spec
    if "@" not in body:
        return False
    return bool(_EXACT_NPM.match(body.rsplit("@", 1)[1]))


def _py_pinned(spec: str) -> bool:
    return spec.startswith((".", "/", "file:")) or bool(_EXACT_PY.search(spec))


def _package(argv: tuple[str, ...]) -> tuple[str, int, str] | None:
    """(tool, index in argv, package spec) of an npx / dlx / uvx launch, or None."""
    prog = argv[0].rsplit("/", 1)[-1]
    if prog in ("pnpm", "yarn") and argv[1:2] == ("dlx",):
        start, tool, flags = 2, f"{prog} dlx", _NPX_VALUE_FLAGS
    elif prog in ("npx", "uvx"):
        start, tool = 1, prog
        flags = _NPX_VALUE_FLAGS if prog == "npx" else _UVX_VALUE_FLAGS
    elif prog == "uv" and argv[1:3] == ("tool", "run"):
        start, tool, flags = 3, "uvx", _UVX_VALUE_FLAGS
    else:
        return None
    i = start
    while i < len(argv):
        word = argv[i]
        name, eq, value = word.partition("=")
        if name in ("-p", "--package", "--from"):
            return (
                tool,
                (i if eq else i + 1),
                (value if eq else (argv[i + 1] if i + 1 < len(argv) else "")),
            )
        if word.startswith("-"):
            i += 2 if (name in flags and not eq) else 1
            continue
        return tool, i, word
    return None


_PY_NAME = lazy_compile(
    r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?P<extras>\[[^\]]*\])?$"
)


def _text(ctx: Context, rel: str) -> str | None:
    """A committed file's text (a lockfile is only certain when a fresh clone has it)."""
    if not ctx.repo.in_clone(rel):
        return None
    doc = ctx.inventory.repo_file(rel)
    return doc.text if doc is not None and doc.ok else None


def _npm_locked(ctx: Context, folder: PurePosixPath, name: str) -> set[str]:
    """The versions of ``name`` the project's npm or pnpm lockfile in ``folder`` installs."""
    found: set[str] = set()
    for lock in ("package-lock.json", "npm-shrinkwrap.json"):
        text = _text(ctx, (folder / lock).as_posix())
        try:
            data = json.loads(text) if text is not None else None
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        packages, dependencies = data.get("packages"), data.get("dependencies")
        entry = packages.get(f"node_modules/{name}") if isinstance(packages, dict) else None
        if entry is None and isinstance(dependencies, dict):
            entry = dependencies.get(name)  # lockfileVersion 1
        if isinstance(entry, dict) and not entry.get("link"):
            found.add(str(entry.get("version")))
    import yaml  # only where a lockfile is read

    text = _text(ctx, (folder / "pnpm-lock.yaml").as_posix())
    try:
        data = yaml.safe_load(text) if text is not None else None
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict):
        importers = data.get("importers")
        root: Any = importers.get(".") if isinstance(importers, dict) else data
        for group in ("dependencies", "devDependencies", "optionalDependencies"):
            deps = root.get(group) if isinstance(root, dict) else None
            entry = deps.get(name) if isinstance(deps, dict) else None
            version = entry.get("version") if isinstance(entry, dict) else entry
            if isinstance(version, str):
                # "1.2.3(react@18.2.0)" (v6+) or "1.2.3_react@18.2.0" (v5): peers resolved.
                found.add(re.split(r"[(_]", version, maxsplit=1)[0])
    return found


def _py_locked(ctx: Context, folder: PurePosixPath, name: str) -> set[str]:
    """The versions of ``name`` the project's uv.lock in ``folder`` records."""
    import tomlkit  # only where a lockfile is read
    from tomlkit.exceptions import TOMLKitError

    text = _text(ctx, (folder / "uv.lock").as_posix())
    try:
        data = tomlkit.parse(text).unwrap() if text is not None else None
    except TOMLKitError:
        return set()
    packages = data.get("package") if isinstance(data, dict) else None
    wanted = re.sub(r"[-_.]+", "-", name).lower()
    return {
        str(p.get("version"))
        for p in (packages if isinstance(packages, list) else [])
        if isinstance(p, dict) and re.sub(r"[-_.]+", "-", str(p.get("name"))).lower() == wanted
    }


def _pinned_spec(
    ctx: Context, folder: PurePosixPath, tool: str, spec: str, requirement: bool
) -> str | None:
    """``spec`` pinned to the one version the lockfile beside ``.mcp.json`` records, or None.

    Only a bare name or ``@latest`` is pinned: a range or another tag may not mean the locked
    version. uvx takes ``pkg@1.2.3`` for the tool and ``pkg==1.2.3`` as a ``--from``
    ``requirement``.
    """
    if tool == "uvx":
        name, _, tag = spec.partition("@")
        match = _PY_NAME.match(name)
        if match is None or tag not in ("", "latest"):
            return None
        versions = _py_locked(ctx, folder, match.group("name"))
        version = versions.pop() if len(versions) == 1 else ""
        pinned = f"{name}{'==' if requirement else '@'}{version}"
        return pinned if _EXACT_PY.search(pinned) and version else None
    bare = _bare(spec)
    if spec not in (bare, f"{bare}@latest"):
        return None
    versions = _npm_locked(ctx, folder, bare)
    version = versions.pop() if len(versions) == 1 else ""
    return f"{bare}@{version}" if _EXACT_NPM.match(version) else None


def _pin(
    ctx: Context, doc: Document, name: str, server: dict[str, Any], found: tuple[str, int, str]
) -> tuple[str, Fix] | None:
    """The pinned spec, and the fix rewriting the argument that names the package with it."""
    tool, index, spec = found
    args = server.get("args")
    if not isinstance(args, list) or index < 1 or not isinstance(args[index - 1], str):
        return None  # the whole command line in "command": left as written
    word: str = args[index - 1]
    requirement = word.startswith("--from=") or (index >= 2 and args[index - 2] == "--from")
    pinned = _pinned_spec(ctx, PurePosixPath(doc.display).parent, tool, spec, requirement)
    if pinned is None or not word.endswith(spec):
        return None
    edit = json_value(doc, ("mcpServers", name, "args", index - 1), word[: -len(spec)] + pinned)
    return (pinned, Fix(f"Pin {pinned}", (edit,))) if edit is not None else None


def check(ctx: Context) -> Iterator[Violation]:
    """Report stdio servers launched from a package at whatever version is newest."""
    for doc, name, server in mcp_servers(ctx):
        argv = mcp_argv(server)
        found = _package(argv) if argv is not None else None
        if found is None:
            continue
        tool, index, spec = found
        if not spec or "$" in spec:
            continue
        pinned = _py_pinned(spec) if tool == "uvx" else _npm_pinned(spec)
        if pinned:
            continue
        has_args = isinstance(server.get("args"), list) and index >= 1
        location = doc.locate(
            ("mcpServers", name, "args", index - 1) if has_args else ("mcpServers", name, "command")
        )
        example = f"{spec.split('==')[0]}==1.2.3" if tool == "uvx" else f"{_bare(spec)}@1.2.3"
        locked = _pin(ctx, doc, name, server, found)
        yield Violation(
            location,
            f'MCP server "{name}" runs `{tool} {spec}` with no pinned version: every cloud '
            "session downloads whatever release is newest at that moment, so the server can "
            "change or break between sessions without a commit.",
            fix=f"Pin an exact version, e.g. `{example}`."
            if locked is None
            else f"Pin the version your lockfile installs: `{locked[0]}`.",
            autofix=locked[1] if locked is not None else None,
        )


def _bare(spec: str) -> str:
    if spec.startswith("@"):
        scope_name, _, _ = spec[1:].partition("@")
        return "@" + scope_name
    return spec.partition("@")[0]


RULE = Rule(
    code="PAR209",
    name="unpinned-npx",
    severity=Severity.WARNING,
    summary="An MCP server started with npx -y, dlx or uvx at no pinned version.",
    fix="Pin the package to an exact version (pkg@1.2.3, pkg==1.2.3).",
    tags=("cloud", "mcp", "supply-chain"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.UNSAFE,
        "Pins the package to the version the lockfile committed beside `.mcp.json` installs "
        "(`pkg@1.2.3` from package-lock.json, npm-shrinkwrap.json or pnpm-lock.yaml; "
        "from uv.lock for uvx, `pkg@1.2.3` or `--from pkg==1.2.3`). Unsafe: the server then "
        "runs that version, not the newest one.",
        when="for a bare package name or `@latest` in the server's `args`, when the lockfile "
        "records exactly one version of it",
    ),
    docs="""
## What it does
Finds stdio servers in `.mcp.json` launched with `npx` (`-y`), `pnpm dlx`, `yarn dlx`, `uvx` or
`uv tool run` from a package spec with no exact version (`pkg`, `pkg@latest`, `pkg@^1`).

## Why is this bad?
Each cloud session starts from a fresh image and downloads the package again. Without a pinned
version every session may run a different release: a breaking change, a yanked or compromised
release reaches the session with no commit in the repository to review or revert.

## Example
```json
{"mcpServers": {"fs": {"command": "npx",
                       "args": ["-y", "@modelcontextprotocol/server-filesystem", "."]}}}
```

## Fix
```json
{"mcpServers": {"fs": {"command": "npx",
                       "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "."]}}}
```
""",
)
