"""Permission rule strings (``Tool``, ``Tool(content)``), read as Claude Code 2.1.330 reads them.

Two verdicts come out of the client's reading, and both are reproduced here from its observed
behaviour (``claude doctor`` and the start-up messages of ``claude -p``, see
``tests/oracle/test_permission_rules.py``):

* :func:`problem`: the rule is *invalid*; the client skips it, and ``doctor`` lists the settings
  file under "Invalid settings" (PAR014).
* :func:`warnings`: the rule is accepted, but the client warns at start-up that it does not work
  as written: a path rule on a tool that file permission checks never consult (``Write(...)``,
  ``Glob(...)``), a deny or ask rule naming no known tool, a ``:*`` the matcher reads differently,
  a wildcard that approves more than it seems to (PAR604).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from parity._lazy import lazy_compile

# The client renames these tool names before it matches a rule (2.1.330).
ALIASES = {
    "Task": "Agent",
    "KillShell": "TaskStop",
    "KillBash": "TaskStop",
    "ListPeers": "ListAgents",
    "Brief": "SendUserMessage",
    "ListMcpResources": "ListMcpResourcesTool",
    "ReadMcpResource": "ReadMcpResourceTool",
    "ReadMcpResourceDir": "ReadMcpResourceDirTool",
    "ProposeGoal": "SetGoal",
}
# Tool names a deny or ask rule may name without a start-up warning. The client checks against
# the tools enabled in the session; this is 2.1.330's built-in set, plus the few tools that only
# some sessions enable (Cd, ClaudeDesign, SubagentHandback): a rule naming those is not a typo.
KNOWN_TOOLS = frozenset(
    {
        "Agent", "Artifact", "AskUserQuestion", "Bash", "Cd", "ClaudeDesign", "CronCreate",
        "CronDelete", "CronList", "Edit", "EndConversation", "EnterPlanMode", "EnterWorktree",
        "ExitPlanMode", "ExitWorktree", "Glob", "Grep", "ListAgents", "ListMcpResourcesTool",
        "LSP", "Monitor", "NotebookEdit", "OfferChromeSetup", "PowerShell", "Projects",
        "PushNotification", "Read", "ReadMcpResourceDirTool", "ReadMcpResourceTool",
        "ReadNotifications", "RemoteTrigger", "ReportFindings", "ScheduleWakeup", "SendFeedback",
        "SendMessage", "SendUserFile", "SendUserMessage", "SetGoal", "ShareOnboardingGuide",
        "ShowOnboardingRolePicker", "Skill", "SubagentHandback", "TaskCreate", "TaskGet",
        "TaskList", "TaskStop", "TaskUpdate", "TodoWrite", "ToolSearch", "WaitForMcpServers",
        "WebFetch", "WebSearch", "Workflow", "Write",
    }
)  # fmt: skip
# Tools the client has removed: rules naming them are dropped without a word.
REMOVED_TOOLS = frozenset(
    {
        "AgentOutput", "AgentOutputTool", "AutofixPr", "BashOutput", "BashOutputTool", "Frame",
        "FrameRead", "SuggestBackgroundPR", "TaskOutput", "TeamCreate", "TeamDelete",
    }
)  # fmt: skip
# Tools whose rule content the client matches against one input field; `Bash(command:rm *)`
# compares the text "command:rm *" with the command, so it never matches.
_FIELDS = {
    "Bash": "command",
    "PowerShell": "command",
    "Glob": "path",
    "Grep": "path",
    "Read": "file_path",
    "Edit": "file_path",
    "Write": "file_path",
    "NotebookEdit": "notebook_path",
}
_FIELD_FIX = {"Glob": "Read", "Grep": "Read", "Write": "Edit", "NotebookEdit": "Edit"}
# Tools whose content is a gitignore-style path pattern.
_FILE_TOOLS = frozenset({"Read", "Write", "Edit", "Glob", "NotebookRead", "NotebookEdit", "Cd"})
# Path rules on these tools are never consulted: file permission checks read Edit and Read rules.
NEVER_CONSULTED = {"Write": "Edit", "NotebookEdit": "Edit", "MultiEdit": "Edit", "Glob": "Read"}
MCP_PREFIX = "mcp__"
_ESCAPED_PAREN = lazy_compile(r"(?:^|[^\\])\\[()]")
_SHELL_OPERATOR = lazy_compile(r"^(?:[|&;<>]|\d+[<>])")
_ASSIGNMENT = lazy_compile(r"^[A-Za-z_]\w*\+?=")
_IDENTIFIER = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DRIVE = lazy_compile(r"^[A-Za-z]:[\\/]")
_TRAILING_PREFIX = lazy_compile(r"([^\n\r\u2028\u2029]+):\*")


class RuleValue(NamedTuple):
    """What a rule string means to the client: the tool (aliases resolved) and its content."""

    tool: str
    content: str | None = None  # None for `Tool`, `Tool(*)`

    def __str__(self) -> str:
        if self.content is None:
            return self.tool
        escaped = self.content.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"{self.tool}({escaped})"

    @property
    def shown(self) -> str:
        """The rule as a message quotes it (parity.text: masked, escaped, shortened)."""
        from parity.text import RULE_LIMIT, quote

        return quote(str(self), RULE_LIMIT)


class _Split(NamedTuple):
    kind: str  # "bare", "malformed" or "call"
    head: str = ""
    raw: str = ""


def _escaped(text: str, index: int) -> bool:
    """True when the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index > 0 and text[index - 1] == "\\":
        count += 1
        index -= 1
    return count % 2 == 1


def _unescaped_positions(text: str, char: str) -> list[int]:
    # Each occurrence found by str.find, not by a Python step per character.
    found = []
    at = text.find(char)
    while at != -1:
        if not _escaped(text, at):
            found.append(at)
        at = text.find(char, at + 1)
    return found


@functools.lru_cache(maxsize=4096)
def _split(text: str) -> _Split:
    """``Tool(content)`` split at the first unescaped "(" and the last unescaped ")"."""
    if "(" not in text and ")" not in text:
        return _Split("bare")
    opens, closes = _unescaped_positions(text, "("), _unescaped_positions(text, ")")
    if not opens and not closes:
        return _Split("bare")
    if not opens or not closes:
        return _Split("malformed")
    start, end = opens[0], closes[-1]
    head = text[:start]
    if end <= start or end != len(text) - 1 or "(" in head or ")" in head:
        return _Split("malformed")
    return _Split("call", head, text[start + 1 : end])


def parse(text: str) -> RuleValue:
    """The tool and content of rule ``text`` as the client stores it (aliases resolved)."""
    split = _split(text)
    if split.kind != "call" or not split.head:
        return RuleValue(ALIASES.get(text, text))
    tool = ALIASES.get(split.head, split.head)
    if split.raw in ("", "*"):
        return RuleValue(tool)
    content = split.raw.replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\")
    return RuleValue(tool, content)


def mcp_parts(tool: str) -> tuple[str, str | None] | None:
    """``(server, tool)`` of an ``mcp__server__tool`` name (tool None for ``mcp__server``)."""
    if not tool.startswith(MCP_PREFIX):
        return None
    sep = tool.find("__", len(MCP_PREFIX))
    if sep == -1:
        server = tool[len(MCP_PREFIX) :]
        return (server, None) if server else None
    if sep == len(MCP_PREFIX):
        return None
    return tool[len(MCP_PREFIX) : sep], tool[sep + 2 :]


def _has_star(text: str) -> bool:
    return any(c == "*" and not _escaped(text, i) for i, c in enumerate(text))


def _wildcard_tool(tool: str) -> str | None:
    if "*" not in tool:
        return None
    mcp = mcp_parts(tool)
    if mcp is not None and "*" not in mcp[0]:
        return None
    return (
        f'Wildcard tool name "{tool}" is not supported in allow rules. An allow pattern must name '
        "the scope it widens: globs are permitted only in the tool position after a literal "
        "mcp__<server>__ prefix. Deny and ask rules accept wildcards anywhere"
    )


def problem(text: str, kind: str) -> str | None:
    """Why the client skips rule ``text`` of list ``kind`` (allow, ask, deny), or None."""
    if not text.strip():
        return "Permission rule cannot be empty"
    split = _split(text)
    if split.kind == "malformed":
        return (
            "Malformed Tool(content) rule. Rules take the form Tool or Tool(content) and must end "
            'at the closing ")"; parentheses inside the content are literal'
        )
    if split.kind == "call" and split.raw == "":
        if not split.head:
            return "Empty parentheses with no tool name. Specify a tool name before the parentheses"
        return (
            f'Empty parentheses. Either specify a pattern or use just "{split.head}" without '
            "parentheses"
        )
    value = parse(text)
    tool = value.tool
    mcp = mcp_parts(tool)
    if mcp is not None:
        if split.kind == "call":
            return _mcp_call(tool, *mcp)
        return _wildcard_tool(tool) if kind == "allow" else None
    if kind == "allow" and (wild := _wildcard_tool(tool)):
        return wild
    if "_" not in tool and tool[0] != tool[0].upper():
        return f'Tool names must start with uppercase. Use "{tool[0].upper() + tool[1:]}"'
    if split.kind == "call" and _ambiguous_escape(split.raw):
        if tool in _FILE_TOOLS:
            hint = (
                "Write a Windows path with forward slashes, or spell a literal parenthesis as "
                "[(] or [)]"
            )
        else:
            hint = (
                'Double a backslash that is a path separator ("\\\\("), and escape literal '
                "parentheses in pairs"
            )
        return f'Ambiguous "\\(" or "\\)" beside an unescaped parenthesis. {hint}'
    content = value.content
    if content is None:
        return None
    if tool == "WebSearch" and ("*" in content or "?" in content):
        return "WebSearch does not support wildcards. Use exact search terms without * or ?"
    if tool == "WebFetch":
        if "://" in content or content.startswith("http"):
            return 'WebFetch permissions use domain format, not URLs. Use "domain:hostname" format'
        if not content.startswith("domain:"):
            return 'WebFetch permissions must use "domain:" prefix. Use "domain:hostname" format'
    if tool == "Bash" and content == ":*":
        return "Prefix cannot be empty before :*. Specify a command prefix before :*"
    if tool in _FILE_TOOLS and ":*" in content:
        return (
            'The ":*" syntax is only for Bash prefix rules. Use glob patterns like "*" or "**" '
            "for file matching"
        )
    return None


def _mcp_call(tool: str, server: str, name: str | None) -> str:
    if name and "*" not in name:
        hint = (
            f'Use "{tool}" without parentheses. For all tools of a server, use '
            f'"mcp__{server}__*" for the server "{server}", or "{tool}__*" for a server named '
            f'"{server}__{name}"'
        )
    else:
        hint = f'Use "{tool}" without parentheses, or use "mcp__{server}__*" for all tools'
    return f"MCP rules do not support patterns in parentheses. {hint}"


def _ambiguous_escape(raw: str) -> bool:
    """An escaped parenthesis beside unbalanced unescaped ones: the client cannot tell which."""
    return bool(_ESCAPED_PAREN.search(raw)) and len(_unescaped_positions(raw, "(")) != len(
        _unescaped_positions(raw, ")")
    )


class RuleWarning(NamedTuple):
    """A start-up warning about an accepted rule: what is wrong, and the rule to write instead."""

    kind: str  # never-consulted, raw-field, unknown-tool, misplaced-prefix, literal-star, ...
    message: str
    replacement: str | None = None


def warnings(text: str, kind: str) -> list[RuleWarning]:
    """The client's start-up warnings about rule ``text`` in list ``kind`` (only valid rules)."""
    if problem(text, kind) is not None:
        return []
    value = parse(text)
    out: list[RuleWarning] = []
    if kind in ("deny", "ask") and value.tool not in REMOVED_TOOLS:
        out.extend(_tool_warnings(value))
    content = value.content
    if content is not None:
        colon = content.find(":")
        if (
            colon > 0
            and _IDENTIFIER.fullmatch(content[:colon].strip())
            and not _DRIVE.match(content.strip())
        ):
            return out  # `field:value` content: the client does not look further
    found = _content_warning(value, kind)
    if found is not None:
        out.append(found)
    return out


def _tool_warnings(value: RuleValue) -> list[RuleWarning]:
    tool, content = value.tool, value.content
    if "*" in tool or "_" in tool or tool in KNOWN_TOOLS:
        field = _FIELDS.get(tool)
        if field is None or content is None:
            return []
        colon = content.find(":")
        if colon <= 0 or content[:colon].strip() != field:
            return []
        target = _FIELD_FIX.get(tool, tool)
        rest = content[colon + 1 :].strip()
        return [
            RuleWarning(
                "raw-field",
                f'{value.shown} never matches: the client compares its text, "{field}:" '
                f"included, with the {field}",
                str(RuleValue(target, rest)) if rest else None,
            )
        ]
    return [RuleWarning("unknown-tool", f"{value.shown} names no tool the client knows (a typo?)")]


def _content_warning(value: RuleValue, kind: str) -> RuleWarning | None:
    tool, content = value.tool, value.content
    if content is None:
        return None
    if tool == "Bash":
        found = _bash_warning(value, content, kind)
        if found is not None:
            return found
    target = NEVER_CONSULTED.get(tool)
    if target is not None and ":*" not in content:
        action = "editing" if target == "Edit" else "reading"
        return RuleWarning(
            "never-consulted",
            f"{value.shown} is never consulted: file permission checks read only {target}(path) "
            f"rules (they cover every file-{action} tool)",
            str(RuleValue(target, content)),
        )
    return None


def _bash_warning(value: RuleValue, content: str, kind: str) -> RuleWarning | None:
    if kind == "allow" and not content.endswith(":*"):
        words = content.split()
        command = _variable_wildcard(words)
        if command is not None:
            return RuleWarning(
                "wildcard-in-variable",
                f"{value.shown} has a * in a variable's value; a * also matches spaces, so the "
                f"rule also approves other commands that have {command} later in the line",
            )
        command = _wildcard_before_rest(words)
        if command is not None:
            extra = " (for git, options such as -c can run any command)" if command == "git" else ""
            return RuleWarning(
                "wildcard-before-rest",
                f"{value.shown} has a wildcard before the rest of the command, so it also approves "
                f"any options inserted there{extra}",
            )
    prefix = _TRAILING_PREFIX.fullmatch(content)
    if prefix is not None:
        head = prefix.group(1).rstrip()
        if _has_star(head):
            literal = _ends_with_star(head)
            effect = (
                "matches only commands with a literal * there"
                if literal
                else "will likely never match"
            )
            return RuleWarning(
                "literal-star",
                f"{value.shown} mixes * with the trailing :* prefix syntax: the * is read "
                f"literally, so the rule {effect}",
            )
        return None
    if ":*" in content and not content.endswith(":*"):
        return RuleWarning(
            "misplaced-prefix",
            f"{value.shown} has a :* that is not at the end: it is read as a * wildcard (with a "
            "literal :), not as the trailing :* prefix syntax",
        )
    return None


def _ends_with_star(text: str) -> bool:
    text = text.rstrip()
    return text.endswith("*") and not _escaped(text, len(text) - 1)


def _wildcard_before_rest(words: list[str]) -> str | None:
    """``git * main``: the command whose later words follow a wildcard (which matches options)."""
    if len(words) < 3 or _has_star(words[0]):
        return None
    seen_star = False
    for word in words[1:]:
        if _SHELL_OPERATOR.match(word):
            return None
        if _has_star(word):
            seen_star = True
            continue
        if word.startswith("-"):
            continue
        return words[0] if seen_star else None
    return None


def _variable_wildcard(words: list[str]) -> str | None:
    """``FOO=* npm test``: the command after an assignment whose value holds a wildcard."""
    first = next((i for i, w in enumerate(words) if not _ASSIGNMENT.match(w)), None)
    if first is None:
        return None
    command = words[first]
    if _SHELL_OPERATOR.match(command) or not any(_has_star(w) for w in words[:first]):
        return None
    match = re.match(r"[^*]+", command)
    return match.group(0) if match else None
