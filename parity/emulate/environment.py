"""The emulated session's environment: an allowlist of variables and the image's view of PATH."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from parity.errors import UsageError

if TYPE_CHECKING:
    from parity.image import ImageProfile

PLACEHOLDER = "parity-emulate-placeholder"
_VIEW_FORMAT = 3  # bump when the view's layout or scripts change
# Host folders whose commands count as the base system (every Ubuntu image has most of them);
# anything else on the host's PATH resolves only when the image profile lists it.
BASE_SYSTEM_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/sbin")
# Variables the emulation sets itself; the settings `env` cannot replace them.
_FIXED = frozenset(
    {
        "PATH",
        "HOME",
        "TMPDIR",
        "CLAUDE_CODE_REMOTE",
        "CLAUDE_PROJECT_DIR",
        "CLAUDE_ENV_FILE",
        "BASH_ENV",
        "PARITY_EMULATE_STEP_LOG",
    }
)
STEP_LOG_VAR = "PARITY_EMULATE_STEP_LOG"
# Where this machine's tools find the certificate authorities they trust. Not secrets: behind a
# TLS-inspecting company proxy every download fails without them, and the cloud sets its own for
# its proxy the same way. They pass through, and the sandbox shows the files they name.
CA_VARS = (
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "PIP_CERT",
    "GIT_SSL_CAINFO",
)
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")
NO_PROXY = "localhost,127.0.0.1,::1"
# Subcommands with which bun fetches packages (what fails behind the cloud's proxy).
_BUN_FETCHING = (
    "install",
    "i",
    "add",
    "a",
    "update",
    "upgrade",
    "x",
    "create",
    "c",
    "pm",
    "link",
    "outdated",
    "publish",
)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")

# Sourced by every non-interactive bash (BASH_ENV): a command the image lacks is not found,
# exactly as there, and its name is recorded for the report.
_BASH_ENV = """\
# parity emulate: commands the emulated image lacks are not found, and are recorded.
command_not_found_handle() {
  if [ -n "${%(var)s:-}" ]; then
    printf '%%s\\n' "$1" >> "$%(var)s/missing" 2>/dev/null
  fi
  printf 'bash: %%s: command not found\\n' "$1" >&2
  return 127
}
"""


@dataclass(frozen=True)
class ImageView:
    """A folder of links to the host commands the image has; PATH is that folder only."""

    bin: Path
    bash_env: Path
    linked: tuple[str, ...]  # image commands found on this machine
    targets: tuple[str, ...]  # the programs of this machine they lead to
    absent_here: tuple[str, ...]  # image commands this machine does not have (stubs)
    broken: tuple[str, ...]  # present in the image but failing there (wrapped)

    @property
    def masked(self) -> Path:
        """The stand-in the sandbox binds over a program the image lacks (exit 127)."""
        return self.bin.parent / "masked.sh"

    @property
    def sh(self) -> str:
        """The shell for hook commands: the image's /bin/sh is dash, so dash where there is one."""
        if os.path.basename(os.path.realpath("/bin/sh")) == "dash":
            return "/bin/sh"  # the same program, and its messages name it as the cloud's would
        dash = self.bin / "dash"
        return str(dash) if dash.exists() else "/bin/sh"


def _listing(directory: str) -> list[tuple[str, str]]:
    """(name, path) of the non-directory entries of ``directory``; no stat per entry."""
    try:
        with os.scandir(directory) as entries:
            return [
                (e.name, e.path)
                for e in entries
                if not e.name.startswith(".") and not e.is_dir(follow_symlinks=False)
            ]
    except OSError:
        return []


def _search_order(host_path: str) -> list[str]:
    """The absolute folders of ``host_path``, those outside the home first.

    The cloud image installs its tools system-wide; a copy in the home (a pyenv or nvm shim)
    stands in only when the system has none. Relative entries (``node_modules/.bin``) would
    resolve in the working tree, which a cloud session does not have, so they are skipped.
    """
    folders = [d for d in dict.fromkeys(host_path.split(os.pathsep)) if os.path.isabs(d)]
    in_home = [
        d
        for d in folders
        if any(os.path.realpath(d).startswith(home.rstrip("/") + "/") for home in homes())
    ]
    return [d for d in folders if d not in in_home] + in_home


def homes() -> list[str]:
    """This user's home folders: ``$HOME`` and the one of the password database."""
    found = {os.path.realpath(os.path.expanduser("~"))}
    with contextlib.suppress(KeyError):
        found.add(os.path.realpath(pwd.getpwuid(os.getuid()).pw_dir))
    return sorted(found)


def _plan(profile: ImageProfile, host_path: str) -> dict[str, str]:
    """Command name -> the host program it resolves to in the image's view."""
    wanted = set(profile.commands)
    first: dict[str, list[str]] = {}
    for directory in _search_order(host_path):
        for name, path in _listing(directory):
            if name in wanted:
                first.setdefault(name, []).append(path)
    linked: dict[str, str] = {}
    for name in sorted(wanted):
        # The first executable of that name on the host's PATH, as a shell would find it.
        found = next((p for p in first.get(name, ()) if os.access(p, os.X_OK)), None)
        if found is not None and not os.path.isdir(found):
            linked[name] = found
    seen: set[str] = set()
    for directory in BASE_SYSTEM_DIRS:
        real = os.path.realpath(directory)
        if real in seen:
            continue
        seen.add(real)
        for name, path in sorted(_listing(directory)):
            if name not in linked and name not in profile.known_missing:
                linked[name] = path
    return linked


def default_cache() -> Path:
    """Where image views are kept between runs (``$PARITY_EMULATE_CACHE`` overrides)."""
    explicit = os.environ.get("PARITY_EMULATE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "claude-parity" / "emulate-views"


def build_image_view(
    profile: ImageProfile,
    folder: Path,
    host_path: str | None = None,
    *,
    cache: Path | None = None,
) -> ImageView:
    """The image's commands as found on this machine: a folder that is the session's PATH.

    Profile commands resolve to the host's program of that name; programs in the base system
    folders resolve too unless the profile knows the image lacks them. Commands in the image but
    not on this machine get a stub that says so (exit 127); broken ones (bun) get a wrapper that
    fails their package fetching the way the cloud's proxy does.

    The view depends only on the profile and the host's programs, so it is built once per
    combination under ``cache`` (a thousand links are slow on some file systems) and shared;
    without a cache, or when the cache cannot be written, it is built in ``folder``.
    """
    search = host_path if host_path is not None else os.environ.get("PATH", "")
    linked = _plan(profile, search)
    key = hashlib.sha256(
        json.dumps(
            [
                _VIEW_FORMAT,
                profile.name,
                sorted(profile.commands),
                sorted(profile.broken.items()),
                sorted(linked.items()),
            ]
        ).encode()
    ).hexdigest()[:20]
    if cache is not None:
        target = cache / key
        if (target / "ready").is_file():
            return _view_of(profile, target, linked)
        try:
            cache.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".build-", dir=cache))
            _fill(profile, staging, linked)
            (staging / "ready").write_text(key, encoding="utf-8")
            try:
                staging.rename(target)
            except OSError:  # built meanwhile by another run: use that one
                shutil.rmtree(staging, ignore_errors=True)
            _prune(cache, keep=target)
            if (target / "ready").is_file():
                return _view_of(profile, target, linked)
        except OSError:
            pass
    _fill(profile, folder, linked)
    return _view_of(profile, folder, linked)


def _fill(profile: ImageProfile, folder: Path, linked: dict[str, str]) -> None:
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, target in linked.items():
        if name not in profile.broken:
            (bin_dir / name).symlink_to(target)
    for name in sorted(set(profile.commands) - set(linked)):
        if name not in profile.broken:
            _write_script(bin_dir / name, _absent_stub(name, profile.name))
    for name in sorted(profile.broken):
        _write_script(
            bin_dir / name,
            _broken_wrapper(name, linked.get(name), profile.broken[name], profile.name),
        )
    (folder / "bash_env.sh").write_text(_BASH_ENV % {"var": STEP_LOG_VAR}, encoding="utf-8")
    _write_script(folder / "masked.sh", _masked_stub(profile.name))


def _view_of(profile: ImageProfile, folder: Path, linked: dict[str, str]) -> ImageView:
    return ImageView(
        folder / "bin",
        folder / "bash_env.sh",
        tuple(sorted(linked)),
        tuple(linked[name] for name in sorted(linked)),
        tuple(sorted(set(profile.commands) - set(linked))),
        tuple(sorted(profile.broken)),
    )


def _prune(cache: Path, keep: Path, limit: int = 8) -> None:
    """Remove the oldest views beyond ``limit`` (the host's programs changed since)."""
    views = [p for p in cache.iterdir() if p.is_dir() and p != keep and not p.name.startswith(".")]
    views.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in views[limit - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _write_script(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def _absent_stub(name: str, image: str) -> str:
    return (
        "#!/bin/sh\n"
        f"# parity emulate: {name} is in the {image} image but not on this machine.\n"
        f'echo "parity emulate: {name} is in the {image} image but not installed on this '
        'machine, so it cannot be emulated" >&2\n'
        f'[ -n "${{{STEP_LOG_VAR}:-}}" ] && echo {shlex.quote(name)} >> '
        f'"${STEP_LOG_VAR}/absent-here"\n'
        "exit 127\n"
    )


def _masked_stub(image: str) -> str:
    return (
        "#!/bin/sh\n"
        "# parity emulate: a program of this machine that the image lacks, hidden by the "
        "sandbox.\n"
        f'echo "sh: $0: not found (parity emulate: not in the {image} image; the sandbox hides '
        "this machine's copy)\" >&2\n"
        f'[ -n "${{{STEP_LOG_VAR}:-}}" ] && echo "$0" >> "${STEP_LOG_VAR}/missing"\n'
        "exit 127\n"
    )


def _broken_wrapper(name: str, real: str | None, reason: str, image: str) -> str:
    fetching = "|".join(_BUN_FETCHING)
    pattern = "*" if name == "bunx" else fetching
    run_real = (
        f'exec {shlex.quote(real)} "$@"\n'
        if real
        else (
            f'echo "parity emulate: {name} is in the {image} image but not installed on this '
            'machine, so it cannot be emulated" >&2\n'
            f'[ -n "${{{STEP_LOG_VAR}:-}}" ] && echo {shlex.quote(name)} >> '
            f'"${STEP_LOG_VAR}/absent-here"\n'
            "exit 127\n"
        )
    )
    return (
        "#!/bin/sh\n"
        f"# parity emulate: {name} is {reason}.\n"
        'case "${1:-}" in\n'
        f"  {pattern})\n"
        f'    [ -n "${{{STEP_LOG_VAR}:-}}" ] && echo {shlex.quote(name)} >> '
        f'"${STEP_LOG_VAR}/broken"\n'
        f'    echo "error: {name} ${{1:-}}: package fetching failed behind the proxy '
        f'(parity emulate: {name} is {reason})" >&2\n'
        "    exit 1\n"
        "    ;;\n"
        "esac\n" + run_real
    )


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines (the cloud environment's .env format); ``#`` comments allowed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--env-file {path}: cannot read it: {exc}") from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            raise UsageError(f"--env-file {path}:{number}: expected KEY=value")
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[match.group(1)] = value
    return values


@dataclass(frozen=True)
class SessionEnvironment:
    """The variables every step starts from, and the warnings building them raised."""

    base: dict[str, str]
    warnings: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = field(default=())
    # What the setup script sees: it runs before Claude Code, so without the settings `env`.
    before_client: dict[str, str] = field(default_factory=dict)

    def for_step(
        self,
        log_dir: Path,
        proxy_url: str | None,
        env_file: Path | None = None,
        *,
        setup: bool = False,
    ) -> dict[str, str]:
        """The environment of one step: its own log folder, proxy and ``CLAUDE_ENV_FILE``."""
        env = dict(self.before_client if setup else self.base)
        env[STEP_LOG_VAR] = str(log_dir)
        if proxy_url is not None:
            for var in PROXY_VARS:
                env[var] = proxy_url
            env["NO_PROXY"] = env["no_proxy"] = NO_PROXY
        if env_file is not None:
            env["CLAUDE_ENV_FILE"] = str(env_file)
        return env


def build_environment(
    *,
    project: Path,
    home: Path,
    tmp: Path,
    view: ImageView,
    settings_env: Mapping[str, str],
    declared: Iterable[str],
    values: Mapping[str, str],
    host: Mapping[str, str] | None = None,
    session_id: str = "",
) -> SessionEnvironment:
    """Build the session's variables from an allowlist; the host's are never inherited.

    Order: this machine's certificate settings (``CA_VARS``), the cloud environment's variables
    (``values`` from ``--env-file``, a placeholder and a warning for a declared name without
    one), then the settings ``env`` (the client applies it over its own environment), then the
    emulation's own variables, which nothing can replace.
    """
    host = os.environ if host is None else host
    env: dict[str, str] = {name: host[name] for name in CA_VARS if host.get(name)}
    warnings: list[str] = []
    placeholders: list[str] = []
    for key, value in values.items():
        env[key] = value
    for name in declared:
        if name not in values:
            env[name] = PLACEHOLDER
            placeholders.append(name)
    if placeholders:
        warnings.append(
            "no value for the declared environment variable"
            f"{'s' if len(placeholders) > 1 else ''} {', '.join(placeholders)}: set to a "
            "placeholder (give values with --env-file)"
        )
    machine = dict(env)
    env.update({k: v for k, v in settings_env.items() if k not in _FIXED})
    fixed = {
        "PATH": str(view.bin),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": host.get("LANG") or "C.UTF-8",
        "TERM": host.get("TERM") or "dumb",
        "SHELL": "/bin/bash",
        "USER": host.get("USER") or "root",
        "LOGNAME": host.get("LOGNAME") or host.get("USER") or "root",
        "BASH_ENV": str(view.bash_env),
        "CLAUDE_CODE_REMOTE": "true",
        "CLAUDE_CODE_REMOTE_SESSION_ID": "cse_emulated_" + secrets.token_hex(8),
        "CLAUDE_PROJECT_DIR": str(project),
        "COREPACK_ENABLE_AUTO_PIN": "0",
    }
    client = {"CLAUDECODE": "1", "CLAUDE_CODE_SESSION_ID": session_id}
    machine.update(fixed)
    env.update(fixed)
    env.update(client)
    return SessionEnvironment(env, tuple(warnings), tuple(placeholders), machine)


def ca_files(host: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The files and folders this machine's certificate settings (``CA_VARS``) name."""
    host = os.environ if host is None else host
    found = []
    for name in CA_VARS:
        value = host.get(name, "")
        for path in value.split(os.pathsep) if name == "SSL_CERT_DIR" else [value]:
            if os.path.isabs(path) and os.path.exists(path):
                found.append(path)
    return tuple(dict.fromkeys(found))
