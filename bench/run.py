"""Benchmark parity against its peers on the same inputs, alternating runs; write RESULTS.md.

Usage: python bench/run.py [--runs N] [--quick]   (from a clone, with parity installed)
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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inputs

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PEERS = {"agnix": "0.59.3", "check-jsonschema": "0.39.0", "detect-secrets": "1.5.0"}
BIN = Path(sys.executable).parent


@dataclass
class Sample:
    """One timed run of a command: wall seconds and peak resident memory (KiB)."""

    seconds: float
    rss_kib: int
    code: int
    out: str


def child_env() -> dict[str, str]:
    """A quiet environment for every tool: a throwaway HOME, bytecode caching on, no colour."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    home = OUT / "home"
    home.mkdir(parents=True, exist_ok=True)
    env.update({"HOME": str(home), "NO_COLOR": "1", "PARITY_OUTPUT_FORMAT": "text"})
    env.pop("CLAUDE_CONFIG_DIR", None)
    return env


def timed(cmd: Sequence[str], cwd: Path) -> Sample:
    """Run ``cmd`` once; wall time and the child's peak RSS from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), cwd=cwd, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    out = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Sample(seconds, usage.ru_maxrss, proc.returncode, out)


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
    """Median wall time."""
    return statistics.median(s.seconds for s in samples)


def peak(samples: list[Sample]) -> int:
    """Median peak RSS in MiB."""
    return round(statistics.median(s.rss_kib for s in samples) / 1024)


def install_peers() -> dict[str, Path]:
    """The peers in their own virtual environment (claude-code-lint from npm if it installs)."""
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
    return tools


def parity_cmd(*args: str) -> list[str]:
    """The installed ``parity`` script next to this interpreter."""
    return [str(BIN / "parity"), *args]


def bench_check(repo: Path, tools: dict[str, Path], runs: int) -> list[str]:
    """parity check vs agnix vs check-jsonschema on the typical repository."""
    cases: dict[str, Callable[[], Sample]] = {
        "parity check": lambda: timed(parity_cmd("check", "--exit-zero", "."), repo),
        "agnix (claude-code rules)": lambda: timed(
            [str(tools["agnix"]), "--target", "claude-code", "."], repo
        ),
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
    base = med(res["parity check"])
    rows = ["| tool | median wall | peak RSS | parity / tool |", "|---|---|---|---|"]
    for name, samples in res.items():
        wall, ratio = med(samples) * 1000, base / med(samples)
        rows.append(f"| {name} | {wall:.0f} ms | {peak(samples)} MiB | {ratio:.2f} |")
    return rows


def bench_startup(runs: int) -> list[str]:
    """parity --version, and the import time of the CLI over a bare interpreter."""
    py = sys.executable
    res = alternate(
        {
            "python -c pass": lambda: timed([py, "-c", "pass"], ROOT),
            "import parity.cli": lambda: timed([py, "-c", "import parity.cli"], ROOT),
            "parity --version": lambda: timed(parity_cmd("--version"), ROOT),
        },
        runs,
    )
    bare = med(res["python -c pass"])
    return [
        "| measure | median |",
        "|---|---|",
        f"| bare interpreter | {bare * 1000:.0f} ms |",
        f"| import parity.cli (over bare) | {(med(res['import parity.cli']) - bare) * 1000:.0f} ms"
        " |",
        f"| parity --version | {med(res['parity --version']) * 1000:.0f} ms |",
    ]


SCAN = """
import json, sys, time
from pathlib import Path
from parity.secrets import scan_text
root = Path(sys.argv[1]); files = sorted(p for p in root.iterdir() if p.name != "planted.json")
texts = [(p.name, p.read_text(encoding="utf-8")) for p in files]
start = time.perf_counter(); found = []
for name, text in texts:
    for m in scan_text(text):
        found.append((name, text.count("\\n", 0, m.start) + 1))
elapsed = time.perf_counter() - start
size = sum(len(t.encode()) for _, t in texts)
print(json.dumps({"seconds": elapsed, "bytes": size, "found": found}))
"""


def bench_secrets(
    corpus: Path,
    subset: Path,
    planted: list[tuple[str, int]],
    sub_planted: list[tuple[str, int]],
    tools: dict[str, Path],
) -> list[str]:
    """Secret scanning throughput and recall: parity's scanner vs detect-secrets."""
    ours = json.loads(timed([sys.executable, "-c", SCAN, str(corpus)], ROOT).out)
    ours_sub = json.loads(timed([sys.executable, "-c", SCAN, str(subset)], ROOT).out)
    ds = timed([str(tools["detect-secrets"]), "scan", "--all-files", "."], subset)
    ds_found = {
        (Path(f).name, r["line_number"])
        for f, rs in json.loads(ds.out)["results"].items()
        for r in rs
    }
    sub_bytes = sum(p.stat().st_size for p in subset.iterdir() if p.name != "planted.json")
    ours_mbs = ours["bytes"] / 1e6 / ours["seconds"]
    ds_mbs = sub_bytes / 1e6 / ds.seconds
    hit = lambda found, want: len(set(map(tuple, found)) & set(want))  # noqa: E731
    return [
        "| tool | corpus | throughput | planted secrets found |",
        "|---|---|---|---|",
        f"| parity (scanner) | {ours['bytes'] / 1e6:.1f} MB | {ours_mbs:.1f} MB/s "
        f"| {hit(ours['found'], planted)} / {len(planted)} |",
        f"| parity (scanner) | subset {sub_bytes / 1e6:.1f} MB | "
        f"{sub_bytes / 1e6 / ours_sub['seconds']:.1f} MB/s | "
        f"{hit(ours_sub['found'], sub_planted)} / {len(sub_planted)} |",
        f"| detect-secrets {PEERS['detect-secrets']} | subset {sub_bytes / 1e6:.1f} MB | "
        f"{ds_mbs:.2f} MB/s | {hit(ds_found, sub_planted)} / {len(sub_planted)} |",
        "",
        f"Throughput ratio (parity / detect-secrets): **{ours_mbs / ds_mbs:.0f}x**.",
    ]


def bench_monorepo(repo: Path, runs: int) -> list[str]:
    """parity check on a 100,000-file monorepo vs git ls-files itself."""
    res = alternate(
        {
            "git ls-files": lambda: timed(["git", "ls-files", "-z"], repo),
            "parity check": lambda: timed(parity_cmd("check", "--exit-zero", "."), repo),
        },
        runs,
    )
    ratio = med(res["parity check"]) / med(res["git ls-files"])
    return [
        "| command | median wall | peak RSS |",
        "|---|---|---|",
        *(f"| {n} | {med(s) * 1000:.0f} ms | {peak(s)} MiB |" for n, s in res.items()),
        "",
        f"parity check / git ls-files: **{ratio:.1f}x**.",
    ]


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


def machine() -> str:
    """One line about where the figures come from."""
    load = os.getloadavg()[0]
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )


def main() -> int:
    """Build the inputs, install the peers, run every comparison and write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer runs")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument(
        "--only", choices=["emulate"], help="run one section and print it (RESULTS.md unchanged)"
    )
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    OUT.mkdir(parents=True, exist_ok=True)
    if args.only == "emulate":
        print(f"{machine()}; medians of {runs} alternating runs after a warm-up")
        print("\n".join(bench_emulate(runs)))
        return 0
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "parity")], check=False)
    tools = install_peers()
    typical = inputs.typical_repo(OUT / "typical")
    mono = inputs.monorepo(
        OUT / ("mono-10k" if args.quick else "mono-100k"), 10_000 if args.quick else 100_000
    )
    corpus_mb = 4 if args.quick else 20
    corpus = OUT / f"secrets-{corpus_mb}mb"
    planted = inputs.secrets_corpus(corpus, corpus_mb)
    subset = OUT / "secrets-1mb"
    sub_planted = inputs.secrets_corpus(subset, 1)
    sections = [
        ("`parity check` on a typical repository", bench_check(typical, tools, runs)),
        ("Start-up", bench_startup(runs)),
        ("Secret scanning", bench_secrets(corpus, subset, planted, sub_planted, tools)),
        (f"Monorepo ({'10,000' if args.quick else '100,000'} files)", bench_monorepo(mono, runs)),
        ("`parity emulate` overhead", bench_emulate(runs)),
    ]
    text = [
        "# Benchmark results",
        "",
        f"{datetime.date.today().isoformat()}; {machine()}; medians of {runs} alternating runs "
        "after a warm-up; peers pinned: " + ", ".join(f"{k} {v}" for k, v in PEERS.items()) + ".",
        "Regenerate with `python bench/run.py` (see the README).",
        "",
    ]
    for title, rows in sections:
        text += [f"## {title}", "", *rows, ""]
    report = "\n".join(text)
    print(report)
    if not args.quick:
        args.results.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
