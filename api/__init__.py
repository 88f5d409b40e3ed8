"""HTTP service, command line and orchestration of graph/, nlu/ and gnn/."""

import os

# Serving does many small matrix-vector products: OpenBLAS's worker threads only spin and steal CPU from Neo4j and
# the other requests (measured: 60 -> 25 ms CPU per explained recommendation on 2 busy cores). Must be set before
# numpy loads OpenBLAS; an explicit setting in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
