"""Home paths that Markdown instructions (skills, commands, agents, CLAUDE.md) read from or run.

A path that is only mentioned — documented, offered as a global install target, named as a folder
the agent writes to — does not break a cloud session; one the instructions read or run does. The
heuristic, kept narrow on purpose (an unclear case is left alone):

- commands in fenced shell blocks (```bash, sh, shell, zsh, console) and in inline code that is
  a command (two words or more, or the ``!`cmd` `` form commands run before the prompt): the
  program itself, the script an interpreter or ``source`` runs, the files a reader takes
  (``cat``, ``head``, ``jq``, ``cd``, ``cp``'s sources …) and ``< file``; never a write
  target (``mkdir``, ``touch``, ``cp``'s destination, ``> file``) or an unknown program's
  argument; a path with a space in inline code is not a program;
- a path right after a verb of reading or running in prose (``Read ~/.claude/style.md``,
  ``Run the script at ~/bin/x.sh``), with only filler words between;
- ``@~/…`` references outside code (CLAUDE.md imports are reported separately).

Examples of the user's input (``~/path/to/x``), listings (``ls``, ``find``) and files every
Ubuntu home has (``~/.bashrc``) are left alone too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from parity._lazy import lazy_compile
from parity.rules._scope import (
    HOME_WORD,
    SCRIPT_SUFFIXES,
    home_reference,
    on_image,
    personal_path,
)
from parity.shell import parse, parse_script

RUNS = "runs"
READS = "reads"

_FENCE = lazy_compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
_SHELL_FENCES = frozenset(
    {"bash", "sh", "shell", "zsh", "console", "shell-session", "shellsession", "terminal"}
)
_PROMPT = lazy_compile(r"^\s*[$%]\s+")
_CODE_SPAN = lazy_compile(r"(!?)`([^`\n]+)`")
_AT_HOME = lazy_compile(r"(?<![\w@`/])@(~[/\\][^\s`)\]>,;\"']*)")

_SOURCE = frozenset({"source", "."})
_INTERPRETERS = frozenset(
    {"bash", "sh", "zsh", "dash", "python", "python3", "node", "ruby", "perl", "deno", "tsx"}
)
# Programs whose file operands are read (every operand that is a path).
_READERS = frozenset(
    {
        *("cat", "less", "more", "head", "tail", "bat", "jq", "yq", "wc", "diff", "cmp"),
        *("sort", "uniq", "grep", "egrep", "rg", "ag", "sed", "awk", "cd", "pushd", "open"),
        *("xdg-open", "sha256sum", "md5sum"),
    }
)
# Programs that copy: every operand but the last (the destination) is read.
_COPIERS = frozenset({"cp", "rsync", "scp", "mv", "install"})
# Verbs of reading or running in prose, and the words that may stand between them and the path.
# Imperatives only: "Claude reads …" describes, "Read …" instructs.
_PROSE_READ = lazy_compile(
    r"(?i)\b(read|load|source|run|execute|open|import|follow|cat)\b"
    r"((?:\s+(?:the|this|that|these|those|your|my|our|its|all|every|each|any|file|files|"
    r"script|scripts|config|configuration|settings|instructions|guide|guidelines|rules|notes|"
    r"contents?|of|from|in|at|located|stored|under|inside|first|also|then|found))*)"
    r"\s+[`\"'*_]*(?=[~$/%A-Za-z])"
)
_PROSE_RUN = frozenset({"run", "execute", "source"})
# A path written as an example of the user's own input (`cat ~/path/to/file.csv`).
_EXAMPLE_PATH = lazy_compile(r"(?i)path/to|[<{]|\.\.\.|…|example|\byour|username|yourname")
_NEGATION = lazy_compile(r"(?i)(?:\bnot|n't|\bnever|\bno)\s+(?:\w+\s+)?$")
# What a home path needs in the text it is read from: HOME_WORD a "~" or "$", PERSONAL_PATH
# "/Users/" or "/home/", WINDOWS_HOME a drive's ":/" or ":\", a "%" or "$env:". Prose without
# any of them names no home path, so its verbs and @ references need no matching at all.
_HOME_MARKS = ("~", "$", "%", ":/", ":\\", "/Users/", "/home/")


class PathUse(NamedTuple):
    """A home path the instructions use: where it is in the text, and whether it runs or reads."""

    path: str
    start: int
    end: int
    how: str  # RUNS or READS


def instruction_paths(text: str, *, imports: bool = True) -> Iterator[PathUse]:
    """Home paths ``text`` reads from or runs (``imports``: also ``@~/…`` references)."""
    seen: set[int] = set()
    for use in _uses(text, imports=imports):
        if use.start not in seen:
            seen.add(use.start)
            yield use


def _uses(text: str, *, imports: bool) -> Iterator[PathUse]:
    lines = text.split("\n")
    i = _after_frontmatter(lines)
    offset = sum(len(line) + 1 for line in lines[:i])
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line) if "`" in line or "~" in line else None
        if fence is not None:
            end = _fence_end(lines, i, fence.group(1))
            body_start = offset + len(line) + 1
            body = lines[i + 1 : end]
            if fence.group(2).lower() in _SHELL_FENCES:
                yield from _block(body, body_start)
            offset = body_start + sum(len(b) + 1 for b in body)
            if end < len(lines):
                offset += len(lines[end]) + 1
            i = end + 1
            continue
        yield from _prose(line, offset, imports=imports)
        offset += len(line) + 1
        i += 1


def _after_frontmatter(lines: list[str]) -> int:
    if not lines or lines[0].strip() != "---":
        return 0
    for n, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return n + 1
    return 0


def _fence_end(lines: list[str], start: int, marker: str) -> int:
    for n in range(start + 1, len(lines)):
        if lines[n].strip().startswith(marker[0] * len(marker)):
            return n
    return len(lines)


def _block(body: list[str], start: int) -> Iterator[PathUse]:
    """Commands of a fenced shell block (prompts stripped), each home path it reads or runs."""
    stripped = []
    shift = []
    for line in body:
        prompt = _PROMPT.match(line)
        cut = prompt.end() if prompt else 0
        stripped.append(line[cut:])
        shift.append(cut)
    offsets = []
    at = start
    for line in body:
        offsets.append(at)
        at += len(line) + 1
    for cmd_line, path, how in _commands_of("\n".join(stripped)):
        n = cmd_line - 1
        if 0 <= n < len(body):
            yield _locate(body[n], offsets[n], shift[n], path, how)


def _commands_of(script: str) -> Iterator[tuple[int, str, str]]:
    for cmd in parse_script(script):
        for path, how in _used(cmd.argv, cmd.redirects):
            yield cmd.line, path, how


def _used(
    argv: tuple[str, ...], redirects: tuple[tuple[str, str], ...]
) -> Iterator[tuple[str, str]]:
    """Home paths one command runs or reads: (path, how)."""
    for op, target in redirects:
        if op in ("<", "<<<"):
            found = _home(target)
            if found:
                yield found, READS
    if not argv:
        return
    name = argv[0].rsplit("/", 1)[-1]
    program = _home(argv[0])
    if program and not program.endswith(("/", "\\")):
        yield program, RUNS
        return
    operands = [a for a in argv[1:] if not a.startswith("-")]
    if (name in _SOURCE or name in _INTERPRETERS) and operands:
        found = _home(operands[0])
        if found:
            yield found, RUNS
        return
    if name in _COPIERS:
        sources = operands[:-1]
    elif name in _READERS:
        sources = operands
    else:
        return
    for word in sources:
        found = _home(word)
        if found:
            yield found, READS


def _home(word: str) -> str | None:
    """The home path ``word`` names, when it names something inside the home."""
    found = home_reference(word) if HOME_WORD.match(word) else personal_path(word)
    if found is None or HOME_WORD.sub("", found).strip("/\\") == "":
        return None  # the home itself (`cd ~`) is there in a cloud session too
    if on_image(found) or _EXAMPLE_PATH.search(found):
        return None
    return found


def _prose(line: str, offset: int, *, imports: bool) -> Iterator[PathUse]:
    """Inline commands, ``@~/`` references and read/run verbs followed by a path, on one line."""
    spans: list[tuple[int, int]] = []
    # Not filtered by _HOME_MARKS: the shell words of inline code lose their quotes, so a path
    # split by quotes (/Us"ers"/me) is whole only after parsing.
    for m in _CODE_SPAN.finditer(line) if "`" in line else ():
        spans.append(m.span())
        code = m.group(2)
        cmds = parse(code)
        lone = len(cmds) == 1 and len(cmds[0].argv) == 1 and not cmds[0].redirects
        if lone and not m.group(1):
            continue  # `~/.claude/agents/`: a path named, not a command
        for cmd in cmds:
            for path, how in _used(cmd.argv, cmd.redirects):
                # `~/Library/Application Support/x/` in prose is a path with a space, not a
                # program: inline code runs a home path only as a script or in the `!` form.
                program = how == RUNS and cmd.argv[0] == path and not m.group(1)
                if program and not path.endswith(SCRIPT_SUFFIXES):
                    continue
                yield _locate(code, offset + m.start(2), 0, path, how)
    if not any(mark in line for mark in _HOME_MARKS):
        return
    if imports:
        for m in _AT_HOME.finditer(line):
            ref = _home(m.group(1))
            if ref is not None and not _inside(m.start(), spans):
                yield PathUse(ref, offset + m.start(1), offset + m.start(1) + len(ref), READS)
    for m in _PROSE_READ.finditer(line):
        at = m.end()
        if _inside(m.start(), spans) or _NEGATION.search(line[: m.start()]):
            continue
        word = re.match(r"[^\s`\"'*]+", line[at:])
        named = _home(word.group(0)) if word is not None else None
        # A folder named in prose is more often documented than read ("skills load from …").
        if named and line.startswith(named, at) and not named.endswith(("/", "\\")):
            how = RUNS if m.group(1).lower() in _PROSE_RUN else READS
            yield PathUse(named, offset + at, offset + at + len(named), how)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= pos < end for start, end in spans)


def _locate(line: str, line_offset: int, shift: int, path: str, how: str) -> PathUse:
    """The path's place in the raw line (searching from the command text), or the line start."""
    col = line.find(path, shift)
    if col < 0:
        return PathUse(path, line_offset + shift, line_offset + len(line), how)
    return PathUse(path, line_offset + col, line_offset + col + len(path), how)
