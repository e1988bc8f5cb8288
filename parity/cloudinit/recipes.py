"""How to install a CLI that the cloud image lacks: a small table of known recipes, as data."""

from __future__ import annotations

from dataclasses import dataclass

# Only registries the Trusted network level reaches (npm, PyPI, the Ubuntu archive), and only
# packages that ship the CLI itself: installers that download a binary from elsewhere at install
# time (supabase, @railway/cli, serverless 4) would fail behind the proxy, so they are left out.


@dataclass(frozen=True)
class Recipe:
    """One way to put ``command`` on PATH: ``kind`` is ``npm``, ``uv`` (a PyPI tool) or ``apt``."""

    command: str
    kind: str
    package: str


def _table(kind: str, pairs: dict[str, str]) -> dict[str, Recipe]:
    return {command: Recipe(command, kind, package) for command, package in pairs.items()}


RECIPES: dict[str, Recipe] = {
    **_table(
        "npm",
        {
            "cdk": "aws-cdk",
            "claude": "@anthropic-ai/claude-code",
            "codex": "@openai/codex",
            "firebase": "firebase-tools",
            "gemini": "@google/gemini-cli",
            "heroku": "heroku",
            "lerna": "lerna",
            "mongosh": "mongosh",
            "netlify": "netlify-cli",
            "nx": "nx",
            "turbo": "turbo",
            "vercel": "vercel",
            "wrangler": "wrangler",
        },
    ),
    **_table(
        "uv",
        {
            "ansible": "ansible-core",
            "aws": "awscli",
            "just": "rust-just",
            "mkdocs": "mkdocs",
            "sam": "aws-sam-cli",
        },
    ),
    **_table(
        "apt",
        {
            "cabal": "cabal-install",
            "direnv": "direnv",
            "elixir": "elixir",
            "erl": "erlang",
            "ghc": "ghc",
            "hugo": "hugo",
            "lein": "leiningen",
            "mix": "elixir",
            "mvn": "maven",
            "mysql": "default-mysql-client",
            "sqlite3": "sqlite3",
        },
    ),
}


def recipe_for(command: str) -> Recipe | None:
    """The known install recipe for ``command``, or None."""
    return RECIPES.get(command)
