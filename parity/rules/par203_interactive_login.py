"""PAR203: interactive logins (``gh auth login``, ``aws sso login``) that cannot finish there."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._cloud import sites
from parity.rules.base import Context, Rule
from parity.shell import SimpleCommand

# (program, sub-command words, flags that make it non-interactive, what to use instead)
_LOGINS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        "aws",
        ("sso", "login"),
        (),
        "set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or a role) in the environment's variables",
    ),
    ("aws", ("configure", "sso"), (), "set AWS credentials in the environment's variables"),
    (
        "gh",
        ("auth", "login"),
        ("--with-token",),
        "let `gh` read GH_TOKEN (in the cloud the GitHub proxy provides it)",
    ),
    (
        "gcloud",
        ("auth", "login"),
        ("--cred-file",),
        "use `gcloud auth activate-service-account --key-file` or GOOGLE_APPLICATION_CREDENTIALS",
    ),
    (
        "gcloud",
        ("auth", "application-default", "login"),
        (),
        "set GOOGLE_APPLICATION_CREDENTIALS to a service-account key",
    ),
    ("gcloud", ("init",), (), "configure gcloud with `gcloud config set` and a service account"),
    (
        "az",
        ("login",),
        ("--service-principal", "--identity", "-i", "--federated-token", "--password", "-p"),
        "use `az login --service-principal` with variables from the environment",
    ),
    ("npm", ("login",), (), "write `//registry.npmjs.org/:_authToken=${NPM_TOKEN}` to .npmrc"),
    ("npm", ("adduser",), (), "write `//registry.npmjs.org/:_authToken=${NPM_TOKEN}` to .npmrc"),
    ("pnpm", ("login",), (), "write `//registry.npmjs.org/:_authToken=${NPM_TOKEN}` to .npmrc"),
    ("yarn", ("npm", "login"), (), "set npmAuthToken from an environment variable"),
    (
        "docker",
        ("login",),
        ("--password-stdin", "-p", "--password"),
        'pipe a token: `echo "$TOKEN" | docker login --username USER --password-stdin`',
    ),
    ("firebase", ("login",), (), "set FIREBASE_TOKEN or GOOGLE_APPLICATION_CREDENTIALS"),
    ("vercel", ("login",), (), 'pass `--token "$VERCEL_TOKEN"`'),
    ("netlify", ("login",), (), "set NETLIFY_AUTH_TOKEN"),
    ("heroku", ("login",), (), "set HEROKU_API_KEY"),
    ("wrangler", ("login",), (), "set CLOUDFLARE_API_TOKEN"),
    ("fly", ("auth", "login"), (), "set FLY_API_TOKEN"),
    ("flyctl", ("auth", "login"), (), "set FLY_API_TOKEN"),
    ("railway", ("login",), ("--browserless",), "set RAILWAY_TOKEN"),
    ("supabase", ("login",), ("--token",), "set SUPABASE_ACCESS_TOKEN"),
    ("op", ("signin",), (), "use a service account: set OP_SERVICE_ACCOUNT_TOKEN"),
    ("huggingface-cli", ("login",), ("--token",), "set HF_TOKEN"),
    ("hf", ("auth", "login"), ("--token",), "set HF_TOKEN"),
)


def _login(cmd: SimpleCommand) -> tuple[str, str] | None:
    words = [w for w in cmd.argv[1:] if not w.startswith("-")]
    flags = {w.split("=", 1)[0] for w in cmd.argv[1:] if w.startswith("-")}
    for program, sub, quiet, instead in _LOGINS:
        if cmd.name != program or tuple(words[: len(sub)]) != sub:
            continue
        if flags & set(quiet):
            return None
        return " ".join((program, *sub)), instead
    return None


def check(ctx: Context) -> Iterator[Violation]:
    """Report login commands that wait for a browser or a prompt."""
    for site in sites(ctx):
        found = _login(site.cmd)
        if found is None:
            continue
        shown, instead = found
        yield Violation(
            site.location,
            f"`{shown}` waits for a browser or a typed answer; a cloud session has neither "
            "(no TTY, no browser, no saved login), so this step hangs until its timeout or fails.",
            fix=f"Authenticate without a prompt: {instead}.",
        )


RULE = Rule(
    code="PAR203",
    name="interactive-login",
    severity=Severity.ERROR,
    summary="An interactive login in a hook or setup script, which cannot complete in the cloud.",
    fix="Authenticate with a token from the environment's variables instead of a login flow.",
    tags=("cloud", "image"),
    check=check,
    docs="""
## What it does
Finds interactive logins in hook commands, the scripts hooks run and the declared setup script:
`aws sso login`, `gh auth login` (without `--with-token`), `gcloud auth login`, `az login`
(without a service principal or identity), `npm login`, `docker login` without a password on
stdin, `firebase login`, `vercel login`, and similar.

## Why is this bad?
A cloud session has no browser, no terminal to type into, and none of the logins saved on the
author's machine. A login flow waits until the hook's timeout (600 s by default for
SessionStart) and then fails; everything after it that needs the credentials fails too.

## Example
```bash
gh auth login
gh pr list
```

## Fix
```bash
# GH_TOKEN comes from the environment (the cloud's GitHub proxy provides it).
gh pr list
```
Put the token's name (never its value) in the environment's variables and in
`[tool.parity.environments.*] env`.
""",
)
