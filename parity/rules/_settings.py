"""Helpers shared by the settings rules: which settings files a check covers, and dotted paths."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from parity.load import Document
from parity.model import ConfigFile, Kind, Scope
from parity.rules.base import Context

SCOPE_WORD = {
    Scope.PROJECT: "project settings",
    Scope.LOCAL: "local settings",
    Scope.USER: "user settings",
    Scope.MANAGED: "managed settings",
}


def settings_documents(ctx: Context) -> Iterator[tuple[ConfigFile, Document]]:
    """Parsed, non-empty settings files of the repository (and the user's, with ``--user``)."""
    for cf, doc in ctx.documents(Kind.SETTINGS):
        if cf.scope is Scope.USER and not ctx.user:
            continue
        if doc.ok and not doc.empty:
            yield cf, doc


def dotted(path: Sequence[str | int]) -> str:
    """``permissions.allow.0``, as the client names a setting in its messages."""
    return ".".join(str(p) for p in path) or "(root)"


def permission_rules(ctx: Context) -> Iterator[tuple[Document, str, int, str]]:
    """Every string rule of ``permissions.allow``/``ask``/``deny``: document, list, index, text."""
    for _cf, doc in settings_documents(ctx):
        perms = doc.value.get("permissions") if isinstance(doc.value, dict) else None
        if not isinstance(perms, dict):
            continue
        for kind in ("allow", "ask", "deny"):
            rules = perms.get(kind)
            if not isinstance(rules, list):
                continue
            for index, text in enumerate(rules):
                if isinstance(text, str):
                    yield doc, kind, index, text
