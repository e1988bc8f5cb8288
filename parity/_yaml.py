"""The YAML half of the loaders, imported only when a YAML file or a frontmatter is parsed.

PyYAML costs tens of milliseconds to import; most checks never need it (see parity/load.py).
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from parity._lazy import lazy_compile
from parity.positions import (
    _JS_SPACE,
    _MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    LoadIssue,
    _array_index,
    _Lines,
    pointer,
    pointer_parts,
)

try:
    from yaml import CSafeLoader
except ImportError:  # PyYAML built without libyaml: same results, slower
    CSafeLoader = None  # type: ignore[assignment,misc]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_SATURATED = 10**12  # expanded sizes stop growing here: only "too big" matters


class _JsonLikeValues:
    """Constructors that keep values JSON-like: timestamps remain strings, huge ints floats.

    A mixin for PyYAML's safe loaders, the libyaml one and the pure-Python one alike.
    """

    construct_yaml_int: Any
    construct_scalar: Any

    def construct_lenient_int(self, node: ScalarNode) -> int | float:
        try:
            return int(self.construct_yaml_int(node))
        except ValueError:  # over Python's 4300-digit limit
            try:
                return float(str(self.construct_scalar(node)).replace("_", ""))
            except ValueError:
                return float("inf")

    def construct_timestamp_text(self, node: ScalarNode) -> str:
        # Dates stay strings: YAML 1.2 parsers (as used in JavaScript) have no timestamp type,
        # and rules and schemas expect JSON-like values.
        return str(self.construct_scalar(node))


class _PythonLoader(_JsonLikeValues, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader."""


def _resolvers(table: Sequence[tuple[str, str, str]]) -> dict[str | None, list[tuple[str, Any]]]:
    """PyYAML's implicit-resolver table (first character -> tags and patterns)."""
    out: dict[str | None, list[tuple[str, Any]]] = {}
    for tag, pattern, first in table:
        for char in first or [""]:
            # Compiled when a scalar starting with ``char`` is first resolved: a frontmatter
            # of plain words (name: x, description: Does y) uses none of them.
            out.setdefault(char, []).append((tag, lazy_compile(pattern)))
    return out


# The YAML 1.2 core schema, which is how the client's parser (Bun's) reads plain scalars, checked
# with client 2.1.330: `yes`, `on`, `1_000`, `1:20` and dates stay text; `012` is twelve, `0o17`
# octal; `~`, `null` and an empty value are null; merge keys (`<<`) merge.
_CORE_RESOLVERS = _resolvers(
    (
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
        ("tag:yaml.org,2002:null", r"^$", ""),
        ("tag:yaml.org,2002:int", r"^[-+]?(?:0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+)$", "-+0123456789"),
        (
            "tag:yaml.org,2002:float",
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            "-+0123456789.",
        ),
        (_MERGE_TAG, r"^<<$", "<"),
    )
)
_SPECIAL_FLOATS = {"inf": float("inf"), "nan": float("nan")}


class _CoreSchema:
    """Mixin: resolve and build values as the YAML 1.2 core schema and JavaScript do.

    Mapping keys become strings, as in a JavaScript object (a collection used as a key does not
    make the document invalid there).
    """

    yaml_implicit_resolvers = _CORE_RESOLVERS
    construct_scalar: Any
    construct_object: Any
    flatten_mapping: Any

    def construct_core_int(self, node: ScalarNode) -> int | float:
        text = str(self.construct_scalar(node))
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        base = {"0o": 8, "0x": 16}.get(digits[:2], 10)
        try:
            return sign * int(digits[2:] if base != 10 else digits, base)
        except ValueError:  # over Python's 4300-digit limit
            return sign * float("inf")

    def construct_core_float(self, node: ScalarNode) -> float:
        text = str(self.construct_scalar(node))
        special = _SPECIAL_FLOATS.get(text.lstrip("+-.").lower())
        if special is not None:
            return -special if text.startswith("-") else special
        return float(text)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key = _js_string(self.construct_object(key_node, deep=True))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _js_string(value: Any) -> str:
    """``String(value)`` in JavaScript, for the values YAML can build."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, list):
        return ",".join("" if v is None else _js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


class _PythonCoreLoader(_CoreSchema, _JsonLikeValues, yaml.SafeLoader):
    """The pure-Python loader with the YAML 1.2 core schema."""


_CONSTRUCTORS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("tag:yaml.org,2002:int", _JsonLikeValues.construct_lenient_int),
    ("tag:yaml.org,2002:timestamp", _JsonLikeValues.construct_timestamp_text),
)
_CORE_CONSTRUCTORS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("tag:yaml.org,2002:int", _CoreSchema.construct_core_int),
    ("tag:yaml.org,2002:float", _CoreSchema.construct_core_float),
)
# Which PyYAML build parses: "c" (libyaml, the default when PyYAML has it) or "python".  Both
# must give the same answer for every input; the tests run the YAML cases with each.
# LOADERS read YAML 1.1 (PyYAML's own resolver: parity's routines file); CORE_LOADERS read the
# YAML 1.2 core schema (frontmatter, as the client reads it).
LOADERS: dict[str, type[Any]] = {"python": _PythonLoader}
CORE_LOADERS: dict[str, type[Any]] = {"python": _PythonCoreLoader}
if CSafeLoader is not None:

    class _CLoader(_JsonLikeValues, CSafeLoader):
        """PyYAML's libyaml-based safe loader."""

    class _CCoreLoader(_CoreSchema, _JsonLikeValues, CSafeLoader):
        """The libyaml-based loader with the YAML 1.2 core schema."""

    LOADERS["c"] = _CLoader
    CORE_LOADERS["c"] = _CCoreLoader
for _loader_class in (*LOADERS.values(), *CORE_LOADERS.values()):
    for _tag, _constructor in _CONSTRUCTORS:
        _loader_class.add_constructor(_tag, _constructor)
for _loader_class in CORE_LOADERS.values():
    for _tag, _constructor in _CORE_CONSTRUCTORS:
        _loader_class.add_constructor(_tag, _constructor)
loader = "c" if "c" in LOADERS else "python"


class _YamlProblem(Exception):
    """A fatal YAML problem at a character offset of the YAML text."""

    def __init__(self, kind: str, message: str, offset: int) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.offset = offset


class _Frame:
    """A collection being composed: its pointer, expanded size so far, and a pending key."""

    __slots__ = ("anchored", "key", "node", "ptr", "size")

    def __init__(self, node: SequenceNode | MappingNode, ptr: str, *, anchored: bool) -> None:
        self.node = node
        self.ptr = ptr
        self.anchored = anchored
        self.size = 1
        self.key: Node | None = None


# (key start, key end, first key start, pointer) of a repeated mapping key, offsets in YAML text.
_Duplicate = tuple[int, int, int, str]


class _Composer:
    """Compose the single document of a loader into nodes, iteratively and with guards.

    PyYAML's own composer recurses (libyaml's crashed the process at 200,000 levels, and
    libyaml's scanner slows down quadratically with flow nesting) and ignores repeated keys and
    alias expansion.  This one stops at MAX_DEPTH, before the scanner has read much, refuses
    recursive aliases and alias bombs, and records repeated keys with their positions.
    """

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        # PyYAML's resolver is untyped; it picks the implicit tag (int, bool, str...) of a node.
        self.resolve: Any = loader.resolve
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}  # expanded node count of each anchored node, by id
        self.open: set[int] = set()  # ids of collections still being composed
        self.duplicates: list[_Duplicate] = []
        self.stack: list[_Frame] = []
        self.distinct = 0

    def run(self) -> Node | None:
        loader = self.loader
        loader.get_event()  # StreamStartEvent
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # DocumentStartEvent
        while True:
            event: Any = loader.get_event()
            if isinstance(event, CollectionStartEvent):
                self._start(event)
                continue
            if isinstance(event, AliasEvent):
                node, size = self._alias(event)
            elif isinstance(event, ScalarEvent):
                node, size = self._scalar(event), 1
            else:  # SequenceEndEvent or MappingEndEvent: nothing else comes inside a document
                node, size = self._end(event)
            if not self.stack:
                break
            parent = self.stack[-1]
            parent.size = min(parent.size + size, _SATURATED)
            if isinstance(parent.node, SequenceNode):
                parent.node.value.append(node)
            elif parent.key is None:
                parent.key = node
            else:
                parent.node.value.append((parent.key, node))
                parent.key = None
        if size > max(_MAX_ALIAS_EXPANSION, 10 * self.distinct):
            shown = f"more than {_SATURATED}" if size >= _SATURATED else str(size)
            raise _YamlProblem(
                "invalid-yaml",
                f"too many aliases: they expand {self.distinct} nodes into {shown} "
                "(an alias bomb); it was not parsed",
                _offset(node.start_mark),
            )
        loader.get_event()  # DocumentEndEvent
        if not loader.check_event(StreamEndEvent):
            extra: Any = loader.get_event()
            raise _YamlProblem(
                "invalid-yaml",
                "expected a single document, but found another one",
                _offset(extra.start_mark),
            )
        return node

    def _alias(self, event: Any) -> tuple[Node, int]:
        name = event.anchor
        target = self.anchors.get(name)
        if target is None:
            raise _YamlProblem(
                "invalid-yaml", f"found undefined alias *{name}", _offset(event.start_mark)
            )
        if id(target) in self.open:
            raise _YamlProblem(
                "invalid-yaml",
                f"alias *{name} is inside the node it refers to (a recursive structure)",
                _offset(event.start_mark),
            )
        return target, self.sizes[id(target)]

    def _scalar(self, event: Any) -> Node:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(ScalarNode, event.value, event.implicit)
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        self.distinct += 1
        if event.anchor is not None:
            self.anchors[event.anchor] = node
            self.sizes[id(node)] = 1
        return node

    def _start(self, event: Any) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _YamlProblem(
                "too-deep",
                f"The value nests more than {MAX_DEPTH} levels deep; it was not parsed",
                _offset(event.start_mark),
            )
        kind: type[SequenceNode | MappingNode]
        kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, None, event.flow_style)
        frame = _Frame(node, _child_pointer(self.stack), anchored=event.anchor is not None)
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        self.open.add(id(node))
        self.distinct += 1
        self.stack.append(frame)

    def _end(self, event: Any) -> tuple[Node, int]:
        frame = self.stack.pop()
        node = frame.node
        node.end_mark = event.end_mark
        self.open.discard(id(node))
        if frame.anchored:
            self.sizes[id(node)] = frame.size
        if isinstance(node, MappingNode):
            self.duplicates.extend(_repeated_keys(node, frame.ptr))
        return node, frame.size


def _offset(mark: Any) -> int:
    return int(mark.index) if mark is not None else 0


def _child_pointer(stack: Sequence[_Frame]) -> str:
    if not stack:
        return ""
    parent = stack[-1]
    if isinstance(parent.node, SequenceNode):
        return f"{parent.ptr}/{len(parent.node.value)}"
    key = parent.key
    # A collection used as a key (``? [a, b]``) has no pointer of its own: use the mapping's.
    if not isinstance(key, ScalarNode):
        return parent.ptr
    return parent.ptr + pointer([key.value])


def _repeated_keys(node: MappingNode, ptr: str) -> list[_Duplicate]:
    seen: dict[tuple[str, str], ScalarNode] = {}
    repeated: list[_Duplicate] = []
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
            continue  # "<<" may repeat, and explicit keys are meant to override merged ones
        first = seen.setdefault((key.tag, key.value), key)
        if first is not key:
            repeated.append(
                (
                    key.start_mark.index,
                    key.end_mark.index,
                    first.start_mark.index,
                    ptr + pointer([key.value]),
                )
            )
    return repeated


def _compose(text: str, loader_class: type[Any]) -> tuple[Any, Node | None, list[_Duplicate]]:
    loader = loader_class(text)
    try:
        composer = _Composer(loader)
        root = composer.run()
        value = loader.construct_document(root) if root is not None else None
        return value, root, composer.duplicates
    finally:
        loader.dispose()


def _nesting_limit(exc: yaml.YAMLError) -> int | None:
    """Where libyaml stopped on its own nesting limit (deeper than MAX_DEPTH), else None."""
    if isinstance(exc, yaml.MarkedYAMLError) and "maximum nesting depth" in (exc.problem or ""):
        mark = exc.problem_mark or exc.context_mark
        return int(mark.index) if mark is not None else None
    return None


def parse_yaml(
    text: str,
    base: int,
    display: str,
    lines: _Lines,
    *,
    core: bool = False,
    to_file: Callable[[int], int] | None = None,
) -> tuple[Any, Node | None, list[LoadIssue]]:
    """Parse YAML ``text`` found at offset ``base`` of the file whose lines are ``lines``.

    ``core`` reads it with the YAML 1.2 core schema (as the client reads frontmatter) instead of
    YAML 1.1.  ``to_file`` maps an offset of ``text`` to one of the file when ``text`` is not a
    verbatim slice of it (the client's rewritten second reading of a frontmatter).
    """
    at = to_file if to_file is not None else (lambda offset: base + offset)
    family = CORE_LOADERS if core else LOADERS
    loader_class = family[loader]
    try:
        try:
            value, root, repeated = _compose(text, loader_class)
        except yaml.YAMLError as exc:
            limit = _nesting_limit(exc)
            if limit is None:
                raise
            # libyaml refuses some nesting (over 1,000 flow levels) while scanning ahead, before
            # the composer sees MAX_DEPTH levels.  The pure-Python parser of the text up to that
            # point stops at MAX_DEPTH, where it would have stopped on the whole text.
            loader_class = family["python"]
            value, root, repeated = _compose(text[:limit], loader_class)
    except _YamlProblem as exc:
        message = exc.message if exc.kind != "invalid-yaml" else f"Invalid YAML: {exc.message}"
        issue = LoadIssue(exc.kind, message, lines.location(display, at(exc.offset)), True)
        return None, None, [issue]
    except yaml.YAMLError as exc:
        offset, message = _yaml_error(text, exc, c_parser=loader_class is not family["python"])
        issue = LoadIssue("invalid-yaml", message, lines.location(display, at(offset)), True)
        return None, None, [issue]
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # An explicit tag whose text does not convert (``!!float abc``) and the like.
        issue = LoadIssue(
            "invalid-yaml",
            f"Invalid YAML: a value cannot be built ({type(exc).__name__}: {exc})",
            lines.location(display, at(0)),
            True,
        )
        return None, None, [issue]
    issues = []
    for key_start, key_end, first, ptr in repeated:
        name = pointer_parts(ptr)[-1]
        first_line = lines.position(at(first))[0]
        issues.append(
            LoadIssue(
                "duplicate-key",
                f"Duplicate key {json.dumps(name, ensure_ascii=False)} (first on line "
                f"{first_line}): YAML does not allow repeated keys; strict parsers reject the "
                "file and others keep only the last value",
                lines.location(display, at(key_start), at(key_end), ptr),
                fatal=False,
            )
        )
    return value, root, issues


def _yaml_error(text: str, exc: yaml.YAMLError, *, c_parser: bool) -> tuple[int, str]:
    if isinstance(exc, yaml.reader.ReaderError):
        offset = exc.position
        if c_parser:  # libyaml counts UTF-8 bytes of the text it was given
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
        return (
            offset,
            f"Invalid YAML: character #x{exc.character:04x} is not allowed ({exc.reason})",
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "cannot parse"
        context = f" ({exc.context})" if exc.context else ""
        return (mark.index if mark is not None else 0), f"Invalid YAML: {problem}{context}"
    return 0, f"Invalid YAML: {exc}"


class YamlPositions:
    """Spans of YAML values by pointer, from the composed node graph.

    ``text`` is the YAML that was parsed; ``to_file`` maps its offsets to offsets of the file.
    """

    __slots__ = ("_maps", "root", "text", "to_file")

    def __init__(self, root: Node, text: str, to_file: Callable[[int], int]) -> None:
        self.root, self.text, self.to_file = root, text, to_file
        self._maps: dict[int, dict[str, tuple[Node, Node]]] = {}

    def _members(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        found = self._maps.get(id(node))
        if found is None:
            # Later keys win, as in the constructed value (merged keys come first).
            found = {k.value: (k, v) for k, v in node.value if isinstance(k, ScalarNode)}
            self._maps[id(node)] = found
        return found

    def span(self, parts: Sequence[str | int], *, key: bool) -> tuple[int, int] | None:
        node, key_node, resolved = self.root, None, 0
        for part in parts:
            if isinstance(node, MappingNode):
                hit = self._members(node).get(str(part))
                if hit is None:
                    break
                key_node, node = hit
            elif isinstance(node, SequenceNode):
                index = _array_index(part)
                if index is None or index >= len(node.value):
                    break
                key_node, node = None, node.value[index]
            else:
                break
            resolved += 1
        if resolved == 0:
            return None
        if key and key_node is not None and resolved == len(parts):
            node = key_node
        return self.to_file(node.start_mark.index), self.to_file(self._end(node))

    def _end(self, node: Node) -> int:
        # A block collection's end mark lies at the next token, past blank lines and comments:
        # end it where its last value ends instead.
        while isinstance(node, (SequenceNode, MappingNode)) and not node.flow_style and node.value:
            last = node.value[-1]
            node = last[1] if isinstance(node, MappingNode) else last
        start, end = node.start_mark.index, node.end_mark.index
        while end > start and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end


# --------------------------------------------------------------------------------------------
# The client's second reading of a frontmatter


# The client's patterns are JavaScript ones: \s is _JS_SPACE, and `.` matches no line break.
_PAIR = lazy_compile(f"([a-zA-Z_-]+):[{_JS_SPACE}]+([^{_JS_SPACE}][^\\n\\r\\u2028\\u2029]*)\\Z")
_INDICATOR = lazy_compile(r"[{}\[\]*&#!|>%@`]|: ")
_LEADING_TABS = lazy_compile("(?:^|(?<=[\\n\\r\\u2028\\u2029]))\t+")


class SecondReading(NamedTuple):
    """The text the client parses when a frontmatter does not parse as written (2.1.330).

    It double-quotes the value of each top-level ``key: value`` line whose key is letters, ``_``
    and ``-`` only and whose unquoted value holds a YAML indicator (one of ``{}[]*&#!|>%@```, or
    ``": "``), unless the value is a ``[...]`` list that parses; then it turns each leading tab
    into two spaces.  A line ending in a carriage return is never quoted.
    """

    text: str
    quoted: tuple[str, ...]  # the keys whose values were quoted
    retabbed: bool  # some line started with a tab
    # Per line: start in ``text``, start in the original, original length, the column where the
    # quoted value starts in ``text`` and in the original (-1 when not quoted), leading tabs.
    spans: tuple[tuple[int, int, int, int, int, int], ...]

    def to_original(self, offset: int) -> int:
        """The offset in the original text of an offset in ``text``."""
        starts = [line[0] for line in self.spans]
        new_start, old_start, old_len, new_value, old_value, tabs = self.spans[
            max(0, bisect_right(starts, offset) - 1)
        ]
        column = offset - new_start
        if new_value >= 0 and column >= new_value:
            column = old_value + max(0, column - new_value - 1)
        elif tabs and column < 2 * tabs:
            column //= 2
        elif tabs:
            column -= tabs
        return old_start + min(column, old_len)


def second_reading(block: str) -> SecondReading:
    """How the client rewrites ``block`` before parsing it a second time."""
    new_lines: list[str] = []
    info = []
    quoted: list[str] = []
    new_at = old_at = 0
    for line in block.split("\n"):
        new, new_value, old_value = line, -1, -1
        match = _PAIR.match(line)
        if match is not None and _needs_quotes(match.group(2)):
            key, value = match.groups()
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            new = f'{key}: "{escaped}"'
            new_value, old_value = len(key) + 2, match.start(2)
            quoted.append(key)
        tabs = _LEADING_TABS.match(new)
        count = len(tabs.group()) if tabs is not None else 0
        new = "  " * count + new[count:]
        info.append((new_at, old_at, len(line), new_value, old_value, count))
        new_lines.append(new)
        new_at += len(new) + 1
        old_at += len(line) + 1
    text = "\n".join(new_lines)
    retabbed = any(line[5] for line in info)
    return SecondReading(text, tuple(quoted), retabbed, tuple(info))


def _needs_quotes(value: str) -> bool:
    for mark in ('"', "'"):
        if value.startswith(mark) and value.endswith(mark):
            return False
    if value.startswith("[") and value.endswith("]"):
        try:
            if isinstance(_compose(value, CORE_LOADERS[loader])[0], list):
                return False
        except (yaml.YAMLError, _YamlProblem, ValueError, TypeError, RecursionError):
            pass
    return _INDICATOR.search(value) is not None
