#!/usr/bin/env bash
# The test command: installs what is missing, lints, then runs the whole suite against a real Neo4j 5.26
# (NEO4J_URI if set, else testcontainers when Docker answers, else a local server the tests start themselves).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHATREC_WITH_LOCAL_LLM=1  # the tests run a real local LLM (tests/nlu/test_llm_local.py)
source scripts/install.sh
if [[ -z "${CHATREC_DATA_DIR:-}" && -d ../shared/data ]]; then
  export CHATREC_DATA_DIR="$(cd ../shared/data && pwd)"
fi
ruff check .
python -m pytest "$@"
