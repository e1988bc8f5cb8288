"""`claude plugin validate --json` (reference §2.4) and parity agree on which plugin and
marketplace manifests the client rejects."""

from __future__ import annotations

import csv
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, SHARED, git, run
from tests.oracle.client import AVAILABLE, SKIP_REASON, run_client
from tests.rules.test_plugin_manifests import MARKETPLACE_NAMES, PLUGIN_NAMES

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

PLUGIN, MARKETPLACE = "plugin.json", "marketplace.json"


def _named(kind: str, name: str) -> str:
    if kind == PLUGIN:
        value = {"name": name, "version": "1.0.0", "description": "d", "author": {"name": "a"}}
    else:
        plugins = [{"name": "tool", "source": "./tool", "description": "d"}]
        value = {"name": name, "owner": {"name": "o"}, "plugins": plugins}
    return json.dumps(value)


def _cases() -> list[tuple[str, str, str, Path | None]]:
    """(id, kind, text, repository folder the manifest comes with, if any)."""
    cases: list[tuple[str, str, str, Path | None]] = []
    cases += [(f"plugin-name:{n}", PLUGIN, _named(PLUGIN, n), None) for n in PLUGIN_NAMES]
    cases += [
        (f"market-name:{n}", MARKETPLACE, _named(MARKETPLACE, n), None) for n in MARKETPLACE_NAMES
    ]
    official = {
        "name": "claude-plugins-official",
        "owner": {"name": "Anthropic"},
        "plugins": [{"name": "claude-md-management", "source": "./plugins/md"}],
    }
    cases.append(("official-marketplace-own-plugin", MARKETPLACE, json.dumps(official), None))
    store = SHARED / "schemastore"
    for sub, kind in (
        ("claude-code-plugin-manifest", PLUGIN),
        ("claude-code-marketplace", MARKETPLACE),
    ):
        for path in sorted((store / sub / "positive").glob("*.json")):
            cases.append((f"schemastore:{sub}/{path.name}", kind, path.read_text(), None))
    corpus = SHARED / "corpus"
    if (corpus / "manifest.tsv").is_file():
        with (corpus / "manifest.tsv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                kind = {"plugin-json": PLUGIN, "marketplace-json": MARKETPLACE}.get(row["kind"])
                if kind is not None:
                    text = (corpus / row["local_file"]).read_text(encoding="utf-8")
                    cases.append((f"corpus:{row['repo']}/{row['path']}", kind, text, None))
    for folder in (
        FIXTURES / "rules" / "PAR040" / "fail",
        FIXTURES / "rules" / "PAR040" / "pass",
        FIXTURES / "repos" / "files" / "merge-conflict-marketplace",
    ):
        for manifest in sorted(folder.rglob(".claude-plugin/*.json")):
            rel = manifest.relative_to(folder).as_posix()
            cases.append((f"fixture:{folder.name}/{rel}", manifest.name, rel, folder))
    return cases


CASES = _cases() if (SHARED / "schemastore").is_dir() else []


def _project(case: tuple[str, str, str, Path | None], root: Path) -> tuple[Path, Path]:
    _id, kind, text, folder = case
    project = root / "project"
    if folder is not None:
        shutil.copytree(folder, project)
        manifest = project / text
    else:
        manifest = project / ".claude-plugin" / kind
        manifest.parent.mkdir(parents=True)
        manifest.write_text(text, encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    return project, manifest


def _client_accepts(case: tuple[str, str, str, Path | None], root: Path) -> bool:
    project, manifest = _project(case, root)
    out = run_client(
        ["plugin", "validate", "--json", str(manifest)], project, root / "home", root / "tmp"
    )
    return bool(json.loads(out[: out.rfind("}") + 1])["success"])


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bool]:
    roots = [tmp_path_factory.mktemp("validate") for _ in CASES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_client_accepts, CASES, roots))
    return {case[0]: ok for case, ok in zip(CASES, results, strict=True)}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_plugin_validate_and_parity_agree(
    case: tuple[str, str, str, Path | None], verdicts: dict[str, bool], tmp_path: Path
) -> None:
    project, manifest = _project(case, tmp_path)
    result = run(
        ["check", "--select", "PAR001,PAR040", "--format", "json", "--exit-zero", str(project)]
    )
    shown = manifest.relative_to(project).as_posix()
    errors = [
        f"{f['code']} {f['message']}"
        for f in json.loads(result.out)["findings"]
        if f["severity"] == "error" and f["path"] == shown
    ]
    assert verdicts[case[0]] == (not errors), errors


def test_the_cases_cover_the_corpus_and_schemastore() -> None:
    ids = [c[0] for c in CASES]
    assert sum(i.startswith("corpus:") for i in ids) >= 50
    assert sum(i.startswith("schemastore:") for i in ids) == 2
