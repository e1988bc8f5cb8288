"""Image profiles: which commands a cloud image has, shared by the rules, cloud-init and emulate."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, NamedTuple

from parity._resources import data_file
from parity.errors import ConfigError

DEFAULT_IMAGE = "claude-cloud"


class ImageProfile(NamedTuple):
    """What an image provides: commands on PATH, commands known to be absent, broken ones."""

    name: str
    description: str
    as_of: str
    commands: frozenset[str]
    known_missing: frozenset[str]
    broken: dict[str, str]
    versions: dict[str, str]
    # Programs the image probably has that the profile cannot confirm: never reported missing,
    # never added to an emulated session.
    unconfirmed: frozenset[str] = frozenset()

    def has(self, command: str) -> bool:
        """True when ``command`` (a program name or path) resolves on the image."""
        return command.rsplit("/", 1)[-1] in self.commands

    def may_have(self, command: str) -> bool:
        """True when ``command`` is on the image or probably is (``unconfirmed``)."""
        name = command.rsplit("/", 1)[-1]
        return name in self.commands or name in self.unconfirmed

    def lacks(self, command: str) -> bool:
        """True when ``command`` is a well-known CLI the image is known not to have."""
        name = command.rsplit("/", 1)[-1]
        return name in self.known_missing and name not in self.commands

    def broken_reason(self, command: str) -> str | None:
        """Why ``command`` is present but does not work there (bun behind the proxy), or None."""
        return self.broken.get(command.rsplit("/", 1)[-1])


def _from_json(doc: dict[str, Any], origin: str) -> ImageProfile:
    try:
        return ImageProfile(
            name=str(doc["name"]),
            description=str(doc.get("description", "")),
            as_of=str(doc.get("as_of", "")),
            commands=frozenset(map(str, doc["commands"])),
            known_missing=frozenset(map(str, doc.get("known-missing", ()))),
            broken={str(k): str(v) for k, v in doc.get("broken", {}).items()},
            versions={str(k): str(v) for k, v in doc.get("versions", {}).items()},
            unconfirmed=frozenset(map(str, doc.get("unconfirmed", ()))),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{origin}: not an image profile ({exc})") from None


@functools.cache
def load_profile(name: str = DEFAULT_IMAGE, search: tuple[Path, ...] = ()) -> ImageProfile:
    """The profile ``name``: a JSON file in ``search`` folders (users' own) or a bundled one.

    ``name`` may also be a path to a profile file.
    """
    candidates = [Path(name)] if name.endswith(".json") else []
    candidates += [folder / f"{name}.json" for folder in search]
    for path in candidates:
        if path.is_file():
            try:
                return _from_json(json.loads(path.read_text(encoding="utf-8")), str(path))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{path}: cannot read the image profile: {exc}") from None
    bundled = data_file("images") / f"{name}.json"
    if not bundled.is_file():
        raise ConfigError(
            f"unknown image profile {name!r} (bundled: {', '.join(bundled_profiles())})"
        )
    return _from_json(json.loads(bundled.read_text(encoding="utf-8")), name)


USER_PROFILES = ".parity/images"


def resolve_profile(name: str, root: Path) -> ImageProfile:
    """The profile an environment names, as seen from the repository at ``root``.

    ``name`` is a profile name looked up in ``<root>/.parity/images/`` and then among the
    bundled ones, or a path to a ``.json`` profile (relative paths are taken from ``root``).
    """
    if name.endswith(".json") and not Path(name).is_absolute():
        name = str(root / name)
    return load_profile(name, (root / USER_PROFILES,))


def bundled_profiles() -> list[str]:
    """Names of the profiles that ship with parity."""
    return sorted(
        entry.name.removesuffix(".json")
        for entry in data_file("images").iterdir()
        if entry.name.endswith(".json")
    )
