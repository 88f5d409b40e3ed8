"""ReDial catalog importer (`id2info.json`, `entity2id.json`, `kg.json`): movies, genres, directors, writers, stars."""

from __future__ import annotations

from pathlib import Path
from typing import Any, LiteralString

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.batches import write_batches
from graph.importers.movielens import genre_id
from graph.importers.readers import read_json
from graph.importers.titles import split_year, title_key

# kg.json relation name → type of the (Person)-[…]->(Item) relationship.
RELATIONS: dict[str, LiteralString] = {"director": "DIRECTED", "star": "ACTED_IN", "writer": "WROTE"}


def read_redial(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Parse and cross-check the catalog files; returns rows for movies, people and each relationship type."""
    info_path, entity_path, kg_path = (directory / n for n in ("id2info.json", "entity2id.json", "kg.json"))
    relation_path = directory / "relation2id.json"
    id2info = _mapping(read_json(info_path), info_path)
    entity2id = _mapping(read_json(entity_path), entity_path)
    kg = _mapping(read_json(kg_path), kg_path)
    relation_names = {int(v): k for k, v in _mapping(read_json(relation_path), relation_path).items()}
    id2entity = {int(eid): name for name, eid in entity2id.items()}

    movies: list[dict[str, Any]] = []
    people: dict[int, str] = {}
    edges: dict[str, list[dict[str, Any]]] = {"genre": [], **{name: [] for name in RELATIONS}}
    for redial_id, info in id2info.items():
        if not isinstance(info, dict) or not isinstance(info.get("name"), str) or not info["name"].strip():
            raise DataFileError(info_path, f"movie {redial_id!r} has no name")
        name = info["name"].strip()
        title, year = split_year(name)
        movies.append(
            {
                "redial_id": str(redial_id),
                "name": name,
                "title": title,
                "year": year,
                "title_key": title_key(name),
                "plot": info.get("plot") or None,
                "imdb_id": info.get("imdb_id") or None,
            }
        )
        entity = entity2id.get(name)
        if entity is None:
            raise DataFileError(entity_path, f"movie {name!r} (id {redial_id}) has no entity id")
        for pair in kg.get(str(entity), []):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise DataFileError(kg_path, f"edges of entity {entity} must be [relation, tail] pairs")
            relation, tail = relation_names.get(pair[0]), id2entity.get(pair[1])
            if relation is None or tail is None:
                raise DataFileError(kg_path, f"entity {entity} has an edge to unknown relation/entity {pair}")
            if relation == "genre":
                edges["genre"].append({"redial_id": str(redial_id), "genre": genre_id(tail)})
            elif relation in RELATIONS:
                people[pair[1]] = tail
                edges[relation].append(
                    {"redial_id": str(redial_id), "person": f"redial:{pair[1]}", "type": RELATIONS[relation]}
                )
            else:
                raise DataFileError(relation_path, f"unsupported relation {relation!r}")
    if not movies:
        raise DataFileError(info_path, "no movies found")
    person_rows = [{"id": f"redial:{eid}", "name": name} for eid, name in sorted(people.items())]
    return {"movies": movies, "people": person_rows, **edges}


def import_redial(
    store: GraphStore,
    directory: Path,
    batch_size: int = 10_000,
    progress: Progress = no_progress,
) -> dict[str, int]:
    """Validate the catalog first, then MERGE movies, genres, people and their relationships in batches."""
    rows = read_redial(directory)
    write_batches(store, MOVIE_QUERY, rows["movies"], batch_size, progress, "ReDial movies")
    write_batches(store, PERSON_QUERY, rows["people"], batch_size, progress, "ReDial people")
    write_batches(store, GENRE_EDGE_QUERY, rows["genre"], batch_size, progress, "ReDial genres")
    for relation, rel_type in RELATIONS.items():
        write_batches(store, PERSON_EDGE_QUERY, rows[relation], batch_size, progress, f"ReDial {rel_type}")
    return {
        "movies": len(rows["movies"]),
        "people": len(rows["people"]),
        "relationships": sum(len(rows[r]) for r in ("genre", *RELATIONS)),
    }


def _mapping(value: Any, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DataFileError(path, "expected a JSON object at the top level")
    return value


MOVIE_QUERY = """
UNWIND $rows AS row
MERGE (m:Item {redial_id: row.redial_id})
  ON CREATE SET m.id = 'redial:' + row.redial_id, m.title_key = row.title_key
SET m:Movie, m.name = row.name, m.title = coalesce(m.title, row.title), m.year = coalesce(m.year, row.year),
    m.plot = row.plot, m.imdb_id = row.imdb_id
"""

PERSON_QUERY = """
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p.name = row.name
"""

GENRE_EDGE_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {redial_id: row.redial_id})
MERGE (g:Genre {id: row.genre}) ON CREATE SET g.name = row.genre
MERGE (m)-[:IN_GENRE]->(g)
"""

PERSON_EDGE_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {redial_id: row.redial_id}), (p:Person {id: row.person})
MERGE (p)-[:$(row.type)]->(m)
"""
