"""Fold repeated findings for the text report: the first few of a kind, then one line for the rest.

A template repository that commits copies of a ``~/.claude`` setup, or one settings file with
twenty home paths, gives hundreds of findings that say the same thing. The text report shows
the first :data:`SHOWN` findings of one rule with the same message shape in a file, and those of
the first :data:`SHOWN` files where the same kind of finding repeats; a note after the last one
says how many more there are and where. ``--show-all`` turns folding off; JSON, SARIF and the
other formats always carry every finding.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Sequence
from typing import NamedTuple

from parity.findings import Finding

SHOWN = 3  # findings of one kind shown per file, and files shown per kind
_LINES_LISTED = 8  # line numbers a note lists before "…"
# What varies between findings of the same kind: quoted text, paths, references and numbers.
_VARIABLE = re.compile(r'"[^"]*"|`[^`]*`|\$\{[^}]*\}|\S*[/\\~@]\S*|\d+')
# Without one of the characters " ` $ / \ ~ @ only the numbers of _VARIABLE can match (every
# other branch needs one); a message dense with findings usually has none. (`\d\d*` is `\d+`
# that the engine looks for with a fast skip to the next digit, instead of trying every position.)
_NUMBER = re.compile(r"\d\d*")
# The same for a message of ASCII and ellipses (a finding's mask): no other digit is there, and
# the engine tests an ASCII range for a character faster than Unicode's digit category.
_ASCII_NUMBER = re.compile(r"[0-9][0-9]*")


@functools.lru_cache(maxsize=4096)  # many findings say exactly the same
def shape(message: str) -> str:
    """The message with its quoted text, paths and numbers blanked out: what repeats share."""
    # (Seven `in` tests run several times faster than a search of the character class.)
    if not (
        '"' in message
        or "`" in message
        or "$" in message
        or "/" in message
        or "\\" in message
        or "~" in message
        or "@" in message
    ):
        if message.isascii() or message.replace("…", "").isascii():
            return _ASCII_NUMBER.sub("…", message)
        return _NUMBER.sub("…", message)
    return _VARIABLE.sub("…", message)


class Note(NamedTuple):
    """The line that stands for findings not shown: how many, of which rule, and where.

    (Like :class:`Folded`, a NamedTuple, not a frozen dataclass: a dataclass costs a check about
    3.5 million instructions to create, compiling its generated methods.)
    """

    code: str
    hidden: tuple[Finding, ...]
    same_file: bool  # all in the file of the finding the note follows

    def text(self) -> str:
        """``… 5 more PAR102 like this in this file (lines 4, 9, 12, 20, 31)``."""
        n = len(self.hidden)
        head = f"… {n} more {self.code} like this"
        if self.same_file:
            lines = sorted({f.line for f in self.hidden})
            listed = ", ".join(str(x) for x in lines[:_LINES_LISTED])
            more = ", …" if len(lines) > _LINES_LISTED else ""
            word = "line" if len(lines) == 1 else "lines"
            return f"{head} in this file ({word} {listed}{more})"
        files = sorted({f.path for f in self.hidden})
        where = _common_folder(files)
        count = f"{len(files)} other file{'' if len(files) == 1 else 's'}"
        return f"{head} in {count}" + (f" under {where}/" if where else "")


class Folded(NamedTuple):
    """The findings to show, in report order, and the notes that follow some of them."""

    shown: tuple[Finding, ...]
    notes: dict[int, list[Note]]  # index into ``shown`` -> notes printed after that finding

    @property
    def hidden(self) -> int:
        """How many findings the notes stand for."""
        return sum(len(n.hidden) for notes in self.notes.values() for n in notes)


def fold(findings: Sequence[Finding], shown: int = SHOWN) -> Folded:
    """Fold ``findings`` (in report order: by file, then position).

    In one file, a rule's findings with the same message shape beyond the first ``shown`` are
    folded into a note after the last one shown. Across files, once the same kind of finding
    (rule and message shape) has been shown in ``shown`` files, its findings in further files are
    folded into a note after its last finding shown. A group is folded only when the note would
    stand for at least two findings: hiding one finding behind one line helps nobody.
    """
    # One pass: each finding's kind (rule and message shape), and per kind the files it appears
    # in (in report order) and its findings.
    kinds: list[tuple[str, str]] = []
    groups: dict[tuple[str, str], tuple[list[str], list[Finding]]] = {}
    for f in findings:
        kind = (f.code, shape(f.message))
        kinds.append(kind)
        entry = groups.get(kind)
        if entry is None:
            groups[kind] = ([f.path], [f])
        else:
            if entry[0][-1] != f.path:
                entry[0].append(f.path)
            entry[1].append(f)
    # Across files: once a kind was shown in `shown` files, its findings in further files.
    hidden_ids: set[int] = set()  # findings folded into a note, across files or in one
    cross_groups: list[tuple[list[Finding], list[Finding]]] = []  # (kept, hidden) per kind
    for files, members in groups.values():
        if len(files) <= shown:
            continue
        kept_files = set(files[:shown])
        hidden = [f for f in members if f.path not in kept_files]
        if len(hidden) < 2:
            continue
        hidden_ids.update(map(id, hidden))
        cross_groups.append(([f for f in members if f.path in kept_files], hidden))
    # In one file: the first `shown` of each kind in the file.
    by_file_kind: dict[tuple[str, tuple[str, str]], list[Finding]] = {}
    for f, kind in zip(findings, kinds, strict=True):
        if id(f) not in hidden_ids:
            key = (f.path, kind)
            same = by_file_kind.get(key)
            if same is None:
                by_file_kind[key] = [f]
            else:
                same.append(f)
    # The notes after each finding (by id): its file's note first, then the one for other files.
    after: dict[int, list[Note]] = {}
    for (_path, kind), group in by_file_kind.items():
        if len(group) - shown < 2:
            continue
        hidden_ids.update(map(id, group[shown:]))
        after[id(group[shown - 1])] = [Note(kind[0], tuple(group[shown:]), same_file=True)]
    # The note for other files follows the kind's last finding that is still shown.
    for kept, hidden in cross_groups:
        anchor = [f for f in kept if id(f) not in hidden_ids][-1]
        after.setdefault(id(anchor), []).append(Note(anchor.code, tuple(hidden), same_file=False))
    out: list[Finding] = []
    notes: dict[int, list[Note]] = {}
    for f in findings:
        if id(f) in hidden_ids:
            continue
        following = after.get(id(f))
        if following is not None:
            notes[len(out)] = following
        out.append(f)
    return Folded(tuple(out), notes)


def _common_folder(paths: Sequence[str]) -> str:
    """The deepest folder holding every path, or "" when that is the top."""
    parents = [posixpath.dirname(p) for p in paths]
    try:
        common = posixpath.commonpath(parents) if parents else ""
    except ValueError:  # a mix of ~/... and repository paths
        return ""
    return "" if common in ("", ".", "/") else common
