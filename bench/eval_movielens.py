"""Top-K on MovieLens-100K (GUIDE.md, protocol 1): the same as `chatrec eval movielens` (gnn/benchmark.py is the one
implementation). Reads the graph from the Neo4j that the CHATREC_* settings point at; writes
bench/results/movielens.json, .md and .png.

    OMP_NUM_THREADS=1 python bench/eval_movielens.py --threads 1
"""

from __future__ import annotations

import sys

from api.cli import app

if __name__ == "__main__":
    app(["eval", "movielens", *sys.argv[1:]])
