"""Compare two results folders (or two files) made by `python -m helpers analyze`.

    python scripts/compare_results.py DIR_A DIR_B [--digits 6] [--locks LOCK ...]

Each file present in both is, in order:

- identical: the same bytes;
- for CSV and JSON: equal after rounding, when every text cell, key and integer is the same
  and every other number agrees to --digits significant digits (default 6);
- for SVG: equal after rounding, when the text is the same once every number in it is rounded
  to --digits significant digits; for PNG: the same pixels, when Pillow is installed and the
  decoded images are equal (only the encoding differs);
- otherwise DIFFERENT, with the first differences shown.

Why 6 significant digits: the CSV and JSON files carry 10 (`%.10g`), far more than the book
prints (at most 4: hazard ratios and medians to 2 decimals, percentages to 1, P values to 3
decimals or 2 significant digits). Floating-point results that depend on the order of
operations (a BLAS kernel, a compiler, the math library) differ in the last few of the 10
digits, not in the 6th; a change in the analysis moves the 2nd to 4th. So 6 digits absorbs the
first and catches the second, with two digits to spare before anything the book shows. Two
numbers also agree when their relative difference is at most 10^-digits, so that a value on a
rounding boundary (1.2345649999 and 1.2345650001) does not count as a difference.

Figures are drawn by Matplotlib and its libraries, and their bytes change with those
libraries' versions. With --locks, the pins of those libraries are read from the lock files
given (e.g. every requirements/py3.X.lock): if they differ, a figure that differs is reported
as expected from the library versions and is not a failure; if they agree, or without
--locks, it is.

A file in one folder only is a difference. The exit status is 0 when nothing differs for real,
1 otherwise, and 2 for bad arguments. Only the standard library is needed (Pillow optionally).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys
from pathlib import Path

# Libraries whose version can change a figure's bytes.
FIGURE_LIBRARIES = ["matplotlib", "pillow", "numpy", "fonttools", "kiwisolver", "contourpy", "pyparsing", "seaborn"]
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
SHOW = 5  # differences shown per file


def same_number(a: float, b: float, digits: int) -> bool:
    if a == b or (math.isnan(a) and math.isnan(b)):
        return True
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return False
    if float(f"{a:.{digits}g}") == float(f"{b:.{digits}g}"):
        return True
    return abs(a - b) <= 10.0**-digits * max(abs(a), abs(b))


def as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def relative(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale and math.isfinite(scale) else 0.0


class Outcome:
    """What comparing one file found: rounding-level differences and real ones."""

    def __init__(self) -> None:
        self.rounded = 0  # numbers equal only after rounding
        self.max_rel = 0.0
        self.real: list[str] = []

    def number(self, where: str, a: float, b: float, digits: int) -> None:
        if a == b:
            return
        if same_number(a, b, digits):
            self.rounded += 1
            self.max_rel = max(self.max_rel, relative(a, b))
        else:
            self.real.append(f"{where}: {a!r} vs {b!r}")

    def text(self, where: str, a: str, b: str) -> None:
        if a != b:
            self.real.append(f"{where}: {a!r} vs {b!r}")


def compare_csv(a: bytes, b: bytes, digits: int) -> Outcome:
    out = Outcome()
    rows_a = list(csv.reader(io.StringIO(a.decode())))
    rows_b = list(csv.reader(io.StringIO(b.decode())))
    if len(rows_a) != len(rows_b):
        out.real.append(f"{len(rows_a)} vs {len(rows_b)} lines")
        return out
    header = rows_a[0] if rows_a else []
    for i, (ra, rb) in enumerate(zip(rows_a, rows_b, strict=True), start=1):
        if len(ra) != len(rb):
            out.real.append(f"line {i}: {len(ra)} vs {len(rb)} cells")
            continue
        for j, (ca, cb) in enumerate(zip(ra, rb, strict=True)):
            where = f"line {i}, column {header[j] if j < len(header) else j + 1}"
            fa, fb = as_float(ca), as_float(cb)
            if ca != cb and fa is not None and fb is not None:
                out.number(where, fa, fb, digits)
            else:
                out.text(where, ca, cb)
    return out


def compare_json(a: bytes, b: bytes, digits: int) -> Outcome:
    out = Outcome()

    def walk(x, y, where: str) -> None:
        if isinstance(x, dict) and isinstance(y, dict):
            if set(x) != set(y):
                out.real.append(f"{where or 'top level'}: keys {sorted(set(x) ^ set(y))} in one file only")
            elif list(x) != list(y):
                out.real.append(f"{where or 'top level'}: the same keys in another order")
            for key in x.keys() & y.keys():
                walk(x[key], y[key], f"{where}.{key}" if where else key)
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                out.real.append(f"{where}: {len(x)} vs {len(y)} items")
            for i, (xi, yi) in enumerate(zip(x, y, strict=False)):
                walk(xi, yi, f"{where}[{i}]")
        elif (
            isinstance(x, bool)
            or isinstance(y, bool)
            or not isinstance(x, int | float)
            or not isinstance(y, int | float)
        ):
            if x != y or type(x) is not type(y):
                out.real.append(f"{where}: {x!r} vs {y!r}")
        elif isinstance(x, int) and isinstance(y, int):
            if x != y:
                out.real.append(f"{where}: {x!r} vs {y!r}")
        else:
            out.number(where, float(x), float(y), digits)

    walk(json.loads(a), json.loads(b), "")
    return out


def compare_svg(a: bytes, b: bytes, digits: int) -> Outcome:
    out = Outcome()
    text_a, text_b = a.decode(), b.decode()
    if NUMBER.sub("#", text_a) != NUMBER.sub("#", text_b):
        lines_a, lines_b = text_a.splitlines(), text_b.splitlines()
        first = next((i for i, (x, y) in enumerate(zip(lines_a, lines_b, strict=False)) if x != y), None)
        if first is None:
            out.real.append(f"{len(lines_a)} vs {len(lines_b)} lines")
        else:
            out.real.append(
                f"drawing differs from line {first + 1}: {lines_a[first][:80]!r} vs {lines_b[first][:80]!r}"
            )
        return out
    for k, (x, y) in enumerate(zip(NUMBER.findall(text_a), NUMBER.findall(text_b), strict=True)):
        if x != y:
            out.number(f"number {k + 1}", float(x), float(y), digits)
    return out


def compare_png(a: bytes, b: bytes) -> tuple[Outcome, str]:
    out = Outcome()
    try:
        from PIL import Image
    except ImportError:
        out.real.append("the bytes differ (Pillow is not installed, so the pixels were not compared)")
        return out, ""
    img_a, img_b = (Image.open(io.BytesIO(data)).convert("RGBA") for data in (a, b))
    if img_a.size != img_b.size:
        out.real.append(f"size {img_a.size} vs {img_b.size}")
        return out, ""
    pixels_a, pixels_b = img_a.tobytes(), img_b.tobytes()
    if pixels_a == pixels_b:
        return out, "same pixels, different encoding"
    changed = sum(pixels_a[i : i + 4] != pixels_b[i : i + 4] for i in range(0, len(pixels_a), 4))
    out.real.append(f"{changed} of {img_a.size[0] * img_a.size[1]} pixels differ")
    return out, ""


def library_pins(locks: list[Path]) -> dict[str, set[str]]:
    """{library: {versions pinned across the locks}} for the figure libraries."""
    pins: dict[str, set[str]] = {name: set() for name in FIGURE_LIBRARIES}
    for lock in locks:
        for line in lock.read_text().splitlines():
            name, _, version = line.split("#", 1)[0].strip().partition("==")
            key = re.sub(r"[-_.]+", "-", name).lower()
            if key in pins and version:
                pins[key].add(version)
    return pins


def compare_file(path_a: Path, path_b: Path, digits: int) -> tuple[str, Outcome]:
    """(verdict, outcome): 'identical', 'rounded', 'pixels', 'different' or 'unreadable'."""
    a, b = path_a.read_bytes(), path_b.read_bytes()
    if a == b:
        return "identical", Outcome()
    suffix = path_a.suffix.lower()
    note = ""
    try:
        if suffix == ".csv":
            out = compare_csv(a, b, digits)
        elif suffix == ".json":
            out = compare_json(a, b, digits)
        elif suffix == ".svg":
            out = compare_svg(a, b, digits)
        elif suffix == ".png":
            out, note = compare_png(a, b)
        else:
            out = Outcome()
            out.real.append("the bytes differ")
    except (ValueError, UnicodeDecodeError, OSError) as exc:  # unreadable CSV or JSON, a broken image
        out = Outcome()
        out.real.append(f"could not be read: {exc}")
        return "unreadable", out
    if out.real:
        return "different", out
    return ("pixels" if note else "rounded"), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="a results folder (or file)")
    parser.add_argument("b", type=Path, help="the folder (or file) to compare it with")
    parser.add_argument("--digits", type=int, default=6, help="significant digits numbers must agree to (6)")
    parser.add_argument("--locks", type=Path, nargs="+", default=[], help="lock files the two sides may come from")
    args = parser.parse_args(argv)

    if args.a.is_dir() and args.b.is_dir():
        names_a = {p.name for p in args.a.iterdir() if p.is_file()}
        names_b = {p.name for p in args.b.iterdir() if p.is_file()}
        pairs = [(args.a / n, args.b / n) for n in sorted(names_a & names_b)]
        only = [f"{n}: only in {args.a}" for n in sorted(names_a - names_b)]
        only += [f"{n}: only in {args.b}" for n in sorted(names_b - names_a)]
    elif args.a.is_file() and args.b.is_file():
        pairs, only = [(args.a, args.b)], []
    else:
        print(f"compare_results: {args.a} and {args.b} must be two folders or two files", file=sys.stderr)
        return 2

    pins = library_pins(args.locks) if args.locks else {}
    differing_libs = {name: sorted(v) for name, v in pins.items() if len(v) > 1}

    print(f"Comparing {args.a} with {args.b} (numbers to {args.digits} significant digits)")
    counts = {"identical": 0, "rounded": 0, "pixels": 0, "expected": 0, "different": 0, "unreadable": 0}
    for path_a, path_b in pairs:
        verdict, out = compare_file(path_a, path_b, args.digits)
        name = path_a.name
        is_figure = path_a.suffix.lower() in {".png", ".svg"}
        if verdict == "different" and is_figure and differing_libs:
            verdict = "expected"
        counts[verdict] += 1
        if verdict == "rounded":
            print(
                f"  {name}: equal after rounding ({out.rounded} numbers differ beyond {args.digits} digits; "
                f"largest relative difference {out.max_rel:.1e})"
            )
        elif verdict == "pixels":
            print(f"  {name}: same pixels, different encoding")
        elif verdict == "expected":
            libs = "; ".join(f"{k} {' vs '.join(v)}" for k, v in differing_libs.items())
            print(f"  {name}: differs, as expected from the library versions in the locks ({libs})")
        elif verdict in {"different", "unreadable"}:
            counts[verdict] -= 1
            counts["different"] += 1
            print(f"  {name}: DIFFERENT")
            for line in out.real[:SHOW]:
                print(f"      {line}")
            if len(out.real) > SHOW:
                print(f"      ... and {len(out.real) - SHOW} more")
    for line in only:
        print(f"  {line}: DIFFERENT")
    counts["different"] += len(only)

    print(
        f"{len(pairs) + len(only)} file{'' if len(pairs) + len(only) == 1 else 's'}: {counts['identical']} identical, {counts['rounded']} equal after rounding, "
        f"{counts['pixels']} same pixels, {counts['expected']} differ by library version, "
        f"{counts['different']} different"
    )
    if counts["different"]:
        print("RESULT: the results differ (see DIFFERENT above)")
        return 1
    print("RESULT: the results agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
