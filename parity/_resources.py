"""Locate the data files that ship with the package (JSON schemas, image profiles, allowlists)."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:  # pragma: no cover - Python 3.10
        from importlib.abc import Traversable


def _files() -> Traversable:
    # importlib.resources imports tempfile, shutil, zipfile...: only when a data file is read.
    from importlib.resources import files

    return files("parity")


def schemas_dir() -> Traversable:
    """The bundled ``schemas/`` folder: in the wheel, or the source tree in an editable install."""
    packaged = _files() / "_schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas"


def schema_names() -> list[str]:
    """Names (file stems without ``.schema.json``) of every bundled schema, sorted."""
    return sorted(
        entry.name.removesuffix(".schema.json")
        for entry in schemas_dir().iterdir()
        if entry.name.endswith(".schema.json")
    )


def schema_text(name: str) -> str:
    """The text of bundled schema ``name`` (e.g. ``settings``)."""
    text: str = (schemas_dir() / f"{name}.schema.json").read_text(encoding="utf-8")
    return text


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed bundled schema ``name``; cached, since every check validates against it."""
    value: dict[str, Any] = json.loads(schema_text(name))
    return value


def data_file(name: str) -> Traversable:
    """A data file shipped in ``parity/data/`` (image profiles, allowlists)."""
    return _files() / "data" / name
