"""Shared by the PAR4xx rules: which files count, walking JSON values, names and fixes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from parity._lazy import lazy_compile
from parity.findings import Severity, Violation
from parity.load import Document
from parity.model import ConfigFile, Scope
from parity.secrets import HIGH, SecretMatch, scan_text

_new_tuple = tuple.__new__
_ENV_NAME = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_API_KEY_NAMES = frozenset({"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"})

# What a secret of each kind is usually called in an environment.
_NAME_BY_KIND = {
    "Anthropic API key": "ANTHROPIC_API_KEY",
    "Anthropic admin key": "ANTHROPIC_ADMIN_KEY",
    "Claude Code OAuth token": "CLAUDE_CODE_OAUTH_TOKEN",
    "OpenAI API key": "OPENAI_API_KEY",
    "GitHub token": "GITHUB_TOKEN",
    "GitLab token": "GITLAB_TOKEN",
    "Slack token": "SLACK_TOKEN",
    "Slack webhook URL": "SLACK_WEBHOOK_URL",
    "AWS access key ID": "AWS_ACCESS_KEY_ID",
    "Google API key": "GOOGLE_API_KEY",
    "Stripe secret key": "STRIPE_SECRET_KEY",
    "Stripe test key": "STRIPE_SECRET_KEY",
    "npm token": "NPM_TOKEN",
    "PyPI token": "PYPI_TOKEN",
    "Hugging Face token": "HF_TOKEN",
    "private key": "PRIVATE_KEY",
    "JSON Web Token": "JWT_TOKEN",
    "password in URL": "PASSWORD",
}


def committed(cf: ConfigFile) -> bool:
    """True for files that are or will be committed: the project scope, or tracked local files.

    Ignored files never reach a commit (nor the cloud: that is PAR1's finding), and the user
    scope stays on the author's machine.
    """
    if cf.ignored:
        return False
    return cf.scope is Scope.PROJECT or (cf.scope is Scope.LOCAL and cf.tracked)


# The severity variant of PAR401 and PAR402 (see ``severity``).
PUBLIC_FORMATS = (
    Severity.WARNING,
    "for formats that are often public or test values: Google API keys, Stripe test keys, "
    "JSON Web Tokens, passwords in URLs",
)


def severity(match: SecretMatch) -> Severity:
    """Errors for a provider's token format and for a random value under a credential name.

    Warnings for the formats that are often public or test values (a Google browser key, a
    Stripe test key, a JSON Web Token such as a public anon key, a password in a local URL):
    the variant PAR401 and PAR402 declare.
    """
    if match.confidence == HIGH or match.key is not None:
        return Severity.ERROR
    return Severity.WARNING


def env_name(match: SecretMatch, key: str | None = None, owner: str | None = None) -> str:
    """A name for the environment variable that should hold the secret instead.

    The variable it is stored under when that is already one (``SEARCH_API_KEY``), else the
    MCP server's name for a header or flag (``SEARCH_TOKEN``), else one for its kind.
    """
    key = key or match.key
    if key and _ENV_NAME.match(key) and key.upper() == key:
        return key
    if owner and (match.kind not in _NAME_BY_KIND or key):
        return _upper(owner) + "_TOKEN"
    if match.kind in _NAME_BY_KIND:
        return _NAME_BY_KIND[match.kind]
    if key and key.lower() not in ("authorization", "proxy-authorization"):
        return _upper(key)
    return "API_TOKEN"


def _upper(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "API"


def walk_strings(
    value: Any, parts: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str | None, str]]:
    """Every string in a parsed JSON value: its pointer parts, its key context, the string.

    The key context is the object key, or for an ``args`` item the flag before it
    (``["--api-key", "…"]``), so that a credential-like name can raise suspicion.
    """
    if isinstance(value, str):
        yield parts, (str(parts[-1]) if parts and isinstance(parts[-1], str) else None), value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from walk_strings(v, (*parts, str(k)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                prev = value[i - 1] if i > 0 else None
                flag = prev if isinstance(prev, str) and prev.startswith("-") else None
                yield (*parts, i), flag, item
            else:
                yield from walk_strings(item, (*parts, i))


def fix_for(
    match: SecretMatch, *, mcp: bool, key: str | None, where: tuple[str | int, ...], name: str
) -> str:
    """The fix of a literal secret: move it to the cloud environment, reference it by name."""
    if mcp:
        return (
            f"Move the value to the cloud environment's settings as {name} (and to your local "
            f'environment), and write "${{{name}}}" here; declare {name} in '
            "[tool.parity.environments] env."
        )
    if key in _API_KEY_NAMES or match.kind.startswith("Anthropic"):
        return (
            "Remove the key from the file: use apiKeyHelper (a command that prints the key) "
            "locally; a cloud session is already signed in."
        )
    if where[:1] == ("env",):
        return (
            f"Remove it from env (settings env is taken literally, ${{VAR}} is not expanded) "
            f"and set {name} in the cloud environment's settings instead; declare it in "
            "[tool.parity.environments] env."
        )
    return (
        f"Set {name} in the cloud environment's settings and read it from the environment "
        f'("${name}") instead of writing the value here.'
    )


def text_violations(doc: Document, where: str = "in this file") -> Iterator[Violation]:
    """A violation for each secret in the text of ``doc``, read as plain text.

    Scripts and Markdown are always read this way; a JSON file only when it does not parse, so
    that a syntax error never hides a committed key.
    """
    text = doc.text
    matches = scan_text(text)
    # Located in one pass (a file dense with keys has thousands).
    locations = doc.at_offsets([(match.start, match.end) for match in matches])
    for match, location in zip(matches, locations, strict=True):
        name = env_name(match)
        # (Every field in order, as Violation._make builds it: Violation() is a Python call.)
        yield _new_tuple(
            Violation,
            (
                location,
                f"{match.kind} ({match.masked(text)}) written literally {where}: it is "
                "committed with the repository, readable by everyone who can clone it.",
                f"Move the value to the cloud environment's settings as {name} and read it "
                f'from the environment ("${name}") here, or reference it as ${{{name}}} in '
                ".mcp.json; use apiKeyHelper for the API key. Then rotate the leaked value.",
                severity(match),
                None,  # autofix
            ),
        )
