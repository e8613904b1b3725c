"""`make lock`: regenerate requirements/pyX.Y.lock for every supported Python this machine has.

The top-level requirements are the project's dependencies, its `book` and `dev` extras and
its build requirements (pyproject.toml), plus `wheel`. For each version this script makes a
scratch virtual environment, installs the top-level requirements there with that version's
own pip, and writes `pip freeze --all` (less pip itself) to requirements/pyX.Y.lock.

One set of versions for all Pythons. The oldest supported version (3.11) is the base: every
other version is resolved with the base lock as constraints, so it gets the same versions.
The base itself is resolved with its previous lock as constraints, so a change to the
requirements moves only the packages it must (as pip-compile and `poetry lock` do);
`--upgrade` (`make lock UPGRADE=1`) resolves the base afresh, to the newest versions the
requirements allow. A pin that cannot be installed (a conflict with the requirements, no
distribution for that Python) is dropped from the constraints, one round at a time, and the
lock's header names the packages that differ from the base lock. When the base interpreter
is missing, the committed base lock is used as it is.

Every patch release of a supported version must be able to install its lock, not only the
one that made it: Debian 12's Python is 3.11.2, and some releases declare, e.g.,
`Requires-Python >=3.11.5`. So each resolved package's Requires-Python is checked against
X.Y.0; a package that excludes it is held back to its newest release that allows X.Y.0, and
the version is resolved again. The lock's header names the packages held back.

    python scripts/lock.py                     every supported version this machine has
    python scripts/lock.py --upgrade           the same, the base resolved afresh
    python scripts/lock.py 3.12 3.13           only these versions

Only the standard library is used, so any supported Python can run it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK_DIR = ROOT / "requirements"
FIND_PYTHON = ROOT / "scripts" / "find_python.sh"
# Pinned too, so that `pip install -e . --no-build-isolation` uses the same build tools everywhere.
EXTRA_TOOLS = ["wheel"]
# Never pinned: each virtual environment keeps the pip it was created with.
UNPINNED = {"pip"}

# Package names that pip's error messages blame, for dropping their pins.
NAME = r"([A-Za-z0-9][A-Za-z0-9._-]*)"
BLAME = [
    re.compile(r"Could not find a version that satisfies the requirement " + NAME),
    re.compile(r"No matching distribution found for " + NAME),
    re.compile(r"\(constraint\) " + NAME),
    re.compile(r"Cannot install " + NAME),
    re.compile(r"Failed to build " + NAME),
    re.compile(r"Failed building wheel for " + NAME),
    re.compile(r"requires a different Python: .*?\b" + NAME + r"-\d"),
    re.compile(r"Package '" + NAME + r"' requires a different Python"),
]
SDIST = re.compile(r"(?:Downloading|Using cached) ([A-Za-z0-9][A-Za-z0-9._-]*?)-\d[^\s/]*\.(?:tar\.gz|zip)\b")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def supported_versions() -> list[str]:
    """Supported versions, oldest first (the first one is the base)."""
    out = subprocess.run(["sh", str(FIND_PYTHON), "--supported"], capture_output=True, text=True, check=True)
    return sorted(out.stdout.split(), key=lambda v: tuple(int(x) for x in v.split(".")))


def interpreters() -> dict[str, str]:
    """{"3.13": command, ...} for each supported version found on this machine."""
    out = subprocess.run(["sh", str(FIND_PYTHON), "--all"], capture_output=True, text=True, check=True)
    return dict(line.split(" ", 1) for line in out.stdout.splitlines() if line.strip())


def top_level_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    return [
        *project["project"]["dependencies"],
        *extras["book"],
        *extras["dev"],
        *project["build-system"]["requires"],
        *EXTRA_TOOLS,
    ]


def lock_path(version: str) -> Path:
    return LOCK_DIR / f"py{version}.lock"


def read_pins(path: Path) -> dict[str, str]:
    """{normalised name: "Name==version"} of a lock file."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            pins[normalise(line.split("==", 1)[0])] = line
    return pins


def blamed(pip_output: str) -> set[str]:
    """Normalised names of the packages a failed `pip install` names as the cause.

    When pip names none (a source distribution that failed to build says only "See above"),
    the last source distribution it fetched is blamed.
    """
    names = set()
    for pattern in BLAME:
        names.update(normalise(m.group(1)) for m in pattern.finditer(pip_output))
    if not names:
        sdists = SDIST.findall(pip_output.split("error:", 1)[0])
        if sdists:
            names.add(normalise(sdists[-1]))
    return names


def pip_install(python: Path, requirements: list[str], constraints: list[str]) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as tmp:
        req_file, con_file = Path(tmp) / "requirements.txt", Path(tmp) / "constraints.txt"
        req_file.write_text("\n".join(requirements) + "\n")
        con_file.write_text("\n".join(constraints) + "\n")
        # --upgrade: a package the new venv already has (setuptools on 3.11) is resolved like the rest.
        cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--upgrade"]
        cmd += ["-r", str(req_file), "-c", str(con_file)]
        return subprocess.run(cmd, capture_output=True, text=True)


# Run in the scratch venv: {name: [version, Requires-Python]} of each installed distribution
# whose Requires-Python excludes the version given (pip's own copy of `packaging` judges).
REQUIRES_PYTHON_CHECK = """
import json, sys
from importlib import metadata
from pip._vendor.packaging.specifiers import InvalidSpecifier, SpecifierSet

bad = {}
for dist in metadata.distributions():
    spec = dist.metadata.get("Requires-Python")
    try:
        if spec and not SpecifierSet(spec).contains(sys.argv[1], prereleases=True):
            bad[dist.metadata["Name"]] = [dist.version, spec]
    except InvalidSpecifier:
        pass
print(json.dumps(bad))
"""


def excluding(python: Path, floor: str) -> dict[str, list[str]]:
    """Installed packages (but pip) whose Requires-Python excludes Python `floor`."""
    out = subprocess.run([str(python), "-c", REQUIRES_PYTHON_CHECK, floor], capture_output=True, text=True, check=True)
    return {name: v for name, v in json.loads(out.stdout).items() if normalise(name) not in UNPINNED}


def newest_for(python: Path, name: str, below: str, floor: str) -> str | None:
    """The newest release of `name`, not above `below`, that allows Python `floor`."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--dry-run", "--no-deps"]
        cmd += ["--ignore-installed", "--python-version", floor, "--target", str(Path(tmp) / "target")]
        cmd += ["--report", str(report), f"{name}<={below}"]
        if subprocess.run(cmd, capture_output=True, text=True).returncode != 0:
            return None
        chosen = json.loads(report.read_text())["install"]
    return chosen[0]["metadata"]["version"] if chosen else None


def lock_version(version: str, command: str, base: dict[str, str] | None) -> tuple[list[str], dict[str, str]]:
    """Resolve in a scratch venv with `base` as constraints, dropping those that cannot be met.

    Returns the pins and {package: why} for the packages held back for Python X.Y.0.
    """
    requirements = top_level_requirements()
    floor = f"{version}.0"
    dropped: list[str] = []
    held: dict[str, str] = {}  # normalised name -> "Name==version" that allows X.Y.0
    why: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix=f"lock-py{version}-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([command, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        while True:
            constraints = [pin for name, pin in (base or {}).items() if name not in dropped and name not in held]
            result = pip_install(python, requirements, constraints + list(held.values()))
            if result.returncode != 0:
                output = result.stdout + result.stderr
                blame = sorted(blamed(output) & set(base or {}) - set(dropped) - set(held))
                if not blame:
                    sys.stderr.write(output)
                    raise SystemExit(f"make lock: pip could not install the requirements on Python {version} (above)")
                print(f"  Python {version}: dropping the base pins of {', '.join(blame)} and resolving again")
                dropped += blame
                continue
            too_new = excluding(python, floor)
            if not too_new:
                break
            for name, (installed, spec) in too_new.items():
                older = newest_for(python, name, installed, floor)
                if older is None or normalise(name) in held:
                    raise SystemExit(
                        f"make lock: {name} {installed} needs Python {spec}, and no release allows {floor}"
                    )
                print(f"  Python {version}: {name} {installed} needs Python {spec}; holding it at {older} for {floor}")
                held[normalise(name)] = f"{name}=={older}"
                why[normalise(name)] = f"{name} {installed} needs Python {spec}"
        freeze = subprocess.run(
            [str(python), "-m", "pip", "freeze", "--all", "--exclude-editable", "--disable-pip-version-check"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    pins = [line for line in freeze.splitlines() if "==" in line and normalise(line.split("==")[0]) not in UNPINNED]
    return pins, why


def held_notes(path: Path) -> dict[str, str]:
    """{package: why} from a lock's "held back" header line (empty if none or no file)."""
    if not path.exists():
        return {}
    for line in path.read_text().splitlines():
        if line.startswith("# Installs on every Python") and "held back for" in line:
            return dict(re.findall(r"([A-Za-z0-9._-]+) \(([^)]*)\)", line.split(": ", 1)[1]))
    return {}


def header(version: str, base_version: str, pins: list[str], base: dict[str, str] | None, held: dict[str, str]) -> str:
    lines = [
        f"# Exact pins of every package in the project's virtual environment on Python {version}.",
        "# Generated by 'make lock' (scripts/lock.py) from the top-level requirements in pyproject.toml",
        "# (dependencies, the book and dev extras, the build requirements) and wheel; do not edit by hand.",
        f"# Installs on every Python {version}.x; held back for {version}.0: "
        + ("; ".join(f"{k} ({v})" for k, v in sorted(held.items())) or "none"),
    ]
    if base is None:
        lines.append("# The base lock: the locks of the other Python versions keep these versions where they can.")
    else:
        differ = sorted(normalise(p.split("==")[0]) for p in pins if base.get(normalise(p.split("==")[0]), p) != p)
        only_here = sorted(normalise(p.split("==")[0]) for p in pins if normalise(p.split("==")[0]) not in base)
        missing = sorted(set(base) - {normalise(p.split("==")[0]) for p in pins})
        lines.append(
            f"# Same versions as py{base_version}.lock except: "
            + ("none" if not (differ or only_here or missing) else "")
        )
        if differ:
            lines.append(f"#   other version: {', '.join(differ)}")
        if only_here:
            lines.append(f"#   only on Python {version}: {', '.join(only_here)}")
        if missing:
            lines.append(f"#   not needed on Python {version}: {', '.join(missing)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    upgrade = "--upgrade" in argv
    wanted = [a for a in argv if a != "--upgrade"]
    versions = supported_versions()
    base_version = versions[0]
    found = interpreters()
    unknown = [v for v in wanted if v not in versions]
    if unknown:
        raise SystemExit(f"make lock: {', '.join(unknown)} not supported (supported: {', '.join(versions)})")
    LOCK_DIR.mkdir(exist_ok=True)
    previous = read_pins(lock_path(base_version)) if lock_path(base_version).exists() else None
    for version in [v for v in versions if v in (wanted or versions)]:
        if version not in found:
            print(f"Python {version}: skipped, no interpreter found (requirements/py{version}.lock left as it is)")
            continue
        if version == base_version:
            constraints = None if upgrade else previous
            how = "afresh" if constraints is None else f"keeping the versions of the previous py{version}.lock"
        else:
            if not lock_path(base_version).exists():
                raise SystemExit(
                    f"make lock: requirements/py{base_version}.lock is missing; lock Python {base_version} first"
                )
            constraints = read_pins(lock_path(base_version))
            how = f"keeping the versions of py{base_version}.lock"
        print(f"Python {version} ({found[version]}): resolving in a scratch virtual environment, {how} ...", flush=True)
        previous_pins = read_pins(lock_path(version)) if lock_path(version).exists() else {}
        previous_held = held_notes(lock_path(version))
        pins, held = lock_version(version, found[version], constraints)
        # A package held back by an earlier run stays pinned through the constraints: keep its note.
        now = {normalise(p.split("==")[0]): p for p in pins}
        for name, note in previous_held.items():
            if name not in held and name in now and now[name] == previous_pins.get(name):
                held[name] = note
        compare_to = None if version == base_version else constraints
        text = header(version, base_version, pins, compare_to, held) + "\n".join(pins) + "\n"
        lock_path(version).write_text(text)
        print(f"Python {version}: wrote requirements/py{version}.lock ({len(pins)} packages)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
