#!/usr/bin/env bash
# The main job on a fresh machine, without Docker: install, start Neo4j, load the demo data, train the GNN (its
# embeddings are written back to Neo4j), serve the API.
# Needs Python 3.11+, OpenJDK 17 (CHATREC_JAVA_HOME) and Maven. Data: CHATREC_DATA_DIR, else ../shared/data when
# it exists, else MovieLens-100K and latest-small are downloaded (checksums verified) into ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install.sh

if [[ -z "${CHATREC_DATA_DIR:-}" ]]; then
  if [[ -d ../shared/data/movielens-100k ]]; then
    export CHATREC_DATA_DIR="$(cd ../shared/data && pwd)"
  else
    export CHATREC_DATA_DIR="$PWD/data"
    chatrec data fetch movielens-100k
    chatrec data fetch movielens-latest-small
  fi
fi

chatrec neo4j start
chatrec import demo
chatrec train --threads 1
chatrec stats
echo "Neo4j Browser: http://127.0.0.1:${CHATREC_NEO4J_HTTP_PORT:-7474}/browser/  (user neo4j)"
echo "Web console:   http://127.0.0.1:${CHATREC_API_PORT:-8000}/"
echo "API docs:      http://127.0.0.1:${CHATREC_API_PORT:-8000}/docs"
exec chatrec serve
