"""Supported Python versions: one list everywhere, the Makefile's interpreter discovery and venv
stamp, the lock files, and scripts/compare_results.py.

The discovery tests run scripts/find_python.sh and make with a PATH of fake interpreters
(shell scripts that answer like Python 3.X would) and the few tools the scripts use, so they
do not depend on which Pythons this machine has and create no real virtual environment.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

FIND_PYTHON = ROOT / "scripts" / "find_python.sh"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
TOOLS = ["sh", "cut", "sort", "tr", "sed", "cat", "head", "rm", "mkdir", "cp"]


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def supported() -> list[str]:
    out = subprocess.run(["sh", str(FIND_PYTHON), "--supported"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def minor(version: str) -> int:
    return int(version.split(".")[1])


# --- one list of supported versions -------------------------------------------------------


def test_find_python_agrees_with_requires_python():
    spec = PYPROJECT["project"]["requires-python"]
    low = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", spec)
    assert low, f"requires-python {spec!r} is not of the form '>=3.A,<3.B'"
    expected = [f"3.{m}" for m in range(int(low.group(1)), int(low.group(2)))]
    assert sorted(supported(), key=minor) == expected


def test_classifiers_ruff_target_and_locks_agree():
    versions = sorted(supported(), key=minor)
    classifiers = [c.rsplit(" :: ", 1)[1] for c in PYPROJECT["project"]["classifiers"] if "Python :: 3." in c]
    assert classifiers == versions
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py" + versions[0].replace(".", "")
    locks = sorted(p.name for p in (ROOT / "requirements").glob("py*.lock"))
    assert locks == sorted(f"py{v}.lock" for v in versions)
    assert not (ROOT / "requirements.lock").exists()


def test_environment_yml_points_to_a_lock_of_its_python():
    text = (ROOT / "environment.yml").read_text()
    python = re.search(r"^\s*-\s*python=(3\.\d+)\s*$", text, re.M)
    lock = re.search(r"^\s*-\s*-r\s+requirements/py(3\.\d+)\.lock\s*$", text, re.M)
    assert python and lock, "environment.yml must pin python=3.X and install -r requirements/py3.X.lock"
    assert python.group(1) == lock.group(1)
    assert python.group(1) in supported()
    for version in supported():
        assert version in text, f"environment.yml does not name Python {version} among the supported versions"


def test_readme_names_the_supported_versions_and_locks():
    readme = (ROOT / "README.md").read_text()
    two_commands = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    for version in supported():
        assert f"Python {version}" in two_commands or f"{version}," in two_commands or f"{version} " in two_commands
    assert "make lock" in two_commands
    assert "requirements/py3." in readme
    for path in ["README.md", "Makefile", "environment.yml", "pyproject.toml", ".ci/run"]:
        assert "requirements.lock" not in (ROOT / path).read_text(), f"{path} still mentions requirements.lock"


def test_per_version_venvs_are_left_out_like_dot_venv():
    """.ci/run makes .venv-3.X in the project folder: git, the book build and ruff must skip them."""
    import yaml

    assert ".venv-*/" in (ROOT / ".gitignore").read_text().splitlines()
    assert ".venv-*" in yaml.safe_load((ROOT / "_config.yml").read_text())["exclude_patterns"]
    assert ".venv-*" in PYPROJECT["tool"]["ruff"]["extend-exclude"]
    assert '".venv-*"' in (ROOT / "benchmarks" / "run.py").read_text()


# --- the lock files -----------------------------------------------------------------------


def pins(path: Path) -> dict[str, str]:
    lock = load_script("lock")
    return {name: pin.split("==", 1)[1] for name, pin in lock.read_pins(path).items()}


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def test_every_lock_pins_the_same_build_tools():
    locks = {p.name: pins(p) for p in (ROOT / "requirements").glob("py*.lock")}
    minimum = re.search(r"setuptools>=([\d.]+)", " ".join(PYPROJECT["build-system"]["requires"])).group(1)
    for name, lock in locks.items():
        assert "setuptools" in lock and "wheel" in lock, f"{name} must pin setuptools and wheel"
        assert version_tuple(lock["setuptools"]) >= version_tuple(minimum), f"{name}: setuptools too old"
        assert "pip" not in lock
    assert len({(lock["setuptools"], lock["wheel"]) for lock in locks.values()}) == 1


def test_locks_differ_from_the_base_only_where_their_header_says():
    lock = load_script("lock")
    versions = sorted(supported(), key=minor)
    base = pins(lock.lock_path(versions[0]))
    for version in versions[1:]:
        path = lock.lock_path(version)
        header = "\n".join(line for line in path.read_text().splitlines() if line.startswith("#"))
        listed = set()
        for line in re.findall(
            r"^#\s+(?:other version|only on Python [\d.]+|not needed on Python [\d.]+): (.*)$", header, re.M
        ):
            listed |= {name.strip() for name in line.split(",")}
        here = pins(path)
        differ = {name for name in base.keys() | here.keys() if base.get(name) != here.get(name)}
        assert differ == listed, (
            f"{path.name}: differs from the base lock in {sorted(differ)}, header lists {sorted(listed)}"
        )


def test_every_lock_says_what_it_held_back_for_the_first_patch_release():
    lock = load_script("lock")
    for version in supported():
        path = lock.lock_path(version)
        assert f"# Installs on every Python {version}.x; held back for {version}.0: " in path.read_text()
        for name in lock.held_notes(path):
            assert lock.normalise(name) in pins(path)


def test_the_installed_packages_allow_the_first_patch_release():
    """What the lock installed here must also install on X.Y.0 (Debian 12's Python is 3.11.2)."""
    from importlib import metadata

    from packaging.specifiers import SpecifierSet

    floor = f"{sys.version_info.major}.{sys.version_info.minor}.0"
    locked = pins(ROOT / "requirements" / f"py{sys.version_info.major}.{sys.version_info.minor}.lock")
    excluded = {}
    for dist in metadata.distributions():
        name = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        spec = dist.metadata.get("Requires-Python")
        if name in locked and spec and not SpecifierSet(spec).contains(floor, prereleases=True):
            excluded[name] = spec
    assert not excluded, f"these pins do not install on Python {floor}: {excluded}; run `make lock`"


def test_lock_blames_the_package_pip_names():
    blamed = load_script("lock").blamed
    conflict = """ERROR: Cannot install setuptools>=70.1 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested setuptools>=70.1
    The user requested (constraint) setuptools==65.5.0
"""
    assert blamed(conflict) == {"setuptools"}
    missing = "ERROR: No matching distribution found for Foo_Bar==1.0\n"
    assert blamed(missing) == {"foo-bar"}
    assert blamed("something else went wrong\n") == set()
    build = """Collecting pandas==2.0.0
  Downloading pandas-2.0.0.tar.gz (5.3 MB)
  Getting requirements to build wheel: finished with status 'error'
  error: subprocess-exited-with-error
"""
    assert blamed(build) == {"pandas"}


# --- interpreter discovery (scripts/find_python.sh and the Makefile) -----------------------


def fake_python(path: Path, version: str | None) -> Path:
    """A shell script that answers like Python `version` would; None: a failing pyenv shim."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if version is None:
        path.write_text(f'#!/bin/sh\necho "pyenv: {path.name}: command not found" >&2\nexit 127\n')
    else:
        short = ".".join(version.split(".")[:2])
        path.write_text(
            "#!/bin/sh\n"
            'case "$1" in\n'
            f'  -c) echo "{short} {version}" ;;\n'
            f'  -V) echo "Python {version}" ;;\n'
            '  -m) if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && echo "home = x" > "$3/pyvenv.cfg"; fi ;;\n'
            "esac\n"
            "exit 0\n"
        )
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path):
    """A PATH with the tools the scripts use and no Python; add fakes to machine.bin."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(shutil.which(tool))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pyenv = tmp_path / "pyenv"
    pyenv.mkdir()
    env = {"PATH": f"{bin_dir}:{tools}", "HOME": str(tmp_path), "PYENV_ROOT": str(pyenv), "LC_ALL": "C"}

    class Machine:
        pass

    m = Machine()
    m.bin, m.pyenv, m.env, m.tmp = bin_dir, pyenv, env, tmp_path

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["sh", str(FIND_PYTHON), *args], capture_output=True, text=True, env=env)

    def make(*args: str) -> subprocess.CompletedProcess:
        cmd = [shutil.which("make"), "--no-print-directory", "-C", str(ROOT), f"VENV={tmp_path / 'venv'}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env)

    m.find, m.make = run, make
    return m


def test_newest_working_interpreter_first(machine):
    fake_python(machine.bin / "python3.11", "3.11.5")
    fake_python(machine.bin / "python3.12", "3.12.9")
    fake_python(machine.bin / "python3.13", None)  # a pyenv shim of a version not selected
    assert machine.find().stdout.strip() == "python3.12"
    assert machine.find("--all").stdout.splitlines() == ["3.12 python3.12", "3.11 python3.11"]


def test_pyenv_versions_are_found_without_being_selected(machine):
    fake_python(machine.bin / "python3.13", None)
    for name in ["3.13.1", "3.13.10", "3.13.2"]:
        fake_python(machine.pyenv / "versions" / name / "bin" / "python3.13", name)
    fake_python(machine.pyenv / "versions" / "3.13.11t" / "bin" / "python3.13", "3.13.11")  # free-threaded: skipped
    assert machine.find().stdout.strip() == str(machine.pyenv / "versions" / "3.13.10" / "bin" / "python3.13")
    assert machine.find("--resolve", "python3.13").stdout.strip().endswith("3.13.10/bin/python3.13")
    assert machine.find("--resolve", "3.13").stdout.strip().endswith("3.13.10/bin/python3.13")


def test_an_interpreter_of_the_wrong_version_is_not_taken(machine):
    fake_python(machine.bin / "python3.12", "3.10.4")  # a misnamed link
    assert machine.find().returncode == 1
    assert machine.find("--check", "python3.12").returncode == 1


def test_make_uses_the_newest_and_python_overrides(machine):
    fake_python(machine.bin / "python3.11", "3.11.5")
    fake_python(machine.bin / "python3.13", "3.13.2")
    out = machine.make("-s", "python").stdout
    assert "PYTHON=python3.13 (Python 3.13.2)" in out
    assert "LOCK=requirements/py3.13.lock" in out
    out = machine.make("-s", "python", "PYTHON=python3.11").stdout
    assert "PYTHON=python3.11 (Python 3.11.5)" in out
    assert "LOCK=requirements/py3.11.lock" in out


@pytest.mark.parametrize("goal", ["book", "test", "install"])
def test_make_without_a_supported_python_says_what_to_install(machine, goal):
    result = machine.make(goal)
    assert result.returncode != 0
    err = result.stderr
    assert "No supported Python found" in err and "3.11, 3.12 or 3.13" in err
    assert "pyenv install" in err
    assert "command not found" not in err and "No such file" not in err and "not found: " not in err


def test_make_rejects_an_unsupported_python(machine):
    fake_python(machine.bin / "python3.10", "3.10.4")
    result = machine.make("install", "PYTHON=python3.10")
    assert result.returncode != 0
    assert "PYTHON=python3.10 is Python 3.10.4; this project needs Python 3.11, 3.12 or 3.13" in result.stderr


def test_the_venv_is_rebuilt_when_python_changes(machine):
    fake_python(machine.bin / "python3.11", "3.11.5")
    fake_python(machine.bin / "python3.12", "3.12.9")
    venv = machine.tmp / "venv"

    first = machine.make("install", "PYTHON=python3.11")
    assert first.returncode == 0, first.stderr
    assert (venv / ".installed").read_text().splitlines()[0] == "Python 3.11.5"
    (venv / "marker").touch()

    again = machine.make("install", "PYTHON=python3.11")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout  # same Python: kept
    assert (venv / "marker").exists()

    switched = machine.make("install", "PYTHON=python3.12")
    assert switched.returncode == 0, switched.stderr
    assert "runs Python 3.11.5; rebuilding it with Python 3.12.9" in switched.stdout
    assert "-r requirements/py3.12.lock" in switched.stdout
    assert not (venv / "marker").exists()
    assert (venv / ".installed").read_text().splitlines()[0] == "Python 3.12.9"


def test_make_refuses_to_delete_a_folder_that_is_not_a_venv(machine):
    fake_python(machine.bin / "python3.12", "3.12.9")
    (machine.tmp / "venv").mkdir()
    (machine.tmp / "venv" / "keep").touch()
    result = machine.make("install", "PYTHON=python3.12")
    assert result.returncode != 0 and "is not a virtual environment" in result.stderr
    assert (machine.tmp / "venv" / "keep").exists()


# --- scripts/compare_results.py --------------------------------------------------------------


def compare(*args) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "scripts" / "compare_results.py"), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True)


@pytest.fixture
def two_dirs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        (d / "t.csv").write_text("label,value,p\nx,0.6200014007,5.047810246e-07\n")
        (d / "results.json").write_text(json.dumps({"hr": 0.6200014007, "n": 496, "ok": True}))
        (d / "f.svg").write_text('<svg><path d="M 10.123456 20.5 L 30 40"/></svg>\n')
        png(d / "f.png", (255, 255, 255))
    return a, b


def png(path: Path, colour: tuple[int, int, int], compress_level: int = 6) -> None:
    from PIL import Image

    Image.new("RGB", (4, 3), colour).save(path, compress_level=compress_level)


def test_compare_identical(two_dirs):
    result = compare(*two_dirs)
    assert result.returncode == 0
    assert "4 identical" in result.stdout and "RESULT: the results agree" in result.stdout


def test_compare_last_digit_noise_is_equal_after_rounding(two_dirs):
    a, b = two_dirs
    (b / "t.csv").write_text("label,value,p\nx,0.6200014008,5.047810247e-07\n")
    (b / "results.json").write_text(json.dumps({"hr": 0.62000140071, "n": 496, "ok": True}))
    (b / "f.svg").write_text('<svg><path d="M 10.1234561 20.5 L 30 40"/></svg>\n')
    result = compare(a, b)
    assert result.returncode == 0, result.stdout
    assert "t.csv: equal after rounding" in result.stdout
    assert "results.json: equal after rounding" in result.stdout
    assert "f.svg: equal after rounding" in result.stdout


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("t.csv", "label,value,p\nx,0.6200114007,5.047810246e-07\n"),  # the 5th digit
        ("t.csv", "label,value,p\ny,0.6200014007,5.047810246e-07\n"),  # a label
        ("results.json", json.dumps({"hr": 0.6200014007, "n": 495, "ok": True})),  # an integer
        ("f.svg", '<svg><path d="M 10.123456 20.5 L 30 40 Z"/></svg>\n'),  # the drawing
    ],
)
def test_compare_real_differences_fail(two_dirs, name, text):
    a, b = two_dirs
    (b / name).write_text(text)
    result = compare(a, b)
    assert result.returncode == 1
    assert f"{name}: DIFFERENT" in result.stdout and "RESULT: the results differ" in result.stdout


def test_compare_a_missing_file_fails(two_dirs):
    a, b = two_dirs
    (b / "f.png").unlink()
    result = compare(a, b)
    assert result.returncode == 1 and f"f.png: only in {a}: DIFFERENT" in result.stdout


def test_compare_figures_may_differ_only_when_the_locks_differ(two_dirs, tmp_path):
    a, b = two_dirs
    png(b / "f.png", (0, 0, 0))
    same_1, same_2, other = tmp_path / "1.lock", tmp_path / "2.lock", tmp_path / "3.lock"
    same_1.write_text("matplotlib==3.11.2\nnumpy==2.4.6\n")
    same_2.write_text("matplotlib==3.11.2\nnumpy==2.4.6\n")
    other.write_text("matplotlib==3.11.3\nnumpy==2.4.6\n")
    assert compare(a, b).returncode == 1
    assert compare(a, b, "--locks", same_1, same_2).returncode == 1
    result = compare(a, b, "--locks", same_1, other)
    assert result.returncode == 0
    assert (
        "f.png: differs, as expected from the library versions in the locks (matplotlib 3.11.2 vs 3.11.3)"
        in result.stdout
    )


def test_compare_png_same_pixels_other_encoding(two_dirs):
    a, b = two_dirs
    png(b / "f.png", (255, 255, 255), compress_level=0)
    assert (a / "f.png").read_bytes() != (b / "f.png").read_bytes()
    result = compare(a, b)
    assert result.returncode == 0 and "f.png: same pixels, different encoding" in result.stdout


def test_compare_a_broken_figure_fails_even_when_the_locks_differ(two_dirs, tmp_path):
    a, b = two_dirs
    (b / "f.png").write_bytes(b"\x89PNG broken")
    one, other = tmp_path / "1.lock", tmp_path / "2.lock"
    one.write_text("matplotlib==3.11.2\n")
    other.write_text("matplotlib==3.11.3\n")
    result = compare(a, b, "--locks", one, other)
    assert result.returncode == 1 and "could not be read" in result.stdout


def test_compare_two_files(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x\n1.5\n")
    b.write_text("x\n1.5\n")
    assert compare(a, b).returncode == 0
    assert compare(a, tmp_path).returncode == 2


def test_fake_machine_has_the_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing and shutil.which("make"), f"missing {missing}"
    assert os.access(FIND_PYTHON, os.X_OK)
