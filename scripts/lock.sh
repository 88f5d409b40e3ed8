#!/usr/bin/env bash
# Refreshes constraints.txt, the lock file that scripts/install.sh installs with (`pip install -c constraints.txt`):
# exact pins of every package of the full install, chatrec with its extras test, bench, llm and local-llm.
#
#   ./scripts/lock.sh               # a fresh virtualenv under a temp dir; pip resolves the full install and reports
#                                   # what it would install (package metadata only: no torch download, no build)
#   ./scripts/lock.sh --install     # the same, really installed there, then `pip freeze --all --exclude-editable`
#                                   # (llama-cpp-python from the wheel scripts/install.sh builds, else built here)
#   ./scripts/lock.sh --from VENV   # freeze an existing virtualenv, e.g. ~/.cache/chatrec/ci-venv after .ci/run
#
# Then run ./scripts/test.sh (it installs from the new file) and commit constraints.txt with its diff reviewed.
# A new dependency or a wider range in pyproject.toml takes effect only once the lock is refreshed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
EXTRAS="test,bench,llm,local-llm"
LLAMA_CPP_VERSION=0.3.36  # as pyproject.toml's local-llm extra and scripts/install.sh
WHEELS="${CHATREC_WHEELS:-$HOME/.cache/chatrec/wheels}"
OUT=constraints.txt
MODE="${1:-resolve}"

header() {
  cat <<EOF
# The lock file: exact versions of every package of the full install (chatrec[$EXTRAS]),
# $1.
# scripts/install.sh installs with \`pip install -c constraints.txt\`, so ./scripts/up.sh, ./scripts/test.sh and
# .ci/run all get these versions. Refresh: ./scripts/lock.sh (see its header), then ./scripts/test.sh.
# Pins a platform does not need (nvidia-*, triton off Linux x86_64) are ignored there: constraints only restrict.
EOF
}

case "$MODE" in
  --from)
    VENV="${2:?usage: scripts/lock.sh --from VENV}"
    pins=$("$VENV/bin/python" -m pip freeze --all --exclude-editable | grep -v -i '^pip==')
    where="frozen from ${VENV/#$HOME/\~} ($("$VENV/bin/python" -c 'import platform as p; print(p.python_implementation(), p.python_version(), p.system(), p.machine())'))"
    ;;
  resolve | --install)
    TMP="$(mktemp -d)"
    trap 'rm -rf "$TMP"' EXIT
    "$PYTHON" -m venv "$TMP/venv"
    PY="$TMP/venv/bin/python"
    "$PY" -m pip install --quiet --upgrade pip
    where="resolved in a fresh virtualenv ($("$PY" -c 'import platform as p; print(p.python_implementation(), p.python_version(), p.system(), p.machine())'))"
    if [[ "$MODE" == resolve ]]; then
      "$PY" -m pip install --quiet --dry-run --ignore-installed --report "$TMP/report.json" -e ".[$EXTRAS]"
      pins=$("$PY" - "$TMP/report.json" <<'EOF'
import json
import sys

report = json.load(open(sys.argv[1]))
pins = {i["metadata"]["name"]: i["metadata"]["version"] for i in report["install"] if not i.get("download_info", {}).get("dir_info", {}).get("editable")}
pins.pop("pip", None)
print("\n".join(f"{name}=={version}" for name, version in sorted(pins.items(), key=lambda kv: kv[0].lower())))
EOF
)
    else
      if ! compgen -G "$WHEELS/llama_cpp_python-$LLAMA_CPP_VERSION-*.whl" >/dev/null; then
        # the build of scripts/install.sh: llama.cpp's -march=native build crashes on CPUs with AMX
        CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}" \
          "$PY" -m pip wheel --quiet --no-deps -w "$WHEELS" "llama-cpp-python==$LLAMA_CPP_VERSION"
      fi
      "$PY" -m pip install --quiet --find-links "$WHEELS" -e ".[$EXTRAS]"
      pins=$("$PY" -m pip freeze --all --exclude-editable | grep -v -i '^pip==')
    fi
    ;;
  *)
    echo "usage: scripts/lock.sh [--install | --from VENV]" >&2
    exit 2
    ;;
esac

{ header "$where"; echo "$pins"; } >"$OUT"
echo "$OUT: $(echo "$pins" | grep -c '==') pins, $where"
