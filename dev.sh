#!/usr/bin/env bash
# orgabm's one-stop set-up: finds Python 3.12+, makes .venv, installs the locked
# dependencies, then runs what you asked for.
#
#   ./dev.sh start [ARGS]   set up, then start the dashboard (orgabm dashboard) on 127.0.0.1
#   ./dev.sh test [ARGS]    set up (and Chromium for the browser tests), then run the whole
#                           test suite, one worker per CPU (ARGS go to pytest; -n 0: one
#                           process)
#   ./dev.sh setup          set up only
#
# ORGABM_PYTHON=/path/to/python overrides the interpreter search.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP="$VENV/.orgabm-installed"

say() { printf 'dev.sh: %s\n' "$*" >&2; }

# True when "$1" runs and is Python 3.12 or newer.
is_py312() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    if [ -n "${ORGABM_PYTHON:-}" ]; then
        if is_py312 "$ORGABM_PYTHON"; then echo "$ORGABM_PYTHON"; return 0; fi
        say "ORGABM_PYTHON=$ORGABM_PYTHON is not a working Python 3.12 or newer"
        return 1
    fi
    # 1. On PATH. (pyenv shims for versions that are not active fail the check: fine.)
    local c
    for c in python3.14 python3.13 python3.12 python3 python; do
        if command -v "$c" >/dev/null 2>&1 && is_py312 "$c"; then command -v "$c"; return 0; fi
    done
    # 2. Under pyenv, newest first.
    local root
    root=$( (pyenv root 2>/dev/null) || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    if [ -d "$root/versions" ]; then
        for c in $(ls "$root/versions" 2>/dev/null | grep -E '^3\.[0-9]+' | sort -t. -k1,1nr -k2,2nr -k3,3nr); do
            c="$root/versions/$c/bin/python"
            if [ -x "$c" ] && is_py312 "$c"; then echo "$c"; return 0; fi
        done
    fi
    return 1
}

setup() {
    if [ -x "$VENV/bin/python" ] && ! is_py312 "$VENV/bin/python"; then
        say "$VENV holds an interpreter older than 3.12; recreating it"
        rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        local py
        if ! py=$(find_python); then
            say "error: no Python 3.12 or newer found on PATH or under pyenv."
            say "Install Python 3.12+ (https://www.python.org/downloads/), or set ORGABM_PYTHON=/path/to/python3.12."
            exit 1
        fi
        say "using $py ($("$py" -c 'import sys; print(sys.version.split()[0])'))"
        "$py" -m venv "$VENV"
    fi
    local want
    want=$(cat pyproject.toml requirements.lock | cksum)
    if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
        say "installing orgabm and its locked dependencies into $VENV"
        # the venv's own pip (ensurepip's) installs wheels: upgrading it first took 2 s more
        # no byte-compiling here: pip's took longer than the install, and compiling all of
        # site-packages (compileall) took 24 s; the commands below compile on first import
        "$VENV/bin/python" -m pip install --quiet --no-compile -c requirements.lock -e ".[test,cluster]"
        echo "$want" >"$STAMP"
    fi
}

# The browser tests drive Debian's Chromium (Playwright's own browser download needs the
# internet). Install it when it is missing.
ensure_chromium() {
    local chromium=${ORGABM_CHROMIUM:-/usr/bin/chromium}
    [ -x "$chromium" ] && return 0
    if command -v apt-get >/dev/null 2>&1; then
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
        say "installing Chromium (Debian's package) for the browser tests"
        if $sudo apt-get update -qq >/dev/null && \
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null && \
            [ -x "$chromium" ]; then
            return 0
        fi
    fi
    say "error: the browser tests need Chromium at $chromium (apt-get install chromium),"
    say "or set ORGABM_CHROMIUM=/path/to/chromium"
    exit 1
}

cmd=${1:-start}
[ $# -gt 0 ] && shift
# The venv is orgabm's own: let its processes write byte code, which is compiled once, on
# first import, and read by every later process. Where PYTHONDONTWRITEBYTECODE is set (as
# on these machines), each sweep worker and test subprocess would compile what it imports.
unset PYTHONDONTWRITEBYTECODE
case "$cmd" in
    setup) setup ;;
    start) setup; exec "$VENV/bin/orgabm" dashboard "$@" ;;
    # one pytest worker per CPU; tests sharing a module's server or browser stay together.
    # With no ARGS, the class load test (the `load` marker: its module) runs beside the
    # rest, at full priority while the rest runs at nice 10: it times a click on its server
    # while sweeps run against the same click before them, and the rest at the same
    # priority blurred that (a ratio of 1.9 for 1.2), while run alone after the rest it
    # left a core idle for most of its 45 s. Its report follows the rest's. Either run
    # failing (or running no test: exit 5) fails the whole.
    # Chromium (apt) installs while pip does: both mostly wait on the network and the disk
    test) ensure_chromium & chromium=$!
          setup
          wait "$chromium" || exit 1
          if [ $# -gt 0 ]; then exec "$VENV/bin/python" -m pytest -n auto "$@"; fi
          load_log=$(mktemp)
          "$VENV/bin/python" -m pytest -p no:cacheprovider tests/dashboard/test_classroom_load.py \
              >"$load_log" 2>&1 & load=$!
          trap 'kill "$load" 2>/dev/null || true; rm -f "$load_log"' EXIT
          trap 'exit 130' INT TERM
          status=0
          nice -n 10 "$VENV/bin/python" -m pytest -n auto -m "not load" || status=$?
          wait "$load" || status=$?
          cat "$load_log"
          exit "$status" ;;
    *) say "usage: ./dev.sh start|test|setup [ARGS]"; exit 2 ;;
esac
