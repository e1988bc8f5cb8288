"""Tests for parity.load: positions of values and of every kind of bad input."""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity.findings import Location
from parity.load import (
    MAX_BYTES,
    MAX_DEPTH,
    Document,
    JsonDocument,
    LoadIssue,
    MarkdownDocument,
    MisplacedFrontmatter,
    YamlDocument,
    _json_structure,
    load_json,
    load_markdown,
    load_text,
    load_yaml,
    pointer,
    pointer_parts,
    read_text,
)

HERE = Path("/nonexistent/parity-test/file")  # never read: every test passes data or tmp_path


def js(data: str | bytes, display: str = "settings.json") -> JsonDocument:
    raw = data.encode() if isinstance(data, str) else data
    return load_json(HERE, display, data=raw)


def ym(data: str | bytes, display: str = "routines.yaml") -> YamlDocument:
    raw = data.encode() if isinstance(data, str) else data
    return load_yaml(HERE, display, data=raw)


def md(data: str | bytes, display: str = "SKILL.md") -> MarkdownDocument:
    raw = data.encode() if isinstance(data, str) else data
    return load_markdown(HERE, display, data=raw)


def only(doc: Document) -> LoadIssue:
    assert len(doc.issues) == 1, doc.issues
    return doc.issues[0]


def at(loc: Location) -> tuple[int, int]:
    return loc.line, loc.column


def span(loc: Location) -> tuple[int, int, int, int]:
    return loc.line, loc.column, loc.end_line, loc.end_column


def budget(seconds: float, data: bytes | None = None) -> float:
    """A time bound: ``seconds``, or more on a machine too busy to parse ``data`` quickly.

    Eight times the stdlib parser on the same data still catches anything quadratic.
    """
    if data is None:
        return seconds
    began = time.perf_counter()
    json.loads(data)
    return max(seconds, 8 * (time.perf_counter() - began))


def excerpt(text: str, loc: Location) -> str:
    """The text between a Location's start and its (exclusive) end."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    begin = starts[loc.line - 1] + loc.column - 1
    end = starts[loc.end_line - 1] + loc.end_column - 1
    return text[begin:end]


# --------------------------------------------------------------------------------------------
# Pointers


def test_pointer_escapes_tilde_and_slash() -> None:
    assert pointer(["a/b", "m~n", 0, ""]) == "/a~1b/m~0n/0/"
    assert pointer([]) == ""
    assert pointer_parts("/a~1b/m~0n/0/") == ["a/b", "m~n", "0", ""]
    assert pointer_parts("") == []
    # "~01" is "~1" escaped once: unescaping must not turn it into "/".
    assert pointer_parts("/~01") == ["~1"]


@given(st.lists(st.text() | st.integers(min_value=0)))
def test_pointer_round_trip(parts: list[str | int]) -> None:
    assert pointer_parts(pointer(parts)) == [str(p) for p in parts]


# --------------------------------------------------------------------------------------------
# JSON syntax the client rejects, at the exact place


def test_line_comment_is_invalid_at_the_comment() -> None:
    doc = js('{\n  // model\n  "model": "opus"\n}\n')
    issue = only(doc)
    assert (issue.kind, issue.fatal, doc.ok, doc.value) == ("invalid-json", True, False, None)
    assert at(issue.location) == (2, 3)
    assert "comments are not allowed" in issue.message


def test_comment_after_a_value_is_invalid_at_the_comment() -> None:
    issue = only(js('{"a": 1 /* why */, "b": 2}'))
    assert at(issue.location) == (1, 9)
    assert issue.message.startswith("Invalid JSON: expecting ',' delimiter (comments")


def test_trailing_comma_in_object() -> None:
    issue = only(js('{\n  "a": 1,\n}'))
    assert at(issue.location) == (3, 1)
    assert "trailing commas are not allowed" in issue.message


def test_trailing_comma_in_array() -> None:
    issue = only(js('{"allow": ["Bash(ls)",\n  ]}'))
    assert at(issue.location) == (2, 3)
    assert "trailing commas are not allowed" in issue.message


@pytest.mark.parametrize(
    ("text", "token", "column"),
    [
        ('{"a": NaN}', "NaN", 7),
        ('{"a": [1, Infinity]}', "Infinity", 11),
        ('{"a": -Infinity}', "-Infinity", 7),
        ('{"NaN": "Infinity -Infinity", "b": NaN}', "NaN", 36),
    ],
)
def test_nan_and_infinity_are_invalid_at_the_token(text: str, token: str, column: int) -> None:
    issue = only(js(text))
    assert issue.kind == "invalid-json"
    assert span(issue.location) == (1, column, 1, column + len(token))
    assert issue.message.startswith(f"Invalid JSON: {token} is not a JSON value")


def test_missing_comma() -> None:
    issue = only(js('{\n  "a": 1\n  "b": 2\n}'))
    assert at(issue.location) == (3, 3)
    assert issue.message == "Invalid JSON: expecting ',' delimiter"


def test_truncated_file() -> None:
    issue = only(js('{\n  "a": [1, 2'))
    assert at(issue.location) == (2, 13)
    assert "the file ends before the value is complete" in issue.message


def test_single_quotes() -> None:
    issue = only(js("{'a': 1}"))
    assert at(issue.location) == (1, 2)
    assert "double quotes" in issue.message


def test_unterminated_string_points_at_its_start() -> None:
    issue = only(js('{"a": "abc'))
    assert at(issue.location) == (1, 7)
    assert "never closed" in issue.message


def test_raw_newline_inside_a_string() -> None:
    issue = only(js('{"a": "x\ny"}'))
    assert at(issue.location) == (1, 9)
    assert issue.message.startswith("Invalid JSON: invalid control character (")


def test_two_top_level_values() -> None:
    issue = only(js("{}\n{}"))
    assert at(issue.location) == (2, 1)
    assert "more after the end" in issue.message


# --------------------------------------------------------------------------------------------
# Encodings


def test_utf8_bom_is_reported_and_stripped() -> None:
    doc = js(b'\xef\xbb\xbf{"a": 1}')
    issue = only(doc)
    assert (issue.kind, issue.fatal, at(issue.location)) == ("bom", False, (1, 1))
    assert doc.ok
    assert doc.value == {"a": 1}
    assert doc.text == '{"a": 1}'
    assert span(doc.locate("/a")) == (1, 7, 1, 8)


@pytest.mark.parametrize(
    ("codec", "name"), [("utf-16-le", "UTF-16 LE"), ("utf-16-be", "UTF-16 BE")]
)
def test_utf16_with_bom_is_decoded_and_reported(codec: str, name: str) -> None:
    bom = "\ufeff".encode(codec)
    doc = js(bom + '{\n  "clé": "ü"\n}'.encode(codec))
    issue = only(doc)
    assert (issue.kind, issue.fatal) == ("bom", False)
    assert name in issue.message
    assert doc.value == {"clé": "ü"}
    assert span(doc.locate("/clé")) == (2, 10, 2, 13)


def test_truncated_utf16_is_a_decode_error() -> None:
    doc = js(b"\xff\xfe{\x00\n\x00}")  # an odd number of bytes after the BOM
    assert doc.issues[-1].kind == "decode"
    assert doc.issues[-1].fatal
    assert at(doc.issues[-1].location) == (2, 1)


def test_invalid_utf8_is_fatal_at_the_first_bad_byte() -> None:
    doc = js(b'{\n  "\xc3\xa9": "\xff"\n}')
    issue = only(doc)
    assert (issue.kind, issue.fatal) == ("decode", True)
    assert at(issue.location) == (2, 9)  # columns count characters: "é" is one
    assert "0xff" in issue.message
    assert doc.text == ""
    assert doc.value is None


def test_nul_bytes_mean_binary() -> None:
    doc = js(b'{"a": 1}\n\x00\x01')
    issue = only(doc)
    assert (issue.kind, issue.fatal, at(issue.location)) == ("decode", True, (2, 1))
    assert "binary" in issue.message


# --------------------------------------------------------------------------------------------
# Shapes


@pytest.mark.parametrize("data", ["", "  \n\t\r\n"])
def test_empty_and_blank_files(data: str) -> None:
    for doc in (js(data), ym(data), md(data)):
        assert doc.empty
        assert doc.ok
        assert doc.issues == ()
        assert doc.value is None
        assert at(doc.locate("/a/b")) == (1, 1)


def test_null_at_top_is_a_value_not_an_empty_file() -> None:
    doc = js("null\n")
    assert (doc.ok, doc.empty, doc.value) == (True, False, None)


def test_array_at_top() -> None:
    doc = js('[\n  1,\n  ["x", {"y": true}]\n]')
    assert doc.value == [1, ["x", {"y": True}]]
    assert span(doc.locate("/1/1/y")) == (3, 15, 3, 19)
    assert span(doc.locate([1, 0])) == (3, 4, 3, 7)
    assert span(doc.locate("/1")) == (3, 3, 3, 21)


def test_crlf_line_endings() -> None:
    doc = js('{\r\n  "a": {\r\n    "b": [1, 2]\r\n  }\r\n}\r\n')
    assert span(doc.locate("/a/b/1")) == (3, 14, 3, 15)
    assert span(doc.locate("/a")) == (2, 8, 4, 4)
    assert span(doc.locate("/a/b", key=True)) == (3, 5, 3, 8)


def test_non_ascii_keys_count_code_points() -> None:
    doc = js('{"ключ": {"😀é": "ü", "a\\"b": 1}}')
    assert span(doc.locate(["ключ", "😀é"])) == (1, 17, 1, 20)
    assert span(doc.locate(["ключ", "😀é"], key=True)) == (1, 11, 1, 15)
    # A key with an escape: its span is the key as written.
    loc = doc.locate(["ключ", 'a"b'], key=True)
    assert excerpt(doc.text, loc) == '"a\\"b"'


# --------------------------------------------------------------------------------------------
# locate()


SETTINGS = """{
  "permissions": {
    "allow": ["Bash(npm test)", "Read"],
    "a/b": {"m~n": 1}
  },
  "hooks": {}
}
"""


def test_locate_values_and_keys() -> None:
    doc = js(SETTINGS)
    loc = doc.locate("/permissions/allow/1")
    assert loc == Location("settings.json", 3, 33, 3, 39, "/permissions/allow/1")
    assert span(doc.locate(("permissions", "allow"), key=True)) == (3, 5, 3, 12)
    assert excerpt(doc.text, doc.locate(("permissions",))).startswith('{\n    "allow"')
    # Keys are found through escaped pointer tokens.
    assert excerpt(doc.text, doc.locate("/permissions/a~1b/m~0n", key=True)) == '"m~n"'
    assert excerpt(doc.text, doc.locate("/hooks")) == "{}"


def test_locate_missing_pointer_goes_to_nearest_ancestor() -> None:
    doc = js(SETTINGS)
    loc = doc.locate("/permissions/deny/0")
    assert (loc.line, loc.column, loc.pointer) == (2, 18, "/permissions/deny/0")
    assert at(doc.locate("/permissions/allow/7")) == (3, 14)
    assert at(doc.locate("/permissions/allow/01")) == (3, 14)  # not an array index
    assert at(doc.locate("/permissions/allow/-")) == (3, 14)
    assert at(doc.locate(("permissions", "allow", -1))) == (3, 14)
    assert at(doc.locate("/permissions/allow/0/deeper")) == (3, 15)
    assert at(doc.locate("/hooks/SessionStart", key=True)) == (6, 12)
    assert doc.locate("/nothing").pointer == "/nothing"
    assert at(doc.locate("/nothing")) == (1, 1)


def test_locate_root_and_failed_documents() -> None:
    assert at(js(SETTINGS).locate("")) == (1, 1)
    assert at(js(SETTINGS).locate(())) == (1, 1)
    bad = js('{"a": 1,}')
    assert bad.locate("/a") == Location("settings.json", 1, 1, pointer="/a")


def test_locate_duplicate_key_resolves_to_the_last_one() -> None:
    doc = js('{"a": {"x": 1}, "b": 2, "a": {"y": 3}}')
    assert doc.value == {"a": {"y": 3}, "b": 2}
    assert excerpt(doc.text, doc.locate("/a")) == '{"y": 3}'
    # /a/x only existed in the value that was overridden: nearest ancestor is the last /a.
    assert at(doc.locate("/a/x")) == (1, 30)


def test_document_attributes() -> None:
    doc = load_json(Path("rel/settings.json"), ".claude/settings.json", data=b"{}")
    assert doc.path.is_absolute()
    assert doc.display == ".claude/settings.json"
    assert "settings.json" in repr(doc)


# --------------------------------------------------------------------------------------------
# Duplicate keys


def test_json_duplicate_keys_are_reported_at_the_second_key() -> None:
    doc = js('{\n  "a": 1,\n  "b": {"x": 1, "x": 2},\n  "a": 3\n}')
    assert doc.ok
    assert doc.value == {"a": 3, "b": {"x": 2}}
    first, second = doc.issues
    assert (first.kind, first.fatal) == ("duplicate-key", False)
    assert span(first.location) == (3, 17, 3, 20)
    assert first.location.pointer == "/b/x"
    assert span(second.location) == (4, 3, 4, 6)
    assert second.location.pointer == "/a"
    assert second.message == (
        'Duplicate key "a" (first on line 2): '
        "the client, like JSON.parse, keeps only the last value"
    )


def test_json_duplicate_key_with_escapes_and_colons_in_strings() -> None:
    # Colons and brackets inside strings must not confuse the member count.
    doc = js('{"u": "http://x:1/[{", "k\\u0065y": 1, "key": 2, "z": "a\\"b:"}')
    issue = only(doc)
    assert issue.location.pointer == "/key"
    assert doc.value["key"] == 2


def test_yaml_duplicate_keys(yaml_loader: str) -> None:
    doc = ym("routines:\n  - name: a\n    prompt: p\n    name: b\n")
    issue = only(doc)
    assert (issue.kind, issue.fatal) == ("duplicate-key", False)
    assert span(issue.location) == (4, 5, 4, 9)
    assert issue.location.pointer == "/routines/0/name"
    assert "first on line 2" in issue.message
    assert doc.value == {"routines": [{"name": "b", "prompt": "p"}]}


def test_yaml_merge_keys_are_not_duplicates(yaml_loader: str) -> None:
    doc = ym("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
    assert doc.issues == ()
    assert doc.value["c"] == {"x": 1, "y": 3}
    assert at(doc.locate("/c/y")) == (4, 6)
    assert at(doc.locate("/c/x")) == (1, 14)  # merged from the anchor


# --------------------------------------------------------------------------------------------
# Limits


def test_twenty_megabyte_string_value() -> None:
    big = "x" * 20_000_000
    data = json.dumps({"a": big, "b": [1, 2]}).encode()
    limit = budget(5, data)
    began = time.perf_counter()
    doc = js(data)
    loc = doc.locate("/b/1")
    whole = doc.locate("/a")
    elapsed = time.perf_counter() - began
    assert doc.ok
    assert len(doc.value["a"]) == 20_000_000
    assert span(loc) == (1, 20_000_020, 1, 20_000_021)
    assert span(whole) == (1, 7, 1, 20_000_009)
    assert elapsed < limit


@pytest.mark.parametrize(
    "data",
    [
        "[" * 200_000 + "]" * 200_000,
        '{"a":' * 200_000 + "1" + "}" * 200_000,
        "[" * 200_000,
    ],
)
def test_200000_deep_json_is_too_deep(data: str) -> None:
    began = time.perf_counter()
    doc = js(data)
    issue = only(doc)
    assert (issue.kind, issue.fatal, doc.value) == ("too-deep", True, None)
    assert issue.location.line == 1
    assert time.perf_counter() - began < 5


def test_depth_cap_is_exact() -> None:
    assert js("[" * MAX_DEPTH + "]" * MAX_DEPTH).ok
    deeper = js('{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}")
    assert only(deeper).kind == "too-deep"
    assert at(only(deeper).location) == (1, 6 + MAX_DEPTH)
    # Brackets inside strings do not count.
    assert js(json.dumps(["[" * 500, {"x": "{" * 500}])).ok


def test_200000_deep_yaml_is_too_deep(yaml_loader: str) -> None:
    began = time.perf_counter()
    for data in ("[" * 200_000 + "]" * 200_000, "- " * 200_000 + "x\n"):
        issue = only(ym(data))
        assert (issue.kind, issue.fatal) == ("too-deep", True)
        assert issue.location.line == 1
    assert time.perf_counter() - began < 5


def test_100000_servers() -> None:
    servers = {
        f"server-{i}": {"type": "stdio", "command": "npx", "args": ["-y", f"pkg-{i}"]}
        for i in range(100_000)
    }
    data = json.dumps({"mcpServers": servers}, indent=2).encode()
    limit = budget(5, data)
    began = time.perf_counter()
    doc = js(data, ".mcp.json")
    loc = doc.locate("/mcpServers/server-99999/args/1")
    again = doc.locate("/mcpServers/server-3/command", key=True)
    elapsed = time.perf_counter() - began
    assert doc.ok
    assert excerpt(doc.text, loc) == '"pkg-99999"'
    assert excerpt(doc.text, again) == '"command"'
    assert elapsed < limit


def test_huge_integers_do_not_raise(yaml_loader: str) -> None:
    digits = "9" * 5000
    doc = js('{"a": [' + digits + '], "b": {"c": -' + digits + '}, "d": 1}')
    assert doc.ok
    assert doc.value["a"] == [float("inf")]
    assert excerpt(doc.text, doc.locate("/d")) == "1"
    assert excerpt(doc.text, doc.locate("/a/0")) == digits
    assert ym(f"a: {digits}\n").value == {"a": float("inf")}


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as stream:
        stream.truncate(MAX_BYTES + 1)  # sparse: nothing is written or read
    doc = load_json(path, "big.json")
    issue = only(doc)
    assert (issue.kind, issue.fatal, doc.text) == ("too-large", True, "")
    assert "64 MiB" in issue.message
    text, issues = read_text(path, "big.json", data=b"x" * 11, limit=10)
    assert (text, [i.kind for i in issues]) == ("", ["too-large"])
    path.write_bytes(b"x" * 11)
    assert [i.kind for i in read_text(path, "big.json", limit=10)[1]] == ["too-large"]


def test_alias_bomb_is_refused_quickly(yaml_loader: str) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    began = time.perf_counter()
    doc = ym("\n".join(lines) + "\n")
    issue = only(doc)
    assert time.perf_counter() - began < 2
    assert (issue.kind, issue.fatal, doc.value) == ("invalid-yaml", True, None)
    assert "too many aliases" in issue.message


def test_recursive_alias_is_refused(yaml_loader: str) -> None:
    issue = only(ym("a: &x [1, *x]\n"))
    assert (issue.kind, at(issue.location)) == ("invalid-yaml", (1, 11))
    assert "recursive" in issue.message


def test_moderate_aliases_are_fine(yaml_loader: str) -> None:
    doc = ym("x: &x [1, 2]\ny: [*x, *x, *x]\n")
    assert doc.ok
    assert doc.value == {"x": [1, 2], "y": [[1, 2], [1, 2], [1, 2]]}


# --------------------------------------------------------------------------------------------
# Files that cannot be read


def test_directory_missing_fifo_and_symlink(tmp_path: Path) -> None:
    assert only(load_json(tmp_path, "dir")).kind == "not-a-file"
    assert only(load_json(tmp_path / "missing.json", "m")).kind == "not-a-file"
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    issue = only(load_yaml(fifo, "fifo.json"))  # must not block waiting for a writer
    assert (issue.kind, issue.fatal) == ("not-a-file", True)
    target = tmp_path / "real.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    issue = only(load_json(link, "link.json"))
    assert issue.kind == "not-a-file"
    assert "symbolic link" in issue.message
    assert load_json(target, "real.json").ok


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text("{}")
    path.chmod(0)
    try:
        issue = only(load_markdown(path, "secret.json"))
    finally:
        path.chmod(0o600)
    assert (issue.kind, issue.fatal) == ("unreadable", True)


def test_permission_denied_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root reads any file, so the refusal is simulated at the one call that opens files.
    path = tmp_path / "secret.json"
    path.write_text("{}")
    real_open = os.open

    def refuse(target: Any, flags: int, *args: Any) -> int:
        if Path(target) == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        return real_open(target, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    issue = only(load_json(path, "secret.json"))
    assert (issue.kind, issue.fatal, issue.message) == (
        "unreadable",
        True,
        "Cannot read the file: permission denied",
    )


def test_reads_files_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b'{"model": "opus"}')
    doc = load_json(path, ".claude/settings.json")
    assert doc.value == {"model": "opus"}
    assert doc.path == path


def test_load_text_for_scripts() -> None:
    doc = load_text(HERE, "hook.sh", data=b"#!/bin/sh\necho \xc3\xa9 $HOME\n")
    assert (doc.ok, doc.value, doc.text) == (True, None, "#!/bin/sh\necho é $HOME\n")
    assert at(doc.locate("/x")) == (1, 1)
    # Rules that scan the text turn offsets into locations.
    start = doc.text.index("$HOME")
    assert span(doc.at_offset(start, start + 5)) == (2, 8, 2, 13)


# --------------------------------------------------------------------------------------------
# YAML


ROUTINES = """\
# routines
routines:
  - name: nightly
    when: 2026-01-01
    triggers:
      - schedule: {cron: "7 3 * * *"}
      - api: {}

    # trailing comment
other: [1, 'two']
"""


def test_yaml_locate(yaml_loader: str) -> None:
    doc = ym(ROUTINES)
    assert doc.ok
    assert doc.value["routines"][0]["when"] == "2026-01-01"  # dates stay strings
    assert span(doc.locate("/routines/0/triggers/0/schedule/cron")) == (6, 26, 6, 37)
    assert span(doc.locate("/routines/0/name", key=True)) == (3, 5, 3, 9)
    # A block collection ends with its last value, not at the comment after it.
    assert span(doc.locate("/routines/0")) == (3, 5, 7, 16)
    assert span(doc.locate("/other/1")) == (10, 12, 10, 17)
    assert at(doc.locate("/routines/0/missing")) == (3, 5)
    assert at(doc.locate("/routines/5")) == (3, 3)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("a: [1, 2\nb: 3\n", (2, 2), "expected ','"),
        ("a: b: c\n", (1, 5), "mapping values are not allowed"),
        ("é: \x07\n", (1, 4), "#x0007"),
        ("a: *nope\n", (1, 4), "undefined alias"),
        ("a: 1\n---\nb: 2\n", (2, 1), "single document"),
        ("a: !!float abc\n", (1, 1), "cannot be built"),
        ("? [a]\n: 1\n", (1, 3), "unhashable"),
    ],
)
def test_yaml_errors(text: str, where: tuple[int, int], words: str, yaml_loader: str) -> None:
    issue = only(ym(text))
    assert (issue.kind, issue.fatal) == ("invalid-yaml", True)
    assert at(issue.location) == where
    assert words in issue.message


# --------------------------------------------------------------------------------------------
# Markdown frontmatter


def test_the_frontmatter_blank_is_javascripts_space_on_every_code_point() -> None:
    # The client's pattern allows JavaScript's \s around "---"; parity writes it as Python's \s
    # less what JavaScript lacks (a quarter of the compile time of the class of ranges).
    import re

    from parity import load
    from parity.positions import _JS_SPACE

    every = "".join(map(chr, range(0x110000)))
    assert re.findall(load._JS_BLANK, every) == re.findall(f"[{_JS_SPACE}]", every)
    for blank in ("\u3000", "\ufeff", "\x0b"):
        assert load.load_markdown(
            Path("a.md"), "a.md", data=f"---{blank}\nname: a\n---\n".encode()
        ).has_frontmatter
    for other in ("\x1c", "\x85"):
        assert not load.load_markdown(
            Path("a.md"), "a.md", data=f"---{other}\nname: a\n---\n".encode()
        ).has_frontmatter


def test_frontmatter_positions_are_in_the_whole_file(yaml_loader: str) -> None:
    doc = md("---\nname: review\ndescription: |\n  Reviews.\ntools: [Read, Grep]\n---\n# Body\n")
    assert doc.ok
    assert doc.has_frontmatter
    assert doc.frontmatter == {
        "name": "review",
        "description": "Reviews.\n",
        "tools": ["Read", "Grep"],
    }
    assert doc.value is doc.frontmatter
    assert doc.body_line == 7
    assert span(doc.locate("/name")) == (2, 7, 2, 13)
    assert span(doc.locate("/tools/1")) == (5, 15, 5, 19)
    assert span(doc.locate("/tools", key=True)) == (5, 1, 5, 6)
    assert at(doc.locate("")) == (1, 1)


def test_frontmatter_with_crlf_and_trailing_spaces(yaml_loader: str) -> None:
    doc = md("---  \r\nname: x\r\nmodel: opus\r\n---   \r\nbody\r\n")
    assert doc.frontmatter == {"name": "x", "model": "opus"}
    assert doc.body_line == 5
    assert span(doc.locate("/model")) == (3, 8, 3, 12)


def test_no_frontmatter(yaml_loader: str) -> None:
    doc = md("# Title\n---\nname: x\n---\n")
    assert (doc.has_frontmatter, doc.frontmatter, doc.issues, doc.body_line) == (False, None, (), 1)
    assert not doc.empty


def test_empty_frontmatter_is_an_empty_mapping(yaml_loader: str) -> None:
    doc = md("---\n---\nbody")
    assert (doc.ok, doc.frontmatter, doc.body_line) == (True, {}, 3)


def test_invalid_frontmatter_yaml(yaml_loader: str) -> None:
    doc = md('---\nname: x\ndescription: "a, b\n---\nbody\n')
    issue = only(doc)
    assert (issue.kind, issue.fatal, doc.frontmatter, doc.has_frontmatter) == (
        "invalid-yaml",
        True,
        None,
        True,
    )
    assert at(issue.location) == (4, 1)
    assert doc.text.endswith("body\n")


@pytest.mark.parametrize(
    ("line", "value", "quoted"),
    [
        ("description: Use when: writing tests", "Use when: writing tests", "`description`"),
        ("description: [a, b", "[a, b", "`description`"),
        ("description: @alice reviews", "@alice reviews", "`description`"),
        ("description: *not-an-alias", "*not-an-alias", "`description`"),
        ("description:\tUse when: x #tag", "Use when: x #tag", "`description`"),
    ],
)
def test_frontmatter_the_client_reads_a_second_time(
    yaml_loader: str, line: str, value: str, quoted: str
) -> None:
    doc = md(f"---\nname: x\n{line}\ntools: [Read, Grep]\n---\nbody\n")
    issue = only(doc)
    assert (issue.kind, issue.fatal) == ("lenient-yaml", False)
    assert f"quoting the value of {quoted}" in issue.message
    assert doc.frontmatter == {"name": "x", "description": value, "tools": ["Read", "Grep"]}
    # Positions are those of the file as written, not of the quoted text.
    assert excerpt(doc.text, doc.locate("/description")) == line.split(None, 1)[1].strip()
    assert span(doc.locate("/tools/1")) == (4, 15, 4, 19)


def test_frontmatter_with_leading_tabs_is_read_a_second_time(yaml_loader: str) -> None:
    doc = md("---\nname: x\ntools:\n\t- Read\n\t- Grep\n---\n")
    issue = only(doc)
    assert (issue.kind, issue.fatal) == ("lenient-yaml", False)
    assert "leading tabs" in issue.message
    assert doc.frontmatter == {"name": "x", "tools": ["Read", "Grep"]}
    assert span(doc.locate("/tools/1")) == (5, 4, 5, 8)


@pytest.mark.parametrize(
    "text",
    [
        # A carriage return ends the line the client would quote, so it does not quote it.
        "---\r\nname: x\r\ndescription: Use when: x\r\n---\r\n",
        # Only top-level keys made of letters, "_" and "-" are quoted.
        "---\nname: x\nmeta:\n  note: a: b\n---\n",
        "---\nname: x\nkey2: a: b\n---\n",
        # A value continued on the next line.
        "---\nname: x\ndescription: first\n  second: line\n---\n",
    ],
)
def test_frontmatter_neither_reading_parses(yaml_loader: str, text: str) -> None:
    issue = only(md(text))
    assert (issue.kind, issue.fatal) == ("invalid-yaml", True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", "yes"),
        ("on", "on"),
        ("True", True),
        ("012", 12),
        ("0o17", 15),
        ("0x1F", 31),
        ("1_000", "1_000"),
        ("1:20", "1:20"),
        ("2024-01-01", "2024-01-01"),
        ("1e3", 1000.0),
        (".inf", float("inf")),
        ("~", None),
        ("", None),
        ("Null", None),
        ("nuLL", "nuLL"),
    ],
)
def test_frontmatter_is_yaml_1_2(yaml_loader: str, value: str, expected: object) -> None:
    # As the client's parser reads it (checked with client 2.1.330).
    assert md(f"---\nv: {value}\n---\n").frontmatter == {"v": expected}


def test_frontmatter_keys_are_strings(yaml_loader: str) -> None:
    front = md("---\n1: a\ntrue: b\ndescription: {{ template }}\n---\n").frontmatter
    assert front == {"1": "a", "true": "b", "description": {"[object Object]": None}}


def test_frontmatter_ends_at_the_first_three_dashes(yaml_loader: str) -> None:
    doc = md("---\nname: x\ndescription: Reviews code --- quickly\n---\nbody\n")
    assert doc.frontmatter == {"name": "x", "description": "Reviews code"}
    issue = only(doc)
    assert (issue.kind, issue.fatal, span(issue.location)) == (
        "frontmatter-cut",
        False,
        (3, 27, 3, 30),
    )
    assert md("---\nname: x\n--- the end\n").frontmatter == {"name": "x"}


@pytest.mark.parametrize(
    ("text", "line", "before"),
    [
        ("<!-- generated -->\n---\nname: x\n---\n", 2, "an HTML comment"),
        ("\n\n---\nname: x\n---\n", 3, "a blank line"),
        ("  ---\nname: x\n---\n", 1, "spaces before the '---'"),
    ],
)
def test_frontmatter_that_does_not_open_the_file(
    yaml_loader: str, text: str, line: int, before: str
) -> None:
    doc = md(text)
    assert (doc.has_frontmatter, doc.frontmatter, doc.issues) == (False, None, ())
    assert doc.misplaced == MisplacedFrontmatter(line, before)


def test_frontmatter_must_be_a_mapping(yaml_loader: str) -> None:
    issue = only(md("---\n- a\n- b\n---\n"))
    assert (issue.kind, at(issue.location)) == ("invalid-yaml", (2, 1))
    assert "a list" in issue.message


def test_unclosed_frontmatter(yaml_loader: str) -> None:
    doc = md("---\nname: x\n")
    issue = only(doc)
    assert (issue.kind, issue.fatal, doc.frontmatter) == ("invalid-yaml", True, None)
    assert "never closed" in issue.message


def test_frontmatter_duplicate_key_position(yaml_loader: str) -> None:
    issue = only(md("---\nname: a\nname: b\n---\n"))
    assert (issue.kind, span(issue.location)) == ("duplicate-key", (3, 1, 3, 5))


# --------------------------------------------------------------------------------------------
# Properties

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=25,
)


def walk(
    value: Any, parts: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield parts, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, (*parts, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, (*parts, i))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    json_values,
    st.sampled_from([None, 0, 1, 2, "\t", " "]),
    st.sampled_from([(",", ":"), (", ", ": "), (" ,\r\n", " :\t")]),
    st.booleans(),
)
def test_every_pointer_locates_its_value(
    value: Any, indent: int | str | None, separators: tuple[str, str], ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=ascii_only)
    doc = js(text)
    assert doc.issues == ()
    for parts, sub in walk(value):
        if not parts:
            continue
        loc = doc.locate(parts)
        assert loc.pointer == pointer(parts)
        assert json.loads(excerpt(doc.text, loc)) == sub
        if isinstance(parts[-1], str):
            assert json.loads(excerpt(doc.text, doc.locate(parts, key=True))) == parts[-1]


# The loader fixture is set once for all examples, which is what it is for.
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(json_values)
def test_every_yaml_pointer_locates_its_value(yaml_loader: str, value: Any) -> None:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    doc = ym(text)
    assert doc.ok, doc.issues
    # Walk what was parsed: PyYAML does not round-trip every string (NEL is a line break).
    for parts, sub in walk(doc.value):
        if parts:
            assert ym(excerpt(doc.text, doc.locate(parts))).value == sub


def depth_and_members(value: Any) -> tuple[int, int]:
    if isinstance(value, dict):
        inner = [depth_and_members(v) for v in value.values()]
        return 1 + max((d for d, _ in inner), default=0), len(value) + sum(m for _, m in inner)
    if isinstance(value, list):
        inner = [depth_and_members(v) for v in value]
        return 1 + max((d for d, _ in inner), default=0), sum(m for _, m in inner)
    return 0, 0


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 1]))
def test_structure_counts_depth_and_members_outside_strings(value: Any, indent: int | None) -> None:
    # Duplicate detection and the depth cap rely on this C-speed count being exact.
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    assert _json_structure(text) == depth_and_members(value)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.text(max_size=3), json_values, min_size=1, max_size=4),
    json_values,
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=2),
)
def test_any_repeated_key_is_found(obj: dict[str, Any], last: Any, pick: int, nest: int) -> None:
    name = list(obj)[pick % len(obj)]
    text = json.dumps(obj)[:-1] + ", " + json.dumps(name) + ": " + json.dumps(last) + "}"
    prefix: tuple[str | int, ...] = ()
    for _ in range(nest):
        text, prefix = '[0, {"k": ' + text + "}]", (1, "k", *prefix)
    doc = js(text)
    issue = only(doc)
    assert issue.kind == "duplicate-key"
    assert issue.location.pointer == pointer((*prefix, name))
    assert json.loads(excerpt(doc.text, issue.location)) == name
    assert json.loads(excerpt(doc.text, doc.locate((*prefix, name)))) == last


def within(doc: Document, data: bytes, issue: LoadIssue) -> None:
    loc = issue.location
    assert loc.display == doc.display
    if doc.text:
        lines = doc.text.split("\n")
        assert 1 <= loc.line <= len(lines)
        assert 1 <= loc.column <= len(lines[loc.line - 1]) + 1
        assert (loc.end_line, loc.end_column) >= (loc.line, loc.column)
        assert loc.end_line <= len(lines)
    else:
        assert 1 <= loc.line <= data.count(b"\n") + 1
        assert 1 <= loc.column <= len(data) + 1


JSONISH = st.text(alphabet="{}[]:,\"\\ \n\t-.0123456789eEtrufalsnNIy/*#'aé", max_size=60)
YAMLISH = st.text(alphabet="-:?&*!|>[]{},#'\" \n\tabc01\x07é%@`", max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80) | JSONISH.map(str.encode) | YAMLISH.map(str.encode))
def test_loaders_never_raise_and_issues_lie_inside_the_file(data: bytes) -> None:
    for loader in (load_json, load_yaml, load_markdown, load_text):
        for raw in (data, b"---\n" + data + b"\n---\n"):
            doc = loader(HERE, "f", data=raw)
            if not doc.ok:
                assert doc.value is None
            for issue in doc.issues:
                within(doc, raw, issue)
            for ptr in ("", "/a", "/0/b"):
                doc.locate(ptr)
                doc.locate(ptr, key=True)


def test_read_text_decodes_plain_files() -> None:
    text, issues = read_text(HERE, "x", data="naïve\n".encode())
    assert (text, issues) == ("naïve\n", [])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\n", max_size=9000), st.lists(st.integers(-5, 9100), max_size=20))
def test_positions_looked_up_in_any_order_are_counted_from_the_start(
    text: str, offsets: list[int]
) -> None:
    # A lookup counts from the last one when it is near after it: in any order, every answer
    # is the line and column counted from the start of the text.
    from parity.positions import _Lines

    lines = _Lines(text)
    for offset in [*offsets, *sorted(offsets)]:
        at = max(0, min(offset, len(text)))
        newline = text.rfind("\n", 0, at)
        assert lines.position(offset) == (text.count("\n", 0, at) + 1, at - newline)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab\n", max_size=9000),
    st.integers(-5, 9100),
    st.one_of(st.none(), st.integers(-5, 9100)),
)
def test_a_span_ends_where_its_end_offset_is(text: str, start: int, end: int | None) -> None:
    # The end of a span is counted from its start (not looked up in the chunk table): it must
    # be where the end offset is, lines and columns as for any offset.
    from parity.positions import _Lines

    lines = _Lines(text)
    loc = lines.location("f", start, end)
    line, column = lines.position(start)
    if end is None or end <= start:
        assert loc == Location("f", line, column)
    else:
        assert loc == Location("f", line, column, *lines.position(end))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab\n", max_size=1000), st.data(), st.booleans())
def test_many_spans_are_located_as_one_by_one(
    text: str, data: st.DataObject, ordered: bool
) -> None:
    # Many spans for a text's lines are looked up in a table of line starts (a scan's hits, in
    # order): each location is the one a lookup of that span alone gives, and for a span inside
    # the text the line and column counted from the start.
    offset = st.integers(-3, len(text) + 3)
    spans = data.draw(st.lists(st.tuples(offset, st.none() | offset), min_size=64, max_size=150))
    from parity.positions import _Lines

    if ordered:
        spans.sort(key=lambda span: span[0])
    located = _Lines(text).locations("f", spans)
    assert located == [_Lines(text).location("f", start, end) for start, end in spans]

    def at(offset: int) -> tuple[int, int]:
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)

    for (start, end), loc in zip(spans, located, strict=True):
        if 0 <= start < len(text) and end is not None and start < end <= len(text):
            assert loc == Location("f", *at(start), *at(end))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4), st.integers(0, 4))
def test_a_location_keeps_its_span_well_formed(
    line: int, column: int, end_line: int, end_column: int
) -> None:
    # An empty or backward end means the start character only (as the dataclass it was did it).
    loc = Location("f", line, column, end_line, end_column, "/p")
    empty = end_line < line or (end_line == line and end_column <= column)
    end = (line, column + 1) if empty else (end_line, end_column)
    assert (loc.end_line, loc.end_column) == end
    assert loc == ("f", line, column, *end, "/p")
    assert hash(loc) == hash(("f", line, column, *end, "/p"))
    assert Location("f", line, column) == ("f", line, column, line, column + 1, "")
    assert repr(Location("f")) == (
        "Location(display='f', line=1, column=1, end_line=1, end_column=2, pointer='')"
    )


def test_a_read_gathers_short_reads_up_to_the_size_asked() -> None:
    # Files are read from the descriptor (no file object per configuration file): a read that
    # returns fewer bytes than asked is continued, as a buffered file's read continues it.
    from parity.load import _read_up_to

    read, write = os.pipe()
    try:
        os.write(write, b"abcd")
        os.write(write, b"efghij")
        os.close(write)
        write = -1
        assert _read_up_to(read, 8) == b"abcdefgh"
        assert _read_up_to(read, 8) == b"ij"  # the end comes first
        assert _read_up_to(read, 8) == b""
        assert _read_up_to(read, 0) == b""
    finally:
        os.close(read)
        if write >= 0:
            os.close(write)


def test_a_file_that_grows_while_read_is_read_up_to_the_limit(tmp_path: Path) -> None:
    from parity import load

    path = tmp_path / "settings.json"
    path.write_bytes(b"{}")
    real_fstat = os.fstat

    def grown(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        with path.open("ab") as more:  # written after fstat gave the size
            more.write(b" " * 30)
        return info

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load.os, "fstat", grown)
        data, problem = load._read_bytes(path, "settings.json", 100)
    assert (data, problem) == (b"{}" + b" " * 30, None)
    with pytest.MonkeyPatch.context() as patch:
        path.write_bytes(b"{}")
        patch.setattr(load.os, "fstat", grown)
        data, problem = load._read_bytes(path, "settings.json", 20)
    assert data is None
    assert problem is not None
    assert problem.kind == "too-large"
