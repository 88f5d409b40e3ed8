#!/usr/bin/env bash
# Sourced by scripts/up.sh and .ci/run: a virtualenv in .venv with the project installed (editable) and its test
# extras; pip's cache (~/.cache/pip) keeps the large wheels (torch) between runs. Activates the virtualenv.
set -euo pipefail
PYTHON="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
source .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e '.[test]'
if ! command -v mvn >/dev/null 2>&1 || [[ ! -x "${CHATREC_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/java" ]]; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
  else
    echo "Neo4j needs OpenJDK 17 and Maven: install them (e.g. apt-get install openjdk-17-jdk-headless maven)." >&2
    exit 1
  fi
fi
