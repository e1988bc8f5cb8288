"""Scan every file of a folder with parity's secret scanner: the whole-process peer of
``detect-secrets scan`` and ``gitleaks dir`` in bench/run.py.

Usage: python bench/scan.py FOLDER   (prints one line per secret: file, line, kind)
"""

from __future__ import annotations

import sys
from pathlib import Path

from parity.secrets import scan_text


def main() -> int:
    """Scan the files of the folder named on the command line."""
    root = Path(sys.argv[1])
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "planted.json"):
        text = path.read_text(encoding="utf-8", errors="replace")
        line, last = 1, 0
        for m in scan_text(text):
            line += text.count("\n", last, m.start)
            last = m.start
            out.append(f"{path.name}:{line}: {m.kind}\n")
    sys.stdout.write("".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
