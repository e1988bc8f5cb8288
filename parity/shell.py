"""Parse shell command lines and scripts into simple commands (quoting, operators, ``bash -c``)."""

from __future__ import annotations

import functools
import re
import shlex
import unicodedata
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from parity._lazy import lazy_compile

_OPERATORS = frozenset({"&&", "||", "|", ";", "&", "(", ")", "|&", ";;", "{", "}", "`"})
_REDIRECTS = frozenset({">", ">>", "<", "<<", "<<<", ">|", "&>", "&>>", ">&", "<&"})
_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case", "esac", "!"}
)
# Words that run the rest of the line as a command.
_WRAPPERS = frozenset({"sudo", "exec", "time", "nohup", "command", "builtin", "nice", "stdbuf"})
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh"})
_ASSIGNMENT = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
_HEREDOC = lazy_compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_MAX_DEPTH = 4
# Words written as they are; anything else is quoted.
_PLAIN_WORD = lazy_compile(r"^[A-Za-z0-9._/@+=:,%-]+$")
# Characters that end a line, move the cursor, hide text or show as nobody knows what (private
# use, unassigned): never written raw into a script.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"})
# Keywords whose following words are not a command (`for f in *.py`, `case "$x" in`).
_NOT_A_COMMAND = frozenset({"for", "case", "select", "in", "esac", "function"})
# Arithmetic, `$(( … ))` and `(( … ))`: numbers and operators, never a program.
_ARITHMETIC = lazy_compile(r"\$?\(\((?:[^()]|\([^()]*\))*\)\)")
# An array, `FILES=(a.py b.py)`: its words are values, not a command.
_ARRAY = lazy_compile(r"(?<![\w$])([A-Za-z_]\w*\+?=)\([^()]*\)")
# `case WORD in` where a command starts (not "in case it is in …" inside an echo).
_CASE_HEAD = lazy_compile(
    r"(?P<pre>^|[;&|({]|\b(?:then|do|else)\b)\s*case\s+(?:\"[^\"]*\"|'[^']*'|\S+)\s+in\b"
)
_CASE_PATTERN = lazy_compile(r"^\s*\(?[^()]*?\)")
_CASE_END = lazy_compile(r";;&?|;&")

# Commands that bash runs itself (no program on PATH): never "missing" from an image.
BUILTINS = frozenset(
    {
        *(".", ":", "[", "[[", "alias", "bg", "bind", "break", "builtin", "caller", "cd"),
        *("command", "compgen", "complete", "compopt", "continue", "declare", "dirs"),
        *("disown", "echo", "enable", "eval", "exec", "exit", "export", "false", "fc", "fg"),
        *("getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout"),
        *("mapfile", "popd", "printf", "pushd", "pwd", "read", "readarray", "readonly"),
        *("return", "set", "shift", "shopt", "source", "suspend", "test", "time", "times"),
        *("trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait"),
        *("function", "coproc", "select", "until", "while", "for", "if", "case", "{", "}"),
    }
)


class SimpleCommand(NamedTuple):
    """One command of a command line: its words, its variable assignments and redirections."""

    argv: tuple[str, ...]
    assignments: tuple[str, ...] = ()
    redirects: tuple[
        tuple[str, str], ...
    ] = ()  # (operator, target), e.g. (">>", "$CLAUDE_ENV_FILE")
    line: int = 1  # 1-based line within the parsed text
    via_shell: bool = False  # came from inside ``bash -c '...'``

    @property
    def name(self) -> str:
        """The program run (basename), or "" for a bare assignment."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:
        # Unbalanced quotes: fall back to words, which still finds most programs.
        return text.replace(";", " ; ").replace("&&", " && ").replace("|", " | ").split()


def parse(command: str, *, line: int = 1, depth: int = 0) -> list[SimpleCommand]:
    """The simple commands of one command line; ``bash -c`` strings are parsed too. Never raises."""
    return list(_parsed(command, line, depth))


@functools.lru_cache(maxsize=1024)
def _parsed(command: str, line: int, depth: int) -> tuple[SimpleCommand, ...]:
    # Each hook's command line is read by about ten rules (scripts it runs, programs, home
    # paths, bun, network, permissions...): parsed once per text, each caller getting its own
    # list of the same immutable commands.
    return tuple(_parse(_CaseFilter().feed(command), line, depth))


def _parse(command: str, line: int, depth: int) -> list[SimpleCommand]:
    out: list[SimpleCommand] = []
    text = _ARRAY.sub(r"\1''", _ARITHMETIC.sub(":", command))
    text = text.replace("$(", " ( ").replace("`", " ` ")
    for words, redirects in _split(_tokens(text)):
        out.extend(_simple(words, redirects, line, depth))
    return out


class _CaseFilter:
    """Drops what is not a command in ``case`` statements, line by line: the ``case … in``
    head and each item's pattern (``Edit|Write)``, ``*.md)``), keeping the items' commands."""

    def __init__(self) -> None:
        self.depth = 0
        self.pattern_next = False

    def feed(self, line: str) -> str:
        """The commands of ``line``, with the case syntax around them blanked out."""
        out: list[str] = []
        rest = line
        while rest:
            if self.pattern_next:
                stripped = rest.lstrip()
                if not stripped or stripped.startswith("#"):
                    break
                if re.match(r"esac\b", stripped):
                    self.depth -= 1
                    self.pattern_next = False
                    rest = " ; " + stripped[4:]
                    continue
                pattern = _CASE_PATTERN.match(stripped)
                self.pattern_next = False
                if pattern is None:
                    # Not the case syntax this reading knows: read the rest as commands.
                    self.depth = 0
                    continue
                rest = stripped[pattern.end() :]
                continue
            head = _CASE_HEAD.search(rest)
            end = _CASE_END.search(rest) if self.depth else None
            if head is not None and (end is None or head.start() < end.start()):
                out.append(rest[: head.start()] + head.group("pre") + " ; ")
                self.depth += 1
                self.pattern_next = True
                rest = rest[head.end() :]
                continue
            if end is not None:
                out.append(rest[: end.start()] + " ; ")
                self.pattern_next = True
                rest = rest[end.end() :]
                continue
            if self.depth and re.match(r"\s*esac\b", rest):
                self.depth -= 1
                rest = " ; " + rest.lstrip()[4:]
                continue
            out.append(rest)
            break
        return "".join(out)


def _split(tokens: list[str]) -> Iterator[tuple[list[str], list[tuple[str, str]]]]:
    words: list[str] = []
    redirects: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "[[" and all(w in _KEYWORDS for w in words):
            # A test: `[[ $f =~ \.(ts|md)$ ]]` holds operators that do not end a command.
            close = tokens.index("]]", i) if "]]" in tokens[i:] else len(tokens) - 1
            words.extend(tokens[i : close + 1])
            i = close + 1
            continue
        if tok in _OPERATORS:
            if words or redirects:
                yield words, redirects
            words, redirects = [], []
        elif tok in _REDIRECTS or (
            tok.isdigit() and i + 1 < len(tokens) and tokens[i + 1] in _REDIRECTS
        ):
            op = tok if tok in _REDIRECTS else tokens[i + 1]
            if tok not in _REDIRECTS:
                i += 1
            target = tokens[i + 1] if i + 1 < len(tokens) else ""
            redirects.append((op, target))
            i += 1
        else:
            words.append(tok)
        i += 1
    if words or redirects:
        yield words, redirects


def _simple(
    words: list[str], redirects: list[tuple[str, str]], line: int, depth: int
) -> list[SimpleCommand]:
    assignments: list[str] = []
    while words and (words[0] in _KEYWORDS or _ASSIGNMENT.match(words[0])):
        if words[0] in _NOT_A_COMMAND:
            return []
        if _ASSIGNMENT.match(words[0]):
            assignments.append(words[0])
        words = words[1:]
    if words and words[0] in _NOT_A_COMMAND:
        return []
    while words:
        head = words[0].rsplit("/", 1)[-1]
        if head == "command" and words[1:2] in (["-v"], ["-V"]):
            break  # ``command -v X`` looks X up; it does not run it
        if head in _WRAPPERS:
            words = _drop_options(words[1:])
        elif head == "env":
            words = _drop_options(words[1:])
            while words and _ASSIGNMENT.match(words[0]):
                assignments.append(words[0])
                words = words[1:]
        else:
            break
    if len(words) >= 3 and words[0].rsplit("/", 1)[-1] in _SHELLS and depth < _MAX_DEPTH:
        flags = [w for w in words[1:] if w.startswith("-")]
        if any("c" in f.lstrip("-") for f in flags if not f.startswith("--")):
            script = next((w for w in words[1:] if not w.startswith("-")), "")
            inner = parse(script, line=line, depth=depth + 1)
            here = SimpleCommand(tuple(words), tuple(assignments), tuple(redirects), line)
            return [here, *(_mark(c) for c in inner)]
    if not words and not assignments and not redirects:
        return []
    return [SimpleCommand(tuple(words), tuple(assignments), tuple(redirects), line)]


def _mark(cmd: SimpleCommand) -> SimpleCommand:
    return SimpleCommand(cmd.argv, cmd.assignments, cmd.redirects, cmd.line, via_shell=True)


def _drop_options(words: list[str]) -> list[str]:
    while words and words[0].startswith("-"):
        words = words[1:]
    return words


def parse_script(text: str) -> list[SimpleCommand]:
    """The simple commands of a shell script, each with its line number; heredoc bodies skipped."""
    out: list[SimpleCommand] = []
    lines = text.splitlines()
    cases = _CaseFilter()
    i = 0
    while i < len(lines):
        start = i
        current = lines[i]
        # Join backslash continuations into one logical line.
        while current.endswith("\\") and i + 1 < len(lines):
            i += 1
            current = current[:-1] + " " + lines[i]
        heredoc = _HEREDOC.search(current)
        out.extend(_parse(cases.feed(current), start + 1, 0))
        i += 1
        if heredoc:
            end = heredoc.group(2)
            while i < len(lines) and lines[i].strip() != end:
                i += 1
            i += 1
    return out


def is_shebang_shell(text: str) -> bool:
    """True when ``text`` starts with a shell shebang (bash, sh, zsh, dash, ksh, env bash …)."""
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return False
    words = first[2:].split()
    prog = words[0].rsplit("/", 1)[-1] if words else ""
    if prog == "env" and len(words) > 1:
        prog = words[-1]
    return prog in _SHELLS


def quote(word: str) -> str:
    """``word`` as one bash word that reads back as exactly ``word``, on one visible line.

    Plain words stay as they are; other printable text is single-quoted; text holding a line
    break, a control, formatting or bidi character, or a byte that is not UTF-8 (a surrogate from
    ``os.fsdecode``) becomes ANSI-C ``$'...'`` with those written as ``\\xHH`` bytes, so that a
    reviewer sees them and bash gets the same bytes in every locale. So does text with ``$``, a
    backtick or a backslash, which shellcheck would take for an expansion or escape meant to
    happen.
    """
    if _PLAIN_WORD.fullmatch(word):
        return word
    if not any(hidden(ch) or ch in "$`\\" for ch in word):
        return shlex.quote(word)
    out = []
    for ch in word:
        if ch in "\\'":
            out.append("\\" + ch)
        elif hidden(ch):
            out.append("".join(f"\\x{b:02x}" for b in _bytes(ch)))
        else:
            out.append(ch)
    return "$'" + "".join(out) + "'"


def hidden(ch: str) -> bool:
    """True for a character a terminal or editor does not show as itself (line breaks, controls,
    formatting and bidi characters, lone surrogates, private-use and unassigned code points)."""
    return unicodedata.category(ch) in _HIDDEN


def _bytes(ch: str) -> bytes:
    try:
        return ch.encode("utf-8", "surrogateescape")  # a byte os.fsdecode could not decode
    except UnicodeEncodeError:
        return ch.encode("utf-8", "surrogatepass")


def git_add(paths: Sequence[str], executable: Sequence[str] = ()) -> str:
    """The git commands that stage ``paths``, and ``executable`` with the executable bit."""
    commands = [f"git add --chmod=+x {quote(p)}" for p in dict.fromkeys(executable)]
    plain = [quote(p) for p in dict.fromkeys(paths) if p not in executable]
    if plain:
        commands.append("git add " + " ".join(plain))
    return " && ".join(commands)
