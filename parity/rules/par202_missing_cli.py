"""PAR202: a CLI the cloud image lacks, used by hooks or scripts without the setup installing it."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._cloud import images, probed_names, provided_by_setup, sites
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Report the first use, per file, of each CLI the environment's image profile lacks."""
    reported: set[tuple[str, str]] = set()
    for image, label in images(ctx):
        for site in sites(ctx):
            argv0 = site.cmd.argv[0] if site.cmd.argv else ""
            name = site.cmd.name
            if not name or "/" in argv0 or "$" in argv0 or not image.lacks(name):
                continue
            key = (site.location.display, name)
            if key in reported or name in probed_names(site.text):
                continue
            if provided_by_setup(ctx, name):
                continue
            reported.add(key)
            when = f" (as of {image.as_of})" if image.as_of else ""
            yield Violation(
                site.location,
                f"`{name}` is not on the {image.name} image{when}{label} and "
                'the setup does not install it: in a cloud session this fails with "command '
                'not found" (exit 127).',
                fix=f"Install `{name}` in the environment's setup script or a guarded "
                "SessionStart hook (`parity cloud-init` writes one), or skip the step when "
                f"`command -v {name}` finds nothing.",
            )


RULE = Rule(
    code="PAR202",
    name="missing-cli",
    severity=Severity.WARNING,
    summary="A hook or script uses a CLI the cloud image lacks and the setup never installs.",
    fix="Install the CLI in the setup script or a guarded SessionStart hook, or guard its use.",
    tags=("cloud", "image"),
    check=check,
    docs="""
## What it does
Looks at every command of the project's hooks, the scripts they run and the declared setup
script, and reports programs the environment's image profile (`claude-cloud` by default, see
`image` in `[tool.parity.environments.*]`) is known not to have — `terraform`, `aws`, `gcloud`,
`deno`, `just`, … — when neither the setup script nor a SessionStart hook installs them and the
script does not check for them with `command -v` first. Each CLI is reported once per file.

## Why is this bad?
A cloud session starts from the image, not from the author's machine: globally installed tools
are not there. The hook fails with "command not found" every time, often silently (a non-zero
exit of most hooks is only a notice).

## Example
```bash
#!/bin/bash
terraform fmt -check
```

## Fix
```bash
#!/bin/bash
command -v terraform >/dev/null || exit 0
terraform fmt -check
```
or install the CLI in the setup script (`parity cloud-init` generates one). Add your own image
profiles as `.parity/images/<name>.json` (same format as the bundled `claude-cloud.json`) and
name them in `image`.
""",
)
