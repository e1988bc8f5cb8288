"""The scanner: every provider format found, near misses and placeholders not, masks safe."""

from __future__ import annotations

import pytest

from parity.secrets import (
    SecretMatch,
    is_placeholder,
    is_secret_key,
    mask,
    might_contain_secret,
    redact,
    references,
    scan_text,
    scan_value,
)
from tests.secrets.canaries import body, canaries, private_key

CANARIES = canaries()
KIND_ALIASES = {"GitHub fine-grained token": "GitHub token"}


@pytest.mark.parametrize("name", sorted(CANARIES))
@pytest.mark.parametrize(
    "template",
    ['export X="{}"\n', '{{"env": {{"X": "{}"}}}}', "key {} end", "{}", "a\n\n  {}\n"],
)
def test_every_format_is_found_in_text(name: str, template: str) -> None:
    secret = CANARIES[name]
    text = template.format(secret)
    found = scan_text(text)
    assert [text[m.start : m.end] for m in found] == [secret]
    assert found[0].kind == KIND_ALIASES.get(name, name)


@pytest.mark.parametrize("name", sorted(CANARIES))
def test_every_format_is_found_as_a_value_without_context(name: str) -> None:
    match = scan_value(CANARIES[name])
    assert match is not None
    assert (match.start, match.end) == (0, len(CANARIES[name]))


def test_the_brief_example_with_a_run_of_one_letter_is_found() -> None:
    secret = "sk-ant-api03-" + "A" * 93 + "AA"
    assert [m.kind for m in scan_text(secret)] == ["Anthropic API key"]
    assert mask(secret) == "sk-ant-…(108 chars)"


def test_private_key_block_is_found_whole() -> None:
    pem = private_key()
    text = f"before\n{pem}\nafter"
    (m,) = scan_text(text)
    assert m.kind == "private key"
    assert text[m.start : m.end] == pem
    escaped = pem.replace("\n", "\\n")  # as it sits in raw JSON text
    assert [x.kind for x in scan_text(f'{{"key": "{escaped}"}}')] == ["private key"]


def test_confidence_high_for_live_formats_medium_for_public_ones() -> None:
    assert scan_text(CANARIES["Anthropic API key"])[0].confidence == "high"
    assert scan_text(CANARIES["Google API key"])[0].confidence == "medium"
    assert scan_text("sk_test_" + body("t", 24))[0].confidence == "medium"


NEAR_MISSES = [
    "sk-ant-api03-" + body("n1", 92) + "AA",  # one short
    "sk-ant-api03-" + body("n2", 93) + "AB",  # no AA
    "sk-" + body("n3", 48),  # no T3BlbkFJ marker
    "ghp_" + body("n4", 35),
    "ghp_" + body("n5", 37),
    "xghp_" + body("n6", 36),  # inside a longer token
    "github_pat_" + body("n7", 81),
    "AKIA" + body("n8", 15, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
    "AKIAIOSFODNN7EXAMPLE",  # AWS's documented example key
    "pk_live_" + body("n9", 24),  # publishable: not secret
    "hf_" + body("n10", 33, "abcdefghijklmnopqrstuvwxyz"),
    "npm_" + body("n11", 30),
    "xoxb-...",
    "xoxb-your-token",
    "eyJhbGciOiJIUzI1NiJ9",  # one segment
    "pypi-AgEIcHlwaS5vcmc" + "x" * 20,
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN PUBLIC KEY-----\n" + body("n12", 64) + "\n-----END PUBLIC KEY-----",
    "sk-ant-api03-" + "x" * 93 + "AA",  # a placeholder in the right shape
    "https://user:${PASSWORD}@example.com",
    "postgres://postgres:postgres@localhost:5432/db",
    # Stub credentials of bootstrap scripts and tests: the machine itself, the user name
    # repeated, or a word that says it is a stand-in.
    "postgres://stub:stub@localhost:5432/stub",
    "redis://default:" + body("n14", 16) + "@127.0.0.1:6379/0",
    "mongodb://root:" + body("n15", 16) + "@[::1]:27017/admin",
    "postgres://app:" + body("n16", 16) + "@api.localhost/app",
    "postgresql://app:app@db-replica:5432/app_test",
    "amqp://guest:dummy-pass@rabbit:5672/",
    "https://ci:changeme-later@search.acme-corp.io",
    "mysql://svc:test1234@db.acme-corp.io/app",
    "sha512-" + body("n13", 86) + "==",  # lockfile integrity
    "0123456789abcdef0123456789abcdef01234567",  # a commit hash, no context
    "550e8400-e29b-41d4-a716-446655440000",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_secrets(text: str) -> None:
    assert scan_text(text) == []
    assert scan_value(text) is None


@pytest.mark.parametrize(
    "url",
    [
        "postgres://deploy:" + body("u1", 16) + "@db.acme-corp.io:5432/app",
        "https://stubs:" + body("u3", 16) + "@registry.acme-corp.io/simple",
    ],
)
def test_a_password_in_a_url_to_another_host_is_a_secret(url: str) -> None:
    # Only the password is the secret; its URL goes to a real server with its own user.
    found = scan_text(f'DATABASE_URL="{url}"\n')
    assert [m.kind for m in found] == ["password in URL"]


PLACEHOLDERS = [
    "your-api-key-here",
    "YOUR_GITHUB_TOKEN",
    "xxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxx",
    "<TOKEN>",
    "<paste-your-token-here>",
    "changeme",
    "${GITHUB_TOKEN}",
    "$GITHUB_TOKEN",
    "{{ secrets.TOKEN }}",
    "${{ secrets.API_KEY }}",
    "sk-ant-...",
    "********************",
    "REDACTED",
    "dummy-token-for-tests",
    "abcdefghijklmnopqrstuvwxyz",
]


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholders_are_not_secrets(value: str) -> None:
    assert is_placeholder(value)
    for key in ("API_KEY", "Authorization", "token", "PASSWORD"):
        assert scan_value(value, key=key) is None
    assert scan_text(f"API_KEY={value}\ntoken: {value}\n") == []


RANDOM = body("random", 32)


@pytest.mark.parametrize(
    "key", ["API_KEY", "SEARCH_API_KEY", "Authorization", "token", "x-api-key"]
)
def test_random_value_under_a_credential_name_is_suspicious(key: str) -> None:
    match = scan_value(RANDOM, key=key)
    assert match is not None
    assert match.confidence == "medium"
    assert match.key == key


@pytest.mark.parametrize("key", [None, "description", "CLIENT_ID", "SEARCH_API_URL", "model"])
def test_random_value_without_context_is_left_alone(key: str | None) -> None:
    assert scan_value(RANDOM, key=key) is None


def test_authorization_scheme_is_not_part_of_the_secret() -> None:
    value = "Bearer " + RANDOM
    match = scan_value(value, key="Authorization")
    assert match is not None
    assert value[match.start : match.end] == RANDOM


def test_mcp_references_and_their_defaults() -> None:
    assert scan_value("Bearer ${TOKEN}", key="Authorization") is None
    assert scan_value("${API_KEY:-}", key="API_KEY") is None
    value = "${API_KEY:-" + RANDOM + "}"
    match = scan_value(value, key="API_KEY")
    assert match is not None
    assert value[match.start : match.end] == RANDOM
    ant = CANARIES["Anthropic API key"]
    hit = scan_value("${ANTHROPIC_API_KEY:-" + ant + "}")
    assert hit is not None
    assert hit.kind == "Anthropic API key"
    assert references("a ${X} b ${Y:-d}") == [("X", None, 2, 6), ("Y", "d", 9, 16)]


def test_keyword_assignments_in_text() -> None:
    text = (
        f"export SEARCH_API_KEY={RANDOM}\n"
        f'curl -H "Authorization: Bearer {RANDOM[::-1]}" https://x\n'
        f"tool --password {RANDOM[:20]}\n"
        "the token used for access is documented elsewhere\n"
        'curl -H "Authorization: Bearer $TOKEN"\n'
    )
    found = scan_text(text)
    assert [text[m.start : m.end] for m in found] == [RANDOM, RANDOM[::-1], RANDOM[:20]]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("ANTHROPIC_API_KEY", True),
        ("SUPABASE_SERVICE_ROLE_KEY", True),
        ("GITHUB_TOKEN", True),
        ("DB_PASSWORD", True),
        ("Authorization", True),
        ("--api-key", True),
        ("AWS_ACCESS_KEY_ID", False),
        ("MAX_OUTPUT_TOKENS", False),
        ("PUBLIC_KEY", False),
        ("author", False),
        ("TOKEN_URL", False),
        (None, False),
    ],
)
def test_secret_key_names(key: str | None, expected: bool) -> None:
    assert is_secret_key(key) is expected


def test_mask_shows_only_a_known_prefix_and_the_length() -> None:
    assert mask(CANARIES["GitHub token"]) == "ghp_…(40 chars)"
    assert mask("hunter2hunter2") == "…(14 chars)"
    assert mask(RANDOM) == RANDOM[:3] + "…(32 chars)"
    match = SecretMatch("x", 2, 2 + len(RANDOM), "medium")
    assert match.masked("a " + RANDOM) == mask(RANDOM)


def test_redact_replaces_every_secret() -> None:
    ant, gh = CANARIES["Anthropic API key"], CANARIES["GitHub token"]
    text = f"first {ant} then {gh}."
    assert redact(text) == "first sk-ant-…(108 chars) then ghp_…(40 chars)."
    assert redact("nothing to see") == "nothing to see"
    assert redact(redact(text)) == redact(text)


def test_prefilter_agrees_with_the_scanner() -> None:
    assert not might_contain_secret("plain words, nothing to find here")
    for secret in CANARIES.values():
        assert might_contain_secret(f"x {secret} y")
