"""PAR202: a program hooks or scripts run that neither the cloud image nor the setup provides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from parity._lazy import lazy_compile
from parity.findings import Severity, Violation
from parity.rules._cloud import (
    PROVIDERS,
    Site,
    images,
    install_of,
    probed_names,
    provided_by_setup,
    sites,
)
from parity.rules._provided import repo_programs
from parity.rules._scope import project_folder
from parity.rules.base import Context, Rule
from parity.shell import BUILTINS

# A word that can name a program on PATH (not `*.md`, `${CMD}`, `( command -v x)`, `a=b`).
_PROGRAM = lazy_compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


def check(ctx: Context) -> Iterator[Violation]:
    """Report the first use, per file, of each program the image and the setup do not provide."""
    reported: set[tuple[str, str]] = set()
    for image, label in images(ctx):
        when = f" (as of {image.as_of})" if image.as_of else ""
        for site in sites(ctx):
            name = program(site)
            if name is None or (site.location.display, name) in reported:
                continue
            known = image.lacks(name)
            if not known and image.may_have(name):
                continue
            if _provided(ctx, site, name):
                continue
            reported.add((site.location.display, name))
            where = f"on the {image.name} image{when}{label}"
            yield Violation(
                site.location,
                (
                    f"`{name}` is not {where} and the setup does not install it: in a cloud "
                    'session this fails with "command not found" (exit 127).'
                )
                if known
                else (
                    f"`{name}` is not among the programs {where}, and neither the setup nor the "
                    "repository's package files (package.json, pyproject.toml, Gemfile) install "
                    'it: in a cloud session it is likely "command not found" (exit 127).'
                ),
                fix=f"Install `{name}` in the environment's setup script or a guarded "
                "SessionStart hook (`parity cloud-init` writes one), or skip the step when "
                f"`command -v {name}` finds nothing"
                + (
                    "."
                    if known
                    else "; if the image has it, list it in your own image profile "
                    "(.parity/images/<name>.json, `image` in [tool.parity.environments.*])."
                ),
            )


def program(site: Site) -> str | None:
    """The program a command runs from PATH, or None when it is not one PAR202 judges.

    Left alone: shell builtins and keywords, `$VAR` commands, paths (scripts in the repository
    and elsewhere are PAR104's and PAR1xx's) and words that cannot name a program.
    """
    argv = site.cmd.argv
    if not argv:
        return None
    word = argv[0]
    if "/" in word or "$" in word or word in BUILTINS or not _PROGRAM.match(word):
        return None
    return word


def _provided(ctx: Context, site: Site, name: str) -> bool:
    """True when something else makes ``name`` available where ``site`` runs it."""
    if name in repo_programs(ctx) or name in probed_names(site.text):
        return True
    if provided_by_setup(ctx, name) or _installed_before(ctx, site, name):
        return True
    # A file of that name in the project: run from PATH it fails too, but that is a different
    # mistake (a missing ./), and the program is there.
    base = project_folder(site.hook.file) if site.hook is not None else ""
    folder = str(PurePosixPath(site.script).parent) + "/" if site.script else base
    return ctx.repo.exists(f"{folder.removeprefix('./')}{name}") or ctx.repo.exists(f"{base}{name}")


def _installed_before(ctx: Context, site: Site, name: str) -> bool:
    """True when the same script or hook command installs ``name`` before it runs it."""
    names = (name, *PROVIDERS.get(name, ()))
    for other in sites(ctx):
        if other is site:
            return False
        if other.script != site.script or other.hook is not site.hook:
            continue
        words = " ".join(other.cmd.argv)
        downloads = other.cmd.name in ("curl", "wget") or install_of(other.cmd) is not None
        if downloads and any(n in words for n in names):
            return True
    return False


RULE = Rule(
    code="PAR202",
    name="missing-cli",
    severity=Severity.WARNING,
    summary="A hook or script runs a program the cloud image lacks and the setup never installs.",
    fix="Install the program in the setup script or a guarded SessionStart hook, or guard its use.",
    tags=("cloud", "image"),
    check=check,
    docs="""
## What it does
Looks at every command of the project's hooks, the scripts they run and the declared setup
script, and reports programs run from `PATH` that the cloud image does not provide. The
environment's image profile (`claude-cloud` by default, see `image` in
`[tool.parity.environments.*]`) says what the image has — its toolchains and the programs of its
base system — and the message gives the profile's date. A program is not reported when:

- the setup provides it: an install or download in the setup script or a SessionStart hook
  that names it, or an install earlier in the same script;
- the repository's package files provide it once installed: package.json dependencies
  (`node_modules/.bin`, with package-lock.json's `bin` fields), pyproject.toml, Pipfile and
  requirements files (the virtualenv's scripts), the Gemfile;
- the script checks for it first (`command -v x`), defines it as a function, or sources the
  script that defines it (`. nvm.sh`);
- it is a shell builtin, a `$VAR` command, a path (scripts are PAR104's), or a file of that
  name in the repository;
- the profile lists it as `unconfirmed` (programs the image probably has).

Programs the profile knows the image lacks (`terraform`, `aws`, `deno`, …) are reported as
missing; any other unknown program as likely missing. The profile cannot list everything an
image has, so the rule errs towards silence, and each program is reported once per file.

## Why is this bad?
A cloud session starts from the image, not from the author's machine: globally installed tools
are not there. The hook fails with "command not found" every time, often silently (a non-zero
exit of most hooks is only a notice).

## Example
```bash
#!/bin/bash
terraform fmt -check
notify-send "formatted"
```

## Fix
```bash
#!/bin/bash
command -v terraform >/dev/null || exit 0
terraform fmt -check
```
or install the program in the setup script (`parity cloud-init` generates one). If your image
has programs the bundled profile does not list, add your own profile as
`.parity/images/<name>.json` (same format as the bundled `claude-cloud.json`) and name it in
`image`.
""",
)
