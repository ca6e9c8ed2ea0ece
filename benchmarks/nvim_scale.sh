#!/bin/bash
# The review's measurements of a real headless Neovim 0.11 with editors/neovim/lsp/notels.lua
# on a COPY of the 10,000-note benchmark vault (tests/editors/nvim_scale.lua does the work).
#
#   cp -r benchmarks/.vaults/notes-10000-seed-0 /tmp/vault10k
#   benchmarks/nvim_scale.sh /tmp/vault10k out.json [fresh|keep] [steps]
#
# steps (comma list): start,idle,disk,newfolder,typing,completion,symbols,references,rename,
# headingrename,generateids,bulk,foldermove. rename, generateids, bulk and foldermove change the
# vault: use a new copy for each such run. fresh: no index cache (a first start). The result is
# JSON: times in ms, `stalls` the longest main-loop stall per phase, `traffic` per phase and
# method [messages, bytes, first ms, last ms] of what the server sent.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
V=$(cd "$1" && pwd)
OUT=$2
CACHE=${3:-fresh}
STEPS=${4:-start,idle,disk,newfolder,typing,completion,symbols,references}
STATE=${NOTELS_SCALE_STATE:-/tmp/notels-nvim-scale}
PY=${PYTHON:-python3}
NVIM=${NVIM:-$(dirname "$(command -v "$PY")")/nvim}
[ "$CACHE" = fresh ] && rm -rf "$STATE/cache"
mkdir -p "$STATE/cache" "$STATE/state" "$STATE/config"
cd "$V" || exit 1
NOTELS_NVIM_RTP="$REPO/editors/neovim" \
NOTELS_CMD="[\"$PY\",\"-m\",\"notels\",\"serve\"]" \
PYTHONPATH="$REPO/server" XDG_CACHE_HOME="$STATE/cache" XDG_STATE_HOME="$STATE/state" \
XDG_CONFIG_HOME="$STATE/config" \
NOTELS_NOTE="$V/CS/Bolzano cone principle.md" NOTELS_TARGET="$V/CS/Hermitian Cone.md" \
NOTELS_LARGE="$V/CS/Complexity/Symmetric Estimator.md" \
NOTELS_POPULAR="$V/CS/Компиляторы/Semester 1/Hidden attention.md" \
NOTELS_LINKING="$V/Математика/Внутренний оператор Колмогорова.md" \
NOTELS_MOVED_FOLDER="Математика/Теория множеств" \
NOTELS_HEADING_NOTE="$(find "$V" -name 'Affine sparse policy.md' | head -1)" NOTELS_HEADING=Proof \
NOTELS_STEPS=$STEPS NOTELS_IDLE_S=${IDLE:-20} NOTELS_OUT=$OUT \
timeout 600 "$NVIM" --clean --headless -c "luafile $REPO/tests/editors/nvim_scale.lua"
