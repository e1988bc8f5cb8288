"""CLAUDE.md ``@`` imports found and followed the way the client does (reference §5.2).

Checked against client 2.1.330 (``claude -p /context`` lists the memory files it loaded): an
import is ``@`` at the start of a Markdown text run or after a blank, followed by a path that
runs to the next blank (``\\ `` escapes a blank; a ``#fragment`` is dropped); it counts only when
the path starts with ``./``, ``~/``, ``/`` or a letter, digit, ``.``, ``_`` or ``-``. Code
blocks, code spans and HTML comments are ignored. The path is relative to the importing file; a
file whose extension is not a text one is skipped; a file imported again is not loaded twice;
and imports are followed at most four hops from the file that started them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Literal, NamedTuple

from parity._lazy import lazy_compile
from parity.load import Document
from parity.model import ConfigFile, Kind, Scope
from parity.rules.base import Context

MAX_HOPS = 4
# The extensions the client reads through an import; any other extension is skipped as not text.
TEXT_SUFFIXES = frozenset(
    {
        ".md", ".txt", ".text", ".json", ".yaml", ".yml", ".toml", ".xml", ".csv", ".html", ".htm",
        ".css", ".scss", ".sass", ".less", ".js", ".ts", ".tsx", ".jsx", ".mjs", ".cjs", ".mts",
        ".cts", ".py", ".pyi", ".pyw", ".rb", ".erb", ".rake", ".go", ".rs", ".java", ".kt",
        ".kts", ".scala", ".c", ".cpp", ".cc", ".cxx", ".h", ".hpp", ".hxx", ".cs", ".swift",
        ".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".cmd", ".env", ".ini", ".cfg", ".conf",
        ".config", ".properties", ".sql", ".graphql", ".gql", ".proto", ".vue", ".svelte",
        ".astro", ".ejs", ".hbs", ".pug", ".jade", ".php", ".pl", ".pm", ".lua", ".r", ".dart",
        ".ex", ".exs", ".erl", ".hrl", ".clj", ".cljs", ".cljc", ".edn", ".hs", ".lhs", ".elm",
        ".ml", ".mli", ".f", ".f90", ".f95", ".for", ".cmake", ".make", ".makefile", ".gradle",
        ".sbt", ".rst", ".adoc", ".asciidoc", ".org", ".tex", ".latex", ".lock", ".log", ".diff",
        ".patch",
    }
)  # fmt: skip

# `@` at the start of the text or after a blank, or right after emphasis markers (the client
# sees the text inside `**…**` as a text run of its own).
_IMPORT = lazy_compile(r"(?<![^\s*_~])@((?:[^\s\\]|\\ )+)")
_FENCE = lazy_compile(r"^[ \t>]*(`{3,}|~{3,})")
_CODE_SPAN = lazy_compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_COMMENT = lazy_compile(r"<!--.*?-->", re.DOTALL)
_ACCEPTED_START = lazy_compile(r"[A-Za-z0-9._-]")
# What a sentence puts right after a path; the client keeps it as part of the path.
TRAILING_PUNCTUATION = ".,;:!?)]}'\""

Where = Literal["home", "outside", "repo"]


class Import(NamedTuple):
    """One ``@`` import as the client reads it, in the file that holds it."""

    doc: Document
    spelled: str  # the path as the client reads it (fragment dropped, escapes undone)
    start: int  # offsets of ``@path`` in the document's text
    end: int
    where: Where
    target: str | None  # the repo-relative file, for imports that stay in the repository
    hops: int  # 1 for an import in the file a session loads, 2 for an import in that file, …
    chain: tuple[str, ...]  # the files from the root memory file to this import's file

    @property
    def text(self) -> str:
        """The import as written (``@path``)."""
        return self.doc.text[self.start : self.end]

    @property
    def is_text(self) -> bool:
        """False when the client skips the file for its extension (not a text file)."""
        suffix = posixpath.splitext(posixpath.basename(self.spelled))[1].lower()
        return not suffix or suffix in TEXT_SUFFIXES


def _masked(text: str) -> str:
    """``text`` with code blocks, code spans and HTML comments blanked (offsets kept)."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = _COMMENT.sub(blank, text)
    lines = text.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            lines[i] = " " * len(line)
        elif fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            lines[i] = " " * len(line)
    return _CODE_SPAN.sub(blank, "\n".join(lines))


def imports_in(doc: Document) -> Iterator[tuple[str, int, int]]:
    """Each import of ``doc`` as the client reads it: (path, start, end of ``@path``)."""
    if "@" not in doc.text:
        return
    for match in _IMPORT.finditer(_masked(doc.text)):
        raw = match.group(1)
        if match.start() > 0 and doc.text[match.start() - 1] in "*_~":
            raw = raw.rstrip("*_~")  # the closing emphasis markers are not part of the text run
        path = raw.split("#", 1)[0].replace("\\ ", " ")
        if not path or path == "/":
            continue
        if not (
            path.startswith(("./", "~/", "/"))
            or (not path.startswith("@") and _ACCEPTED_START.match(path))
        ):
            continue
        yield path, match.start(), match.start() + 1 + len(raw)


def roots(ctx: Context) -> Iterator[tuple[ConfigFile, Document]]:
    """The repository's memory and rule files, where sessions start reading imports."""
    for cf, doc in ctx.documents(Kind.MEMORY, Kind.RULE, scopes=[Scope.PROJECT]):
        if cf.shared and doc.ok:
            yield cf, doc


def resolve(base: str, path: str) -> tuple[Where, str | None]:
    """Where the import ``path`` in the repository file ``base`` leads."""
    from parity.rules._scope import HOME_WORD, PERSONAL_PATH

    if HOME_WORD.match(path) or PERSONAL_PATH.match(path):
        return "home", None
    if path.startswith("/"):
        return "outside", None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), path))
    if joined == ".." or joined.startswith("../"):
        return "outside", None
    return "repo", joined


def import_graph(ctx: Context) -> Iterator[Import]:
    """Every import reachable from the repository's memory files, within the client's four hops.

    An import past the fourth hop is yielded (with ``hops`` 5) but not followed; a file already
    read on the way is not read again (the client loads each file once).
    """
    seen_files: set[str] = set()
    for cf, doc in roots(ctx):
        if cf.rel is None:
            continue
        yield from _walk(ctx, cf.rel, doc, hops=1, chain=(cf.rel,), seen_files=seen_files)


def _walk(
    ctx: Context,
    rel: str,
    doc: Document,
    *,
    hops: int,
    chain: tuple[str, ...],
    seen_files: set[str],
) -> Iterator[Import]:
    for path, start, end in imports_in(doc):
        where, target = resolve(rel, path)
        if target is not None and ctx.repo.broken_link(target) is not None:
            where, target = "outside", None
        found = Import(doc, path, start, end, where, target, hops, chain)
        yield found
        if target is None or hops > MAX_HOPS or target in chain or not found.is_text:
            continue
        key = f"{target}\0{hops}"
        if key in seen_files:
            continue
        seen_files.add(key)
        inner = ctx.inventory.repo_file(target)
        if inner is not None and inner.ok:
            yield from _walk(
                ctx, target, inner, hops=hops + 1, chain=(*chain, target), seen_files=seen_files
            )
