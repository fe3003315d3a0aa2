#!/usr/bin/env bash
# What a user gets from the sdist: build it, install it alone (no extras) into a fresh
# virtualenv with nothing on PATH, so no node or jlpm can be found, then run the
# installed package's checks (scripts/check_installed.py). Removes what it made.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
uv=${UV:-$root/.venv/bin/uv}
python=${PYTHON_FOR_VENV:-$root/.venv/bin/python}
work=$(mktemp -d "${TMPDIR:-/tmp}/mlops-sdist.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$uv" build --quiet --sdist --out-dir "$work/dist" .
sdist=$(echo "$work"/dist/mlops_jupyter-*.tar.gz)
"$uv" venv --quiet --python "$python" "$work/venv"
# uv and the venv's python are named by absolute path; PATH holds nothing else.
env PATH="$work/empty-path" "$uv" pip install --quiet --python "$work/venv/bin/python" "$sdist"
# -I: the installed package, not this checkout, is what gets imported.
(cd "$work" && MLOPS_JUPYTER_HOME="$work/home" "$work/venv/bin/python" -I \
    "$root/scripts/check_installed.py")
echo "sdist $(basename "$sdist"): installed without Node.js; the installed package works"
