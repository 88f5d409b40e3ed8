#!/usr/bin/env bash
# The test command: installs what is missing, lints, then runs the whole suite against a real Neo4j 5.26
# (NEO4J_URI if set, else testcontainers when Docker answers, else a local server the tests start themselves).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHATREC_WITH_LOCAL_LLM=1  # the tests run a real local LLM (tests/nlu/test_llm_local.py)
source scripts/install.sh
# The web console's test drives Debian's Chromium through Playwright (no browser download).
if [[ ! -x /usr/bin/chromium ]]; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "The console test needs Chromium at /usr/bin/chromium: install it (e.g. apt-get install chromium)." >&2
    exit 1
  fi
fi
if [[ -z "${CHATREC_DATA_DIR:-}" && -d ../shared/data ]]; then
  export CHATREC_DATA_DIR="$(cd ../shared/data && pwd)"
fi
ruff check .
python -m pytest "$@"
