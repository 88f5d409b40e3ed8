"""Entity lookup for the NLU: every nameable node with its popularity, and fuzzy full-text candidates."""

from __future__ import annotations

import re
from typing import Any

from graph.db import STABLE_PLAN, GraphStore
from graph.schema import FULLTEXT_INDEX

# Lucene's query syntax characters: escaped so user text is only ever searched for, never interpreted.
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_WORD = re.compile(r"\w+", re.UNICODE)
# Lucene operators that a bare word would otherwise become.
_OPERATORS = {"AND", "OR", "NOT", "TO"}
DIALOGUE_WEIGHT = 10  # a like said in a conversation counts as this many ratings for an item's popularity


def entity_catalog(store: GraphStore) -> list[dict[str, Any]]:
    """Every Item, Person, Genre and Tag as `{label, id, name, aliases, year, popularity}`.

    Popularity: for items, the users who rated it plus `DIALOGUE_WEIGHT` times those who talked about liking it
    (conversations say which of two films of one name people mean today); linked items for people, genres and tags.
    """
    return store.read(
        """
        MATCH (n:Item|Person|Genre|Tag)
        WITH n, CASE WHEN n:Item THEN 'Item' WHEN n:Person THEN 'Person' WHEN n:Tag THEN 'Tag' ELSE 'Genre' END
             AS label
        RETURN label, n.id AS id, n.name AS name, coalesce(n.aliases, []) AS aliases, n.year AS year,
               CASE label WHEN 'Item' THEN COUNT { (n)<-[:RATED|FEEDBACK]-(:User) }
                                           + $dialogue_weight * COUNT { (n)<-[:PREFERS {polarity: 'like'}]-(:User) }
                          WHEN 'Person' THEN COUNT { (n)-->(:Item) }
                          WHEN 'Tag' THEN COUNT { (n)<-[:TAGGED]-(:Item) }
                          ELSE COUNT { (n)<-[:IN_GENRE]-(:Item) } END AS popularity
        ORDER BY label, id
        """,
        dialogue_weight=DIALOGUE_WEIGHT,
    )


LONG_WORD = 8  # a word of this many characters on may hold two typos


def fulltext_query(text: str, fuzzy: bool = True) -> str:
    """A Lucene query that matches any word of `text` (within one edit for words of 4+ characters, two for words of
    8+); "" when none."""
    terms = []
    for word in _WORD.findall(text)[:32]:
        escaped = _LUCENE_SPECIAL.sub(r"\\\1", word)
        if escaped.upper() in _OPERATORS:
            escaped = escaped.lower()
        edits = 2 if len(word) >= LONG_WORD else 1  # "ratatoullie", "carribean": long words take two typos
        terms.append(f"{escaped}~{edits}" if fuzzy and len(word) >= 4 else escaped)
    return " ".join(terms)


def fulltext_candidates(store: GraphStore, text: str, limit: int = 20, fuzzy: bool = True) -> list[dict[str, Any]]:
    """Nodes of the `entity_names` full-text index matching the words of `text`, best Lucene score first:
    `{label, id, name, aliases, year, score}`. Text without any word gives no candidates."""
    query = fulltext_query(text, fuzzy)
    if not query:
        return []
    return store.read(
        STABLE_PLAN
        + """
        CALL db.index.fulltext.queryNodes($index, $search, {limit: $limit}) YIELD node, score
        RETURN CASE WHEN node:Item THEN 'Item' WHEN node:Person THEN 'Person' WHEN node:Tag THEN 'Tag'
                    ELSE 'Genre' END AS label,
               node.id AS id, node.name AS name, coalesce(node.aliases, []) AS aliases, node.year AS year, score
        ORDER BY score DESC
        """,
        index=FULLTEXT_INDEX,
        search=query,
        limit=limit,
    )


def search_items(store: GraphStore, text: str, limit: int = 10, offset: int = 0) -> list[dict[str, Any]]:
    """Items whose name or aliases match the words of `text` (full-text, within one edit for words of 4+
    characters, two for 8+), best match first and, among equal matches, the most rated first: `{id, name, year, genres,
    ratings, score}`, the page of `limit` after `offset`. Text without any word finds nothing."""
    query = fulltext_query(text)
    if not query or limit <= 0:
        return []
    return store.read(
        STABLE_PLAN
        + """
        CALL db.index.fulltext.queryNodes($index, $search, {limit: $pool}) YIELD node, score
        WITH node, score WHERE node:Item
        WITH node, score, COUNT { (node)<-[:RATED|FEEDBACK]-(:User) } AS ratings
        ORDER BY score DESC, ratings DESC, node.id
        SKIP $offset LIMIT $limit
        RETURN node.id AS id, node.name AS name, node.year AS year, ratings, score,
               COLLECT { MATCH (node)-[:IN_GENRE]->(g:Genre) RETURN g.name ORDER BY g.name } AS genres
        """,
        index=FULLTEXT_INDEX,
        search=query,
        pool=min(5 * (offset + limit) + 50, 5000),
        offset=offset,
        limit=limit,
    )


def items_by_redial_id(store: GraphStore, redial_ids: list[str]) -> dict[str, str]:
    """`{redial_id: Item.id}` for the ReDial catalog ids that exist in the graph: a movie the catalog lists more than
    once answers for each of its ids (`redial_ids`), a movie merged with MovieLens by its ML id."""
    rows = store.read(
        "MATCH (m:Item) WHERE m.redial_id IS NOT NULL "
        "UNWIND coalesce(m.redial_ids, [m.redial_id]) AS rid RETURN rid, m.id AS id"
    )
    wanted = set(map(str, redial_ids))
    return {row["rid"]: row["id"] for row in rows if row["rid"] in wanted}
