"""The bundled JSON schemas: well formed, faithful to Claude Code 2.1.330, annotated with its
reactions.

Ground truth is ``shared/reference/claude-code.md`` (checked against the real client); section
numbers (§) below point into it. Where SchemaStore's settings schema and the client disagree, the
schemas follow the client and the difference is pinned in ``SCHEMASTORE_DIFFERENCES``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import tomlkit
import yaml
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import validator_for
from referencing import Registry, Resource

from parity._resources import load_schema, schema_names

REPO = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO / "schemas"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "schemas"
SHARED = REPO.parent / "shared"
SCHEMASTORE = SHARED / "schemastore"
REFERENCE = SHARED / "reference" / "claude-code.md"

# The schemas this file is about; others in schemas/ only get the generic checks.
OURS = ("agent", "command", "config", "mcp", "settings", "skill")
ALL_SCHEMAS = sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))

REACTIONS = ("reject", "skip", "drop")
SCOPES = ("managed", "user", "local", "project")

# Keywords whose value is a schema, a map of schemas, or a list of schemas.
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}
SCHEMA_ONE = {
    "items", "additionalProperties", "propertyNames", "not", "if", "then", "else", "contains",
    "unevaluatedProperties", "unevaluatedItems",
}  # fmt: skip
SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
# Keywords that only describe; everything else can make a value fail.
ANNOTATION_KEYWORDS = {
    "$schema", "$id", "$comment", "title", "description", "deprecated", "examples", "default",
    "x-parity-invalid", "x-parity-scopes", "x-parity-global-config", "x-parity-message",
}  # fmt: skip
# The order keywords are written in (then any other key, alphabetically); maps of schemas are
# sorted by name. Keeps the files deterministic and diffs small.
KEYWORD_ORDER = [
    "$schema", "$id", "$ref", "title", "description", "$comment", "deprecated",
    "x-parity-invalid", "x-parity-scopes", "x-parity-global-config", "x-parity-message",
    "type", "const", "enum", "default", "examples", "pattern", "minLength", "maxLength",
    "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "items", "minItems",
    "maxItems", "uniqueItems", "required", "properties", "patternProperties",
    "additionalProperties", "propertyNames", "minProperties", "maxProperties", "anyOf", "oneOf",
    "allOf", "not", "if", "then", "else", "$defs",
]  # fmt: skip


def _registry() -> Registry[Any]:
    resources = [
        (load_schema(n)["$id"], Resource.from_contents(load_schema(n))) for n in ALL_SCHEMAS
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(name: str, instance: object) -> list[ValidationError]:
    """Every error of ``instance`` against bundled schema ``name`` (formats not checked)."""
    validator = Draft202012Validator(load_schema(name), registry=REGISTRY)
    return sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])


# --- finding the client's reaction for a ValidationError ------------------------------------


class Reaction(NamedTuple):
    """What the schema annotations say about one validation error."""

    invalid: str | None  # nearest x-parity-invalid from the root down to the failure
    entry: str  # JSON pointer of the value that annotation is on: what the client skips/drops
    message: str | None  # x-parity-message of the node holding the failing keyword


def pointer(parts: list[Any]) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def reaction(error: ValidationError, root: dict[str, Any]) -> Reaction:
    """Walk ``error.absolute_schema_path`` from ``root`` down to the failing keyword.

    jsonschema leaves ``$ref`` out of schema paths, so a step missing from a node that has a
    ``$ref`` continues in the referenced schema. Steps into ``properties``, ``items`` and the
    like consume one part of the instance path, which tells the value each node applies to.
    """
    resolver = REGISTRY.resolver(base_uri=root["$id"])
    path = list(error.absolute_schema_path)
    node: Any = root
    used, i = 0, 0
    trail = [(node, used)]
    while True:
        while isinstance(node, dict) and path and path[i] not in node and "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            node, resolver = resolved.contents, resolved.resolver
            trail.append((node, used))
        if i >= len(path) - 1 or not isinstance(node, dict):
            break  # path[i] is the keyword that failed, and `node` holds it
        step = path[i]
        if step in SCHEMA_MAPS or step in SCHEMA_LISTS:
            node = node[step][path[i + 1]]
            used += step in ("properties", "patternProperties", "prefixItems")
            i += 2
        else:
            node = node[step]
            used += step in (
                "items",
                "additionalProperties",
                "unevaluatedProperties",
                "unevaluatedItems",
            )
            i += 1
        trail.append((node, used))
    message = trail[-1][0].get("x-parity-message") if isinstance(trail[-1][0], dict) else None
    instance = list(error.absolute_path)
    for held, depth in reversed(trail):
        if isinstance(held, dict) and "x-parity-invalid" in held:
            return Reaction(held["x-parity-invalid"], pointer(instance[:depth]), message)
    return Reaction(None, pointer(instance), message)


def reactions(name: str, instance: object) -> set[tuple[str, str | None]]:
    """(pointer of the failing value, client reaction) for every error."""
    root = load_schema(name)
    return {
        (pointer(list(e.absolute_path)), reaction(e, root).invalid)
        for e in validate(name, instance)
    }


# --- the files themselves --------------------------------------------------------------------


def _schema_nodes(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of ``node`` (dicts only), with its location."""
    if not isinstance(node, dict):
        return
    yield where, node
    for key, value in node.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from _schema_nodes(sub, f"{where}/{key}/{name}")
        elif key in SCHEMA_ONE:
            yield from _schema_nodes(value, f"{where}/{key}")
        elif key in SCHEMA_LISTS and isinstance(value, list):
            for index, sub in enumerate(value):
                yield from _schema_nodes(sub, f"{where}/{key}/{index}")


def _canonical(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    rank = {k: i for i, k in enumerate(KEYWORD_ORDER)}
    out: dict[str, Any] = {}
    for key in sorted(schema, key=lambda k: (rank.get(k, len(rank)), k)):
        value = schema[key]
        if key in SCHEMA_MAPS:
            value = {name: _canonical(value[name]) for name in sorted(value)}
        elif key in SCHEMA_ONE:
            value = _canonical(value)
        elif key in SCHEMA_LISTS:
            value = [_canonical(v) for v in value]
        out[key] = value
    return out


@pytest.mark.parametrize("name", ALL_SCHEMAS)
def test_schema_is_valid_against_its_metaschema(name: str) -> None:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    validator_for(schema).check_schema(schema)
    assert schema["$id"] == f"urn:claude-parity:schemas:{name}"
    assert schema.get("title")
    assert schema.get("description")
    assert name in schema_names()
    assert load_schema(name) == schema


def test_every_schema_of_ours_is_bundled() -> None:
    assert set(OURS) <= set(schema_names())


@pytest.mark.parametrize("name", OURS)
def test_schema_file_is_draft_2020_12_and_canonical(name: str) -> None:
    text = (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert text == json.dumps(_canonical(schema), indent=2, ensure_ascii=False) + "\n", (
        "write the schema with 2-space indentation, keywords in KEYWORD_ORDER, names sorted"
    )


@pytest.mark.parametrize("name", OURS)
def test_annotations_are_well_formed(name: str) -> None:
    for where, node in _schema_nodes(load_schema(name)):
        if "x-parity-invalid" in node:
            assert node["x-parity-invalid"] in REACTIONS, where
        if "x-parity-scopes" in node:
            scopes = node["x-parity-scopes"]
            assert scopes == [s for s in SCOPES if s in scopes], where
        if "x-parity-global-config" in node:
            assert node["x-parity-global-config"] is True, where
        if "$ref" in node:
            # The walk in reaction() is unambiguous only if a $ref sits beside annotations alone.
            assert set(node) - ANNOTATION_KEYWORDS == {"$ref"}, where
        if "x-parity-message" in node:
            # A message belongs to one failing keyword; applicators (properties, allOf…) descend.
            assertions = set(node) - ANNOTATION_KEYWORDS - SCHEMA_MAPS - SCHEMA_LISTS - SCHEMA_ONE
            assert len(assertions) <= 1, (where, assertions)
            assert "{" not in node["x-parity-message"], "messages are used verbatim"


def test_reaction_follows_refs_to_the_nearest_annotation() -> None:
    # PreToolUse handlers are reached through several $refs; their annotation overrides the
    # `skip` of hooks above them.
    doc = {
        "hooks": {
            "PreToolUse": [
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "x", "shell": "zsh"}]}
            ]
        }
    }
    (error,) = validate("settings", doc)
    assert reaction(error, load_schema("settings")) == Reaction(
        "reject", "/hooks/PreToolUse/0/hooks/0", None
    )


# --- our fixtures: the cases of §2.1 (settings) and §2.3 (.mcp.json) -------------------------


class Expect(NamedTuple):
    """One expected error: where, the client's reaction, and optionally what it drops / says."""

    at: str
    invalid: str | None
    entry: str | None = None
    message: str | None = None


RULE_MALFORMED = (
    "Malformed Tool(content) rule. Rules take the form Tool or Tool(content) and must end at the "
    'closing ")"; parentheses inside the content are literal'
)
HANDLER = "/hooks/SessionStart/0/hooks/0"

# settings/invalid/<file>: the errors the client reports and how it reacts (§2.1 table, §2.2).
SETTINGS_INVALID: dict[str, list[Expect]] = {
    # Whole file rejected ("These settings did not load"), §2.2.
    "root-array.json": [Expect("", "reject")],
    "model-number.json": [Expect("/model", "reject")],
    "allow-string.json": [Expect("/permissions/allow", "reject")],
    "additional-directories-string.json": [Expect("/permissions/additionalDirectories", "reject")],
    "default-mode-yolo.json": [
        Expect(
            "/permissions/defaultMode",
            "reject",
            message='Invalid value. Expected one of: "acceptEdits", "auto", "bypassPermissions", '
            '"default", "dontAsk", "plan"',
        )
    ],
    "default-mode-delegate.json": [Expect("/permissions/defaultMode", "reject")],
    "disable-bypass-true.json": [
        Expect(
            "/permissions/disableBypassPermissionsMode",
            "reject",
            message='Invalid value. Expected one of: "disable"',
        )
    ],
    "env-array.json": [Expect("/env", "reject")],
    "status-line-string.json": [Expect("/statusLine", "reject")],
    "status-line-type-static.json": [
        Expect("/statusLine/type", "reject", message='Invalid value. Expected one of: "command"')
    ],
    "enabled-plugins-array.json": [Expect("/enabledPlugins", "reject")],
    # Seen with client 2.1.330 (doctor + -p): object values are "Invalid input" and reject the
    # file, although reference §2.1 says objects are accepted.
    "enabled-plugins-object-value.json": [Expect("/enabledPlugins/fmt@acme", "reject")],
    # Seen with client 2.1.330: quietHours must be an object; anything else rejects the file.
    "quiet-hours-string.json": [Expect("/quietHours", "reject")],
    # Seen with client 2.1.330: "inline" is reserved for --plugin-dir session plugins (skipped).
    "marketplace-reserved-name.json": [Expect("/extraKnownMarketplaces", "skip")],
    "enabled-plugins-string-value.json": [Expect("/enabledPlugins/a@b", "reject")],
    "cleanup-period-zero.json": [
        Expect("/cleanupPeriodDays", "reject", message="Number must be greater than or equal to 0")
    ],
    # Schema errors in keys that are not error-tolerant reject the file (§2 intro); the §2.1
    # table lists these with "Expected boolean".
    "disable-all-hooks-string.json": [Expect("/disableAllHooks", "reject")],
    "sandbox-enabled-string.json": [Expect("/sandbox/enabled", "reject")],
    "enable-all-project-mcp-string.json": [Expect("/enableAllProjectMcpServers", "reject")],
    # A PreToolUse/PermissionRequest hook that cannot load may guard the permissions beside it,
    # so the client applies nothing of the file (§2.1 "matcher: 5", and the guard note).
    "pretooluse-matcher-number.json": [Expect("/hooks/PreToolUse/0/matcher", "reject")],
    "permissionrequest-matcher-number.json": [
        Expect("/hooks/PermissionRequest/0/matcher", "reject")
    ],
    "pretooluse-shell-zsh.json": [Expect("/hooks/PreToolUse/0/hooks/0/shell", "reject")],
    # One entry skipped ("These settings entries were skipped"), §2.2.
    "allow-non-string.json": [
        Expect(
            "/permissions/allow/0",
            "skip",
            "/permissions/allow/0",
            "Non-string value in allow array was removed",
        )
    ],
    "rule-lowercase-tool.json": [
        Expect("/permissions/allow/0", "skip", message="Tool names must start with uppercase")
    ],
    "rule-empty-parentheses.json": [Expect("/permissions/deny/0", "skip", "/permissions/deny/0")],
    "rule-unclosed.json": [Expect("/permissions/allow/0", "skip", message=RULE_MALFORMED)],
    "rule-empty-prefix.json": [Expect("/permissions/allow/0", "skip")],
    "rule-webfetch-without-domain.json": [
        Expect(
            "/permissions/allow/0",
            "skip",
            message='WebFetch permissions must use "domain:" prefix. Use "domain:hostname" format',
        )
    ],
    "allow-wildcard-tool.json": [Expect("/permissions/allow/0", "skip")],
    "allow-wildcard-mcp.json": [Expect("/permissions/allow/0", "skip")],
    "hooks-array.json": [Expect("/hooks", "skip", "/hooks")],
    "hooks-unknown-event.json": [Expect("/hooks", "skip")],
    "hook-event-object.json": [Expect("/hooks/SessionStart", "skip", "/hooks/SessionStart")],
    "matcher-group-without-hooks.json": [
        Expect("/hooks/SessionStart/0", "skip", "/hooks/SessionStart/0")
    ],
    "handler-unknown-type.json": [
        Expect(
            f"{HANDLER}/type",
            "skip",
            HANDLER,
            "Unknown hook type; entry ignored. Valid types: command, prompt, agent, http, mcp_tool",
        )
    ],
    "handler-without-type.json": [Expect(HANDLER, "skip", HANDLER)],
    "command-hook-without-command.json": [Expect(HANDLER, "skip", HANDLER)],
    "timeout-string.json": [Expect(f"{HANDLER}/timeout", "skip", HANDLER)],
    "timeout-negative.json": [Expect(f"{HANDLER}/timeout", "skip", HANDLER)],
    "shell-zsh.json": [Expect(f"{HANDLER}/shell", "skip", HANDLER)],
    "marketplace-unknown-source.json": [
        Expect("/extraKnownMarketplaces/acme/source/source", "skip", "/extraKnownMarketplaces/acme")
    ],
    "marketplace-flat-entry.json": [
        Expect("/extraKnownMarketplaces/acme/source", "skip", "/extraKnownMarketplaces/acme")
    ],
    # Bad value silently dropped (§2 intro, §3.7 notes).
    "effort-level-max.json": [Expect("/effortLevel", "drop", "/effortLevel")],
    "theme-purple.json": [Expect("/theme", "drop", "/theme")],
    "force-login-method-sso.json": [Expect("/forceLoginMethod", "drop", "/forceLoginMethod")],
}

# mcp/invalid/<file> (§2.3): whole-file problems are [Error] (reject), per-server ones
# [Warning] ... Skipped (the server is skipped).
MCP_INVALID: dict[str, list[Expect]] = {
    "root-array.json": [Expect("", "reject")],
    "servers-key.json": [Expect("", "reject")],
    "mcp-servers-array.json": [Expect("/mcpServers", "reject")],
    "command-number.json": [Expect("/mcpServers/a/command", "skip", "/mcpServers/a")],
    "args-string.json": [Expect("/mcpServers/a/args", "skip", "/mcpServers/a")],
    "env-number.json": [Expect("/mcpServers/a/env/A", "skip", "/mcpServers/a")],
    "headers-number.json": [Expect("/mcpServers/a/headers/A", "skip", "/mcpServers/a")],
    "oauth-callback-port-string.json": [
        Expect("/mcpServers/a/oauth/callbackPort", "skip", "/mcpServers/a")
    ],
    "empty-command.json": [
        Expect("/mcpServers/a/command", "skip", "/mcpServers/a", "Command cannot be empty")
    ],
    "unknown-type.json": [Expect("/mcpServers/a/type", "skip", "/mcpServers/a")],
    "http-without-url.json": [Expect("/mcpServers/a", "skip", "/mcpServers/a")],
    "url-without-type.json": [
        Expect(
            "/mcpServers/a",
            "skip",
            "/mcpServers/a",
            'MCP server has a "url" but no "type"; add "type": "http" (or "sse" / "ws") '
            "to this entry",
        )
    ],
}

# Frontmatter (§5.3-5.5). The client's reaction to a wrong field value is not known (None),
# except for agents: no name = documentation (drop), bad name or no description = skipped.
FRONTMATTER_INVALID: dict[str, list[Expect]] = {
    "skill/invalid/effort-extreme.md": [Expect("/effort", None)],
    "skill/invalid/shell-zsh.md": [Expect("/shell", None)],
    "skill/invalid/boolean-maybe.md": [Expect("/user-invocable", None)],
    "skill/invalid/compatibility-too-long.md": [Expect("/compatibility", None)],
    "command/invalid/effort-extreme.md": [Expect("/effort", None)],
    "agent/invalid/no-name.md": [Expect("", "drop")],
    "agent/invalid/no-description.md": [Expect("", "skip")],
    "agent/invalid/name-with-colon.md": [Expect("/name", "skip")],
    "agent/invalid/name-too-long.md": [Expect("/name", "skip")],
    "agent/invalid/description-number.md": [Expect("/description", "skip")],
    "agent/invalid/name-leading-hyphen.md": [Expect("/name", "skip")],
    "agent/invalid/permission-mode-yolo.md": [Expect("/permissionMode", None)],
    "agent/invalid/color-black.md": [Expect("/color", None)],
}

# config/invalid/<file>: every key is closed, so a typo is an error (no client involved).
CONFIG_INVALID: dict[str, str] = {
    "typo.toml": "",
    "code-lowercase.toml": "/select/0",
    "code-too-long.toml": "/ignore/0",
    "fail-on-critical.toml": "/fail-on",
    "network-open.toml": "/environments/default/network",
    "allow-url.toml": "/environments/default/allow/0",
    "env-assignment.toml": "/environments/default/env/0",
    "environment-typo.toml": "/environments/default",
    "daily-cap-zero.toml": "/routines/daily-cap",
    "cloud-init-typo.toml": "/cloud-init",
}


def _files(kind: str, validity: str, suffix: str = "") -> list[str]:
    folder = FIXTURES / kind / validity
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(suffix))


def _json(kind: str, validity: str, name: str) -> Any:
    return json.loads((FIXTURES / kind / validity / name).read_text(encoding="utf-8"))


def _frontmatter(rel: str) -> Any:
    text = (FIXTURES / rel).read_text(encoding="utf-8")
    _, front, _body = text.split("---\n", 2)
    return yaml.safe_load(front)


def _config(kind: str, name: str) -> Any:
    table = tomlkit.parse((FIXTURES / "config" / kind / name).read_text(encoding="utf-8")).unwrap()
    return table["tool"]["parity"] if name == "pyproject.toml" else table


def _check(name: str, instance: object, expected: list[Expect]) -> None:
    root = load_schema(name)
    got = {(pointer(list(e.absolute_path)), reaction(e, root)) for e in validate(name, instance)}
    assert got, "expected the schema to fail"
    assert {(at, r.invalid) for at, r in got} == {(x.at, x.invalid) for x in expected}
    for x in expected:
        found = [r for at, r in got if at == x.at]
        if x.entry is not None:
            assert {r.entry for r in found} == {x.entry}, x
        if x.message is not None:
            assert x.message in {r.message for r in found}, x


def test_every_fixture_has_an_expectation() -> None:
    assert _files("settings", "invalid") == sorted(SETTINGS_INVALID)
    assert _files("mcp", "invalid") == sorted(MCP_INVALID)
    assert _files("config", "invalid") == sorted(CONFIG_INVALID)
    front = sorted(
        f"{k}/invalid/{n}" for k in ("skill", "command", "agent") for n in _files(k, "invalid")
    )
    assert front == sorted(FRONTMATTER_INVALID)


@pytest.mark.parametrize("fixture", _files("settings", "valid"))
def test_settings_the_client_accepts(fixture: str) -> None:
    assert validate("settings", _json("settings", "valid", fixture)) == []


@pytest.mark.parametrize("fixture", sorted(SETTINGS_INVALID))
def test_settings_the_client_rejects_skips_or_drops(fixture: str) -> None:
    _check("settings", _json("settings", "invalid", fixture), SETTINGS_INVALID[fixture])


@pytest.mark.parametrize("fixture", _files("mcp", "valid"))
def test_mcp_the_client_accepts(fixture: str) -> None:
    assert validate("mcp", _json("mcp", "valid", fixture)) == []


@pytest.mark.parametrize("fixture", sorted(MCP_INVALID))
def test_mcp_the_client_rejects_or_skips(fixture: str) -> None:
    _check("mcp", _json("mcp", "invalid", fixture), MCP_INVALID[fixture])


@pytest.mark.parametrize(
    "fixture", [f"{k}/valid/{n}" for k in ("skill", "command", "agent") for n in _files(k, "valid")]
)
def test_frontmatter_the_client_accepts(fixture: str) -> None:
    assert validate(fixture.split("/", maxsplit=1)[0], _frontmatter(fixture)) == []


@pytest.mark.parametrize("fixture", sorted(FRONTMATTER_INVALID))
def test_frontmatter_the_client_does_not_take(fixture: str) -> None:
    _check(fixture.split("/", maxsplit=1)[0], _frontmatter(fixture), FRONTMATTER_INVALID[fixture])


@pytest.mark.parametrize("fixture", _files("config", "valid"))
def test_config_accepted(fixture: str) -> None:
    assert validate("config", _config("valid", fixture)) == []


@pytest.mark.parametrize("fixture", sorted(CONFIG_INVALID))
def test_config_typos_and_bad_values_are_errors(fixture: str) -> None:
    errors = validate("config", _config("invalid", fixture))
    assert [pointer(list(e.absolute_path)) for e in errors] == [CONFIG_INVALID[fixture]]


# --- settings specifics ----------------------------------------------------------------------

# §3.3, in the client's order.
HOOK_EVENTS = [
    "PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch", "Notification",
    "UserPromptSubmit", "UserPromptExpansion", "SessionStart", "SessionEnd", "Stop",
    "StopFailure", "SubagentStart", "SubagentStop", "PreCompact", "PostCompact",
    "PreModelSwitch", "PostModelSwitch", "PermissionRequest", "PermissionDenied", "Setup",
    "TeammateIdle", "TaskCreated", "TaskCompleted", "Elicitation", "ElicitationResult",
    "ConfigChange", "WorktreeCreate", "WorktreeRemove", "InstructionsLoaded", "CwdChanged",
    "FileChanged", "DirectoryAdded", "MessageDisplay",
]  # fmt: skip


def test_settings_root_rejects_by_default_and_accepts_unknown_keys() -> None:
    root = load_schema("settings")
    assert root["x-parity-invalid"] == "reject"
    assert root["additionalProperties"] is True


def test_hook_events_are_exactly_the_clients() -> None:
    hooks = load_schema("settings")["properties"]["hooks"]
    assert hooks["propertyNames"]["enum"] == HOOK_EVENTS
    assert sorted(hooks["properties"]) == sorted(HOOK_EVENTS)
    guarded = {e for e, s in hooks["properties"].items() if s["$ref"].endswith("guardedHookEvent")}
    assert guarded == {"PreToolUse", "PermissionRequest"}


@pytest.mark.parametrize(
    ("key", "scopes"),
    [
        ("managedMcpServers", ["managed"]),
        ("allowManagedHooksOnly", ["managed"]),
        ("strictKnownMarketplaces", ["managed"]),
        ("forceLoginGatewayUrl", ["managed", "user"]),  # or user when no managed source
        ("pluginConfigs", ["managed", "user"]),
        ("autoMode", ["managed", "user"]),
        ("skipDangerousModePermissionPrompt", ["managed", "user", "local"]),
        ("useAutoModeDuringPlan", ["managed", "user", "local"]),
        ("autoMemoryDirectory", ["managed", "user", "local"]),  # §3.5
        ("hooks", None),
        ("env", None),
    ],
)
def test_keys_carry_the_scopes_that_honour_them(key: str, scopes: list[str] | None) -> None:
    assert load_schema("settings")["properties"][key].get("x-parity-scopes") == scopes  # §3.6


def test_global_config_keys_are_marked_and_accept_anything_in_settings() -> None:
    props = load_schema("settings")["properties"]
    marked = sorted(k for k, v in props.items() if v.get("x-parity-global-config"))
    assert marked == [  # §3.6
        "autoConnectIde",
        "autoInstallIdeExtension",
        "diffTool",
        "externalEditorContext",
        "permissionExplainerEnabled",
    ]
    # In a settings file they are unknown keys to the client: any value passes.
    assert validate("settings", {key: [1, "x"] for key in marked}) == []


def test_mcp_server_schema_is_reusable_by_urn() -> None:
    # ~/.claude.json holds the same server shape (§4): other schemas point at $defs/server.
    schema = {"$ref": "urn:claude-parity:schemas:mcp#/$defs/server"}
    validator = Draft202012Validator(schema, registry=REGISTRY)
    assert list(validator.iter_errors({"type": "http", "url": "https://x.example/mcp"})) == []
    assert list(validator.iter_errors({"url": "https://x.example/mcp"})) != []
    assert list(validator.iter_errors({"command": ""})) != []


def test_a_validator_reads_another_schema_only_when_a_ref_reaches_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from parity import validate

    read: list[str] = []

    def spy(name: str) -> dict[str, Any]:
        read.append(name)
        return load_schema(name)

    monkeypatch.setattr(validate, "load_schema", spy)
    validate._bundled.cache_clear()
    settings = validate.validator_for.__wrapped__("settings")
    assert read == ["settings"]
    server = settings.evolve(schema={"$ref": "urn:claude-parity:schemas:mcp#/$defs/server"})
    assert list(server.iter_errors({"type": "http", "url": "https://x.example/mcp"})) == []
    assert list(server.iter_errors({"command": ""})) != []
    assert read == ["settings", "mcp"]
    validate._bundled.cache_clear()


# --- agreement with the reference (skipped without ../shared) --------------------------------

needs_reference = pytest.mark.skipif(
    not REFERENCE.is_file(), reason="../shared/reference is absent"
)


def _reference_section(title: str, until: str) -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    return text[text.index(title) : text.index(until, text.index(title))]


@needs_reference
def test_every_key_of_the_reference_is_listed() -> None:
    rows = [
        re.split(r"(?<!\\)\|", line)[1:-1]
        for line in _reference_section("### 3.7", "## 4.").splitlines()
        if line.startswith("| `")
    ]
    props = load_schema("settings")["properties"]
    keys = {row[0].strip().strip("`"): row[3] for row in rows}
    assert len(keys) > 150
    assert set(keys) <= set(props)
    dropped = {k for k, note in keys.items() if "silently dropped" in note}
    assert dropped == {k for k, v in props.items() if v.get("x-parity-invalid") == "drop"}
    hidden = _reference_section("### 3.7", "| key |").split("hidden keys:")[1].split(". Unknown")[0]
    assert {k.strip() for k in hidden.replace("\n", " ").split(",")} <= set(props)


# §3.6 bullet -> the x-parity-scopes it means ("global" = x-parity-global-config).
SCOPE_LISTS: dict[str, list[str] | str] = {
    "Managed only": ["managed"],
    "User or managed": ["managed", "user"],
    "User, local or managed": ["managed", "user", "local"],
    "`~/.claude.json` only": "global",
}


@needs_reference
def test_scopes_match_the_reference() -> None:
    section = " ".join(_reference_section("### 3.6", "### 3.7").split())
    checked = 0
    for head, body in re.findall(r"- \*\*(.+?)\*\*[^:]*:(.*?)(?=- \*\*|- Everything|$)", section):
        scopes = next(v for k, v in SCOPE_LISTS.items() if head.startswith(k))
        # sandbox.credentials.{a,b} -> sandbox.credentials.a, sandbox.credentials.b
        expanded = re.sub(
            r"([\w.]+)\.\{([^}]*)\}",
            lambda m: ", ".join(f"{m[1]}.{x}" for x in m[2].split(",")),
            body,
        )
        for raw in re.split(r",\s*(?![^()]*\))", expanded.strip().rstrip(".")):
            names = raw.split(" ")[0].split("/") + re.findall(r"\((?:alias|\+) (\w+)\)", raw)
            want = ["managed", "user"] if re.search(r"\((or user|user allowed)", raw) else scopes
            for name in names:
                node: dict[str, Any] = load_schema("settings")
                nearest: Any = None  # a nested key inherits the scopes of the key holding it
                for part in name.split("."):
                    node = node["properties"][part]
                    nearest = node.get("x-parity-scopes", nearest)
                if want == "global":
                    assert node.get("x-parity-global-config") is True, name
                else:
                    assert nearest == want, name
                checked += 1
    assert checked > 60


@needs_reference
def test_hook_events_match_the_reference() -> None:
    section = _reference_section("### 3.3", "Matcher (string")
    listed = section.split("(exact, case-sensitive):")[1].split("(33;")[0]
    assert [e.strip(" `\n") for e in listed.split(",")] == HOOK_EVENTS


# --- SchemaStore's fixtures (skipped without ../shared) --------------------------------------


class Difference(NamedTuple):
    """A SchemaStore fixture on which client 2.1.330 disagrees with SchemaStore."""

    fixture: str  # positive/<file> or negative/<file>
    client: list[Expect]  # what our schema (= the client) reports; [] = the client accepts it
    why: str


SCHEMASTORE_DIFFERENCES = [
    # SchemaStore accepts, the client does not.
    Difference(
        "positive/complete-config.json",
        [Expect("/permissions/defaultMode", "reject")],
        'defaultMode "delegate" is not a mode of 2.1.330: the client rejects the whole file '
        '(§2.1 "permissions.defaultMode", §3.2).',
    ),
    Difference(
        "positive/modern-complete-config.json",
        [Expect("/permissions/allow/12", "skip"), Expect("/managedMcpServers", "reject")],
        'allow rule "mcp__*": wildcard tool names are skipped in allow rules (§2.1, §3.2); '
        "managedMcpServers is a record of servers, not an array (§3.7; the reaction to a wrong "
        "type is not recorded, so the root default applies).",
    ),
    # SchemaStore refuses, the client accepts.
    Difference(
        "negative/additional-properties-hook.json",
        [],
        "unknown keys in matcher groups and hook handlers are stripped, not refused (§2 intro: "
        "unknown keys anywhere in settings are accepted).",
    ),
    Difference(
        "negative/invalid-env-variable-name.json",
        [],
        "env is a record with any names (§3.5, §3.7 `{ [k: string]: string }`, §2.1 env row).",
    ),
    Difference(
        "negative/invalid-blocked-marketplace-git-url.json",
        [],
        "a git marketplace URL without the .git suffix: 2.1.330 loads the file without a word "
        "(claude doctor and claude -p; tests/oracle/test_severity_matches_client.py).",
    ),
    Difference(
        "negative/invalid-marketplace-host-pattern.json",
        [],
        "as above, in extraKnownMarketplaces.",
    ),
    Difference(
        "negative/invalid-tls-terminate-property.json",
        [],
        "an unknown key (caChainPath) in sandbox.network.tlsTerminate is accepted (§2 intro).",
    ),
]

# Inside fixtures that stay invalid for other reasons: values SchemaStore refuses and the client
# accepts. (fixture, JSON pointer, why): no error may be reported at or below the pointer.
SCHEMASTORE_VALUE_DIFFERENCES = [
    (
        "negative/invalid-enum-values.json",
        "/env",
        "env values are free text to the client (§3.5); SchemaStore enumerates some variables.",
    ),
    (
        "negative/invalid-enum-values.json",
        "/diffTool",
        "diffTool is read from ~/.claude.json only; in a settings file it is unknown (§3.6).",
    ),
    (
        "negative/invalid-permission-rule.json",
        "/permissions/allow/0",
        '"InvalidTool": unknown tool names give a startup warning only (§2.1, §3.2).',
    ),
    (
        "negative/invalid-permission-rule.json",
        "/permissions/ask/0",
        '"AnotherInvalidTool": as above.',
    ),
    (
        "negative/invalid-permission-rule.json",
        "/permissions/allow/1",
        '"Bash without parentheses": the tool name is everything before "(" (§2.1 grammar); an '
        "unknown name is a startup warning only.",
    ),
    (
        "negative/invalid-permission-rule.json",
        "/permissions/allow/2",
        '"Read[wrong-brackets]": as above.',
    ),
]

needs_schemastore = pytest.mark.skipif(
    not SCHEMASTORE.is_dir(),
    reason="../shared/schemastore is absent (only CI and developers have it)",
)


def _schemastore_fixtures() -> list[str]:
    if not SCHEMASTORE.is_dir():
        return []
    return sorted(
        f"{kind}/{p.name}"
        for kind in ("positive", "negative")
        for p in (SCHEMASTORE / kind).glob("*.json")
    )


@needs_schemastore
@pytest.mark.parametrize("fixture", _schemastore_fixtures())
def test_schemastore_fixture(fixture: str) -> None:
    instance = json.loads((SCHEMASTORE / fixture).read_text(encoding="utf-8"))
    pinned = {d.fixture: d for d in SCHEMASTORE_DIFFERENCES}
    if fixture in pinned:
        if pinned[fixture].client:
            _check("settings", instance, pinned[fixture].client)
        else:
            assert validate("settings", instance) == []
    elif fixture.startswith("positive/"):
        assert validate("settings", instance) == []
    else:
        assert validate("settings", instance) != []


@needs_schemastore
@pytest.mark.parametrize(("fixture", "at", "why"), SCHEMASTORE_VALUE_DIFFERENCES)
def test_schemastore_value_the_client_accepts(fixture: str, at: str, why: str) -> None:
    instance = json.loads((SCHEMASTORE / fixture).read_text(encoding="utf-8"))
    where = [pointer(list(e.absolute_path)) for e in validate("settings", instance)]
    assert where, "the fixture as a whole is still refused"
    assert not [w for w in where if w == at or w.startswith(at + "/")], why


@needs_schemastore
def test_pinned_differences_name_existing_fixtures() -> None:
    names = set(_schemastore_fixtures())
    assert {d.fixture for d in SCHEMASTORE_DIFFERENCES} <= names
    assert {f for f, _, _ in SCHEMASTORE_VALUE_DIFFERENCES} <= names
