"""The one family of expected failures: bad input, bad config, bad usage (exit code 2)."""

from __future__ import annotations


class ParityError(Exception):
    """An expected failure caused by the user's input; reported as one line, exit code 2."""

    exit_code = 2


class ConfigError(ParityError):
    """The toolkit configuration (``[tool.parity]`` / ``parity.toml``) is invalid."""


class UsageError(ParityError):
    """A command was called with arguments that do not fit together."""


class StaleError(ParityError):
    """A planned change no longer matches the files on disk (they changed since planning)."""
