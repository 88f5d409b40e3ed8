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
# A film at least this many users rated is the one people mean by its title: another film of that title that no one
# rated gets no popularity from conversations (ReDial's annotators often picked the wrong one of two films of one
# name from a drop-down: "The Notebook (2013)", a Hungarian war film, holds 12 likes meant for the 2004 one).
MIN_RATED_NAMESAKE = 3
RECENT_YEARS = 10  # ratings this many years before the newest one say which of the films of one name people mean


def entity_catalog(store: GraphStore) -> list[dict[str, Any]]:
    """Every Item, Person, Genre and Tag as `{label, id, name, aliases, year, popularity, recent_popularity}`.

    Popularity: for items, the users who rated it plus `DIALOGUE_WEIGHT` times those who talked about liking it
    (conversations say which of two films of one name people mean today), save the likes of an unrated film whose
    title a film rated by `MIN_RATED_NAMESAKE` users or more also has; linked items for people, genres and tags.
    Recent popularity: the same with only the ratings of the `RECENT_YEARS` before the newest (undated ones count),
    so that a 1994 "The Jungle Book" that MovieLens-100K's 1998 users rated is not the one people mean today.
    """
    newest = store.read("MATCH ()-[r:RATED]->() RETURN max(r.ts) AS ts")[0]["ts"]
    since = newest - RECENT_YEARS * 365 * 24 * 3600 if newest is not None else None
    rows = store.read(
        """
        MATCH (n:Item|Person|Genre|Tag)
        WITH n, CASE WHEN n:Item THEN 'Item' WHEN n:Person THEN 'Person' WHEN n:Tag THEN 'Tag' ELSE 'Genre' END
             AS label
        CALL (n, label) {
            WITH n WHERE label = 'Item'
            MATCH (n)<-[r:RATED|FEEDBACK]-(:User)
            RETURN count(r) AS ratings,
                   count(CASE WHEN $since IS NULL OR r.ts IS NULL OR r.ts >= $since THEN 1 END) AS recent_ratings
        }
        RETURN label, n.id AS id, n.name AS name, coalesce(n.aliases, []) AS aliases, n.year AS year,
               CASE label WHEN 'Item' THEN toLower(n.title) END AS title,
               CASE label WHEN 'Item' THEN ratings
                          WHEN 'Person' THEN COUNT { (n)-->(:Item) }
                          WHEN 'Tag' THEN COUNT { (n)<-[:TAGGED]-(:Item) }
                          ELSE COUNT { (n)<-[:IN_GENRE]-(:Item) } END AS rated,
               CASE label WHEN 'Item' THEN recent_ratings END AS rated_recently,
               CASE label WHEN 'Item' THEN COUNT { (n)<-[:PREFERS {polarity: 'like'}]-(:User) } ELSE 0 END AS likes
        ORDER BY label, id
        """,
        since=since,
    )
    rated_titles = {row["title"] for row in rows if row["title"] and row["rated"] >= MIN_RATED_NAMESAKE}
    catalog = []
    for row in rows:
        title, rated, recently, likes = row.pop("title"), row.pop("rated"), row.pop("rated_recently"), row.pop("likes")
        talked = 0 if rated == 0 and title in rated_titles else DIALOGUE_WEIGHT * likes
        recent = None if recently is None else recently + talked
        catalog.append(row | {"popularity": rated + talked, "recent_popularity": recent})
    return catalog


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


def credited_items(store: GraphStore, item_ids: list[str], person_ids: list[str]) -> dict[str, set[str]]:
    """Of `item_ids`, those that some of `person_ids` made or played in (any relationship between the two), with
    those people."""
    rows = store.read(
        STABLE_PLAN
        + """
        MATCH (i:Item)--(p:Person) WHERE i.id IN $items AND p.id IN $people
        RETURN i.id AS id, collect(DISTINCT p.id) AS people
        """,
        items=item_ids,
        people=person_ids,
    )
    return {row["id"]: set(row["people"]) for row in rows}


def plots_of_films_by(store: GraphStore, person_ids: list[str]) -> list[dict[str, Any]]:
    """The items with a plot that every one of `person_ids` made or played in: `{id, name, plot}`."""
    return store.read(
        STABLE_PLAN
        + """
        MATCH (p:Person)--(i:Item) WHERE p.id IN $people AND i.plot IS NOT NULL
        WITH i, count(DISTINCT p) AS shared WHERE shared = size($people)
        RETURN i.id AS id, i.name AS name, i.plot AS plot ORDER BY id
        """,
        people=sorted(set(person_ids)),
    )


def credits_of(store: GraphStore, item_ids: list[str]) -> list[dict[str, Any]]:
    """The people who made or played in any of `item_ids` (any relationship between the two): `{id, name, items}`,
    `items` the ids of theirs among `item_ids`."""
    return store.read(
        STABLE_PLAN
        + """
        MATCH (i:Item)--(p:Person) WHERE i.id IN $items
        RETURN p.id AS id, p.name AS name, collect(DISTINCT i.id) AS items
        """,
        items=item_ids,
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
