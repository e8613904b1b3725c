"""Count the code lines and glue calls of the book's notebooks (for the refactoring notes).

Usage: python scripts/notebook_stats.py [notebooks/*.py]
A code line is a non-blank, non-comment line of a code cell.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stats(path: Path) -> tuple[int, int]:
    text = path.read_text(encoding="utf-8")
    code = 0
    for cell in re.split(r"(?m)^# %%", text)[1:]:
        head, _, body = cell.partition("\n")
        if "[markdown]" in head:
            continue
        code += sum(1 for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return code, len(re.findall(r"\bglue(?:_\w+)?\(", text))


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv[1:]] or sorted((ROOT / "notebooks").glob("*.py"))
    total_code = total_glue = 0
    for path in paths:
        code, glues = stats(path)
        total_code, total_glue = total_code + code, total_glue + glues
        print(f"{path.stem:<14} {code:5d} code lines {glues:5d} glue calls")
    print(f"{'total':<14} {total_code:5d} code lines {total_glue:5d} glue calls")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
