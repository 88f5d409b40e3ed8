"""Import your own catalog from CSV files (format: docs/csv-format.md).

A directory with `items.csv` (required) and, optionally, `users.csv`, `interactions.csv`, `triples.csv` and
`preferences.csv` (likes and dislikes said in past conversations).
Everything is read and validated before the first write.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.batches import write_batches
from graph.importers.movielens import LINK_GENRES, genre_id
from graph.importers.readers import parse_float, parse_int, read_csv_rows
from graph.importers.redial import RELATIONS as TRIPLE_RELATIONS
from graph.importers.titles import split_year, title_key

PROPERTY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
POLARITIES = ("like", "dislike")


def read_csv_catalog(directory: Path, encoding: str = "utf-8") -> dict[str, list[dict[str, Any]]]:
    """Parse and validate the CSV files of `directory`; returns the rows to write."""
    items = [_item_row(p, n, r) for p, n, r in read_csv_rows(directory / "items.csv", encoding, ["id", "title"])]
    if not items:
        raise DataFileError(directory / "items.csv", "no items found")
    _unique(directory / "items.csv", [i["id"] for i in items])
    users: list[dict[str, Any]] = []
    interactions: list[dict[str, Any]] = []
    triples: list[dict[str, Any]] = []
    preferences: list[dict[str, Any]] = []
    if (directory / "users.csv").exists():
        rows = read_csv_rows(directory / "users.csv", encoding, ["id"])
        users = [_user_row(path, line, row) for path, line, row in rows]
        _unique(directory / "users.csv", [u["id"] for u in users])
    if (directory / "interactions.csv").exists():
        rows = read_csv_rows(directory / "interactions.csv", encoding, ["user_id", "item_id"])
        interactions = [_interaction_row(p, n, r) for p, n, r in rows]
    if (directory / "triples.csv").exists():
        rows = read_csv_rows(directory / "triples.csv", encoding, ["item_id", "relation", "entity_id"])
        triples = [_triple_row(p, n, r) for p, n, r in rows]
    if (directory / "preferences.csv").exists():
        rows = read_csv_rows(directory / "preferences.csv", encoding, ["user_id", "item_id", "polarity"])
        preferences = [_preference_row(p, n, r) for p, n, r in rows]
    return {
        "items": items,
        "users": users,
        "interactions": interactions,
        "triples": triples,
        "preferences": preferences,
    }


def import_csv_catalog(
    store: GraphStore,
    directory: Path,
    batch_size: int = 10_000,
    encoding: str = "utf-8",
    progress: Progress = no_progress,
) -> dict[str, int]:
    """Validate, check that every referenced user and item exists (in the files or the graph), then MERGE."""
    rows = read_csv_catalog(directory, encoding)
    _check_references(store, directory, rows)
    write_batches(store, ITEM_QUERY, rows["items"], batch_size, progress, "CSV items")
    write_batches(store, USER_QUERY, rows["users"], batch_size, progress, "CSV users")
    write_batches(store, INTERACTION_QUERY, rows["interactions"], batch_size, progress, "CSV interactions")
    genre_rows = [t for t in rows["triples"] if t["relation"] == "genre"]
    write_batches(store, GENRE_QUERY, genre_rows, batch_size, progress, "CSV genres")
    person_rows = [t for t in rows["triples"] if t["relation"] != "genre"]
    write_batches(store, PERSON_QUERY, person_rows, batch_size, progress, "CSV people")
    write_batches(store, PREFERENCE_QUERY, rows["preferences"], batch_size, progress, "CSV preferences")
    return {name: len(value) for name, value in rows.items()}


def _required(path: Path, line: int, row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise DataFileError(path, f"column {column!r} is empty", line)
    return value


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def _item_row(path: Path, line: int, row: dict[str, str]) -> dict[str, Any]:
    title = _required(path, line, row, "id") and _required(path, line, row, "title")
    name, year_in_title = split_year(title)
    year = parse_int(path, line, row["year"], "year") if row.get("year") else year_in_title
    full_name = title if year_in_title is not None or year is None else f"{name} ({year})"
    return {
        "id": row["id"],
        "name": full_name,
        "title": name,
        "year": year,
        "title_key": title_key(full_name),
        "aliases": _split(row.get("aliases")),
        "genres": [genre_id(g) for g in _split(row.get("genres"))],
    }


def _user_row(path: Path, line: int, row: dict[str, str]) -> dict[str, Any]:
    user_id = _required(path, line, row, "id")
    properties = {k: v for k, v in row.items() if k != "id" and v}
    for key in properties:
        if not PROPERTY_NAME.match(key):
            raise DataFileError(path, f"column name {key!r} is not a valid property name", 1)
    return {"id": user_id, "properties": properties}


def _interaction_row(path: Path, line: int, row: dict[str, str]) -> dict[str, Any]:
    return {
        "user_id": _required(path, line, row, "user_id"),
        "item_id": _required(path, line, row, "item_id"),
        "rating": parse_float(path, line, row["rating"], "rating") if row.get("rating") else None,
        "ts": parse_int(path, line, row["ts"], "ts") if row.get("ts") else None,
        "line": line,
    }


def _triple_row(path: Path, line: int, row: dict[str, str]) -> dict[str, Any]:
    relation = _required(path, line, row, "relation").lower()
    if relation != "genre" and relation not in TRIPLE_RELATIONS:
        known = ", ".join(["genre", *TRIPLE_RELATIONS])
        raise DataFileError(path, f"relation must be one of {known}, got {relation!r}", line)
    entity_id = _required(path, line, row, "entity_id")
    return {
        "item_id": _required(path, line, row, "item_id"),
        "relation": relation,
        "entity_id": genre_id(entity_id) if relation == "genre" else entity_id,
        "entity_name": row.get("entity_name") or entity_id,
        "type": TRIPLE_RELATIONS.get(relation),
        "line": line,
    }


def _preference_row(path: Path, line: int, row: dict[str, str]) -> dict[str, Any]:
    polarity = _required(path, line, row, "polarity").lower()
    if polarity not in POLARITIES:
        raise DataFileError(path, f"polarity must be like or dislike, got {polarity!r}", line)
    weight = parse_float(path, line, row["weight"], "weight") if row.get("weight") else 1.0
    if not 0 < weight <= 1:
        raise DataFileError(path, f"weight must be in (0, 1], got {weight}", line)
    return {
        "user_id": _required(path, line, row, "user_id"),
        "item_id": _required(path, line, row, "item_id"),
        "polarity": polarity,
        "weight": weight,
        "line": line,
    }


def _unique(path: Path, ids: list[str]) -> None:
    seen: set[str] = set()
    for index, value in enumerate(ids):
        if value in seen:
            raise DataFileError(path, f"id {value!r} appears twice", index + 2)
        seen.add(value)


def _check_references(store: GraphStore, directory: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    items = {i["id"] for i in rows["items"]}
    users = {u["id"] for u in rows["users"]}
    wanted_items = {r["item_id"] for r in rows["interactions"] + rows["triples"] + rows["preferences"]} - items
    wanted_users = {r["user_id"] for r in rows["interactions"]} - users
    found = store.read(
        "CALL () { UNWIND $items AS id MATCH (n:Item {id: id}) RETURN collect(id) AS items } "
        "CALL () { UNWIND $users AS id MATCH (n:User {id: id}) RETURN collect(id) AS users } RETURN items, users",
        items=sorted(wanted_items),
        users=sorted(wanted_users),
    )[0]
    items |= set(found["items"])
    users |= set(found["users"])
    for name, key, known in (
        ("interactions.csv", "user_id", users),
        ("interactions.csv", "item_id", items),
        ("triples.csv", "item_id", items),
        ("preferences.csv", "item_id", items),
    ):
        for row in rows[name.removesuffix(".csv")]:
            if row[key] not in known:
                raise DataFileError(
                    directory / name, f"{key} {row[key]!r} is neither in the files nor in the graph", row["line"]
                )


ITEM_QUERY = (
    """
UNWIND $rows AS row
MERGE (m:Item {id: row.id})
SET m.name = row.name, m.title = row.title, m.year = row.year, m.title_key = row.title_key, m.aliases = row.aliases
"""
    + LINK_GENRES
)

USER_QUERY = """
UNWIND $rows AS row
MERGE (u:User {id: row.id})
SET u += row.properties, u.source = coalesce(u.source, 'csv')
"""

INTERACTION_QUERY = """
UNWIND $rows AS row
MATCH (u:User {id: row.user_id}), (m:Item {id: row.item_id})
MERGE (u)-[r:RATED]->(m)
SET r.rating = row.rating, r.ts = row.ts
"""

GENRE_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {id: row.item_id})
MERGE (g:Genre {id: row.entity_id}) ON CREATE SET g.name = row.entity_name
MERGE (m)-[:IN_GENRE]->(g)
"""

PERSON_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {id: row.item_id})
MERGE (p:Person {id: row.entity_id}) ON CREATE SET p.name = row.entity_name
MERGE (p)-[:$(row.type)]->(m)
"""

# A past conversation's like or dislike, as the dialogue importers record them (a user new to the graph is created).
PREFERENCE_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {id: row.item_id})
MERGE (u:User {id: row.user_id}) ON CREATE SET u.source = 'csv'
MERGE (u)-[p:PREFERS]->(m)
SET p.polarity = row.polarity, p.weight = row.weight, p.source = 'csv'
"""
