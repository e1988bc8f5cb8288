"""A small runner for composite actions: runs action.yml's steps the way GitHub's runner does.

It evaluates ``${{ }}`` expressions (inputs, github, runner, env, steps, job-status functions),
runs ``run:`` steps with the runner's bash command line, gives each step fresh GITHUB_OUTPUT /
GITHUB_ENV / GITHUB_PATH / GITHUB_STEP_SUMMARY files, parses workflow commands (honouring
``::stop-commands::``) and records ``uses:`` steps without running them.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!().,\[\]])"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_-]*))"
)
_INTERP = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_COMMAND = re.compile(r"^::(?P<cmd>[A-Za-z-]+)(?: (?P<props>[^:]*))?::(?P<msg>.*)$")


class ExpressionError(ValueError):
    """An expression the harness cannot evaluate (so the test fails loudly)."""


def _unescape(text: str, *, prop: bool) -> str:
    out = text.replace("%0D", "\r").replace("%0A", "\n")
    if prop:
        out = out.replace("%3A", ":").replace("%2C", ",")
    return out.replace("%25", "%")


def to_str(value: Any) -> str:
    """How the runner turns a value into a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def truthy(value: Any) -> bool:
    """Falsy: null, false, 0, '' (as in Actions)."""
    return value not in (None, False, 0, "")


class _Parser:
    def __init__(self, text: str, ctx: Mapping[str, Any], status: Mapping[str, bool]) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ExpressionError(f"cannot parse {text!r} at {pos}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0
        self.ctx = ctx
        self.status = status

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise ExpressionError(f"expected {value!r}, got {tok!r}")
        self.i += 1
        return tok

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"trailing tokens {self.tokens[self.i :]!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.unary()
            value = right if truthy(value) else value
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.compare()

    def compare(self) -> Any:
        left = self.primary()
        tok = self.peek()
        if tok in (("op", "=="), ("op", "!=")):
            self.take()
            right = self.primary()
            equal = _loose(left) == _loose(right)
            return equal if tok[1] == "==" else not equal
        return left

    def primary(self) -> Any:
        kind, value = self.take()
        if value == "(":
            inner = self.or_()
            self.take(")")
            return inner
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value)
        if kind != "ident":
            raise ExpressionError(f"unexpected {value!r}")
        if value in ("true", "false"):
            return value == "true"
        if value == "null":
            return None
        if self.peek() == ("op", "("):
            return self.call(value)
        current: Any = self.ctx.get(value)
        while self.peek() in (("op", "."), ("op", "[")):
            _, op = self.take()
            if op == ".":
                _, key = self.take()
            else:
                key = to_str(self.or_())
                self.take("]")
            current = current.get(key) if isinstance(current, Mapping) else None
        return current

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        lname = name.lower()
        if lname in ("success", "failure", "always", "cancelled"):
            return self.status[lname]
        if lname == "contains":
            return to_str(args[1]).lower() in to_str(args[0]).lower()
        if lname == "startswith":
            return to_str(args[0]).lower().startswith(to_str(args[1]).lower())
        raise ExpressionError(f"function {name}() is not supported by the harness")


def _loose(value: Any) -> Any:
    # Actions compares strings case-insensitively.
    return value.lower() if isinstance(value, str) else value


def evaluate(expr: str, ctx: Mapping[str, Any], status: Mapping[str, bool] | None = None) -> Any:
    """The value of one expression (the text between ``${{`` and ``}}``)."""
    default = {"success": True, "failure": False, "always": True, "cancelled": False}
    return _Parser(expr, ctx, status or default).parse()


def interpolate(text: Any, ctx: Mapping[str, Any], status: Mapping[str, bool] | None = None) -> str:
    """A string with every ``${{ }}`` replaced by its value."""
    return _INTERP.sub(lambda m: to_str(evaluate(m.group(1), ctx, status)), to_str(text))


def condition(text: Any, ctx: Mapping[str, Any], status: Mapping[str, bool]) -> bool:
    """An ``if:``; without a status function it implicitly requires ``success()``."""
    raw = to_str(text).strip()
    if not raw:
        return status["success"]
    m = _INTERP.fullmatch(raw)
    expr = m.group(1) if m else raw
    if not re.search(r"\b(success|failure|always|cancelled)\s*\(", expr):
        expr = f"success() && ({expr})"
    return truthy(evaluate(expr, ctx, status))


def parse_file_commands(path: Path) -> dict[str, str]:
    """``name=value`` and ``name<<DELIM`` heredoc entries of GITHUB_OUTPUT / GITHUB_ENV."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            while i < len(lines) and lines[i] != delim:
                body.append(lines[i])
                i += 1
            i += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        elif line.strip():
            raise ValueError(f"{path.name}: malformed line {line!r}")
    return values


@dataclass
class Annotation:
    """One ``::error/::warning/::notice`` workflow command."""

    level: str
    message: str
    props: dict[str, str] = field(default_factory=dict)


def parse_commands(stdout: str) -> list[Annotation]:
    """The annotations in a step's output; ``::stop-commands::TOKEN`` pauses parsing."""
    found: list[Annotation] = []
    stopped: str | None = None
    for line in stdout.splitlines():
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        m = _COMMAND.match(line)
        if not m:
            continue
        cmd = m.group("cmd")
        if cmd == "stop-commands":
            stopped = m.group("msg")
            continue
        if cmd in ("error", "warning", "notice"):
            props = {}
            for part in (m.group("props") or "").split(","):
                if "=" in part:
                    key, value = part.split("=", 1)
                    props[key.strip()] = _unescape(value, prop=True)
            found.append(Annotation(cmd, _unescape(m.group("msg"), prop=False), props))
    return found


@dataclass
class StepResult:
    """What one step did."""

    index: int
    name: str
    id: str | None
    kind: str  # "run" or "uses"
    ran: bool
    exit_code: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    annotations: list[Annotation] = field(default_factory=list)
    summary: str = ""
    env: dict[str, str] = field(default_factory=dict)
    uses: str = ""
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionResult:
    """What the whole action did, as a workflow would see it."""

    steps: list[StepResult]
    outputs: dict[str, str]
    exit_code: int

    @property
    def annotations(self) -> list[Annotation]:
        """Annotations of every step, in order."""
        return [a for s in self.steps for a in s.annotations]

    @property
    def summary(self) -> str:
        """The job summary (every step's part)."""
        return "".join(s.summary for s in self.steps)

    @property
    def log(self) -> str:
        """Everything the steps printed."""
        return "".join(s.stdout + s.stderr for s in self.steps)

    def step(self, step_id: str) -> StepResult:
        """The step with this id."""
        return next(s for s in self.steps if s.id == step_id)


def run_action(
    action_dir: Path,
    workspace: Path,
    *,
    inputs: Mapping[str, str] | None = None,
    github: Mapping[str, Any] | None = None,
    runner_temp: Path,
    env: Mapping[str, str] | None = None,
) -> ActionResult:
    """Run the composite action in ``action_dir`` against the checkout in ``workspace``."""
    meta = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    if meta["runs"]["using"] != "composite":
        raise ValueError("the harness runs composite actions only")
    github_ctx: dict[str, Any] = {
        "workspace": str(workspace),
        "action_path": str(action_dir),
        "event_name": "push",
        "event": {},
        "server_url": "https://github.com",
        "repository": "octo/consumer",
        "sha": "0" * 40,
        **(github or {}),
    }
    base_env = dict(env if env is not None else os.environ)
    ctx: dict[str, Any] = {
        "github": github_ctx,
        "runner": {"temp": str(runner_temp), "os": "Linux"},
        "env": base_env,
        "steps": {},
    }
    declared = meta.get("inputs") or {}
    unknown = set(inputs or {}) - set(declared)
    if unknown:
        raise ValueError(f"unknown inputs {sorted(unknown)}")
    resolved: dict[str, str] = {}
    ctx["inputs"] = resolved
    for name, spec in declared.items():
        if inputs and name in inputs:
            resolved[name] = inputs[name]
        else:
            resolved[name] = interpolate(spec.get("default", ""), ctx)
    runner_env = {
        **base_env,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(action_dir),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_NAME": to_str(github_ctx["event_name"]),
        "GITHUB_SERVER_URL": to_str(github_ctx["server_url"]),
        "GITHUB_REPOSITORY": to_str(github_ctx["repository"]),
        "GITHUB_SHA": to_str(github_ctx["sha"]),
        "RUNNER_TEMP": str(runner_temp),
    }
    added_path: list[str] = []
    results: list[StepResult] = []
    failed = False
    files = Path(tempfile.mkdtemp(prefix="files-", dir=runner_temp))
    for index, step in enumerate(meta["runs"]["steps"]):
        status = {"success": not failed, "failure": failed, "always": True, "cancelled": False}
        name = to_str(step.get("name") or step.get("uses") or f"step {index}")
        result = StepResult(index, name, step.get("id"), "uses" if "uses" in step else "run", False)
        results.append(result)
        if not condition(step.get("if", ""), ctx, status):
            _record(ctx, result, "skipped")
            continue
        if "uses" in step:
            # Remote actions cannot run here: record what they would have been given.
            result.uses = step["uses"]
            result.with_ = {k: interpolate(v, ctx) for k, v in (step.get("with") or {}).items()}
            _record(ctx, result, "skipped")
            continue
        if step.get("shell") != "bash":
            raise ValueError(f"step {name!r}: the harness runs shell: bash only")
        result.ran = True
        result.env = {k: interpolate(v, ctx) for k, v in (step.get("env") or {}).items()}
        paths = {
            k: files / f"{k.lower()}-{index}"
            for k in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
        }
        for p in paths.values():
            p.touch()
        script = files / f"step-{index}.sh"
        script.write_text(interpolate(step["run"], ctx), encoding="utf-8")
        step_env = {**runner_env, **result.env, **{k: str(v) for k, v in paths.items()}}
        if added_path:
            step_env["PATH"] = os.pathsep.join([*reversed(added_path), step_env.get("PATH", "")])
        cwd = workspace / interpolate(step.get("working-directory", "."), ctx)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=step_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        result.exit_code = proc.returncode
        result.stdout, result.stderr = proc.stdout, proc.stderr
        result.outputs = parse_file_commands(paths["GITHUB_OUTPUT"])
        result.summary = paths["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
        result.annotations = parse_commands(proc.stdout)
        runner_env.update(parse_file_commands(paths["GITHUB_ENV"]))
        added_path += [
            line for line in paths["GITHUB_PATH"].read_text().splitlines() if line.strip()
        ]
        if proc.returncode != 0:
            failed = True
        _record(ctx, result, "failure" if proc.returncode else "success")
    outputs = {
        name: interpolate(spec.get("value", ""), ctx)
        for name, spec in (meta.get("outputs") or {}).items()
    }
    exit_code = next((s.exit_code for s in results if s.exit_code), 0)
    return ActionResult(results, outputs, exit_code)


def _record(ctx: dict[str, Any], result: StepResult, outcome: str) -> None:
    if result.id:
        ctx["steps"][result.id] = {
            "outputs": result.outputs,
            "outcome": outcome,
            "conclusion": outcome,
        }
