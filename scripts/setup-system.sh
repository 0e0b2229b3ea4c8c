#!/usr/bin/env bash
# Install the Debian packages iamlab needs, only if missing. Safe to re-run.
#   graphviz             the `dot` program, renders policy-decision graphs
#   chromium             headless browser for the JupyterLab UI test (Playwright
#   chromium-driver      uses /usr/bin/chromium; it never downloads a browser)
#   make, python3-venv   needed by `make lab` / `make test` themselves
#   npm (and nodejs)     installs the classroom hub's proxy, configurable-http-proxy, into
#                        classroom/node_modules (make classroom, and its tests)
set -uo pipefail

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v npm >/dev/null 2>&1 || missing+=(npm)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-system: system packages present (dot, chromium, chromedriver)"
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

echo "setup-system: installing missing Debian packages: ${missing[*]}"
install && exit 0

echo >&2 "
  setup-system: could not install system packages (needs apt-get, and root or sudo).
  Please install them yourself:    apt-get install ${missing[*]}
  Until then 'make lab' works, but the tests that need them are SKIPPED.
"
# In CI a missing package is an error; for a person it is only a warning.
[ "${CI:-}" = true ] && exit 1
exit 0
