"""JUnit XML: one test case per checked rule and file with findings, for CI test dashboards."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from parity.findings import Finding
from parity.report import Report
from parity.text import display


def render(report: Report, *, color: bool = False) -> str:
    """A ``<testsuites>`` document; each finding is a ``<failure>`` of its file's test case.

    Every text from the repository goes through ``display``: XML 1.0 forbids most control
    characters (even as character references), and one of them would make the whole report
    unreadable to the CI system that collects it.
    """
    del color
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_path[f.path].append(f)
    suites = ET.Element("testsuites", name="claude-parity")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="parity check",
        tests=str(max(len(report.findings), 1)),
        failures=str(len(report.findings)),
        errors="0",
    )
    if not report.findings:
        ET.SubElement(suite, "testcase", name="no findings", classname="parity")
    for path in sorted(by_path):
        shown = display(path)
        for f in by_path[path]:
            message = display(f.message)
            case = ET.SubElement(
                suite, "testcase", name=f"{f.code} {f.name} at {f.line}:{f.column}", classname=shown
            )
            failure = ET.SubElement(
                case, "failure", message=message, type=f"{f.code} {f.severity.label}"
            )
            failure.text = f"{shown}:{f.line}:{f.column}: {f.code} {message}" + (
                f"\nFix: {display(f.fix)}" if f.fix else ""
            )
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
