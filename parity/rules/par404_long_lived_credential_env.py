"""PAR404: a long-lived credential that the cloud environment would hold as a variable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from parity import load
from parity._lazy import lazy_compile
from parity.findings import Location, Severity, Violation
from parity.model import Kind
from parity.rules._secrets import committed, walk_strings
from parity.rules.base import Context, Rule
from parity.secrets import references

# Credentials that live until someone revokes them, with what to use instead.
_ADVICE: dict[str, str] = {
    "ANTHROPIC_API_KEY": (
        "a cloud session is already signed in; an API key in its environment bills that key. "
        "Locally use apiKeyHelper"
    ),
    "ANTHROPIC_AUTH_TOKEN": ("a cloud session is already signed in; locally use apiKeyHelper"),
    "CLAUDE_CODE_OAUTH_TOKEN": (
        "a `claude setup-token` token is valid for a year and acts as your account; a cloud "
        "session is already signed in"
    ),
    "AWS_SECRET_ACCESS_KEY": (
        "IAM user keys never expire; give the environment temporary STS credentials "
        "(with AWS_SESSION_TOKEN) or a narrowly scoped, rotated user"
    ),
    "AWS_ACCESS_KEY_ID": (
        "IAM user keys never expire; give the environment temporary STS credentials "
        "(with AWS_SESSION_TOKEN) or a narrowly scoped, rotated user"
    ),
    "GITHUB_PERSONAL_ACCESS_TOKEN": (
        "the cloud's GitHub proxy already authenticates git and gh; if a token is needed, use "
        "a fine-grained one limited to this repository with an expiry"
    ),
    "GITHUB_PAT": (
        "the cloud's GitHub proxy already authenticates git and gh; if a token is needed, use "
        "a fine-grained one limited to this repository with an expiry"
    ),
    "NPM_TOKEN": "use a granular read-only token with an expiry",
    "NODE_AUTH_TOKEN": "use a granular read-only token with an expiry",
    "PYPI_TOKEN": "use a project-scoped token, or trusted publishing from CI",
    "TWINE_PASSWORD": "use a project-scoped token, or trusted publishing from CI",
    "GOOGLE_APPLICATION_CREDENTIALS": (
        "a service-account key file never expires; use workload identity federation"
    ),
}
_GENERIC = lazy_compile(r"(?i)(?:^|_)(?:API_KEY|SECRET(?:_KEY)?|PASSWORD|PRIVATE_KEY|PAT)$")
_GENERIC_ADVICE = (
    "every user of the cloud environment can read it; prefer a short-lived or narrowly scoped "
    "credential and rotate it"
)


def advice(name: str) -> str | None:
    """Why ``name`` is a long-lived credential and what to use instead, or None."""
    if name in _ADVICE:
        return _ADVICE[name]
    if _GENERIC.search(name):
        return _GENERIC_ADVICE
    return None


def check(ctx: Context) -> Iterator[Violation]:
    """Names declared in [tool.parity.environments] env, then those .mcp.json references."""
    reported: set[str] = set()
    source = ctx.config.source
    declared = [(env.name, n) for env in ctx.config.environments.values() for n in env.env]
    if source is not None and declared:
        display = _display(ctx, source)
        doc = load.load_text(source, display)
        for env_name, name in declared:
            why = advice(name)
            if why is None or name in reported:
                continue
            reported.add(name)
            yield Violation(
                _find(doc, name),
                f'Environment "{env_name}" declares {name}, a long-lived credential: {why}.',
                fix=_FIX,
            )
    for cf, mdoc in ctx.documents(Kind.MCP):
        if not committed(cf) or not mdoc.ok or not isinstance(mdoc.value, dict):
            continue
        for parts, _key, text in walk_strings(mdoc.value.get("mcpServers"), ("mcpServers",)):
            for name, _default, _s, _e in references(text):
                why = advice(name)
                if why is None or name in reported:
                    continue
                reported.add(name)
                yield Violation(
                    mdoc.locate(parts),
                    f"${{{name}}} makes the cloud environment hold {name}, a long-lived "
                    f"credential: {why}.",
                    fix=_FIX,
                )


_FIX = (
    "Replace it with a short-lived or narrowly scoped credential set in the cloud environment's "
    "settings (apiKeyHelper for the Anthropic API key), or drop it where the cloud provides access."
)


def _display(ctx: Context, path: Path) -> str:
    rel = ctx.repo.rel(path)
    return rel if rel is not None else path.as_posix()


def _find(doc: load.Document, name: str) -> Location:
    m = re.search(r"[\"']" + re.escape(name) + r"[\"']", doc.text)
    if m is None:
        return Location(doc.display)
    return doc.at_offset(m.start(), m.end())


RULE = Rule(
    code="PAR404",
    name="long-lived-credential-env",
    severity=Severity.INFO,
    summary="A long-lived credential declared as a cloud environment variable.",
    fix=_FIX,
    tags=("secrets", "environment"),
    check=check,
    docs="""
## What it does
Looks at the variables the repository declares for its cloud environments
(`[tool.parity.environments.<name>] env`) and those `.mcp.json` references with `${NAME}`, and
flags credentials that never expire on their own: `ANTHROPIC_API_KEY`,
`CLAUDE_CODE_OAUTH_TOKEN`, AWS access keys, GitHub personal access tokens, npm and PyPI tokens,
service-account key files, and any `*_API_KEY`, `*_SECRET`, `*_PASSWORD` or `*_PAT`.

## Why is this bad?
A cloud environment has no secret store: its variables are visible to everyone who uses the
environment and to every session and routine run in it. A credential that lives until revoked
turns one exposed session into lasting access. Some are not needed at all: cloud sessions are
already signed in to Claude, and git and `gh` go through the cloud's GitHub proxy.

## Example
```toml
[tool.parity.environments.default]
env = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
```

## Fix
Give the environment short-lived or narrowly scoped credentials (temporary STS credentials with
`AWS_SESSION_TOKEN`, a fine-grained GitHub token with an expiry, a read-only npm token), use
`apiKeyHelper` for the Anthropic API key, and rotate them.
""",
)
