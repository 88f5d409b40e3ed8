#!/usr/bin/env bash
# Sourced by scripts/up.sh and scripts/test.sh: a virtualenv (CHATREC_VENV, default .venv) with the project
# installed (editable) with its test and benchmark extras (and the local-LLM one when CHATREC_WITH_LOCAL_LLM is set,
# as scripts/test.sh does), then activated. Versions come from the lock file constraints.txt (`pip -c`; refresh it
# with scripts/lock.sh; CHATREC_CONSTRAINTS names another file, empty for none). Reusing a virtualenv keeps the large
# wheels (torch) installed between runs: .ci/run keeps one under ~/.cache/chatrec. Also installs OpenJDK 17 and Maven if missing.
set -euo pipefail
PYTHON="${PYTHON:-python3}"
VENV="${CHATREC_VENV:-.venv}"
if [[ ! -x "$VENV/bin/python" ]]; then
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
fi
source "$VENV/bin/activate"
python -m pip install --quiet --upgrade pip
EXTRAS="test,bench"
INSTALL_ARGS=()
CONSTRAINTS="${CHATREC_CONSTRAINTS-constraints.txt}"
if [[ -n "$CONSTRAINTS" ]]; then
  INSTALL_ARGS+=(-c "$CONSTRAINTS")
fi
LLAMA_CPP_VERSION=0.3.36  # as pyproject.toml's local-llm extra and constraints.txt
if [[ -n "${CHATREC_WITH_LOCAL_LLM:-}" ]]; then  # scripts/test.sh: the tests run a real local LLM
  # llama-cpp-python builds from source; llama.cpp's default -march=native build crashes with SIGILL on CPUs with
  # AMX, so it is built for AVX2 once (~8 min on 2 cores) and the wheel is kept.
  WHEELS="${CHATREC_WHEELS:-$HOME/.cache/chatrec/wheels}"
  if ! python -c "import llama_cpp" 2>/dev/null && ! compgen -G "$WHEELS/llama_cpp_python-$LLAMA_CPP_VERSION-*.whl" >/dev/null; then
    echo "Building llama-cpp-python $LLAMA_CPP_VERSION for this CPU (once; kept in $WHEELS)…"
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}" \
      python -m pip wheel --quiet --no-deps -w "$WHEELS" "llama-cpp-python==$LLAMA_CPP_VERSION"
  fi
  EXTRAS="$EXTRAS,local-llm"
  INSTALL_ARGS+=(--find-links "$WHEELS")
fi
# setuptools prints a box about editable installs on every run; it says nothing about this project.
PYTHONWARNINGS="ignore:Editable installation" python -m pip install --quiet "${INSTALL_ARGS[@]}" -e ".[$EXTRAS]"
if ! command -v mvn >/dev/null 2>&1 || [[ ! -x "${CHATREC_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/java" ]]; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
  else
    echo "Neo4j needs OpenJDK 17 and Maven: install them (e.g. apt-get install openjdk-17-jdk-headless maven)." >&2
    exit 1
  fi
fi
