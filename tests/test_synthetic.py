"""The synthetic catalog of the scale benchmark (bench/synthetic.py): deterministic, sized by the scale factor, with
heavy-tailed popularity and clustered tastes, and importable as any CSV catalog."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from core.config import PROJECT_ROOT
from graph.db import GraphStore
from graph.importers.csv_catalog import import_csv_catalog
from graph.stats import total_counts

_spec = importlib.util.spec_from_file_location("synthetic", PROJECT_ROOT / "bench" / "synthetic.py")
assert _spec is not None and _spec.loader is not None
synthetic = importlib.util.module_from_spec(_spec)
sys.modules["synthetic"] = synthetic  # dataclasses resolve their module by name
_spec.loader.exec_module(synthetic)


def test_the_same_seed_writes_the_same_files_and_another_seed_other_ones(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        synthetic.write(synthetic.generate(0.05, seed), tmp_path / name)
    for file in ("items.csv", "interactions.csv", "triples.csv", "preferences.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / "interactions.csv").read_bytes() != (tmp_path / "c" / "interactions.csv").read_bytes()


def test_sizes_follow_the_scale_with_a_long_tail_and_clustered_tastes() -> None:
    small, large = synthetic.generate(0.2), synthetic.generate(0.6)
    users, items, stars, _ = small.ratings
    sizes = synthetic.Sizes.at(0.2)
    assert len(small.titles) == sizes.items and len(set(small.titles)) == sizes.items  # unique titles
    assert 0.8 * sizes.ratings <= len(users) <= 1.05 * sizes.ratings  # users who rate many saturate their tastes
    assert 2.7 < len(large.ratings[0]) / len(users) < 3.3
    assert len(np.unique(users * sizes.items + items)) == len(users)  # no user rates an item twice
    counts = np.sort(np.bincount(items, minlength=sizes.items))[::-1]
    assert counts[: sizes.items // 100].sum() > 0.05 * len(items)  # the top 1 % of items: over 5 % of ratings
    assert np.median(counts) < 0.8 * counts.mean()  # right-skewed (less than MovieLens: median 27, mean 59)
    # Each user's favourite taste holds far more of their ratings than 1/TASTES, and earns better ratings.
    taste = small.item_taste[items]
    share = [np.bincount(taste[users == u]).max() / (users == u).sum() for u in np.unique(users)[:200]]
    assert np.mean(share) > 4 / synthetic.TASTES
    favourite = {u: np.bincount(taste[users == u]).argmax() for u in np.unique(users)[:200]}
    rows = np.isin(users, list(favourite))
    liked = np.array([favourite[u] == t for u, t in zip(users[rows], taste[rows], strict=True)])
    assert stars[rows][liked].mean() > stars[rows][~liked].mean() + 0.5


def test_the_files_import_as_a_csv_catalog(store: GraphStore, tmp_path: Path) -> None:
    catalog = synthetic.generate(0.05, seed=1)
    written = synthetic.write(catalog, tmp_path)
    imported = import_csv_catalog(store, tmp_path, batch_size=500)
    assert imported["items"] == written["items.csv"] and imported["interactions"] == written["interactions.csv"]
    rated = store.read("MATCH (:User)-[r:RATED]->(:Item) RETURN count(r) AS n")[0]["n"]
    assert rated == len(catalog.ratings[0])
    people = store.read("MATCH (p:Person)-[:DIRECTED|ACTED_IN|WROTE]->(:Item) RETURN count(DISTINCT p) AS n")[0]["n"]
    assert people == len(np.unique(catalog.credits[1]))
    nodes, relationships = total_counts(store)
    assert nodes > written["items.csv"] and relationships > rated
