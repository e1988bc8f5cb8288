"""Validate parsed documents against the bundled schemas, and say what the client does about it."""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Hashable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from parity._resources import load_schema
from parity.text import NAME_LIMIT, VALUE_LIMIT, quote

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Resource

REJECT, SKIP, DROP = "reject", "skip", "drop"
_ANNOTATION = "x-parity-invalid"
CONSEQUENCE = {
    REJECT: "The client rejects the whole file: nothing in it takes effect.",
    SKIP: "The client skips this entry; the rest of the file takes effect.",
    DROP: "The client silently drops this value.",
}
_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "number",
    float: "number",
    type(None): "null",
}


class SchemaProblem(NamedTuple):
    """One schema violation: where (pointer parts), what, and the client's reaction."""

    path: tuple[str | int, ...]
    message: str
    behaviour: str
    on_key: bool = False  # the problem is the member's name, not its value
    validator: str = ""
    fix: str | None = None
    # For an unknown name: the one known name it is certainly a misspelling of (see
    # :func:`certain_match`), which a fix may put in its place.
    certain: str | None = None


@functools.cache
def validator_for(name: str) -> Validator:
    """A cached validator for bundled schema ``name`` (formats not checked: the client does not).

    Ours are draft 2020-12; the vendored SchemaStore ones say draft-07 and are read as such.
    Another bundled schema is read only when a ``$ref`` reaches it (by its $id, _URN + name).
    """
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for as draft_of
    from referencing import Registry, Resource

    schema = load_schema(name)
    # `retrieve` is referencing's documented argument; mypy's attrs plugin misses its alias.
    fetching: Registry[Any] = Registry(retrieve=_bundled)  # type: ignore[call-arg]
    registry = fetching.with_resource(schema["$id"], Resource.from_contents(schema))
    return draft_of(schema, default=Draft202012Validator)(schema, registry=registry)


_URN = "urn:claude-parity:schemas:"


@functools.cache
def _bundled(uri: str) -> Resource[Any]:
    """The bundled schema whose $id is ``uri``, for a ``$ref`` into another schema."""
    from referencing import Resource
    from referencing.exceptions import NoSuchResource

    from parity._resources import schema_names

    name = uri.removeprefix(_URN)
    if name == uri or name not in schema_names():
        raise NoSuchResource(uri)
    return Resource.from_contents(load_schema(name))


def json_type(value: object) -> str:
    """The JSON type name of a Python value, as the client's messages say it."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def problems(schema_name: str, value: object) -> list[SchemaProblem]:
    """Every schema violation in ``value``, deepest first per location, deduplicated.

    A document equal to one already validated against the same schema (the same values of the
    same JSON types, in the same order) gets the same answer without validating it again: a
    monorepo's packages often carry copies of one setup, and jsonschema costs about 10 us per
    schema node it enters (a settings file about 1.5 ms).
    """
    key = _document_key(value)
    if key is None:
        return _problems(schema_name, value)
    found = _MEMO.get((schema_name, key))
    if found is None:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        found = _MEMO[schema_name, key] = tuple(_problems(schema_name, value))
    return list(found)


_MEMO: dict[tuple[str, Hashable], tuple[SchemaProblem, ...]] = {}
_MEMO_LIMIT = 512
_SCALARS = (str, int, bool, type(None))


class _NotJson(Exception):
    """A value outside plain JSON types: its document is validated every time."""


def _document_key(value: object) -> Hashable | None:
    """A hashable form of a JSON document equal only for documents that validate the same.

    Types are part of it (``1``, ``1.0`` and ``true`` are equal in Python, not here), so is
    member order (it decides which of two problems at one place is reported), and a float is
    kept as its repr (``-0.0`` equals ``0.0``, but a message quotes it). None for anything else:
    a date or a subclass from a YAML loader, a document nested too deeply.
    """
    try:
        return _freeze(value)
    except (_NotJson, RecursionError):
        return None


def _freeze(value: object) -> Hashable:
    kind = type(value)
    if type(value) is dict:
        return dict, tuple([(_freeze(k), _freeze(v)) for k, v in value.items()])
    if type(value) is list:
        return list, tuple([_freeze(v) for v in value])
    if kind is float:
        return float, repr(value)
    if kind in _SCALARS:
        return kind, value
    raise _NotJson


def _problems(schema_name: str, value: object) -> list[SchemaProblem]:
    validator = validator_for(schema_name)
    root = load_schema(schema_name)
    out: dict[tuple[tuple[str | int, ...], bool], SchemaProblem] = {}
    for error in validator.iter_errors(value):  # type: ignore[arg-type]
        for leaf in _leaves(error):
            problem = _describe(leaf, root)
            key = (problem.path, problem.on_key)
            if key not in out:
                out[key] = problem
    return sorted(out.values(), key=lambda p: [str(x) for x in p.path])


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """For anyOf/oneOf failures, the most relevant branch's errors; else the error itself."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match, relevance

        best = best_match(error.context, key=relevance)
        # A discriminated union: the branch whose `type`/`source` matched explains the problem.
        if best is not None and list(best.absolute_path) != list(error.absolute_path):
            yield best
            return
        yield error
        return
    yield error


def behaviour_of(error: ValidationError, root: dict[str, Any]) -> str:
    """The nearest ``x-parity-invalid`` annotation on the way from the root to the failure.

    jsonschema leaves ``$ref`` out of schema paths, so a step that is not in the current node is
    looked up in the node's ``$ref`` target (annotations on the target count too).
    """
    found = str(root.get(_ANNOTATION, REJECT))
    node: Any = root
    doc: dict[str, Any] = root
    for step in error.absolute_schema_path:
        for _ in range(16):  # bounded: refs may chain, never loop forever
            if isinstance(node, dict) and step in node:
                node = node[step]
                break
            if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
                break
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not isinstance(ref, str):
                return found
            node, doc = _follow(ref, doc)
            if isinstance(node, dict) and _ANNOTATION in node:
                found = str(node[_ANNOTATION])
        else:
            return found
        if isinstance(node, dict) and _ANNOTATION in node:
            found = str(node[_ANNOTATION])
    return found


def _follow(ref: str, doc: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    base = ref.partition("#")[0]
    if base and base != doc.get("$id"):
        try:
            doc = load_schema(base.rsplit(":", 1)[-1])
        except (OSError, ValueError):
            return None, doc
    return resolve_ref("#" + ref.partition("#")[2], doc), doc


def resolve_ref(ref: str, root: dict[str, Any]) -> Any:
    """The subschema a ``$ref`` points at (in this schema or another bundled one), or None."""
    base, _, fragment = ref.partition("#")
    doc: Any = root
    if base and base != root.get("$id"):
        name = base.rsplit(":", 1)[-1]
        try:
            doc = load_schema(name)
        except (OSError, ValueError):
            return None
    for raw in fragment.split("/")[1:] if fragment else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        try:
            doc = doc[int(part)] if isinstance(doc, list) else doc[part]
        except (KeyError, IndexError, ValueError, TypeError):
            return None
    return doc


def _describe(error: ValidationError, root: dict[str, Any]) -> SchemaProblem:
    path = tuple(error.absolute_path)
    behaviour = behaviour_of(error, root)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    expected: Any = error.validator_value
    custom = schema.get("x-parity-message")
    kind = str(error.validator)
    instance = error.instance
    # The name the value is stored under: a credential-like one makes a random value a secret.
    key = next((str(p) for p in reversed(path) if isinstance(p, str)), None)
    on_key = False
    fix: str | None = None
    certain: str | None = None
    if kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        want = " or ".join("number" if n == "integer" else str(n) for n in names)
        message = f"Expected {want}, but received {json_type(instance)}"
        if "integer" in names and isinstance(instance, float):
            message = "Expected an integer, but received a fraction"
        fix = f"Use a{'n' if want[0] in 'aeiou' else ''} {want} here."
        if want == "boolean" and isinstance(instance, str):
            fix = "Use true or false without quotes."
    elif kind == "enum" and "propertyNames" in error.absolute_schema_path:
        message, hint = _unknown_name(str(instance), list(expected))
        certain = certain_match(str(instance), [str(e) for e in expected])
        on_key = True
        path = (*path, str(instance))
        fix = f'Rename it to "{hint}".' if hint else "Remove it, or use a name the client knows."
    elif kind == "enum":
        options = ", ".join(json.dumps(v) for v in expected)
        message = f"Invalid value {_short(instance, key)}. Expected one of: {options}"
        fix = f"Use one of: {options}."
    elif kind == "const":
        message = f"Invalid value {_short(instance, key)}. Expected {json.dumps(expected)}"
        fix = f"Use {json.dumps(expected)}."
    elif kind == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else "?"
        message = f'Missing required field "{missing}"'
        fix = f'Add "{missing}".'
    elif kind == "additionalProperties":
        known = list(schema.get("properties", {}))
        extra = sorted(set(instance) - set(known)) if isinstance(instance, dict) else []
        if extra:
            path = (*path, extra[0])
            on_key = True
            message, hint = _unknown_name(extra[0], known)
            certain = certain_match(extra[0], [str(k) for k in known])
            fix = f'Rename it to "{hint}".' if hint else "Remove it."
        else:
            message = error.message
    elif kind == "minLength" and expected == 1:
        message = "Value cannot be empty"
        fix = "Give it a value, or remove the entry."
    elif kind in ("exclusiveMinimum", "minimum"):
        op = ">" if kind == "exclusiveMinimum" else ">="
        message = f"Too small: expected a number {op} {expected}, received {_short(instance, key)}"
        fix = f"Use a number {op} {expected}."
    elif kind == "pattern":
        message = f"Invalid value {_short(instance, key)}: does not have the expected form"
        if isinstance(instance, str) and schema.get("x-parity-message"):
            # The schema's own wording, with the offending value named.
            custom = f"{custom} (got {_short(instance, key)})"
    elif kind in ("anyOf", "oneOf"):
        message = f"Invalid value {_short(instance, key)}: matches none of the accepted forms"
    else:
        message = str(error.message)
    if custom:
        message = str(custom)
    return SchemaProblem(path, message, behaviour, on_key, kind, fix, certain)


def _unknown_name(name: str, known: Sequence[object]) -> tuple[str, str | None]:
    choices = [str(k) for k in known]
    hint = did_you_mean(name, choices) or next(
        iter(difflib.get_close_matches(name, choices, n=1, cutoff=0.6)), None
    )
    shown = quote(name, NAME_LIMIT)
    return f"Unknown name {shown}" + (f' (did you mean "{hint}"?)' if hint else ""), hint


def certain_match(name: str, known: Sequence[str]) -> str | None:
    """The known name ``name`` certainly means, or None when that is not certain.

    Certain: the only known name equal to it once case, ``-``, ``_`` and spaces are ignored
    (``session_start``); or a known name much like it (difflib ratio 0.8) that no other known
    name comes near (the next one is 0.2 behind): ``PreToolUs``. ``OnStart`` is not certain:
    ``SessionStart`` and ``SubagentStart`` are both about as far from it.
    """

    def norm(text: str) -> str:
        return "".join(c for c in text.lower() if c not in "-_ ")

    same = [k for k in known if norm(k) == norm(name) and k != name]
    if same:
        return same[0] if len(same) == 1 else None
    ratios = sorted(
        ((difflib.SequenceMatcher(None, name, k).ratio(), k) for k in known), reverse=True
    )
    if not ratios or ratios[0][0] < 0.8:
        return None
    if len(ratios) > 1 and ratios[0][0] - ratios[1][0] < 0.2:
        return None
    return ratios[0][1]


def did_you_mean(name: str, known: Sequence[str]) -> str | None:
    """The known name closest to ``name`` (also catching case mistakes), or None."""
    lower = {k.lower(): k for k in known}
    if name.lower() in lower and lower[name.lower()] != name:
        return lower[name.lower()]
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return close[0] if close else None


def _short(value: object, key: str | None) -> str:
    # Masked before it is cut: a key cut in two no longer matches its format.
    return quote(value, VALUE_LIMIT, key=key)
