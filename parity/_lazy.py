"""Regular expressions compiled on first use: importing a rule costs nothing for the patterns
of a check that never runs (a repository without routines never compiles PAR5's)."""

from __future__ import annotations

import re
from typing import Any, cast


class _LazyPattern:
    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        # Only for what the instance does not hold yet (search, match, sub, pattern...): the
        # compiled pattern's attribute is kept, so the next use is a plain attribute lookup.
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(*self._args)
        value = getattr(compiled, name)
        self.__dict__[name] = value
        return value

    def __repr__(self) -> str:
        return f"lazy_compile({self._args[0]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done the first time the pattern is used."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))
