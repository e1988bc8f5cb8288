"""The explicit registry of rules, and selection by code or prefix."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Sequence

from parity.errors import UsageError
from parity.rules.base import Rule

# One module per rule, in code order. Adding a rule: write the module, add its name here.
_MODULES: tuple[str, ...] = (
    "par001_invalid_json",
    "par002_duplicate_key",
    "par003_byte_order_mark",
    "par004_invalid_suppression",
    "par010_settings_schema",
    "par011_unknown_settings_key",
    "par012_key_ignored_at_scope",
    "par013_schema_url",
    "par014_permission_rule",
    "par020_mcp_schema",
    "par030_frontmatter",
    "par040_plugin_manifest",
    "par101_user_config_not_in_repo",
    "par102_home_path_in_repo_config",
    "par103_config_not_committed",
    "par104_hook_script_missing",
    "par105_hook_script_not_executable",
    "par106_local_only_config",
    "par107_plugin_marketplace_not_declared",
    "par108_env_reference_in_settings",
    "par109_project_dir_without_fallback",
    "par110_plugin_root_outside_plugin",
    "par111_dangling_symlink",
    "par112_mcp_config_not_at_root",
    "par113_broken_import",
    "par120_relative_hook_script",
    "par121_unquoted_project_dir",
    "par122_hook_handler_never_runs",
    "par201_bun_in_cloud",
    "par202_missing_cli",
    "par203_interactive_login",
    "par204_unguarded_session_start",
    "par205_session_start_handler_type",
    "par206_unknown_session_start_matcher",
    "par207_env_file_write",
    "par208_mcp_command_missing",
    "par209_unpinned_npx",
    "par301_full_network",
    "par302_host_not_allowed",
    "par303_install_without_network",
    "par304_plain_http",
    "par305_private_host",
    "par401_literal_secret",
    "par402_secret_in_file",
    "par403_undeclared_mcp_variable",
    "par404_long_lived_credential_env",
    "par500_routines_schema",
    "par501_invalid_schedule",
    "par502_schedule_too_frequent",
    "par503_github_trigger",
    "par504_undeclared_environment",
    "par505_routine_full_network",
    "par506_uncommitted_skill",
    "par507_prompt_assumes_memory",
    "par508_thundering_herd",
    "par509_daily_cap",
    "par510_scheduled_tasks_shape",
    "par511_scheduled_task_expiry",
    "par601_bypass_permissions_in_project",
    "par602_allow_all_bash",
    "par603_skip_permissions_in_hook",
    "par604_misleading_permission_rule",
)


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code."""
    rules = [importlib.import_module(f"parity.rules.{name}").RULE for name in _MODULES]
    return tuple(sorted(rules, key=lambda r: r.code))


def get(code: str) -> Rule:
    """The rule with ``code`` (or kebab-case name); UsageError when there is none."""
    wanted = code.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    raise UsageError(f"unknown rule {code!r} (see `parity rule` for the list)")


def matches(selector: str, code: str) -> bool:
    """True when ``selector`` (``ALL``, ``PAR``, ``PAR1``, ``PAR101``) covers ``code``."""
    return selector == "ALL" or code.startswith(selector)


def check_selectors(selectors: Iterable[str]) -> list[str]:
    """Normalise selectors and reject those that select nothing (a typo must not pass silently)."""
    codes = [r.code for r in all_rules()]
    out: list[str] = []
    for raw in selectors:
        sel = raw.strip().upper()
        if not sel:
            continue
        if not any(matches(sel, c) for c in codes):
            raise UsageError(f"unknown rule selector {raw!r}")
        out.append(sel)
    return out


def select(
    select: Sequence[str] | None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
) -> list[Rule]:
    """The rules a selection enables: ``select`` replaces the defaults, ``extend_select`` adds.

    The most specific selector wins between select and ignore, as in ruff: ``select=["PAR1"]``
    with ``ignore=["PAR101"]`` drops one rule; ``ignore=["PAR1"]`` with ``select=["PAR101"]``
    keeps it.
    """
    chosen_sel = check_selectors(select) if select is not None else None
    chosen_ext = check_selectors(extend_select)
    chosen_ign = check_selectors(ignore)
    result = []
    for rule in all_rules():
        best_on = -1
        if chosen_sel is None:
            best_on = 0 if rule.default else -1
        else:
            best_on = max((len(s) for s in chosen_sel if matches(s, rule.code)), default=-1)
        best_on = max([best_on, *(len(s) for s in chosen_ext if matches(s, rule.code))])
        best_off = max((len(s) for s in chosen_ign if matches(s, rule.code)), default=-1)
        if best_on >= 0 and best_on > best_off:
            result.append(rule)
    return result
