"""HTTP service, command line and orchestration of graph/, nlu/ and gnn/."""
