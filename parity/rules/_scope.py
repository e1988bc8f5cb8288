"""Helpers shared by the scope-parity rules: home paths, scripts hooks run, plugin MCP configs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import NamedTuple

from parity._lazy import lazy_compile
from parity.findings import Location
from parity.hooks import HookHandler, ScriptRef, iter_hooks, script_refs
from parity.load import Document
from parity.model import ConfigFile, Kind, Scope
from parity.rules.base import Context
from parity.shell import SimpleCommand, parse_script

# A word that starts at the home directory: ~, ~/…, ~\\…, $HOME, ${HOME}.
HOME_WORD = lazy_compile(r"^(?:~(?=[/\\]|$)|\$HOME\b|\$\{HOME\})")
# A personal absolute path anywhere in a text: /Users/<name>/… (macOS), /home/<name>/… (Linux).
# ``/home/user`` is where cloud sessions clone the repository, so it is not personal.
PERSONAL_PATH = lazy_compile(
    r"(?<![\w.:/~$-])/(?:Users|home)/(?!user\b)[A-Za-z0-9._-]+(?:/[^\s\"'`)]*)?"
)
# A Windows home: C:\Users\<name>\… (or with /), %USERPROFILE%, %APPDATA%, %LOCALAPPDATA%,
# %HOMEPATH%, and PowerShell's $env:USERPROFILE. None of them exists on the Linux cloud VM.
WINDOWS_HOME = lazy_compile(
    r"(?i)(?<![\w%$:])(?:[a-z]:[\\/]+users[\\/]+(?!(?:public|default|all users)(?:[\\/]|$))"
    r"[^\\/\s\"'`;|&<>%]+|%(?:userprofile|appdata|localappdata|homepath)%"
    r"|\$env:(?:userprofile|appdata|localappdata|home)\b)(?:[\\/][^\s\"'`)]*)?"
)
# Where a path inside a shell word or a sentence stops: shell punctuation and command
# substitution are not part of it (`~/.claude/x/$(jq`, `/Users/me/App.app;`).
_PATH_STOP = lazy_compile(r"\$\(|[`;|&<>\s\"']")
_PATH_TRAILING = ".,:;!?)]}*"
# Folders a package manager fills in the working tree: referenced, but never committed.
INSTALLED_DIRS = ("node_modules/", ".venv/", "venv/", "vendor/bundle/", "target/", "dist/")
SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".pl")
PATH_LIKE = lazy_compile(r"^[\w@%+=:,./{}$~-]+$")

BUILTIN_MARKETPLACES = frozenset(
    {
        # Listed by `claude plugin marketplace list` with no declaration (reference §1).
        "anthropic-plugin-directory",
        # The official marketplace the client knows without a declaration.
        "claude-plugins-official",
        # A skill folder with .claude-plugin/plugin.json becomes plugin <name>@skills-dir (§5.3).
        "skills-dir",
        # Plugins shipped inside the client are enabled as <name>@builtin (seen in the corpus).
        "builtin",
    }
)


def trim_path(path: str) -> str:
    """``path`` without the shell punctuation or sentence punctuation that follows it."""
    stop = _PATH_STOP.search(path, 1)
    if stop is not None:
        path = path[: stop.start()]
    return path.rstrip(_PATH_TRAILING) or path


def home_reference(word: str) -> str | None:
    """The home path in ``word`` when it starts at the home or is a personal path, trimmed."""
    match = HOME_WORD.match(word)
    if match:
        return trim_path(word)
    found = personal_match(word)
    return trim_path(found.group(0)) if found else None


def personal_match(text: str) -> re.Match[str] | None:
    """The first match of PERSONAL_PATH in ``text``, else of WINDOWS_HOME, each searched only
    where it can match. Most text cannot hold either, and the patterns then never compile."""
    if may_hold_personal_path(text):
        found = PERSONAL_PATH.search(text)
        if found:
            return found
    return WINDOWS_HOME.search(text) if may_hold_windows_home(text) else None


def may_hold_personal_path(text: str) -> bool:
    """False when PERSONAL_PATH cannot match ``text``: it needs "/Users/" or "/home/"."""
    return "/Users/" in text or "/home/" in text


def may_hold_windows_home(text: str) -> bool:
    """False when WINDOWS_HOME cannot match ``text``: each of its forms has a ":" (a drive,
    ``$env:``) or a "%" (``%USERPROFILE%``)."""
    return ":" in text or "%" in text


# Files every Ubuntu home has, the cloud VM's root included (from /etc/skel).
_IMAGE_HOME_FILES = frozenset({".bashrc", ".profile"})


def on_image(path: str) -> bool:
    """True for a home path that exists in a cloud session too (``~/.bashrc``)."""
    match = HOME_WORD.match(path)
    return match is not None and path[match.end() :].strip("/\\") in _IMAGE_HOME_FILES


def personal_path(word: str) -> str | None:
    """A path in ``word`` that exists only on one machine (``/Users/<name>``, ``C:\\Users\\…``)."""
    found = personal_match(word)
    return trim_path(found.group(0)) if found else None


def user_claude_path(word: str) -> bool:
    """True when ``word`` names something under ``~/.claude`` (never present in the cloud)."""
    match = HOME_WORD.match(word)
    return match is not None and word[match.end() :].lstrip("/\\").startswith(".claude")


class HookScript(NamedTuple):
    """A script a hook runs, as resolved in the repository."""

    hook: HookHandler
    command: SimpleCommand
    ref: ScriptRef
    rel: str  # repository-relative, from the project folder the settings file belongs to


def repo_hooks(ctx: Context, *, user: bool = False) -> Iterator[HookHandler]:
    """Hook handlers of the project and local settings (and the user's, when asked and --user)."""
    scopes = [Scope.PROJECT, Scope.LOCAL]
    if user and ctx.user:
        scopes.append(Scope.USER)
    yield from iter_hooks(ctx.inventory, scopes=scopes)


def hook_scripts(hook: HookHandler) -> Iterator[HookScript]:
    """Scripts inside the repository that a hook command runs (package-manager folders skipped)."""
    base = project_folder(hook.file)
    for command in hook.commands():
        for ref in script_refs(command):
            if ref.rel is None or not PATH_LIKE.match(ref.rel):
                continue
            if ref.rel.startswith(INSTALLED_DIRS) or "/node_modules/" in ref.rel:
                continue
            yield HookScript(hook, command, ref, f"{base}{ref.rel}")


def project_folder(cf: ConfigFile) -> str:
    """The folder (``""`` or ``"sub/"``) whose ``.claude/`` holds ``cf``.

    A nested ``sub/.claude/settings.json`` applies when a session starts in ``sub/``, so its hooks
    run there and their relative paths and ``$CLAUDE_PROJECT_DIR`` start at ``sub/``.
    """
    if cf.rel is None:
        return ""
    parts = PurePosixPath(cf.rel).parts
    if ".claude" not in parts:
        return ""
    i = len(parts) - 1 - parts[::-1].index(".claude")
    return "".join(f"{p}/" for p in parts[:i])


def looks_like_script(rel: str) -> bool:
    """True for a path that is clearly a script file the repository should contain."""
    return rel.endswith(SCRIPT_SUFFIXES) or rel.startswith((".claude/", "scripts/"))


def script_file(ctx: Context, rel: str) -> ConfigFile | None:
    """A ConfigFile for a repository script (loaded through the inventory cache), if it exists."""
    path = ctx.repo.safe_path(rel)
    if path is None or not path.is_file():
        return None
    entry = ctx.repo.get(rel)
    return ConfigFile(
        Kind.HOOK_SCRIPT,
        Scope.PROJECT,
        path,
        rel,
        rel,
        tracked=entry is not None and entry.tracked,
        ignored=ctx.repo.is_ignored(rel),
    )


def script_commands(ctx: Context, rel: str) -> tuple[Document, list[SimpleCommand]] | None:
    """The parsed simple commands of a shell script in the repository, with its document."""
    cf = script_file(ctx, rel)
    if cf is None or (
        not rel.endswith((".sh", ".bash", ".zsh")) and "." in PurePosixPath(rel).name
    ):
        return None
    doc = ctx.inventory.load(cf)
    if not doc.ok:
        return None
    return doc, parse_script(doc.text)


def line_location(doc: Document, line: int) -> Location:
    """The whole of line ``line`` of ``doc`` (1-based)."""
    lines = doc.text.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = len(text) - len(text.lstrip())
    return Location(doc.display, line, indent + 1, line, len(text) + 1)


def text_location(doc: Document, start: int, end: int) -> Location:
    """The location of characters [start, end) of ``doc``'s text."""
    return doc.at_offset(start, end)


def plugin_mcp_config(ctx: Context, cf: ConfigFile, doc: Document) -> bool:
    """True for a plugin's ``.mcp.json``: beside ``.claude-plugin/``, or using the variables
    only plugin MCP configs have (the client substitutes ``${CLAUDE_PLUGIN_ROOT}``,
    ``${CLAUDE_PLUGIN_DATA}`` and ``${CLAUDE_PROJECT_DIR}`` in them itself, reference §4)."""
    if cf.rel is not None:
        folder = PurePosixPath(cf.rel).parent.as_posix()
        prefix = "" if folder == "." else folder + "/"
        if ctx.repo.get(f"{prefix}.claude-plugin/plugin.json") is not None:
            return True
    return "${CLAUDE_PLUGIN_ROOT}" in doc.text or "${CLAUDE_PLUGIN_DATA}" in doc.text
