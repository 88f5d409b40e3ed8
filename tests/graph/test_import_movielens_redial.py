"""MovieLens-100K and ReDial imports: exact counts, idempotence, resumption, the merge, the full-text index."""

from __future__ import annotations

import shutil
from pathlib import Path

from graph.db import GraphStore
from graph.importers.merge import link_catalogs
from graph.importers.movielens import import_movielens
from graph.importers.redial import import_redial
from graph.stats import graph_counts


def _import_all(store: GraphStore, data_dir: Path) -> dict[str, int]:
    import_movielens(store, data_dir / "movielens-100k")
    import_redial(store, data_dir / "redial")
    return link_catalogs(store)


def test_movielens_import_matches_the_files(store: GraphStore, data_dir: Path) -> None:
    result = import_movielens(store, data_dir / "movielens-100k")
    assert result == {"items": 1682, "users": 943, "ratings": 100_000}
    counts = graph_counts(store)
    assert counts["nodes"] == {"Genre": 18, "Item": 1682, "Movie": 1682, "User": 943}
    assert counts["relationships"]["RATED"] == 100_000
    toy_story = store.read(
        "MATCH (m:Item {id: 'ml:1'})-[:IN_GENRE]->(g) RETURN m.name AS name, m.year AS year, collect(g.id) AS genres"
    )[0]
    assert toy_story["name"] == "Toy Story (1995)" and toy_story["year"] == 1995
    assert sorted(toy_story["genres"]) == ["animation", "children", "comedy"]
    rating = store.read("MATCH (:User {id: 'ml:196'})-[r:RATED]->(:Item {ml_id: 242}) RETURN r.rating AS r, r.ts AS ts")
    assert rating == [{"r": 3, "ts": 881250949}]
    user = store.read("MATCH (u:User {id: 'ml:1'}) RETURN u.age AS age, u.gender AS g, u.occupation AS o")[0]
    assert user == {"age": 24, "g": "M", "o": "technician"}


def test_full_import_is_idempotent_and_merges_catalogs(store: GraphStore, data_dir: Path) -> None:
    first = _import_all(store, data_dir)
    counts = graph_counts(store)
    second = _import_all(store, data_dir)
    assert graph_counts(store) == counts, "running the import twice must not change any count"
    assert first["merged_now"] == first["merged_total"] >= 600
    assert second == {"merged_now": 0, "merged_total": first["merged_total"]}
    # 1,682 MovieLens + 6,583 ReDial movies, minus one node per merged pair.
    assert counts["nodes"]["Item"] == 1682 + 6583 - first["merged_total"]
    shawshank = store.read(
        "MATCH (m:Item {ml_id: 64}) OPTIONAL MATCH (p:Person)-[:DIRECTED]->(m) "
        "RETURN m.name AS name, m.redial_id AS redial_id, m.aliases AS aliases, collect(p.name) AS directors, "
        "COUNT { (:User)-[:RATED]->(m) } AS ratings"
    )[0]
    assert shawshank["name"] == "The Shawshank Redemption (1994)"
    assert shawshank["redial_id"] is not None
    assert "Shawshank Redemption, The (1994)" in shawshank["aliases"]
    assert shawshank["directors"] == ["Frank Darabont"]
    assert shawshank["ratings"] == 283
    assert store.read("MATCH (m:Item {redial_id: $rid}) RETURN count(m) AS n", rid=shawshank["redial_id"])[0]["n"] == 1


def test_merge_works_in_either_import_order(store: GraphStore, data_dir: Path) -> None:
    import_redial(store, data_dir / "redial")
    import_movielens(store, data_dir / "movielens-100k")
    merged = link_catalogs(store)["merged_total"]
    counts = graph_counts(store)
    _import_all(store, data_dir)
    assert graph_counts(store) == counts
    assert link_catalogs(store)["merged_total"] == merged


def test_interrupted_import_resumes_on_rerun(store: GraphStore, data_dir: Path, tmp_path: Path) -> None:
    partial = tmp_path / "ml"
    shutil.copytree(data_dir / "movielens-100k", partial)
    lines = (partial / "u.data").read_text(encoding="latin-1").splitlines(keepends=True)
    (partial / "u.data").write_text("".join(lines[:12_345]), encoding="latin-1")
    import_movielens(store, partial, batch_size=1_000)
    assert graph_counts(store)["relationships"]["RATED"] == 12_345
    import_movielens(store, data_dir / "movielens-100k", batch_size=7_000)
    assert graph_counts(store)["relationships"]["RATED"] == 100_000


def test_full_text_index_finds_titles_aliases_people_and_genres(store: GraphStore, data_dir: Path) -> None:
    _import_all(store, data_dir)
    store.write("CALL db.awaitIndexes(300)")

    def top(query: str) -> str:
        return store.read(
            "CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node RETURN node.name AS name LIMIT 1", q=query
        )[0]["name"]

    assert top("shawshank~") == "The Shawshank Redemption (1994)"
    assert top('"Frances McDormand"') == "Frances McDormand"
    genre = store.read(
        "CALL db.index.fulltext.queryNodes('entity_names', 'horror') YIELD node WHERE node:Genre RETURN node.id AS id"
    )
    assert genre == [{"id": "horror"}]
