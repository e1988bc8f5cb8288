"""Fake secrets of every provider format, built at test time (never committed as literals)."""

from __future__ import annotations

import hashlib
import string

_ALNUM = string.ascii_letters + string.digits
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def body(seed: str, n: int, alphabet: str = _ALNUM) -> str:
    """``n`` characters of ``alphabet``, deterministic for ``seed``, random-looking."""
    out: list[str] = []
    counter = 0
    while len(out) < n:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        out.extend(alphabet[b % len(alphabet)] for b in digest)
        counter += 1
    return "".join(out[:n])


def canaries(seed: str = "parity") -> dict[str, str]:
    """One fake secret per provider format, keyed by the kind the scanner reports."""
    s = seed
    return {
        "Anthropic API key": "sk-ant-api03-" + body(s + "ant", 93) + "AA",
        "Anthropic admin key": "sk-ant-admin01-" + body(s + "adm", 93) + "AA",
        "Claude Code OAuth token": "sk-ant-oat01-" + body(s + "oat", 95),
        "OpenAI API key": "sk-proj-" + body(s + "oa1", 58) + "T3BlbkFJ" + body(s + "oa2", 58),
        "GitHub token": "ghp_" + body(s + "ghp", 36),
        "GitHub fine-grained token": "github_pat_"
        + body(s + "gf1", 22)
        + "_"
        + body(s + "gf2", 59),
        "GitLab token": "glpat-" + body(s + "gl", 20),
        "Slack token": "xoxb-" + body(s + "sl1", 12, "0123456789") + "-" + body(s + "sl2", 24),
        "Slack webhook URL": "https://hooks.slack.com/services/T"
        + body(s + "sw1", 8, _B32[:26])
        + "/B"
        + body(s + "sw2", 8, _B32[:26])
        + "/"
        + body(s + "sw3", 24),
        "AWS access key ID": "AKIA" + body(s + "aws", 16, _B32),
        "Google API key": "AIza" + body(s + "gcp", 35),
        "Stripe secret key": "sk_live_" + body(s + "str", 24),
        "npm token": "npm_" + body(s + "npm", 36),
        "PyPI token": "pypi-AgEIcHlwaS5vcmc" + body(s + "pypi", 80),
        "Hugging Face token": "hf_" + body(s + "hf", 34, string.ascii_letters),
        "JSON Web Token": "eyJhbGciOiJIUzI1NiJ9.eyJ"
        + body(s + "jw1", 30)
        + "."
        + body(s + "jw2", 43),
    }


def private_key(seed: str = "parity") -> str:
    """A PEM-shaped private key block with a random-looking body."""
    lines = [body(seed + f"pk{i}", 64, _ALNUM + "+/") for i in range(4)]
    return (
        "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----"
    )


def fragments(secret: str, size: int = 12) -> list[str]:
    """Every ``size``-character piece of the random part: none may appear in any output."""
    tail = secret[-min(len(secret), 40) :]
    return [tail[i : i + size] for i in range(0, len(tail) - size + 1, 4)]
