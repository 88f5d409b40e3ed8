"""The schema: idempotent, and an older full-text index (over fewer labels) is rebuilt to cover tags."""

from __future__ import annotations

from graph.db import GraphStore
from graph.schema import FULLTEXT_INDEX, FULLTEXT_LABELS, ensure_schema


def _labels(store: GraphStore) -> list[str]:
    rows = store.read(
        "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes WHERE name = $name RETURN labelsOrTypes AS labels",
        name=FULLTEXT_INDEX,
    )
    return sorted(rows[0]["labels"])


def test_an_older_name_index_is_rebuilt_over_every_label(store: GraphStore) -> None:
    store.write("DROP INDEX entity_names IF EXISTS")
    store.write("CREATE FULLTEXT INDEX entity_names FOR (n:Item|Person|Genre) ON EACH [n.name, n.aliases]")
    store.write("CREATE (:Tag {id: 'time travel', name: 'time travel'})")
    ensure_schema(store)
    assert _labels(store) == FULLTEXT_LABELS == ["Genre", "Item", "Person", "Tag"]
    hits = store.read(
        "CALL db.index.fulltext.queryNodes($index, 'travel') YIELD node RETURN node.id AS id", index=FULLTEXT_INDEX
    )
    assert hits == [{"id": "time travel"}]
    ensure_schema(store)  # a second call changes nothing
    assert _labels(store) == FULLTEXT_LABELS
