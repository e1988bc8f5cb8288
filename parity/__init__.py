"""parity: make a repository work the same in a Claude Code cloud session as on your machine."""

__version__ = "0.1.0"
