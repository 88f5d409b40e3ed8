"""MovieLens-100K and ReDial imports: exact counts, idempotence, resumption, the merge, the full-text index."""

from __future__ import annotations

import shutil
from pathlib import Path

from graph.db import GraphStore
from graph.importers.merge import link_catalogs
from graph.importers.movielens import import_movielens
from graph.importers.movielens_latest import imdb_names
from graph.importers.redial import import_redial, read_redial
from graph.importers.redial_dialogues import import_redial_dialogues
from graph.schema import clear_database, ensure_schema
from graph.search import items_by_redial_id
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
    # 1,682 MovieLens + 6,470 real ReDial movies (6,583 entries), minus one node per merged pair.
    assert counts["nodes"]["Item"] == 1682 + 6470 - first["merged_total"]
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


def _movie(store: GraphStore, redial_id: str) -> dict:
    rows = store.read(
        "MATCH (m:Item) WHERE $rid IN m.redial_ids RETURN m.id AS id, m.name AS name, m.redial_ids AS ids, "
        "m.aliases AS aliases, m.imdb_id AS imdb, m.imdb_id_disputed AS disputed, m.ml_id AS ml_id",
        rid=redial_id,
    )
    assert len(rows) == 1, f"entry {redial_id} must be on exactly one node"
    return rows[0]


def test_catalog_entries_of_one_movie_become_one_node(store: GraphStore, data_dir: Path) -> None:
    counts = import_redial(store, data_dir / "redial")
    assert counts["movies"] == 6470 and counts["duplicates_merged"] == 6583 - 6470
    assert counts["imdb_conflicts_refused"] > 0
    assert store.read("MATCH (m:Item) RETURN count(m) AS n")[0]["n"] == 6470
    # A franchise's name without a year, with its first film's IMDb id, is that film: "Kill Bill" is Volume 1.
    assert _movie(store, "166069")["ids"] == ["166069", "175165"]
    assert _movie(store, "93521")["name"] == "Harry Potter and the Philosopher's Stone (2001)"
    # "Back to the Future" and "Back to the Future (1985)" share tt0088763 and a title: one node, both ids, both names.
    future = _movie(store, "100043")
    assert future["ids"] == ["100043", "135485"] and future["name"] == "Back to the Future (1985)"
    assert future["aliases"] == ["Back to the Future"] and future["imdb"] == "tt0088763"
    assert _movie(store, "180231")["ids"] == ["103906", "180231", "185171"]  # Conjuring / The Conjuring (2013)
    # One IMDb id, two titles: "Spider (2007)" and "Spider-Man 3 (2007)" stay apart and neither claims it.
    spider, spider_man = _movie(store, "101335"), _movie(store, "165531")
    assert spider["id"] != spider_man["id"] and spider["imdb"] is None and spider_man["disputed"] == "tt0413300"
    # "Meet the Parents (2000)" twice is one movie that keeps the id; the 2004 and 2010 entries stay apart.
    assert _movie(store, "106317")["ids"] == ["106317", "170722"] and _movie(store, "106317")["imdb"] == "tt0212338"
    assert _movie(store, "89235")["imdb"] is None
    shared = store.read(
        "MATCH (m:Item) WHERE m.imdb_id IS NOT NULL WITH m.imdb_id AS imdb, count(*) AS n "
        "WHERE n > 1 RETURN count(*) AS n"
    )
    assert shared == [{"n": 0}]
    # The merged movie has the people and genres of every entry, each relationship once.
    directors = store.read(
        "MATCH (p:Person)-[r:DIRECTED]->(m:Item {redial_id: '135485'}) RETURN p.name AS name, count(r) AS n"
    )
    assert directors == [{"name": "Robert Zemeckis", "n": 1}]
    # Every catalog id finds its node, and a dialogue's mention of either entry is a preference for that node.
    node_of = items_by_redial_id(store, ["100043", "135485", "101335"])
    assert node_of["100043"] == node_of["135485"] == future["id"] and node_of["101335"] == spider["id"]


def test_reimport_folds_the_duplicates_of_an_older_import(store: GraphStore, data_dir: Path, tmp_path: Path) -> None:
    import_movielens(store, data_dir / "movielens-100k")
    # As an import before duplicates were resolved left it: one node per entry, each with its relationships.
    rows = read_redial(data_dir / "redial")
    conjuring = ("103906", "180231", "185171")  # "The Conjuring", "Conjuring", "The Conjuring (2013)"
    old = [m for m in rows["movies"] if m["redial_id"] in ("100043", "135485", "114851", "161723", *conjuring)]
    store.write(
        "UNWIND $rows AS row CREATE (m:Item:Movie {id: 'redial:' + row.redial_id, redial_id: row.redial_id, "
        "name: row.name, title_key: row.title_key, imdb_id: row.imdb_id})",
        rows=old,
    )
    link_catalogs(store)  # The Godfather (1972) joins its MovieLens node; "The Godfather" stays apart
    store.write(
        "MATCH (a:Item {redial_id: '100043'}), (b:Item {redial_id: '114851'}) "
        "CREATE (:User {id: 'seeker'})-[:PREFERS {polarity: 'like'}]->(a), (:User {id: 'fan'})-[:PREFERS]->(b)"
    )
    # Three nodes of one movie, each liked by someone; one user said two different things of two of them.
    store.write(
        "UNWIND range(0, 2) AS n MATCH (m:Item {redial_id: $ids[n]}) "
        "CREATE (:User {id: 'viewer-' + toString(n)})-[:PREFERS {polarity: 'like'}]->(m)",
        ids=list(conjuring),
    )
    store.write(
        "MATCH (a:Item {redial_id: $head}), (b:Item {redial_id: $other}) "
        "CREATE (u:User {id: 'torn'})-[:PREFERS {polarity: 'dislike'}]->(a), (u)-[:PREFERS {polarity: 'like'}]->(b)",
        head="185171",
        other="103906",
    )
    import_redial(store, data_dir / "redial")
    link_catalogs(store)
    godfather = _movie(store, "114851")
    assert godfather["ml_id"] == 127 and godfather["ids"] == ["114851", "161723"] and godfather["id"] == "ml:127"
    assert "The Godfather" in godfather["aliases"]
    future = _movie(store, "100043")
    assert future["ids"] == ["100043", "135485"]
    liked = store.read("MATCH (:User {id: 'seeker'})-[:PREFERS]->(m) RETURN m.id AS id")
    assert liked == [{"id": future["id"]}]
    assert store.read("MATCH (:User {id: 'fan'})-[:PREFERS]->(m) RETURN m.id AS id") == [{"id": "ml:127"}]
    movie = _movie(store, "180231")
    assert movie["ids"] == list(conjuring) and movie["name"] == "The Conjuring (2013)"
    assert {"The Conjuring", "Conjuring"} <= set(movie["aliases"])
    viewers = store.read(
        "MATCH (u:User)-[:PREFERS]->(m:Item {id: $id}) WHERE u.id STARTS WITH 'viewer-' RETURN count(u) AS n",
        id=movie["id"],
    )
    assert viewers == [{"n": 3}]
    torn = store.read("MATCH (:User {id: 'torn'})-[p:PREFERS]->(m) RETURN m.id AS id, p.polarity AS polarity")
    assert torn == [{"id": movie["id"], "polarity": "dislike"}]  # the surviving node's own edge stays as it was
    counts = graph_counts(store)
    import_redial(store, data_dir / "redial")
    assert graph_counts(store) == counts


def test_dialogue_preferences_land_on_the_merged_movie(store: GraphStore, data_dir: Path, tmp_path: Path) -> None:
    import_redial(store, data_dir / "redial")
    path = tmp_path / "dialogues.jsonl"
    path.write_text('{"conversationId": "7", "initiatorQuestions": {"100043": {"liked": 1}, "135485": {"liked": 1}}}\n')
    assert import_redial_dialogues(store, path) == {"seekers": 1, "preferences": 1}
    liked = store.read("MATCH (:User {id: 'redial-seeker:7'})-[:PREFERS]->(m) RETURN m.redial_id AS rid")
    assert liked == [{"rid": "135485"}]


def _facts(store: GraphStore, redial_id: str) -> dict:
    return store.read(
        "MATCH (m:Item {redial_id: $rid}) OPTIONAL MATCH (p:Person)-->(m) OPTIONAL MATCH (m)-[:IN_GENRE]->(g) "
        "RETURN m.plot IS NOT NULL AS plot, collect(DISTINCT p.name) AS people, collect(DISTINCT g.id) AS genres",
        rid=redial_id,
    )[0]


def test_an_imdb_id_s_facts_stay_with_the_film_another_catalog_names_by_it(store: GraphStore, data_dir: Path) -> None:
    # "It (1990)" and "Goodfellas (1990)" share Goodfellas' IMDb id, plot, genres and credits in the ReDial catalog.
    import_redial(store, data_dir / "redial")  # as an import that knew no other catalog left it
    assert "Martin Scorsese" in _facts(store, "204794")["people"]
    names = imdb_names(data_dir / "movielens-latest-small")
    assert names["tt0099685"] == "Goodfellas (1990)" and names["tt0413300"] == "Spider-Man 3 (2007)"
    counts = import_redial(store, data_dir / "redial", imdb_names=names)
    assert counts["misattributed"] == 78 and counts["movies"] == 6470
    it, goodfellas = _movie(store, "204794"), _movie(store, "143198")
    assert it["imdb"] is None and it["disputed"] == "tt0099685"
    assert goodfellas["imdb"] == "tt0099685" and goodfellas["disputed"] is None
    assert _facts(store, "204794") == {"plot": False, "people": [], "genres": []}
    kept = _facts(store, "143198")
    assert kept["plot"] and "Martin Scorsese" in kept["people"] and "crime" in kept["genres"]
    # A tie MovieLens settles: Spider-Man 3 keeps its id and credits, "Spider (2007)" neither.
    assert _movie(store, "165531")["imdb"] == "tt0413300" and _movie(store, "101335")["imdb"] is None
    assert "Tobey Maguire" in _facts(store, "165531")["people"] and _facts(store, "101335")["people"] == []
    # The cleaned graph is the one a first import writes, and importing again changes nothing.
    cleaned = graph_counts(store)
    import_redial(store, data_dir / "redial", imdb_names=names)
    assert graph_counts(store) == cleaned
    clear_database(store)
    ensure_schema(store)
    import_redial(store, data_dir / "redial", imdb_names=names)
    assert graph_counts(store) == cleaned
