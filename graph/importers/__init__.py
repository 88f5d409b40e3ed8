"""Idempotent, batched, resumable importers: MovieLens-100K, the ReDial catalog, their merge, and a CSV format."""
