"""The recorded workflow (docs/transcript) and the README blocks generated from it."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
TRANSCRIPT = ROOT / "docs" / "transcript"


def make() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_transcript", TRANSCRIPT / "make.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def blocks(text: str) -> list[str]:
    return re.findall(r"```text\n(.*?)```", text, re.S)


def test_readme_blocks_are_the_recorded_output() -> None:
    # Hand-edited README samples drift from what the code prints: each block is a recording.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    recorded = blocks((TRANSCRIPT / "workflow.md").read_text(encoding="utf-8"))
    found = re.findall(r"<!-- transcript: ([\w-]+) -->\n```text\n(.*?)```", readme, re.S)
    names = {step.readme for step in make().STEPS if step.readme}
    assert {name for name, _ in found} == names
    for name, text in found:
        assert text in recorded, name


def test_every_step_of_the_recording_is_in_the_transcript() -> None:
    recorded = blocks((TRANSCRIPT / "workflow.md").read_text(encoding="utf-8"))
    assert [b.split("\n", 1)[0] for b in recorded] == [f"$ {s.command}" for s in make().STEPS]
    assert "parity-transcript-" not in "".join(recorded)  # shown as /home/dev/...


def test_screen_keeps_what_a_terminal_shows() -> None:
    screen = make().screen
    assert screen("\x1b[1mbold\x1b[0m text\r\n") == "bold text"
    # A live progress line redrawn in place, then cleared: only the final lines stay.
    live = "step 1 ...\r\x1b[2Kstep 1 done\r\n\x1b[?25lspinner\r\x1b[2K\x1b[1A\x1b[2Kresult\r\n"
    assert screen(live) == "result"
    assert screen("abc\rX\r\n") == "Xbc"
