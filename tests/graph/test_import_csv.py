"""The documented CSV format: a small catalog end to end, idempotence, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.csv_catalog import import_csv_catalog
from graph.stats import graph_counts, total_counts

INJECTION = "'}) DETACH DELETE n //"


def _write_catalog(folder: Path, **files: str) -> Path:
    folder.mkdir(exist_ok=True)
    defaults = {
        "items.csv": "id,title,year,genres,aliases\n"
        "shop:1,Fargo,1996,Crime|Drama,\n"
        "shop:2,The Big Lebowski (1998),,Comedy|Crime,Lebowski\n"
        f'shop:3,"{INJECTION}",2001,Horror,\n',
        "users.csv": "id,age,country\nu1,33,NL\nu2,41,\n",
        "interactions.csv": "user_id,item_id,rating,ts\nu1,shop:1,5,1700000000\nu1,shop:2,4,\nu2,shop:3,1,\n",
        "triples.csv": "item_id,relation,entity_id,entity_name\n"
        "shop:1,director,person:joel-coen,Joel Coen\n"
        "shop:2,director,person:joel-coen,Joel Coen\n"
        "shop:1,star,person:frances-mcdormand,Frances McDormand\n"
        "shop:2,genre,Film-Noir,\n",
        "preferences.csv": "user_id,item_id,polarity,weight\nchat-7,shop:1,like,\nchat-7,shop:3,dislike,0.5\n",
    }
    for name, text in {**defaults, **files}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_csv_catalog_is_imported_as_documented(store: GraphStore, tmp_path: Path) -> None:
    folder = _write_catalog(tmp_path / "shop")
    imported = import_csv_catalog(store, folder)
    assert imported == {"items": 3, "users": 2, "interactions": 3, "triples": 4, "preferences": 2}
    counts = graph_counts(store)
    assert counts["nodes"] == {"Genre": 5, "Item": 3, "Person": 2, "User": 3}
    assert counts["relationships"] == {"ACTED_IN": 1, "DIRECTED": 2, "IN_GENRE": 6, "PREFERS": 2, "RATED": 3}
    said = store.read(
        "MATCH (:User {id: 'chat-7'})-[p:PREFERS]->(m:Item) RETURN m.id AS item, p.polarity AS polarity, "
        "p.weight AS weight ORDER BY item"
    )
    assert said == [
        {"item": "shop:1", "polarity": "like", "weight": 1.0},
        {"item": "shop:3", "polarity": "dislike", "weight": 0.5},
    ]
    path = store.read(
        "MATCH (:User {id: 'u1'})-[r:RATED]->(a:Item)<-[:DIRECTED]-(p:Person)-[:DIRECTED]->(b:Item) "
        "WHERE a.id = 'shop:1' RETURN r.rating AS rating, r.ts AS ts, p.name AS person, b.name AS other"
    )
    assert path == [{"rating": 5.0, "ts": 1700000000, "person": "Joel Coen", "other": "The Big Lebowski (1998)"}]
    fargo = store.read("MATCH (m:Item {id: 'shop:1'}) RETURN m.name AS name, m.year AS year")[0]
    assert fargo == {"name": "Fargo (1996)", "year": 1996}
    user = store.read("MATCH (u:User {id: 'u1'}) RETURN u.age AS age, u.country AS country")[0]
    assert user == {"age": "33", "country": "NL"}


def test_csv_import_twice_changes_nothing(store: GraphStore, tmp_path: Path) -> None:
    folder = _write_catalog(tmp_path / "shop")
    import_csv_catalog(store, folder)
    counts = total_counts(store)
    import_csv_catalog(store, folder)
    assert total_counts(store) == counts


def test_cypher_looking_text_is_stored_verbatim(store: GraphStore, tmp_path: Path) -> None:
    import_csv_catalog(store, _write_catalog(tmp_path / "shop"))
    assert store.read("MATCH (m:Item {id: 'shop:3'}) RETURN m.name AS name")[0]["name"] == f"{INJECTION} (2001)"
    assert total_counts(store)[0] == 13


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"items.csv": "id,name\nx,Fargo\n"}, r"items\.csv, line 1: missing column\(s\) title in the header"),
        ({"items.csv": "id,title\nx,Fargo\nx,Fargo 2\n"}, r"items\.csv, line 3: id 'x' appears twice"),
        ({"items.csv": "id,title,year\nx,Fargo,nineteen\n"}, r"items\.csv, line 2: year must be an integer"),
        ({"items.csv": "id,title\nx,Fargo,extra\n"}, r"items\.csv, line 2: wrong number of fields"),
        ({"triples.csv": "item_id,relation,entity_id\nshop:1,produced,p1\n"}, r"triples\.csv, line 2: relation must"),
        (
            {"interactions.csv": "user_id,item_id\nu1,shop:1\nu9,shop:1\n"},
            r"interactions\.csv, line 3: user_id 'u9' is neither in the files nor in the graph",
        ),
        ({"interactions.csv": "user_id,item_id,rating\nu1,shop:1,great\n"}, r"line 2: rating must be a number"),
        ({"preferences.csv": "user_id,item_id,polarity\nc,shop:1,love\n"}, r"line 2: polarity must be like or"),
        (
            {"preferences.csv": "user_id,item_id,polarity\nc,shop:1,like\nc,shop:9,like\n"},
            r"preferences\.csv, line 3: item_id 'shop:9' is neither in the files nor in the graph",
        ),
    ],
)
def test_bad_csv_is_rejected_before_any_write(store: GraphStore, tmp_path: Path, files: dict, message: str) -> None:
    folder = _write_catalog(tmp_path / "shop", **files)
    with pytest.raises(DataFileError, match=message):
        import_csv_catalog(store, folder)
    assert total_counts(store) == (0, 0)


def test_missing_items_file_is_named(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"items\.csv: file not found"):
        import_csv_catalog(store, tmp_path)
