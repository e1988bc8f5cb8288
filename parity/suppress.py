"""Inline suppression in Markdown files: ``<!-- parity: ignore PAR102 -->``.

Grammar (an HTML comment, so it does not show when the Markdown is rendered)::

    <!-- parity: ignore CODES -->        the findings on this line
    <!-- parity: ignore-file CODES -->   the findings anywhere in this file

CODES are rule codes (``PAR102``) or prefixes (``PAR1``), separated by commas or spaces; there
must be at least one, and ``ALL`` is not accepted: a suppression says what it silences. The
comment must open and close on one line; ``parity`` and the keyword are case-insensitive. Only
Markdown files (CLAUDE.md, skills, agents, commands, rules) read these comments; JSON has no
comments, so settings and ``.mcp.json`` use ``per-file-ignores`` in the configuration. A comment
with an unknown code or no code is reported (PAR004); one that suppresses nothing is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from parity._lazy import lazy_compile

_COMMENT = lazy_compile(r"<!--\s*parity\s*:(?P<body>.*?)-->", re.IGNORECASE)
_OPENED = lazy_compile(r"<!--\s*parity\s*:", re.IGNORECASE)
_CODE = lazy_compile(r"^PAR[0-9]{1,3}$")
KEYWORDS = {"ignore": "line", "ignore-file": "file"}


class Directive(NamedTuple):
    """One suppression comment: where it is, what it covers, and what is wrong with it."""

    line: int  # 1-based
    column: int  # 1-based, of "<!--"
    end_column: int  # exclusive
    scope: str  # "line" or "file"; "" when the comment is malformed
    codes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


class Suppressions(NamedTuple):
    """What a file's comments suppress: codes per line, and codes for the whole file."""

    by_line: dict[int, tuple[str, ...]]
    whole_file: tuple[str, ...] = ()

    def covers(self, code: str, line: int) -> bool:
        """True when a comment silences ``code`` on ``line``."""
        selectors = (*self.whole_file, *self.by_line.get(line, ()))
        return any(code.startswith(selector) for selector in selectors)


def directives(text: str, known: Iterable[str]) -> Iterator[Directive]:
    """Every ``<!-- parity: ... -->`` comment in ``text``, checked against rule codes ``known``."""
    codes = tuple(known)
    if "parity" not in text.lower():
        return  # (what each line is tested for below: no line of such a text has it)
    for number, line in enumerate(text.split("\n"), start=1):
        if "parity" not in line.lower():
            continue
        closed = list(_COMMENT.finditer(line))
        for m in closed:
            yield _directive(number, m.start() + 1, m.end() + 1, m.group("body"), codes)
        last = closed[-1].end() if closed else 0
        opened = _OPENED.search(line, last)
        if opened is not None:
            yield Directive(
                number,
                opened.start() + 1,
                len(line) + 1,
                "",
                problems=("the comment must close (-->) on the same line",),
            )


def _directive(line: int, start: int, end: int, body: str, known: tuple[str, ...]) -> Directive:
    words = body.replace(",", " ").split()
    keyword = words[0].lower() if words else ""
    if keyword not in KEYWORDS:
        return Directive(
            line,
            start,
            end,
            "",
            problems=(f'unknown keyword "{keyword}": write "ignore" or "ignore-file"',),
        )
    problems: list[str] = []
    codes: list[str] = []
    for word in words[1:]:
        code = word.upper()
        if _CODE.match(code) and any(k.startswith(code) for k in known):
            codes.append(code)
        else:
            problems.append(f'"{word}" is not a parity rule code or prefix (PAR102, PAR1)')
    if not words[1:]:
        problems.append("it names no rule: list the codes it silences (PAR102)")
    return Directive(line, start, end, KEYWORDS[keyword], tuple(codes), tuple(problems))


def suppressions(found: Iterable[Directive]) -> Suppressions:
    """What the comments of one file suppress (their valid codes)."""
    by_line: dict[int, tuple[str, ...]] = {}
    whole: list[str] = []
    for d in found:
        if d.scope == "line":
            by_line[d.line] = (*by_line.get(d.line, ()), *d.codes)
        elif d.scope == "file":
            whole.extend(d.codes)
    return Suppressions(by_line, tuple(whole))
