"""``parity rule``, ``parity schema`` and ``parity init``: the tool describing itself."""

from __future__ import annotations

import json
from pathlib import Path

import click

from parity.errors import UsageError


@click.command()
@click.argument("code", required=False)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def rule(code: str | None, output_format: str) -> int:
    """List every rule, or print the documentation of CODE (a code like PAR101 or a name).

    The list's fourth column says what `parity check --fix` does for the rule's findings: fixes
    them (safe), fixes them only with --unsafe-fixes (unsafe), only some of them (sometimes:
    the rule's documentation says which), or nothing (-).
    """
    from parity import rules
    from parity.rules.base import SOMETIMES

    if code is not None:
        found = rules.get(code)
        if output_format == "json":
            click.echo(json.dumps(_rule_json(found), indent=2))
        else:
            click.echo(found.markdown(), nl=False)
        return 0
    every = rules.all_rules()
    if output_format == "json":
        click.echo(json.dumps([_rule_json(r) for r in every], indent=2))
        return 0
    width = max(len(r.name) for r in every)
    for r in every:
        fixable = "-"
        if r.autofix is not None:
            sometimes = ", sometimes" if r.autofix.availability == SOMETIMES else ""
            fixable = r.autofix.safety.value + sometimes
        severity = r.severity.label
        click.echo(f"{r.code}  {r.name:<{width}}  {severity:<7}  {fixable:<17}  {r.summary}")
    return 0


def _rule_json(r: object) -> dict[str, object]:
    from parity.rules.base import Rule

    if not isinstance(r, Rule):
        raise TypeError(r)
    return {
        "code": r.code,
        "name": r.name,
        "severity": r.severity.label,
        "variants": [{"severity": level.label, "when": when} for level, when in r.variants],
        "summary": r.summary,
        "fix": r.fix,
        "fix_availability": r.fix_availability,
        "fix_safety": r.autofix.safety.value if r.autofix is not None else None,
        "default": r.default,
        "docs": r.markdown(),
    }


@click.command()
@click.argument("name", required=False)
def schema(name: str | None) -> int:
    """List the bundled JSON schemas, or print schema NAME (for editors and other tools)."""
    from parity._resources import schema_names, schema_text

    names = schema_names()
    if name is None:
        for each in names:
            click.echo(each)
        return 0
    wanted = name.removesuffix(".json").removesuffix(".schema")
    if wanted not in names:
        raise UsageError(f"no schema named {name!r} (available: {', '.join(names)})")
    click.echo(schema_text(wanted), nl=False)
    return 0


@click.command()
@click.option(
    "--file",
    "target",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write (default: pyproject.toml, or parity.toml when there is no pyproject).",
)
def init(target: Path | None) -> int:
    """Add a commented parity configuration block, keeping the rest of the file as it was."""
    from parity.config import write_init

    if target is None:
        target = Path("pyproject.toml") if Path("pyproject.toml").exists() else Path("parity.toml")
    write_init(target)
    click.echo(f"Wrote the parity configuration to {target}.")
    return 0
