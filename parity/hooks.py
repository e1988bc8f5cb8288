"""Hook handlers of every settings file, with their place, and the scripts their commands run."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from parity._lazy import lazy_compile
from parity.shell import SimpleCommand, parse

if TYPE_CHECKING:
    from parity.findings import Location
    from parity.load import Document
    from parity.model import ConfigFile, Inventory, Scope

_PROJECT_DIR = lazy_compile(r"\$\{CLAUDE_PROJECT_DIR(?::-[^}]*)?\}|\$CLAUDE_PROJECT_DIR\b")
_HOME = lazy_compile(r"^(~|\$HOME\b|\$\{HOME\})")
_INTERPRETERS = frozenset(
    {"bash", "sh", "zsh", "dash", "python", "python3", "node", "ruby", "perl", "uv", "deno", "tsx"}
)

_SHELLS = frozenset({"bash", "sh", "zsh", "dash"})
# ``"$(command -v python3)"`` as a word once ``$(`` is split off by the parser: `` ( command -v
# python3)``; ``python3.12`` is python3.
_LOOKED_UP = lazy_compile(r"^\s*\(?\s*(?:command\s+-v|which)\s+([\w.+-]+)\s*\)?\s*$")
_VERSIONED = lazy_compile(r"^(python3?|node)[\d.]*$")
# Options after which an interpreter runs code from the command line, not a script file.
_INLINE_CODE: dict[str, frozenset[str]] = {
    "python": frozenset({"-c", "-m"}),
    "python3": frozenset({"-c", "-m"}),
    "node": frozenset({"-e", "-p", "--eval", "--print"}),
    "deno": frozenset({"eval"}),
    "ruby": frozenset({"-e"}),
    "perl": frozenset({"-e", "-E"}),
}


class HookHandler(NamedTuple):
    """One handler of one matcher group of one event, in one settings file."""

    file: ConfigFile
    doc: Document
    event: str
    group: int
    index: int  # type: ignore[assignment]  # the field, not tuple.index (never called)
    matcher: str | None
    handler: dict[str, Any]

    @property
    def path(self) -> tuple[str | int, ...]:
        """JSON pointer parts of the handler object."""
        return ("hooks", self.event, self.group, "hooks", self.index)

    @property
    def type(self) -> str:
        """The handler type (``command``, ``prompt``, ``agent``, ``http``, ``mcp_tool``)."""
        value = self.handler.get("type")
        return value if isinstance(value, str) else ""

    @property
    def command(self) -> str | None:
        """The command text of a command handler (exec-form ``args`` joined), else None."""
        cmd = self.handler.get("command")
        if not isinstance(cmd, str):
            return None
        args = self.handler.get("args")
        if isinstance(args, list) and all(isinstance(a, str) for a in args):
            return " ".join([cmd, *args])
        return cmd

    def locate(self, field: str | None = "command") -> Location:
        """Where the handler (or one of its fields) is in its file."""
        if field is not None and field in self.handler:
            return self.doc.locate((*self.path, field))
        return self.doc.locate(self.path)

    def commands(self) -> list[SimpleCommand]:
        """The simple commands of the handler's command line."""
        return parse(self.command or "")


def iter_hooks(
    inventory: Inventory, scopes: Iterable[Scope] | None = None
) -> Iterator[HookHandler]:
    """Every well-formed handler of every settings file of the given scopes."""
    from parity.model import Kind

    for cf, doc in inventory.documents(Kind.SETTINGS, scopes=scopes):
        value = doc.value if doc.ok else None
        hooks = value.get("hooks") if isinstance(value, dict) else None
        if not isinstance(hooks, dict):
            continue
        for event, groups in hooks.items():
            if not isinstance(groups, list):
                continue
            for g, group in enumerate(groups):
                if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
                    continue
                matcher = group.get("matcher")
                for i, handler in enumerate(group["hooks"]):
                    if isinstance(handler, dict):
                        yield HookHandler(
                            cf,
                            doc,
                            str(event),
                            g,
                            i,
                            matcher if isinstance(matcher, str) else None,
                            handler,
                        )


class ScriptRef(NamedTuple):
    """A script a command runs: inside the repository (``rel``) or under the home (``home_rel``)."""

    text: str  # as written in the command
    rel: str | None = None
    home_rel: str | None = None
    direct: bool = True  # run as a program (needs the executable bit), not through an interpreter


def interpreter(word: str) -> str | None:
    """The interpreter ``word`` runs, by name or path (``.venv/bin/python`` → ``python``, and
    ``"$(command -v python3)"`` → ``python3``), or None."""
    found = _LOOKED_UP.match(word)
    name = found.group(1) if found else word.rsplit("/", 1)[-1]
    name = _VERSIONED.sub(r"\1", name)
    return name if name in _INTERPRETERS else None


def script_refs(command: SimpleCommand) -> list[ScriptRef]:
    """Scripts that a simple command runs, with ``$CLAUDE_PROJECT_DIR`` taken as the repo root."""
    argv = command.argv
    if not argv:
        return []
    candidates: list[tuple[str, bool]] = []
    program = interpreter(argv[0])
    if program is not None and len(argv) > 1:
        flags = [a for a in argv[1:] if a.startswith("-")]
        if any(f in _INLINE_CODE.get(program, ()) for f in flags) or (
            program in _SHELLS and any("c" in f[1:] for f in flags if not f.startswith("--"))
        ):
            # ``python -c CODE``, ``node -e CODE``, ``python -m module``: no script file is run.
            return []
        rest = [a for a in argv[1:] if not a.startswith("-")]
        if program == "uv" and rest[:1] == ["run"]:
            rest = rest[1:]
            if rest and interpreter(rest[0]) is not None:
                rest = rest[1:]  # uv run python scripts/x.py
        if rest and ("/" in rest[0] or "." in rest[0]) and rest[0] != "-c":
            candidates.append((rest[0], False))
    elif "/" in argv[0]:
        candidates.append((argv[0], True))
    refs = []
    for text, direct in candidates:
        ref = resolve_script(text, direct)
        if ref is not None:
            refs.append(ref)
    return refs


def resolve_script(text: str, direct: bool = True) -> ScriptRef | None:
    """Map a path as written in a hook command to the repository or the home, if it is one."""
    home = _HOME.match(text)
    if home:
        rest = text[home.end() :].lstrip("/")
        return ScriptRef(text, home_rel=rest, direct=direct)
    replaced = _PROJECT_DIR.sub("", text)
    if replaced != text:
        return ScriptRef(text, rel=replaced.lstrip("/").removeprefix("./") or None, direct=direct)
    if text.startswith("/"):
        return None
    if text.startswith("$"):
        return None
    return ScriptRef(text, rel=text.removeprefix("./"), direct=direct)
