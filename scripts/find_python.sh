#!/bin/sh
# Finds the Python interpreters this project supports. POSIX sh, so that it runs before any
# Python has been found. The Makefile, .ci/run and scripts/lock.py call it.
#
#   find_python.sh                 the newest supported interpreter (a command or a path); exit 1 if none
#   find_python.sh --all           every supported version found, newest first: "X.Y COMMAND" per line
#   find_python.sh --version X.Y   the interpreter for version X.Y; exit 1 if it is not there
#   find_python.sh --check CMD     "X.Y X.Y.Z" if CMD runs and is a supported version; exit 1 otherwise
#   find_python.sh --resolve CMD   CMD if it runs; for "X.Y" or a "pythonX.Y" that does not run (a
#                                  pyenv shim of a version pyenv has not selected), that version's
#                                  interpreter if found; CMD otherwise
#   find_python.sh --help-missing [CMD]
#                                  the message shown when no (or an unsupported) interpreter was found
#
# A candidate counts only if it runs: a pyenv shim for a version that is installed but not
# selected is on PATH yet fails, so each candidate is asked for its version. For each
# version it tries `pythonX.Y` on PATH, then the final releases that pyenv has installed
# (newest patch first), whether or not pyenv has selected them.
#
# Keep SUPPORTED in step with requires-python in pyproject.toml and with the lock files in
# requirements/ (tests/test_python_versions.py checks this).

SUPPORTED="3.13 3.12 3.11"

# Prints "X.Y X.Y.Z" for a command that runs a Python interpreter, nothing otherwise.
version_of() {
  "$1" -c 'import sys; v = sys.version_info; print("%d.%d %d.%d.%d" % (v[0], v[1], v[0], v[1], v[2]))' 2>/dev/null
}

pyenv_root() {
  if command -v pyenv >/dev/null 2>&1; then
    pyenv root 2>/dev/null && return
  fi
  echo "${PYENV_ROOT:-$HOME/.pyenv}"
}

# Candidates for version $1, one a line, in the order they are tried.
candidates() {
  echo "python$1"
  root=$(pyenv_root)
  for dir in "$root"/versions/"$1".*; do
    name=${dir##*/}
    case "$name" in
      *[!0-9.]*) continue ;;  # only final releases (no 3.13.0t, 3.13-dev, 3.13.0rc1)
    esac
    [ -x "$dir/bin/python$1" ] && echo "${name##*.} $dir/bin/python$1"
  done | sort -k1,1nr | cut -d' ' -f2-
}

# The first candidate for version $1 that runs and is that version.
find_version() {
  candidates "$1" | while IFS= read -r cand; do
    if [ "$(version_of "$cand" | cut -d' ' -f1)" = "$1" ]; then
      echo "$cand"
      break
    fi
  done
}

help_missing() {
  supported=$(echo "$SUPPORTED" | tr " " "\n" | sort -t. -k2,2n | tr "\n" " " | sed "s/ $//; s/ /, /g; s/\(.*\), /\1 or /")
  if [ -n "$1" ]; then
    found=$(version_of "$1" | cut -d' ' -f2)
    if [ -z "$found" ]; then
      echo "PYTHON=$1 does not run a Python interpreter:"
      "$1" -V 2>&1 | head -n 3 | sed 's/^/  /'
    else
      echo "PYTHON=$1 is Python $found; this project needs Python $supported."
    fi
  else
    echo "No supported Python found: this project needs Python $supported"
    echo "(tried python3.13, python3.12, python3.11 on PATH and the versions installed by pyenv)."
  fi
  cat <<'EOF'
Install one of them, then run make again, or point make at one with
  make PYTHON=/path/to/python3.X ...
For example:
  pyenv install 3.13               # pyenv: found here even without 'pyenv global'
  uv python install 3.13           # uv: then make PYTHON="$(uv python find 3.13)"
  conda create -n py313 python=3.13   # conda: then make PYTHON=<that environment>/bin/python
  apt-get install python3-venv     # Debian 12 / Ubuntu 24.04: the system python3 is 3.11 / 3.12
or an installer from python.org.
EOF
}

case "${1:-}" in
  "")
    for v in $SUPPORTED; do
      cmd=$(find_version "$v")
      [ -n "$cmd" ] && { echo "$cmd"; exit 0; }
    done
    exit 1
    ;;
  --all)
    for v in $SUPPORTED; do
      cmd=$(find_version "$v")
      [ -n "$cmd" ] && echo "$v $cmd"
    done
    exit 0
    ;;
  --version)
    cmd=$(find_version "$2")
    [ -n "$cmd" ] && { echo "$cmd"; exit 0; }
    exit 1
    ;;
  --supported)
    echo "$SUPPORTED"
    ;;
  --check)
    info=$(version_of "$2")
    for v in $SUPPORTED; do
      [ "${info%% *}" = "$v" ] && { echo "$info"; exit 0; }
    done
    exit 1
    ;;
  --resolve)
    if [ -n "$(version_of "$2")" ]; then
      echo "$2"
      exit 0
    fi
    case "$2" in
      [0-9].[0-9]*) v=$2 ;;
      python[0-9].[0-9]*) v=${2#python} ;;
      *) v="" ;;
    esac
    cmd=""
    [ -n "$v" ] && cmd=$(find_version "$v")
    echo "${cmd:-$2}"
    ;;
  --help-missing)
    help_missing "${2:-}"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
