#!/usr/bin/env bash
# Install the Debian packages iamlab needs, only if missing. Safe to re-run.
#
#   bash scripts/setup-system.sh lab    what the course needs (`make lab`):
#       graphviz         the `dot` program, draws the diagrams in the kernel (without it
#                        they are drawn in the browser, by Graphviz compiled to WebAssembly)
#       make, python3-venv   needed by `make lab` / `make test` themselves
#   bash scripts/setup-system.sh classroom   that, and what the class hub needs
#                        (`make classroom`):
#       npm              installs the hub's proxy, configurable-http-proxy, into
#                        classroom/node_modules (never globally); pulls in nodejs
#   bash scripts/setup-system.sh test   all of that, and what only the tests need (`make test`):
#       chromium         headless browser for the JupyterLab UI test (Playwright drives
#                        /usr/bin/chromium, or IAMLAB_CHROMIUM; it never downloads one)
#
# IAMLAB_SETUP_DRY_RUN=1 only prints the packages that would be installed.
set -uo pipefail

mode="${1:-lab}"
case "$mode" in
    lab|classroom|test) ;;
    *) echo >&2 "setup-system: unknown mode '$mode' (lab, classroom or test)"; exit 2 ;;
esac

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v make >/dev/null 2>&1 || missing+=(make)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "$mode" != lab ]; then
    command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [ "$mode" = test ]; then
    [ -x "${IAMLAB_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
fi

if [ -n "${IAMLAB_SETUP_DRY_RUN:-}" ]; then
    echo "setup-system ($mode) would install: ${missing[*]:-nothing}"
    exit 0
fi
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-system ($mode): system packages present"
    exit 0
fi

install() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || return 1
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null 2>&1 || return 1
    "${sudo[@]}" apt-get update &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

echo "setup-system ($mode): installing missing Debian packages: ${missing[*]}"
install && exit 0

echo >&2 "
  setup-system: could not install system packages (needs apt-get, and root or sudo).
  Please install them yourself:    apt-get install ${missing[*]}
  Until then 'make lab' works (diagrams are drawn in the browser without graphviz), but
  the tests that need them are SKIPPED.
"
# In CI a missing package is an error; for a person it is only a warning.
[ "${CI:-}" = true ] && exit 1
exit 0
