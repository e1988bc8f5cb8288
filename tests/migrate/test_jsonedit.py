"""JSON splices keep the file's indentation, key order and trailing newline."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parity.jsonedit import append_item, detect_indent, set_member

FOUR = '{\n    "b": 1,\n    "a": {\n        "x": [1, 2]\n    }\n}'


def test_insert_keeps_indent_order_and_no_trailing_newline() -> None:
    out = set_member(FOUR, ["a", "y"], {"k": "v"})
    assert out == (
        '{\n    "b": 1,\n    "a": {\n        "x": [1, 2],\n        "y": {\n'
        '            "k": "v"\n        }\n    }\n}'
    )


def test_insert_creates_missing_objects_and_keeps_trailing_newline() -> None:
    text = '{\n  "env": {}\n}\n'
    assert set_member(text, ["env", "A"], "1") == '{\n  "env": {\n    "A": "1"\n  }\n}\n'
    assert set_member(text, ["hooks", "Stop"], []) == (
        '{\n  "env": {},\n  "hooks": {\n    "Stop": []\n  }\n}\n'
    )


def test_replace_and_tabs() -> None:
    text = '{\n\t"a": 1,\n\t"b": 2\n}\n'
    assert detect_indent(text) == "\t"
    assert set_member(text, ["a"], [1]) == '{\n\t"a": [\n\t\t1\n\t],\n\t"b": 2\n}\n'


def test_compact_and_empty() -> None:
    assert set_member('{"a": 1}', ["b"], 2) == '{"a": 1, "b": 2}'
    assert set_member("", ["mcpServers", "x"], {"type": "stdio"}) == (
        '{\n  "mcpServers": {\n    "x": {\n      "type": "stdio"\n    }\n  }\n}\n'
    )
    assert set_member("{}\n", ["a"], 1) == '{\n  "a": 1\n}\n'


def test_append_item() -> None:
    text = '{\n  "hooks": {\n    "Stop": [\n      {"hooks": []}\n    ]\n  }\n}\n'
    out = append_item(text, ["hooks", "Stop"], {"matcher": "x"})
    assert json.loads(out)["hooks"]["Stop"][1] == {"matcher": "x"}
    assert out.startswith('{\n  "hooks": {\n    "Stop": [\n      {"hooks": []},\n      {\n')
    assert append_item(text, ["hooks", "Stop", 0, "hooks"], 1) == (
        '{\n  "hooks": {\n    "Stop": [\n      {"hooks": [\n        1\n      ]}\n    ]\n  }\n}\n'
    )
    assert json.loads(append_item("{}", ["a"], 1)) == {"a": [1]}
    with pytest.raises(ValueError, match="not an array"):
        append_item('{"a": 1}', ["a"], 2)


keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=5)
values: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(keys, values, max_size=4),
    st.lists(keys, min_size=1, max_size=3),
    values,
    st.sampled_from([2, 4, "\t"]),
    st.booleans(),
)
def test_set_member_is_a_faithful_edit(
    doc: dict[str, Any], path: list[str], value: Any, indent: int | str, newline: bool
) -> None:
    text = json.dumps(doc, indent=indent) + ("\n" if newline else "")
    try:
        out = set_member(text, path, value)
    except ValueError:
        return  # a non-object on the path
    expected = json.loads(text)
    node = expected
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    assert json.loads(out) == expected
    assert list(json.loads(out)) == list(expected)  # key order
    assert out.endswith("\n") == newline
    if path[0] in doc:
        return
    assert out.startswith(text.rstrip("\n")[:-1].rstrip())  # everything before is untouched
