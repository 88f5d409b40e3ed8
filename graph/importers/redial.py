"""ReDial catalog importer (`id2info.json`, `entity2id.json`, `kg.json`): movies, genres, directors, writers, stars."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.batches import write_batches
from graph.importers.merge import fold_items
from graph.importers.movielens import genre_id
from graph.importers.readers import read_json
from graph.importers.titles import franchise_title, same_film_title, split_year, title_key

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


@dataclass(frozen=True)
class Resolution:
    """One node per real movie: the catalog entries that share an IMDb id and agree on title and year become one
    (`canonical` maps every entry to its movie's entry); `refused` entries share an IMDb id with another whose title
    or year disagrees ("Spider (2007)" / "Spider-Man 3 (2007)"), so they stay apart. An IMDb id's film is the one
    another catalog names by it (`imdb_names`), else the spelling most of its entries agree on: that movie keeps the
    id; the others lose it (kept as `imdb_id_disputed`) and, `misattributed`, the plot, genres and people that came
    with it, which are that film's ("It (1990)" carried Goodfellas'). With no film to say (a tie, nothing named),
    every entry loses the id and keeps its facts."""

    canonical: dict[str, str]
    disputed: frozenset[str]
    misattributed: frozenset[str]
    refused: int

    @property
    def merged(self) -> int:
        """Entries folded into another one."""
        return sum(entry != movie for entry, movie in self.canonical.items())


def resolve_duplicates(movies: list[dict[str, Any]], imdb_names: Mapping[str, str] | None = None) -> Resolution:
    """Group `read_redial`'s movies by IMDb id, then by title (`_same_film`: spelling aside, or a franchise's name
    for its first film) and year: a title group with one
    year (or none) is one movie; one with several years is one movie per year, its entries without a year each on
    their own. A movie's entry is its first spelling with a year, by catalog id. `imdb_names` ("Title (Year)" by
    IMDb id, e.g. `movielens_latest.imdb_names`) says which movie an IMDb id is (`Resolution`)."""
    by_imdb: dict[str, list[dict[str, Any]]] = defaultdict(list)
    canonical = {m["redial_id"]: m["redial_id"] for m in movies}
    for movie in movies:
        if movie["imdb_id"]:
            by_imdb[movie["imdb_id"]].append(movie)
    disputed: set[str] = set()
    misattributed: set[str] = set()
    refused = 0
    for imdb_id, entries in by_imdb.items():
        if len(entries) < 2:
            continue
        clusters = _clusters(entries)
        for cluster in clusters:
            head = min(cluster, key=lambda m: (m["year"] is None, int(m["redial_id"])))["redial_id"]
            canonical.update({m["redial_id"]: head for m in cluster})
        if len(clusters) > 1:
            keeper = _named(clusters, (imdb_names or {}).get(imdb_id)) or _most_agreed(clusters)
            apart = [c for c in clusters if c is not keeper]
            refused += sum(len(c) for c in apart)
            heads = {canonical[c[0]["redial_id"]] for c in apart}
            disputed.update(heads)
            if keeper is not None:
                misattributed.update(heads)
    return Resolution(canonical, frozenset(disputed), frozenset(misattributed), refused)


def _named(clusters: list[list[dict[str, Any]]], name: str | None) -> list[dict[str, Any]] | None:
    """The one cluster spelled as `name`, of its year before one without a year; None if not exactly one."""
    if name is None:
        return None
    year = split_year(name)[1]
    spelled = [c for c in clusters if same_film_title(c[0]["name"], name)]
    for years in ({year}, {year, None}):
        found = [c for c in spelled if c[0]["year"] in years]
        if len(found) == 1:
            return found[0]
    return None


def _most_agreed(clusters: list[list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
    """The cluster with more entries than any other (the spelling most entries agree on), if there is one."""
    largest = max(len(c) for c in clusters)
    leaders = [c for c in clusters if len(c) == largest]
    return leaders[0] if len(leaders) == 1 else None


def _same_film(first: str, second: str) -> bool:
    """Two entries of one IMDb id are one film when their titles agree, or one is the other's franchise name."""
    return same_film_title(first, second) or franchise_title(first, second) or franchise_title(second, first)


def _clusters(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    titles: list[list[dict[str, Any]]] = []
    for movie in entries:
        group = next((g for g in titles if _same_film(g[0]["name"], movie["name"])), None)
        if group is None:
            titles.append([movie])
        else:
            group.append(movie)
    clusters: list[list[dict[str, Any]]] = []
    for group in titles:
        years = {m["year"] for m in group} - {None}
        if len(years) <= 1:
            clusters.append(group)
        else:
            clusters.extend([m for m in group if m["year"] == year] for year in sorted(years))
            clusters.extend([m] for m in group if m["year"] is None)
    return clusters


def resolved_rows(rows: dict[str, list[dict[str, Any]]], resolution: Resolution) -> dict[str, list[dict[str, Any]]]:
    """`read_redial`'s rows with one movie row per real movie (all its catalog ids in `redial_ids`, its other
    spellings in `aliases`) and the relationships of its entries on that movie, each once; a misattributed movie
    has no plot, genres or people (`Resolution`)."""
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for movie in rows["movies"]:
        members[resolution.canonical[movie["redial_id"]]].append(movie)
    movies = []
    for head, group in members.items():
        first = next(m for m in group if m["redial_id"] == head)
        disputed = head in resolution.disputed
        wrong = head in resolution.misattributed
        movies.append(
            first
            | {
                "redial_ids": sorted((m["redial_id"] for m in group), key=int),
                "aliases": sorted({m["name"] for m in group} - {first["name"]}),
                "plot": None if wrong else first["plot"] or next((m["plot"] for m in group if m["plot"]), None),
                "imdb_id": None if disputed else first["imdb_id"],
                "imdb_id_disputed": first["imdb_id"] if disputed else None,
            }
        )
    edges = {}
    for name in ("genre", *RELATIONS):
        on_movies = (e | {"redial_id": resolution.canonical[e["redial_id"]]} for e in rows[name])
        unique = {tuple(sorted(e.items())) for e in on_movies if e["redial_id"] not in resolution.misattributed}
        edges[name] = [dict(e) for e in sorted(unique)]
    return {"movies": movies, "people": rows["people"], **edges}


def import_redial(
    store: GraphStore,
    directory: Path,
    batch_size: int = 10_000,
    progress: Progress = no_progress,
    imdb_names: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Validate the catalog first, then MERGE movies (one node per real movie, `resolve_duplicates`, which
    `imdb_names` helps), genres, people and their relationships in batches. A graph imported before duplicates
    were resolved gets its duplicate nodes folded into one first (relationships kept); one imported before
    misattributed facts were known loses them (its MovieLens-100K movies keep their genres)."""
    raw = read_redial(directory)
    resolution = resolve_duplicates(raw["movies"], imdb_names)
    rows = resolved_rows(raw, resolution)
    fold_duplicate_nodes(store, rows["movies"], progress)
    write_batches(store, MOVIE_QUERY, rows["movies"], batch_size, progress, "ReDial movies")
    write_batches(store, DROP_FACTS_QUERY, _misattributed_facts(raw, resolution), batch_size, progress, "ReDial facts")
    write_batches(store, PERSON_QUERY, rows["people"], batch_size, progress, "ReDial people")
    write_batches(store, GENRE_EDGE_QUERY, rows["genre"], batch_size, progress, "ReDial genres")
    for relation, rel_type in RELATIONS.items():
        write_batches(store, PERSON_EDGE_QUERY, rows[relation], batch_size, progress, f"ReDial {rel_type}")
    return {
        "movies": len(rows["movies"]),
        "duplicates_merged": resolution.merged,
        "imdb_conflicts_refused": resolution.refused,
        "misattributed": len(resolution.misattributed),
        "people": len(rows["people"]),
        "relationships": sum(len(rows[r]) for r in ("genre", *RELATIONS)),
    }


def _misattributed_facts(raw: dict[str, list[dict[str, Any]]], resolution: Resolution) -> list[dict[str, Any]]:
    """`{redial_id, genres}` of each misattributed movie: the ReDial genres it must not have."""
    genres: dict[str, set[str]] = {head: set() for head in resolution.misattributed}
    for edge in raw["genre"]:
        head = resolution.canonical[edge["redial_id"]]
        if head in genres:
            genres[head].add(edge["genre"])
    return [{"redial_id": head, "genres": sorted(names)} for head, names in sorted(genres.items())]


def fold_duplicate_nodes(store: GraphStore, movies: list[dict[str, Any]], progress: Progress = no_progress) -> None:
    """Fold the nodes that hold entries of one movie into one (the MovieLens-merged one when there is one), which
    takes the movie's entry as its `redial_id`; nothing to do in a graph imported with duplicates resolved. A second
    node of another catalog's movie (two MovieLens-100K ids, matched to two entries of one ReDial movie) is not folded,
    which would lose its id: it only lets go of its ReDial entry."""
    groups = [{"head": m["redial_id"], "ids": m["redial_ids"]} for m in movies if len(m["redial_ids"]) > 1]
    found = store.read(
        """
        UNWIND $groups AS g
        UNWIND g.ids AS rid
        MATCH (m:Item {redial_id: rid})
        WITH g, m ORDER BY m.ml_id IS NULL, m.redial_id <> g.head, m.id
        WITH g, collect(m {.id, .redial_id, own: m.ml_id IS NOT NULL OR m.ml_latest_id IS NOT NULL}) AS nodes
        WHERE size(nodes) > 1
        RETURN g.head AS head, g.ids AS ids, nodes
        """,
        groups=groups,
    )
    rounds: list[list[dict[str, Any]]] = []
    released: list[str] = []
    for row in found:
        target, *others = row["nodes"]
        props = {"redial_id": row["head"], "redial_ids": row["ids"]}
        sources = [n for n in others if not (n["own"] and target["own"])]
        released += [n["id"] for n in others if n["own"] and target["own"]]
        # One source per target and transaction, the movie's own entry first: each fold reads what the last wrote,
        # and the entry's id is free before the target takes it.
        for position, source in enumerate(sorted(sources, key=lambda n: n["redial_id"] != row["head"])):
            if position == len(rounds):
                rounds.append([])
            rounds[position].append({"target": target["id"], "source": source["id"], "props": props})
    store.write("UNWIND $ids AS id MATCH (m:Item {id: id}) REMOVE m.redial_id, m.redial_ids", ids=released)
    for folds in rounds:
        fold_items(store, folds, progress=progress, description="ReDial duplicates")


def _mapping(value: Any, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DataFileError(path, "expected a JSON object at the top level")
    return value


MOVIE_QUERY = """
UNWIND $rows AS row
MERGE (m:Item {redial_id: row.redial_id})
  ON CREATE SET m.id = 'redial:' + row.redial_id, m.title_key = row.title_key
SET m:Movie, m.name = row.name, m.title = coalesce(m.title, row.title), m.year = coalesce(m.year, row.year),
    m.plot = row.plot, m.imdb_id_disputed = row.imdb_id_disputed,
    m.imdb_id = CASE WHEN m.imdb_id = row.imdb_id_disputed THEN null ELSE coalesce(row.imdb_id, m.imdb_id) END,
    m.redial_ids = row.redial_ids,
    m.aliases = coalesce(m.aliases, []) + [a IN row.aliases WHERE NOT a IN coalesce(m.aliases, [])]
"""

# What an older import wrote on a misattributed movie: its ReDial people, and its ReDial genres unless MovieLens-100K
# (imported before) may have given them too.
DROP_FACTS_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {redial_id: row.redial_id})
CALL (m) {
  MATCH (p:Person)-[r:DIRECTED|ACTED_IN|WROTE]->(m) WHERE p.id STARTS WITH 'redial:'
  DELETE r
}
CALL (m, row) {
  MATCH (m)-[r:IN_GENRE]->(g:Genre) WHERE m.ml_id IS NULL AND g.id IN row.genres
  DELETE r
}
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
