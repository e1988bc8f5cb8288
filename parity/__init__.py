"""parity: make a repository work the same in a Claude Code cloud session as on its author's machine."""

__version__ = "0.1.0"
