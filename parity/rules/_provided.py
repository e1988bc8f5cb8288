"""Programs the repository's package files put on a machine once installed.

`prettier` in package.json's devDependencies lands in node_modules/.bin, `ruff` in pyproject's
dependencies lands in the virtualenv, `rubocop` in the Gemfile comes with `bundle install`. The
image rule (PAR202) does not report those: the setup that installs the dependencies provides
them. Names are guessed from the package names, from the `bin` fields package-lock.json records,
and from a small table where the program is named differently (typescript gives `tsc`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from parity._lazy import lazy_compile
from parity.rules.base import per_check

if TYPE_CHECKING:
    from parity.rules.base import Context

# Packages whose programs are not named after the package.
_NODE_BINS: dict[str, tuple[str, ...]] = {
    "typescript": ("tsc", "tsserver"),
    "@typescript/native-preview": ("tsgo",),
    "@playwright/test": ("playwright",),
    "@angular/cli": ("ng",),
    "@nestjs/cli": ("nest",),
    "@sveltejs/kit": ("svelte-kit",),
    "@commitlint/cli": ("commitlint",),
    "@changesets/cli": ("changeset",),
    "npm-run-all": ("npm-run-all", "run-s", "run-p"),
    "npm-run-all2": ("npm-run-all", "run-s", "run-p"),
    "@anthropic-ai/claude-code": ("claude",),
    "@google/gemini-cli": ("gemini",),
    "@openai/codex": ("codex",),
    "firebase-tools": ("firebase",),
    "@vue/cli": ("vue",),
    "storybook": ("storybook", "sb"),
    "ts-node": ("ts-node", "ts-node-esm", "ts-node-script"),
    "@redocly/cli": ("redocly", "openapi"),
    "@tauri-apps/cli": ("tauri",),
    "vercel": ("vercel", "vc"),
    "@stoplight/spectral-cli": ("spectral",),
    "@mermaid-js/mermaid-cli": ("mmdc",),
    "@marp-team/marp-cli": ("marp",),
    "@cucumber/cucumber": ("cucumber-js",),
    "concurrently": ("concurrently", "conc"),
    "cross-env": ("cross-env", "cross-env-shell"),
    "nuxt": ("nuxi", "nuxt"),
    "@nuxt/cli": ("nuxi",),
    "http-server": ("http-server", "hs"),
    "@graphql-codegen/cli": ("graphql-codegen", "gql-gen"),
    "@tailwindcss/cli": ("tailwindcss",),
    "webpack-cli": ("webpack-cli", "webpack"),
    "conventional-changelog-cli": ("conventional-changelog",),
    "dependency-cruiser": ("depcruise", "dependency-cruise"),
    "@lhci/cli": ("lhci",),
    "pyright": ("pyright", "pyright-langserver"),
    "@ast-grep/cli": ("ast-grep", "sg"),
    "vite-plus": ("vp",),
}
_PYTHON_BINS: dict[str, tuple[str, ...]] = {
    "django": ("django-admin",),
    "pytest": ("pytest", "py.test"),
    "jupyterlab": ("jupyter", "jupyter-lab"),
    "notebook": ("jupyter", "jupyter-notebook"),
    "sphinx": ("sphinx-build", "sphinx-apidoc", "sphinx-autobuild"),
    "sphinx-autobuild": ("sphinx-autobuild",),
    "pip-tools": ("pip-compile", "pip-sync"),
    "poethepoet": ("poe",),
    "invoke": ("invoke", "inv"),
    "python-dotenv": ("dotenv",),
    "huggingface-hub": ("huggingface-cli", "hf"),
    "dbt-core": ("dbt",),
    "commitizen": ("cz", "git-cz"),
    "build": ("pyproject-build",),
    "awscli": ("aws",),
    "httpie": ("http", "https"),
    "ansible-core": ("ansible", "ansible-playbook", "ansible-galaxy", "ansible-vault"),
    "ansible": ("ansible", "ansible-playbook", "ansible-galaxy", "ansible-vault"),
    "pylint": ("pylint", "pyreverse", "symilar"),
    "mypy": ("mypy", "dmypy", "stubgen"),
    "black": ("black", "blackd"),
    "detect-secrets": ("detect-secrets", "detect-secrets-hook"),
    "fastapi-cli": ("fastapi",),
    "mkdocs-material": ("mkdocs",),
}
_GEM_BINS: dict[str, tuple[str, ...]] = {
    "rspec-core": ("rspec",),
    "railties": ("rails",),
    "standard": ("standardrb",),
    "bundler-audit": ("bundle-audit", "bundler-audit"),
    "cocoapods": ("pod",),
    "sorbet": ("srb",),
    "haml_lint": ("haml-lint",),
    "erb_lint": ("erblint", "erb_lint"),
}

_REQUIREMENT = lazy_compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_GEM = lazy_compile(r"""^\s*gem\s+['"]([A-Za-z0-9_.-]+)['"]""", re.MULTILINE)
_REQUIREMENTS_FILE = lazy_compile(r"(?:^|/)requirements[\w.-]*\.(?:txt|in)$")


@per_check
def repo_programs(ctx: Context) -> frozenset[str]:
    """Programs the repository's package manifests and lockfiles provide once installed."""
    return frozenset(_collect(ctx))


def _collect(ctx: Context) -> Iterator[str]:
    for rel in _files(ctx, "package.json", "package-lock.json"):
        doc = ctx.inventory.repo_file(rel, as_json=True)
        value = doc.value if doc is not None and doc.ok else None
        if isinstance(value, dict):
            yield from _node(value)
    for rel in _files(ctx, "pyproject.toml", "Pipfile"):
        yield from _python(_toml(ctx, rel))
    for rel in ctx.repo.glob("*.txt", "*.in"):
        if _REQUIREMENTS_FILE.search(rel) and "node_modules" not in rel:
            yield from _python_names(_lines(ctx, rel))
    for rel in _files(ctx, "Gemfile"):
        doc = ctx.inventory.repo_file(rel)
        if doc is not None and doc.ok:
            for name in _GEM.findall(doc.text):
                yield name
                yield from _GEM_BINS.get(name, ())


def _files(ctx: Context, *names: str) -> list[str]:
    return [
        rel
        for rel in ctx.repo.glob(*names)
        if "node_modules" not in PurePosixPath(rel).parts and PurePosixPath(rel).name in names
    ]


def _node(value: dict[str, Any]) -> Iterator[str]:
    for key in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
        deps = value.get(key)
        if isinstance(deps, dict):
            for name in deps:
                yield from _node_bins(str(name))
    own = value.get("bin")
    if isinstance(own, dict):
        yield from map(str, own)
    elif isinstance(own, str) and isinstance(value.get("name"), str):
        yield str(value["name"]).rsplit("/", 1)[-1]
    # package-lock.json (lockfileVersion 2 and 3) records each package's programs.
    packages = value.get("packages")
    if isinstance(packages, dict):
        for entry in packages.values():
            bins = entry.get("bin") if isinstance(entry, dict) else None
            if isinstance(bins, dict):
                yield from map(str, bins)


def _node_bins(package: str) -> Iterator[str]:
    if package in _NODE_BINS:
        yield from _NODE_BINS[package]
        return
    name = package.rsplit("/", 1)[-1]
    yield name
    if name.endswith("-cli"):
        yield name.removesuffix("-cli")


def _python(doc: dict[str, Any]) -> Iterator[str]:
    project = _table(doc, "project")
    yield from _keys(project.get("scripts"), project.get("gui-scripts"))
    yield from _python_names(_strings(project.get("dependencies")))
    optional = project.get("optional-dependencies")
    if isinstance(optional, dict):
        for values in optional.values():
            yield from _python_names(_strings(values))
    groups = doc.get("dependency-groups")
    if isinstance(groups, dict):
        for values in groups.values():
            yield from _python_names(_strings(values))
    tool = _table(doc, "tool")
    uv = tool.get("uv")
    if isinstance(uv, dict):
        yield from _python_names(_strings(uv.get("dev-dependencies")))
    poetry = tool.get("poetry")
    if isinstance(poetry, dict):
        yield from _keys(poetry.get("scripts"))
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        group = poetry.get("group")
        if isinstance(group, dict):
            tables.extend(g.get("dependencies") for g in group.values() if isinstance(g, dict))
        yield from _python_names(_keys(*tables))
    # Pipfile
    yield from _python_names(_keys(doc.get("packages"), doc.get("dev-packages")))


def _python_names(requirements: Iterable[str]) -> Iterator[str]:
    for requirement in requirements:
        m = _REQUIREMENT.match(requirement)
        if m is None or requirement.lstrip().startswith(("-", "#")):
            continue
        name = re.sub(r"[._]+", "-", m.group(1)).lower()
        yield name
        yield from _PYTHON_BINS.get(name, ())


def _table(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _keys(*tables: Any) -> Iterator[str]:
    for table in tables:
        if isinstance(table, dict):
            yield from map(str, table)


def _strings(values: Any) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _toml(ctx: Context, rel: str) -> dict[str, Any]:
    doc = ctx.inventory.repo_file(rel)
    if doc is None or not doc.ok:
        return {}
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        value: dict[str, Any] = tomlkit.parse(doc.text).unwrap()
    except (TOMLKitError, ValueError):
        return {}
    return value


def _lines(ctx: Context, rel: str) -> list[str]:
    doc = ctx.inventory.repo_file(rel)
    return doc.text.splitlines() if doc is not None and doc.ok else []
