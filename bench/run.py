"""Benchmark parity against its peers on the same inputs, alternating runs; write RESULTS.md.

Usage: python bench/run.py [--runs N] [--quick]   (from a clone, with parity installed)

Every ratio compares like with like, measured in the same run with the runs alternating:
whole process against whole process (wall time of a child process, interpreter start-up
included), in-process against in-process. A target with no peer is an absolute time, reported
with the machine's load.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inputs

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PEERS = {"agnix": "0.59.3", "check-jsonschema": "0.39.0", "detect-secrets": "1.5.0"}
BIN = Path(sys.executable).parent
SCAN = ROOT / "bench" / "scan.py"


@dataclass
class Sample:
    """One timed run of a command: wall seconds and peak resident memory (KiB)."""

    seconds: float
    rss_kib: int
    code: int
    out: str


@dataclass
class Target:
    """One target of issue 14 / the design's budgets, and what this run measured for it."""

    name: str
    measured: str
    value: float
    limit: float
    unit: str = "x"  # "x" for ratios, "ms" or "MiB" or "MB/s" for absolute figures
    higher_is_better: bool = False

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    def verdict(self) -> str:
        if self.met:
            return "met"
        if self.higher_is_better:
            return f"missed: {self.value / self.limit:.2f} of the target"
        return (
            f"missed by {self.value / self.limit:.1f}x ({self.value - self.limit:+.1f} {self.unit})"
        )


@dataclass
class Results:
    """Sections of the report and the targets they measured."""

    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def child_env(**extra: str) -> dict[str, str]:
    """A quiet environment for every tool: a throwaway HOME, bytecode caching on, no colour."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    home = OUT / "home"
    home.mkdir(parents=True, exist_ok=True)
    env.update({"HOME": str(home), "NO_COLOR": "1", "PARITY_OUTPUT_FORMAT": "text"})
    for name in ("CLAUDE_CONFIG_DIR", "PARITY_NO_CACHE", "PARITY_CACHE_DIR"):
        env.pop(name, None)
    env.update(extra)
    return env


# Every child is started by a small process of its own (the spawner), not by this one: on Linux
# the peak RSS that wait4 reports for a child includes the peak size of the process it was
# started from (exec records the old address space's high-water mark, and subprocess starts
# children with vfork), and this process grows with the in-process scanner runs (an empty
# repository's check read 91 MiB late in a run). The spawner stays at a bare interpreter's size:
# it never holds a child's output, which goes to a file that this process reads.
SPAWNER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    cmd, cwd, env, output = json.loads(line)
    with open(output, "wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    print(json.dumps([seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]), flush=True)
"""
_SPAWNER: list[subprocess.Popen[str]] = []


def timed(cmd: Sequence[str], cwd: Path, **env: str) -> Sample:
    """Run ``cmd`` once (through the spawner); wall time and the child's peak RSS from wait4."""
    if not _SPAWNER:
        _SPAWNER.append(
            subprocess.Popen(
                [sys.executable, "-c", SPAWNER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        )
    spawner = _SPAWNER[0]
    assert spawner.stdin is not None
    assert spawner.stdout is not None
    output = OUT / "spawned-output"
    spawner.stdin.write(json.dumps([list(cmd), str(cwd), child_env(**env), str(output)]) + "\n")
    spawner.stdin.flush()
    seconds, rss, code = json.loads(spawner.stdout.readline())
    out = output.read_bytes().decode("utf-8", "replace")
    return Sample(seconds, rss, code, out)


def alternate(cases: dict[str, Callable[[], Sample]], runs: int) -> dict[str, list[Sample]]:
    """Run each case once per round, ``runs`` rounds, after one warm-up round."""
    for case in cases.values():
        case()
    results: dict[str, list[Sample]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, case in cases.items():
            results[name].append(case())
    return results


def med(samples: list[Sample]) -> float:
    """Median wall time in seconds."""
    return statistics.median(s.seconds for s in samples)


def ms(samples: list[Sample]) -> float:
    """Median wall time in milliseconds."""
    return med(samples) * 1000


def peak(samples: list[Sample]) -> int:
    """Median peak RSS in MiB."""
    return round(statistics.median(s.rss_kib for s in samples) / 1024)


def install_peers() -> dict[str, Path]:
    """The peers in their own virtual environment (claude-code-lint from npm if it installs).

    gitleaks is used when a ``gitleaks`` binary is on PATH: no registry this benchmark may use
    ships it (the PyPI packages named after it are wrappers without the binary).
    """
    venv = OUT / "peers"
    if not (venv / "bin" / "agnix").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pins = [f"{name}=={version}" for name, version in PEERS.items()]
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *pins], check=True)
    tools = {name: venv / "bin" / name for name in PEERS}
    npm = shutil.which("npm")
    lint = OUT / "npm" / "node_modules" / ".bin" / "claudelint"
    if npm and not lint.exists():
        subprocess.run(
            [
                npm,
                "install",
                "-q",
                "--prefix",
                str(OUT / "npm"),
                "--no-audit",
                "--no-fund",
                "claude-code-lint",
            ],
            check=False,
            capture_output=True,
            timeout=300,
        )
    if lint.exists():
        tools["claudelint"] = lint
    gitleaks = shutil.which("gitleaks")
    if gitleaks:
        tools["gitleaks"] = Path(gitleaks)
    return tools


def parity_cmd(*args: str) -> list[str]:
    """The installed ``parity`` script next to this interpreter."""
    return [str(BIN / "parity"), *args]


def supports_cache() -> bool:
    """True when this build of parity has the results cache (``--no-cache``)."""
    proc = subprocess.run(
        parity_cmd("check", "--help"), capture_output=True, text=True, env=child_env(), check=False
    )
    return "--no-cache" in proc.stdout


def check_cases(repo: Path, cache: bool, *named: str) -> dict[str, Callable[[], Sample]]:
    """``parity check`` cold (no results cache) and, when there is a cache, warm."""
    label = " (pre-commit)" if named else ""
    cases: dict[str, Callable[[], Sample]] = {
        f"parity check{label} cold": lambda: timed(
            parity_cmd("check", "--exit-zero", *(["--no-cache"] if cache else []), *named), repo
        )
    }
    if cache:
        cases[f"parity check{label} warm"] = lambda: timed(
            parity_cmd("check", "--exit-zero", *named), repo
        )
    return cases


def table(res: dict[str, list[Sample]], base: str | None = None) -> list[str]:
    """Median wall and RSS per case, with the ratio to ``base`` when given."""
    head = "| command | median wall | peak RSS |" + (f" ratio to {base} |" if base else "")
    rows = [head, "|---|---|---|" + ("---|" if base else "")]
    for name, samples in res.items():
        row = f"| {name} | {ms(samples):.0f} ms | {peak(samples)} MiB |"
        if base:
            row += f" {med(samples) / med(res[base]):.2f} |"
        rows.append(row)
    return rows


# A user's first check, or the first after a change, runs with the cache on and misses: it also
# digests the inputs and stores its entries, which --no-cache (the "cold" rows) skips.
FIRST_RUN = "parity check with an empty results cache (a user's first run)"


def first_run(repo: Path) -> Sample:
    """``parity check`` in ``repo`` after emptying its results cache (not timed)."""
    shutil.rmtree(repo / ".git" / "parity-cache", ignore_errors=True)
    return timed(parity_cmd("check", "--exit-zero"), repo)


# What a check imports before parity runs anything: the floor under its cold time.
DEPS_TYPICAL = "python -c 'import click, jsonschema, yaml' (a typical check's dependencies)"
DEPS_EMPTY = "python -c 'import click' (an empty repository's dependency)"


def bench_typical(
    out: Results, repo: Path, *, empty: Path, tools: dict[str, Path], runs: int, cache: bool
) -> None:
    """parity check on the typical and the empty repository, against agnix, whole processes."""
    agnix = str(tools["agnix"])
    cases = {
        "agnix (claude-code rules)": lambda: timed([agnix, "--target", "claude-code", "."], repo),
        **check_cases(repo, cache),
        **({FIRST_RUN: lambda: first_run(repo)} if cache else {}),
        DEPS_TYPICAL: lambda: timed([sys.executable, "-c", "import click, jsonschema, yaml"], repo),
        "check-jsonschema (settings only)": lambda: timed(
            [
                str(tools["check-jsonschema"]),
                "--schemafile",
                str(ROOT / "schemas" / "settings.schema.json"),
                ".claude/settings.json",
            ],
            repo,
        ),
    }
    if "claudelint" in tools:
        cases["claude-code-lint"] = lambda: timed([str(tools["claudelint"]), "check"], repo)
    res = alternate(cases, runs)
    out.sections.append(
        (
            "`parity check` on a typical repository (whole processes)",
            table(res, "agnix (claude-code rules)"),
        )
    )
    peer = med(res["agnix (claude-code rules)"])
    cold = res["parity check cold"]
    out.targets += [
        Target(
            "typical repo, cold: at most 8x agnix",
            f"{ms(cold):.0f} ms vs {peer * 1000:.0f} ms",
            med(cold) / peer,
            8,
        ),
        Target(
            "typical repo, cold: at most 120 ms",
            f"{ms(cold):.0f} ms (importing its dependencies alone: {ms(res[DEPS_TYPICAL]):.0f} ms"
            + (f"; with an empty results cache: {ms(res[FIRST_RUN]):.0f} ms)" if cache else ")"),
            ms(cold),
            120,
            "ms",
        ),
    ]
    if cache:
        warm = res["parity check warm"]
        out.targets += [
            Target(
                "typical repo, warm: at most 4x agnix",
                f"{ms(warm):.0f} ms vs {peer * 1000:.0f} ms",
                med(warm) / peer,
                4,
            ),
            Target("typical repo, warm: at most 60 ms", f"{ms(warm):.0f} ms", ms(warm), 60, "ms"),
        ]
    res = alternate(
        {
            "agnix": lambda: timed([agnix, "--target", "claude-code", "."], empty),
            **check_cases(empty, cache),
            DEPS_EMPTY: lambda: timed([sys.executable, "-c", "import click"], empty),
        },
        runs,
    )
    out.sections.append(
        ("`parity check` on an empty repository (whole processes)", table(res, "agnix"))
    )
    cold = res["parity check cold"]
    out.targets.append(
        Target(
            "empty repo, cold: at most 60 ms",
            f"{ms(cold):.0f} ms ({med(cold) / med(res['agnix']):.1f}x agnix; importing click "
            f"alone: {ms(res[DEPS_EMPTY]):.0f} ms)",
            ms(cold),
            60,
            "ms",
        )
    )


def bench_startup(out: Results, runs: int) -> None:
    """parity --version and the import time of the CLI, against a bare interpreter."""
    py = sys.executable
    res = alternate(
        {
            "python -c pass": lambda: timed([py, "-c", "pass"], ROOT),
            "python -c 'import parity.cli'": lambda: timed([py, "-c", "import parity.cli"], ROOT),
            "parity --version": lambda: timed(parity_cmd("--version"), ROOT),
        },
        runs,
    )
    out.sections.append(("Start-up (whole processes)", table(res, "python -c pass")))
    version = res["parity --version"]
    out.targets.append(
        Target(
            "`parity --version`: at most 30 ms",
            f"{ms(version):.0f} ms ({ms(version) - ms(res['python -c pass']):.0f} ms over a "
            "bare interpreter)",
            ms(version),
            30,
            "ms",
        )
    )


def bench_precommit(out: Results, repo: Path, runs: int, cache: bool) -> None:
    """Files named on the command line (pre-commit) against a full check of the same repo."""
    named = ".claude/settings.json"
    res = alternate({**check_cases(repo, cache), **check_cases(repo, cache, named)}, runs)
    out.sections.append(
        (
            f"Pre-commit mode: one file named, {count_files(repo):,}-file repository",
            table(res, "parity check cold"),
        )
    )
    full, one = res["parity check cold"], res["parity check (pre-commit) cold"]
    out.targets.append(
        Target(
            "pre-commit cold: never slower than a full check (1.05 allows for noise)",
            f"{ms(one):.0f} ms vs {ms(full):.0f} ms",
            med(one) / med(full),
            1.05,
        )
    )
    if cache:
        full, one = res["parity check warm"], res["parity check (pre-commit) warm"]
        out.targets.append(
            Target(
                "pre-commit warm: at most 1.2x the warm full check",
                f"{ms(one):.0f} ms vs {ms(full):.0f} ms",
                med(one) / med(full),
                1.2,
            )
        )


_CHANGED = "packages/pkg001/src/d0/f0.js"  # a tracked file of every monorepo input


def after_change(repo: Path) -> Sample:
    """``parity check`` in ``repo`` (cache on) right after a change a commit makes: a tracked
    file edited and staged (not timed), each time a new content."""
    with (repo / _CHANGED).open("a", encoding="utf-8") as handle:
        handle.write(f"// {time.time_ns()}\n")
    subprocess.run(["git", "-C", str(repo), "add", "--", _CHANGED], check=True)
    return timed(parity_cmd("check", "--exit-zero"), repo)


def count_files(repo: Path) -> int:
    proc = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, check=True
    )
    return proc.stdout.count(b"\0")


def bench_monorepo(
    out: Results,
    repo: Path,
    *,
    small: Path,
    alone: Path,
    bare: Path,
    working: Path,
    empty: Path,
    runs: int,
    cache: bool,
) -> None:
    """A large monorepo against `git ls-files` of the same tree; 10k files against empty, against
    the same configuration without the other files (``alone``) and the same files without the
    configuration (``bare``); ``working`` is ``repo`` with an ignored node_modules/ besides."""
    cases = {
        "git ls-files": lambda: timed(["git", "ls-files", "-z"], repo),
        # What a check asks git for (parity.discover._listings): the tracked files with their
        # modes, and every untracked path, for which git reads every folder of the tree.
        "git ls-files --stage --others (the listing a check reads)": lambda: timed(
            ["git", "ls-files", "-z", "-t", "--stage", "--others", "--directory"], repo
        ),
        **check_cases(repo, cache),
        # The tree's eleven setups without its files: the floor under the cold ratio.
        "parity check cold, its configuration alone": check_cases(alone, cache)[
            "parity check cold"
        ],
    }
    if cache:
        cases["parity check warm, with an ignored node_modules/"] = check_cases(working, cache)[
            "parity check warm"
        ]
    res = alternate(cases, runs)
    n = count_files(repo)
    out.sections.append((f"Monorepo ({n:,} files, whole processes)", table(res, "git ls-files")))
    git = med(res["git ls-files"])
    cold = res["parity check cold"]
    out.targets += [
        Target(
            f"{n:,} files, cold: at most 10x git ls-files",
            f"{ms(cold):.0f} ms vs {git * 1000:.0f} ms",
            med(cold) / git,
            10,
        ),
        Target(f"{n:,} files: at most 80 MiB RSS", f"{peak(cold)} MiB", peak(cold), 80, "MiB"),
    ]
    alone_cold = res["parity check cold, its configuration alone"]
    out.targets.append(
        Target(
            f"{n:,} files, cold: its configuration alone against git ls-files of the tree "
            "(info: the part of the 10x no file adds)",
            f"{ms(alone_cold):.0f} ms vs {git * 1000:.0f} ms",
            med(alone_cold) / git,
            10,
        )
    )
    if cache:
        warm = res["parity check warm"]
        out.targets.append(
            Target(
                f"{n:,} files, warm: at most 5x git ls-files",
                f"{ms(warm):.0f} ms vs {git * 1000:.0f} ms",
                med(warm) / git,
                5,
            )
        )
        # A working copy rarely has no ignored file: the same tree with a node_modules/.
        warm = res["parity check warm, with an ignored node_modules/"]
        out.targets.append(
            Target(
                f"{n:,} files and an ignored node_modules/, warm: at most 5x git ls-files (info)",
                f"{ms(warm):.0f} ms vs {git * 1000:.0f} ms",
                med(warm) / git,
                5,
            )
        )
    if cache:
        # The first check after a commit: git's listing changed, so the stored replay and the
        # results cache both miss (on ``working``: its warm case is measured above).
        res = alternate(
            {
                "git ls-files": lambda: timed(["git", "ls-files", "-z"], working),
                "parity check after a change": lambda: after_change(working),
            },
            runs,
        )
        git = med(res["git ls-files"])
        changed = res["parity check after a change"]
        out.targets.append(
            Target(
                f"{n:,} files and an ignored node_modules/, the first check after a change "
                "(info: at most 10x git ls-files, as cold)",
                f"{ms(changed):.0f} ms vs {git * 1000:.0f} ms",
                med(changed) / git,
                10,
            )
        )
    res = alternate(
        {
            "empty repository": check_cases(empty, cache)["parity check cold"],
            "10,000 files": check_cases(small, cache)["parity check cold"],
            "its configuration alone": check_cases(alone, cache)["parity check cold"],
            "its files alone": check_cases(bare, cache)["parity check cold"],
        },
        runs,
    )
    out.sections.append(
        (
            "10,000 files against an empty repository (parity check, cold)",
            table(res, "empty repository"),
        )
    )
    ratio = med(res["10,000 files"]) / med(res["empty repository"])
    out.targets.append(
        Target(
            "10,000 files, cold: at most 3x the empty repository",
            f"{ms(res['10,000 files']):.0f} ms vs {ms(res['empty repository']):.0f} ms",
            ratio,
            3,
        )
    )
    # The 10,000-file tree holds eleven .claude/ setups: how much of its time is the files
    # themselves rather than checking that configuration, seen from both sides.
    out.targets += [
        Target(
            "10,000 files against the same configuration alone (info: the files' own cost)",
            f"{ms(res['10,000 files']):.0f} ms vs {ms(res['its configuration alone']):.0f} ms",
            med(res["10,000 files"]) / med(res["its configuration alone"]),
            3,
        ),
        Target(
            "10,000 files without configuration against the empty repository (info)",
            f"{ms(res['its files alone']):.0f} ms vs {ms(res['empty repository']):.0f} ms",
            med(res["its files alone"]) / med(res["empty repository"]),
            3,
        ),
    ]


IN_PROCESS = """
import json, sys, time
from pathlib import Path
from parity.secrets import scan_text
root = Path(sys.argv[1]); files = sorted(p for p in root.iterdir() if p.name != "planted.json")
texts = [(p.name, p.read_text(encoding="utf-8")) for p in files]
best = None
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    matches = [(name, text, scan_text(text)) for name, text in texts]
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
found = [(name, text.count("\\n", 0, m.start) + 1) for name, text, ms in matches for m in ms]
size = sum(len(t.encode()) for _, t in texts)
print(json.dumps({"seconds": best, "bytes": size, "found": found}))
"""

DENSE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import inputs
from parity.secrets import scan_text
size = int(sys.argv[2])
texts = {"dense": inputs.dense_text(size), "sparse": inputs.sparse_text(size)}
times = {name: [] for name in texts}; hits = {}
for _ in range(int(sys.argv[3])):
    for name, text in texts.items():  # alternating, in one process
        start = time.perf_counter(); hits[name] = len(scan_text(text))
        times[name].append(time.perf_counter() - start)
times = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
print(json.dumps({"times": times, "hits": hits}))
"""

DS_IN_PROCESS = """
import json, sys, time
from pathlib import Path
from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings
root = Path(sys.argv[1]); files = sorted(str(p) for p in root.iterdir() if p.name != "planted.json")
with default_settings():
    secrets = SecretsCollection()
    start = time.perf_counter()
    for f in files:
        secrets.scan_file(f)
    elapsed = time.perf_counter() - start
found = [(Path(f).name, s.line_number) for f, ss in secrets.data.items() for s in ss]
print(json.dumps({"seconds": elapsed, "found": found}))
"""


def bench_secrets(
    out: Results,
    *,
    corpus: Path,
    subset: Path,
    planted: list[tuple[str, int]],
    sub_planted: list[tuple[str, int]],
    tools: dict[str, Path],
    runs: int,
) -> None:
    """The scanner: in-process throughput and recall, dense against sparse text, and whole
    processes against detect-secrets (and gitleaks when installed)."""
    hit = lambda found, want: len(set(map(tuple, found)) & set(want))  # noqa: E731
    ours = json.loads(timed([sys.executable, "-c", IN_PROCESS, str(corpus), str(runs)], ROOT).out)
    mbs = ours["bytes"] / 1e6 / ours["seconds"]
    recall = hit(ours["found"], planted)
    rows = [
        "| measure | corpus | result | planted secrets found |",
        "|---|---|---|---|",
        f"| parity scanner, in-process (best of {runs}) | {ours['bytes'] / 1e6:.1f} MB "
        f"| {mbs:.1f} MB/s | {recall} / {len(planted)} |",
    ]
    ds_sub = json.loads(
        timed(
            [str(tools["detect-secrets"].parent / "python"), "-c", DS_IN_PROCESS, str(subset)], ROOT
        ).out
    )
    ours_sub = json.loads(
        timed([sys.executable, "-c", IN_PROCESS, str(subset), str(runs)], ROOT).out
    )
    sub_bytes = ours_sub["bytes"]
    in_ratio = ds_sub["seconds"] / ours_sub["seconds"]
    rows += [
        f"| parity scanner, in-process | {sub_bytes / 1e6:.1f} MB | "
        f"{sub_bytes / 1e6 / ours_sub['seconds']:.1f} MB/s | "
        f"{hit(ours_sub['found'], sub_planted)} / {len(sub_planted)} |",
        f"| detect-secrets {PEERS['detect-secrets']}, in-process | {sub_bytes / 1e6:.1f} MB | "
        f"{sub_bytes / 1e6 / ds_sub['seconds']:.2f} MB/s | "
        f"{hit(ds_sub['found'], sub_planted)} / {len(sub_planted)} |",
    ]
    out.targets += [
        Target("scanner in-process: at least 60 MB/s", f"{mbs:.1f} MB/s", mbs, 60, "MB/s", True),
        Target(
            "scanner: 100% of planted keys found",
            f"{recall} / {len(planted)}",
            recall / len(planted),
            1.0,
            "",
            True,
        ),
        Target(
            "scanner in-process vs detect-secrets in-process (info: at least 100x)",
            f"{in_ratio:.0f}x on {sub_bytes / 1e6:.1f} MB",
            in_ratio,
            100,
            "x",
            True,
        ),
    ]
    size = 780_000
    dense = json.loads(
        timed([sys.executable, "-c", DENSE, str(ROOT / "bench"), str(size), str(runs)], ROOT).out
    )
    d, s = dense["times"]["dense"], dense["times"]["sparse"]
    rows += [
        f"| dense text, in-process (a key on every line, {dense['hits']['dense']:,} hits) "
        f"| {size / 1e6:.2f} MB | {d * 1000:.0f} ms | |",
        f"| same size without keys, in-process | {size / 1e6:.2f} MB | {s * 1000:.0f} ms | |",
    ]
    out.targets.append(
        Target(
            "scanner: a text dense with keys at most 3x one without (in-process)",
            f"{d * 1000:.0f} ms vs {s * 1000:.0f} ms",
            d / s,
            3,
        )
    )
    out.sections.append(("Secret scanning", rows))

    # Whole processes: interpreter start, imports, reading the files and scanning them.
    five = OUT / "secrets-5mb"
    inputs.secrets_corpus(five, 5)
    cases: dict[str, Callable[[], Sample]] = {
        "parity scanner (bench/scan.py)": lambda: timed(
            [sys.executable, str(SCAN), str(five)], ROOT
        ),
        f"detect-secrets {PEERS['detect-secrets']} scan": lambda: timed(
            [str(tools["detect-secrets"]), "scan", "--all-files", "."], five
        ),
    }
    # detect-secrets takes seconds a run: fewer rounds than the other sections, but never one.
    res = alternate(cases, max(3, runs // 3))
    rows = table(res, "parity scanner (bench/scan.py)")
    ds = med(res[f"detect-secrets {PEERS['detect-secrets']} scan"])
    ours_whole = med(res["parity scanner (bench/scan.py)"])
    out.targets.append(
        Target(
            "scanner whole process: at least 100x detect-secrets on 5 MB",
            f"{ours_whole * 1000:.0f} ms vs {ds:.1f} s",
            ds / ours_whole,
            100,
            "x",
            True,
        )
    )
    repo = inputs.dense_claude_md(OUT / "dense-claude-md", size)
    sparse = inputs.dense_claude_md(OUT / "sparse-claude-md", size, keys=False)
    cases = {
        "parity check, 0.78 MB CLAUDE.md dense with keys": check_cases(repo, supports_cache())[
            "parity check cold"
        ],
        "parity check, 0.78 MB CLAUDE.md without keys": check_cases(sparse, supports_cache())[
            "parity check cold"
        ],
    }
    if "gitleaks" in tools:
        cases["gitleaks dir (same repository)"] = lambda: timed(
            [str(tools["gitleaks"]), "dir", "--no-banner", "."], repo
        )
        cases["parity scanner, 20 MB"] = lambda: timed(
            [sys.executable, str(SCAN), str(corpus)], ROOT
        )
        cases["gitleaks dir, 20 MB"] = lambda: timed(
            [str(tools["gitleaks"]), "dir", "--no-banner", "."], corpus
        )
    res2 = alternate(cases, runs)
    rows += table(res2)[2:]
    check_dense = res2["parity check, 0.78 MB CLAUDE.md dense with keys"]
    out.targets.append(
        Target(
            "`parity check` on the 0.78 MB CLAUDE.md dense with keys: at most 500 ms",
            f"{ms(check_dense):.0f} ms",
            ms(check_dense),
            500,
            "ms",
        )
    )
    check_sparse = res2["parity check, 0.78 MB CLAUDE.md without keys"]
    out.targets.append(
        Target(
            "`parity check` of that CLAUDE.md against one of the same size without keys "
            "(info: the dense/sparse target as a user meets it, whole processes)",
            f"{ms(check_dense):.0f} ms vs {ms(check_sparse):.0f} ms",
            med(check_dense) / med(check_sparse),
            3,
        )
    )
    if "gitleaks" in tools:
        ratio = med(res2["parity scanner, 20 MB"]) / med(res2["gitleaks dir, 20 MB"])
        out.targets.append(
            Target(
                "scanner whole process faster than gitleaks on 20 MB",
                f"{ratio:.2f} of gitleaks' time",
                ratio,
                1.0,
            )
        )
    else:
        rows.append("")
        rows.append(
            "gitleaks: not measured (no `gitleaks` binary on PATH; none of the "
            "registries this machine reaches ships it)."
        )
    out.sections.append(("Secret scanning, whole processes", rows))


def bench_emulate(runs: int) -> list[str]:
    """parity emulate: start to first hook, on a small and a 10,000-file repository, sandbox on/off.

    The hook prints the wall-clock time it started (``date +%s.%N``); the overhead is that time
    minus the moment ``parity emulate`` was started, as a user waits for it.
    """
    try:
        import parity.emulate  # noqa: F401
        from parity.emulate.sandbox import unavailable_reason
    except ImportError:
        return ["`parity emulate` is not part of this build; skipped."]
    small = inputs.emulate_repo(OUT / "emulate-small")
    large = inputs.emulate_repo(OUT / "emulate-10k", 10_000)
    modes = ["auto", "off"] if unavailable_reason() is None else ["off"]

    def first_hook(repo: Path, mode: str) -> Callable[[], Sample]:
        def run() -> Sample:
            start = time.time()
            cmd = parity_cmd("emulate", "--network", "none", "--format", "json", "--sandbox", mode)
            sample = timed(cmd, repo)
            report = json.loads(sample.out)
            assert report["sandbox"]["active"] is (mode == "auto"), report["sandbox"]
            began = float(report["steps"][0]["stdout"])
            return Sample(began - start, sample.rss_kib, sample.code, str(sample.seconds))

        return run

    cases: dict[str, Callable[[], Sample]] = {
        "hook run directly": lambda: _direct_first_hook(small),
        # The same run's cost of starting any parity command: on a loaded machine every figure
        # grows with it, so it is the yardstick for the ones below.
        "parity --version (for scale)": lambda: _whole(timed(parity_cmd("--version"), small)),
    }
    for mode in modes:
        for name, repo in (("small", small), ("10,000 files", large)):
            cases[f"{name}, sandbox {'on' if mode == 'auto' else 'off'}"] = first_hook(repo, mode)
    res = alternate(cases, runs)
    rows = [
        "| repository, sandbox | start to first hook | whole run |",
        "|---|---|---|",
    ]
    for name, samples in res.items():
        whole = statistics.median(float(s.out) for s in samples) if samples[0].out else 0.0
        rows.append(f"| {name} | {med(samples) * 1000:.0f} ms | {whole * 1000:.0f} ms |")
    rows.append("")
    direct = med(res["hook run directly"])
    version = med(res["parity --version (for scale)"])
    for mode in modes:
        label = "on" if mode == "auto" else "off"
        small_first = med(res[f"small, sandbox {label}"]) - direct
        large_first = med(res[f"10,000 files, sandbox {label}"]) - direct
        rows.append(
            f"Sandbox {label}: emulation overhead (start to first hook, small repository, less "
            f"the shell's own start) **{small_first * 1000:.0f} ms** "
            f"({small_first / version:.1f}x `parity --version` in this run); 10,000 files / "
            f"small: **{large_first / small_first:.1f}x**."
        )
        verdict = "met" if small_first < 0.3 else "missed"
        ratio = "met" if large_first <= 3 * small_first else "missed"
        rows.append(f"Targets (sandbox {label}): under 300 ms {verdict}; at most 3x {ratio}.")
    if modes == ["off"]:
        rows.append(f"The sandbox could not run here ({unavailable_reason()}): not measured.")
    return rows


def _whole(sample: Sample) -> Sample:
    return Sample(sample.seconds, sample.rss_kib, sample.code, str(sample.seconds))


def _direct_first_hook(repo: Path) -> Sample:
    """The same hook started by a shell, the floor the emulation is measured against."""
    start = time.time()
    sample = timed(["sh", "-c", inputs.FIRST_HOOK], repo)
    return Sample(float(sample.out) - start, sample.rss_kib, sample.code, str(sample.seconds))


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def machine() -> str:
    """One line about where the figures come from."""
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def render(res: Results, runs: int, load_start: str, load_end: str, cache: bool) -> str:
    text = [
        "# Benchmark results",
        "",
        f"{datetime.date.today().isoformat()}; {machine()}; load average (1/5/15 min) "
        f"{load_start} at the start, {load_end} at the end; medians of {runs} alternating runs "
        "after a warm-up; peers pinned: " + ", ".join(f"{k} {v}" for k, v in PEERS.items()) + ".",
        "Regenerate with `python bench/run.py` (see the README). Ratios compare whole processes "
        "with whole processes and in-process figures with in-process ones, measured in the same "
        "run; absolute times depend on the machine's load, ratios much less.",
        "",
        "## Targets",
        "",
        "| target | measured | ratio / value | verdict |",
        "|---|---|---|---|",
    ]
    for t in res.targets:
        value = f"{t.value:.2f}{t.unit}" if t.unit == "x" else f"{t.value:.1f} {t.unit}".strip()
        text.append(f"| {t.name} | {t.measured} | {value} | {t.verdict()} |")
    if not cache:
        text += ["", "This build has no results cache: the warm targets were not measured."]
    text.append("")
    for title, rows in res.sections:
        text += [f"## {title}", "", *rows, ""]
    return "\n".join(text)


def main() -> int:
    """Build the inputs, install the peers, run every comparison and write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer runs")
    parser.add_argument(
        "--only",
        help="comma-separated sections: check,startup,precommit,monorepo,secrets,emulate "
        "(printed; RESULTS.md unchanged)",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    wanted = set(args.only.split(",")) if args.only else None
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "parity")], check=False)
    load_start = load()
    tools = install_peers()
    cache = supports_cache()
    typical = inputs.typical_repo(OUT / "typical")
    empty = inputs.empty_repo(OUT / "empty")
    small = inputs.monorepo(OUT / "mono-10k", 10_000)
    alone = inputs.monorepo(OUT / "mono-config", 0)  # mono-10k's configuration, no other file
    bare = inputs.monorepo(OUT / "mono-10k-bare", 10_000, configured=False)  # and its files alone
    mono = small if args.quick else inputs.monorepo(OUT / "mono-100k", 100_000)
    working = inputs.monorepo(
        OUT / ("mono-10k-working" if args.quick else "mono-100k-working"),
        10_000 if args.quick else 100_000,
        ignored=1_000,
    )
    corpus_mb = 4 if args.quick else 20
    corpus = OUT / f"secrets-{corpus_mb}mb"
    planted = inputs.secrets_corpus(corpus, corpus_mb)
    subset = OUT / "secrets-1mb"
    sub_planted = inputs.secrets_corpus(subset, 1)
    res = Results()
    steps: list[tuple[str, Callable[[], None]]] = [
        ("startup", lambda: bench_startup(res, runs)),
        (
            "check",
            lambda: bench_typical(res, typical, empty=empty, tools=tools, runs=runs, cache=cache),
        ),
        ("precommit", lambda: bench_precommit(res, small, runs, cache)),
        (
            "monorepo",
            lambda: bench_monorepo(
                res,
                mono,
                small=small,
                alone=alone,
                bare=bare,
                working=working,
                empty=empty,
                runs=runs,
                cache=cache,
            ),
        ),
        (
            "secrets",
            lambda: bench_secrets(
                res,
                corpus=corpus,
                subset=subset,
                planted=planted,
                sub_planted=sub_planted,
                tools=tools,
                runs=runs,
            ),
        ),
        (
            "emulate",
            lambda: res.sections.append(
                ("`parity emulate`: start to first hook", bench_emulate(runs))
            ),
        ),
    ]
    for name, step in steps:
        if wanted is None or name in wanted:
            step()
    report = render(res, runs, load_start, load(), cache)
    print(report)
    if not args.quick and wanted is None:
        args.results.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
