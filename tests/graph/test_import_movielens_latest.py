"""MovieLens latest-small on the catalog's movies: IMDb bridge to ReDial, title + year to MovieLens-100K, ratings,
tags as nodes, idempotence, clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.merge import link_catalogs
from graph.importers.movielens import import_movielens
from graph.importers.movielens_latest import import_movielens_latest, read_movielens_latest, tag_id
from graph.importers.redial import import_redial
from graph.stats import graph_counts


def test_ratings_and_tags_land_on_the_catalogs_movies(store: GraphStore, data_dir: Path) -> None:
    import_movielens(store, data_dir / "movielens-100k")
    import_redial(store, data_dir / "redial")
    link_catalogs(store)
    before = store.read("MATCH (m:Item) RETURN count(m) AS n")[0]["n"]
    counts = import_movielens_latest(store, data_dir / "movielens-latest-small")
    assert counts["movies"] == 9742 and counts["users"] == 610 and counts["ratings"] == 100_836
    assert counts["matched_by_imdb"] >= 3900 and counts["matched_by_title"] > 0
    created = store.read("MATCH (m:Item) RETURN count(m) AS n")[0]["n"] - before
    # each bridge folds a ReDial node into the MovieLens-100K node of the same film: one node fewer
    assert created == 9742 - counts["matched_by_imdb"] - counts["matched_by_title"] - counts["bridged_by_imdb"]
    # The Matrix: ReDial's node (by IMDb id tt0133093) holds the ReDial-era ratings, no second node appears.
    matrix = store.read(
        "MATCH (m:Item {ml_latest_id: 2571}) RETURN m.id AS id, m.redial_id IS NOT NULL AS redial, m.imdb_id AS imdb, "
        "COUNT { (:User)-[:RATED]->(m) } AS ratings"
    )[0]
    assert matrix["redial"] and matrix["imdb"] == "tt0133093" and matrix["ratings"] >= 278
    rating = store.read("MATCH (:User {id: 'ml-latest:1'})-[r:RATED]->(:Item {ml_latest_id: 1}) RETURN r.rating AS r")
    assert rating == [{"r": 4.0}]
    # The Fifth Element: ReDial wrote it without a year, so the title + year merge left MovieLens-100K's "(1997)"
    # apart; MovieLens latest has its title, year and IMDb id, and makes the two one node.
    fifth = store.read(
        "MATCH (m:Item) WHERE m.title = 'The Fifth Element' RETURN m.id AS id, m.name AS name, m.redial_ids AS redial, "
        "m.ml_latest_id AS latest, m.imdb_id AS imdb, COUNT { (:Person)-[:DIRECTED]->(m) } AS directors"
    )
    assert fifth == [
        {"id": "ml:250", "name": "The Fifth Element (1997)", "redial": ["112346"], "latest": 1527,
         "imdb": "tt0119116", "directors": 1}
    ]  # fmt: skip
    assert counts["bridged_by_imdb"] >= 20
    # Monty Python and the Holy Grail: MovieLens-100K dates it 1974, ReDial and MovieLens latest 1975 (IMDb's year):
    # one node, with the ReDial name; "Dolores Claiborne" (MovieLens-100K 1994, latest 1995, not in ReDial) likewise.
    grail = store.read(
        "MATCH (m:Item) WHERE m.title = 'Monty Python and the Holy Grail' RETURN m.id AS id, m.name AS name, "
        "m.year AS year, m.redial_ids AS redial, m.ml_latest_id AS latest, COUNT { (:User)-[:RATED]->(m) } AS ratings"
    )
    assert len(grail) == 1 and grail[0]["id"] == "ml:168" and grail[0]["name"].endswith("(1975)")
    assert grail[0]["year"] == 1975 and grail[0]["redial"] == ["173333"] and grail[0]["ratings"] > 316
    dolores = store.read("MATCH (m:Item) WHERE m.title = 'Dolores Claiborne' RETURN m.id AS id, m.imdb_id AS imdb")
    assert dolores == [{"id": "ml:44", "imdb": "tt0109642"}]
    # ... but only where the titles agree: ReDial's "12 Monkeys (1995)" keeps its node beside "Twelve Monkeys (1995)".
    monkeys = store.read("MATCH (m:Item) WHERE m.year = 1995 AND m.title IN ['12 Monkeys', 'Twelve Monkeys'] RETURN m")
    assert len(monkeys) == 2
    # Toy Story: MovieLens-100K's node (no IMDb id there) is found by IMDb id through the ReDial merge or by title.
    assert store.read("MATCH (m:Item {ml_latest_id: 1}) RETURN m.ml_id AS ml")[0]["ml"] == 1
    # Tags: "superhero" is a node, linked to the films people gave it, with how many of them did.
    superhero = store.read(
        "MATCH (m:Item)-[r:TAGGED]->(:Tag {id: 'superhero'}) RETURN m.name AS name, r.count AS n ORDER BY n DESC"
    )
    assert len(superhero) >= 10 and all(row["n"] >= 1 for row in superhero)
    assert store.read("MATCH (t:Tag {id: 'in netflix queue'}) RETURN t") == []  # one user's bookkeeping, not a tag
    # A tag that names a genre or a person is that node already, not a tag.
    assert store.read("MATCH (t:Tag) WHERE t.id IN ['sci-fi', 'tom hanks', 'comedy'] RETURN t.id AS id") == []
    assert counts["tags_that_name_a_genre_or_person"] >= 3 and counts["tags"] >= 200
    shared = store.read(
        "MATCH (m:Item) WHERE m.imdb_id IS NOT NULL WITH m.imdb_id AS imdb, count(*) AS n WHERE n > 1 "
        "RETURN count(*) AS n"
    )
    assert shared == [{"n": 0}]
    graph = graph_counts(store)
    assert import_movielens_latest(store, data_dir / "movielens-latest-small")["movies"] == 9742
    assert graph_counts(store) == graph, "a second import changes nothing"


def test_a_second_import_folds_a_film_an_older_import_left_twice(store: GraphStore, data_dir: Path) -> None:
    # MovieLens latest before MovieLens-100K: "Monty Python and the Holy Grail" lands on ReDial's 1975 node, and
    # MovieLens-100K's 1974 node stays apart (as an import by an older version leaves it); importing again folds them.
    import_redial(store, data_dir / "redial")
    import_movielens_latest(store, data_dir / "movielens-latest-small")
    import_movielens(store, data_dir / "movielens-100k")
    link_catalogs(store)
    query = "MATCH (m:Item) WHERE m.title = 'Monty Python and the Holy Grail' RETURN m.id AS id, m.year AS year"
    assert len(store.read(query)) == 2
    counts = import_movielens_latest(store, data_dir / "movielens-latest-small")
    assert counts["bridged_by_imdb"] >= 1
    assert store.read(query) == [{"id": "ml:168", "year": 1975}]
    graph = graph_counts(store)
    import_movielens_latest(store, data_dir / "movielens-latest-small")
    assert graph_counts(store) == graph, "a third import changes nothing"


def test_tags_are_one_per_spelling_and_need_two_taggers(data_dir: Path, tmp_path: Path) -> None:
    assert tag_id("  Time   Travel ") == "time travel"
    copy = tmp_path / "latest"
    shutil.copytree(data_dir / "movielens-latest-small", copy)
    (copy / "tags.csv").write_text(
        "userId,movieId,tag,timestamp\n1,1,Pixar,0\n2,1,pixar ,0\n3,2,pixar,0\n1,2,only mine,0\n"
    )
    tagged = read_movielens_latest(copy).tagged
    assert tagged == [
        {"movie": 1, "tag": "pixar", "name": "Pixar", "count": 2},
        {"movie": 2, "tag": "pixar", "name": "Pixar", "count": 1},
    ]


def test_a_bad_rating_names_file_and_line(data_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "latest"
    shutil.copytree(data_dir / "movielens-latest-small", copy)
    lines = (copy / "ratings.csv").read_text().splitlines()
    (copy / "ratings.csv").write_text("\n".join([*lines[:3], "1,1,7.0,964982703", *lines[3:]]) + "\n")
    with pytest.raises(DataFileError, match=r"ratings\.csv, line 4: rating must be between 0\.5 and 5"):
        read_movielens_latest(copy)
