"""MovieLens latest-small importer (`movies.csv`, `links.csv`, `ratings.csv`, `tags.csv`): ReDial-era ratings and
tags, on the catalog's own movies.

Each movie becomes the catalog's node with its IMDb id, else the one with its title and year (`title_key`, e.g. a
MovieLens-100K movie, which has no IMDb id; failing that, a MovieLens-100K movie of its title a year apart:
MovieLens-100K dates some films a year off), else a new `ml-latest:<movieId>` Item. Where the IMDb id is a ReDial
movie's and the title and year a MovieLens-100K movie's that the title + year merge could not pair (ReDial wrote no
year: "The Fifth Element"; or a year apart: "Monty Python and the Holy Grail"), the two become one node first, with
the ReDial name where the years differ. Users are
`ml-latest:<userId>`; ratings are `RATED {rating, ts}` (0.5 to 5 stars); a tag that at least `min_taggers` users gave is
a `(:Tag {id, name})`, linked by `(:Item)-[:TAGGED {count}]->(:Tag)` with the number of users who gave it to that
movie, unless it is the name of a genre or a person of the graph ("sci-fi", "tom hanks"): those are nodes already."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.batches import write_batches
from graph.importers.merge import fold_items
from graph.importers.movielens import LINK_GENRES, genre_id
from graph.importers.readers import parse_float, parse_int, read_csv_rows
from graph.importers.titles import display_title, same_film_title, split_year, title_key

PREFIX = "ml-latest:"
NO_GENRE = "(no genres listed)"
NOT_GENRES = {"imax"}  # a screen format, not a genre


@dataclass(frozen=True)
class LatestData:
    """The parsed, validated content of an ml-latest-small directory, ready to write."""

    movies: list[dict[str, Any]]
    ratings: list[dict[str, Any]]
    tagged: list[dict[str, Any]]


def tag_id(text: str) -> str:
    """One id per tag however it was typed: "Time Travel" and "time travel " → "time travel"."""
    return " ".join(text.lower().split())


def read_movielens_latest(directory: Path, min_taggers: int = 2) -> LatestData:
    """Parse and validate the four files; nothing is written."""
    movies = _read_movies(directory)
    known = {m["ml_latest_id"] for m in movies}
    ratings = []
    columns = ["userId", "movieId", "rating", "timestamp"]
    for path, line, row in read_csv_rows(directory / "ratings.csv", "utf-8", columns):
        rating = {
            "user": parse_int(path, line, row["userId"], "userId"),
            "movie": parse_int(path, line, row["movieId"], "movieId"),
            "rating": parse_float(path, line, row["rating"], "rating"),
            "ts": parse_int(path, line, row["timestamp"], "timestamp"),
        }
        if not 0.5 <= rating["rating"] <= 5:
            raise DataFileError(path, f"rating must be between 0.5 and 5, got {rating['rating']}", line)
        if rating["movie"] not in known:
            raise DataFileError(path, f"movie {rating['movie']} is not in movies.csv", line)
        ratings.append(rating)
    return LatestData(movies, ratings, _tagged(directory / "tags.csv", known, min_taggers))


def imdb_names(directory: Path) -> dict[str, str]:
    """ "Title (Year)" by IMDb id, as MovieLens names its movies (`movies.csv`, `links.csv`): which film an id is."""
    return {m["imdb_id"]: m["name"] for m in _read_movies(directory) if m["imdb_id"]}


def _read_movies(directory: Path) -> list[dict[str, Any]]:
    imdb = {
        parse_int(path, line, row["movieId"], "movieId"): row["imdbId"]
        for path, line, row in read_csv_rows(directory / "links.csv", "utf-8", ["movieId", "imdbId"])
    }
    movies = []
    for path, line, row in read_csv_rows(directory / "movies.csv", "utf-8", ["movieId", "title", "genres"]):
        movie_id = parse_int(path, line, row["movieId"], "movieId")
        name = display_title(row["title"])
        title, year = split_year(name)
        genres = [genre_id(g) for g in row["genres"].split("|") if g and g != NO_GENRE]
        digits = imdb.get(movie_id, "")
        movies.append(
            {
                "ml_latest_id": movie_id,
                "raw_title": row["title"],
                "name": name,
                "title": title,
                "year": year,
                "title_key": title_key(name),
                "imdb_id": f"tt{int(digits):07d}" if digits.isdigit() else None,
                "genres": [g for g in genres if g not in NOT_GENRES],
            }
        )
    if not movies:
        raise DataFileError(directory / "movies.csv", "no movies found")
    return movies


def _tagged(path: Path, known: set[int], min_taggers: int) -> list[dict[str, Any]]:
    """`{movie, tag, name, count}` rows of the tags at least `min_taggers` users gave (to any movie)."""
    taggers: dict[str, set[int]] = defaultdict(set)
    per_movie: dict[tuple[int, str], set[int]] = defaultdict(set)
    spelling: dict[str, str] = {}
    for _, line, row in read_csv_rows(path, "utf-8", ["userId", "movieId", "tag"]):
        user, movie = parse_int(path, line, row["userId"], "userId"), parse_int(path, line, row["movieId"], "movieId")
        if movie not in known:
            raise DataFileError(path, f"movie {movie} is not in movies.csv", line)
        tag = tag_id(row["tag"])
        if tag:
            taggers[tag].add(user)
            per_movie[(movie, tag)].add(user)
            spelling.setdefault(tag, " ".join(row["tag"].split()))
    return [
        {"movie": movie, "tag": tag, "name": spelling[tag], "count": len(users)}
        for (movie, tag), users in sorted(per_movie.items())
        if len(taggers[tag]) >= min_taggers
    ]


def import_movielens_latest(
    store: GraphStore,
    directory: Path,
    batch_size: int = 10_000,
    min_taggers: int = 2,
    progress: Progress = no_progress,
) -> dict[str, int]:
    """Validate the directory, find each movie's node (IMDb id, then title + year), then MERGE movies, users,
    ratings and tags in batches; idempotent."""
    data = read_movielens_latest(directory, min_taggers)
    node_of, holder, counts, bridges = _match_movies(store, data.movies)
    fold_items(store, bridges, batch_size, progress, "MovieLens-100K ↔ ReDial by IMDb id")
    movies = []
    for movie in data.movies:
        item = node_of.get(movie["ml_latest_id"], PREFIX + str(movie["ml_latest_id"]))
        # An IMDb id stays with the one node that holds it (MovieLens lists a few films twice).
        imdb_id = movie["imdb_id"]
        if imdb_id is not None and holder.setdefault(imdb_id, item) != item:
            imdb_id = None
        movies.append(movie | {"item": item, "imdb_id": imdb_id})
    write_batches(store, MOVIE_QUERY, movies, batch_size, progress, "MovieLens latest movies")
    users = sorted({r["user"] for r in data.ratings})
    write_batches(store, USER_QUERY, [{"user": u} for u in users], batch_size, progress, "MovieLens latest users")
    write_batches(store, RATING_QUERY, data.ratings, batch_size, progress, "MovieLens latest ratings")
    names = {
        row["name"]
        for row in store.read("MATCH (n:Genre|Person) UNWIND [n.id, n.name] AS x RETURN DISTINCT toLower(x) AS name")
    }
    tagged = [t for t in data.tagged if t["tag"] not in names]
    write_batches(store, TAG_QUERY, tagged, batch_size, progress, "MovieLens latest tags")
    return {
        "movies": len(movies),
        **counts,
        "users": len(users),
        "ratings": len(data.ratings),
        "tags": len({t["tag"] for t in tagged}),
        "tagged": len(tagged),
        "tags_that_name_a_genre_or_person": len({t["tag"] for t in data.tagged} - {t["tag"] for t in tagged}),
    }


def _match_movies(
    store: GraphStore, movies: list[dict[str, Any]]
) -> tuple[dict[int, str], dict[str, str], dict[str, int], list[dict[str, Any]]]:
    """The existing node of each movie (the one imported from it before, else the one with its IMDb id, else the
    one not yet taken by another movie with its title key), the node that holds each IMDb id, the counts, and the
    folds that make one node of a MovieLens-100K movie and the ReDial movie MovieLens latest bridges it to: its
    title and year are the MovieLens-100K one's, its IMDb id the ReDial one's, the two titles agree (`same_film_title`:
    "The Fifth Element" and "Fifth Element, The (1997)", never "12 Monkeys (1995)" and "Twelve Monkeys (1995)")."""
    rows = store.read(
        "MATCH (m:Item) RETURN m.id AS id, m.name AS name, m.imdb_id AS imdb, m.title_key AS key, "
        "m.ml_latest_id AS latest, m.ml_id IS NOT NULL AS movielens, m.redial_id IS NOT NULL AS redial ORDER BY m.id"
    )
    by_latest = {r["latest"]: r["id"] for r in rows if r["latest"] is not None}
    by_imdb = {r["imdb"]: r["id"] for r in rows if r["imdb"]}
    by_id = {r["id"]: r for r in rows}
    by_key: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["key"] and row["latest"] is None:
            by_key[row["key"]].append(row["id"])
    taken = set(by_latest.values())
    node_of: dict[int, str] = {}
    counts = {"matched_by_imdb": 0, "matched_by_title": 0, "bridged_by_imdb": 0}
    bridges: list[dict[str, Any]] = []
    for movie in movies:
        movie_id = movie["ml_latest_id"]
        if movie_id in by_latest:  # imported before; a graph of an older import may still hold it twice
            node_of[movie_id] = found = by_latest[movie_id]
            near = _year_apart(by_key, movie["title_key"])
            apart = next((i for i in near if i not in taken and _only_movielens(by_id[i])), None)
            if apart is not None and _bridges(by_id[apart], by_id[found]):
                bridges.append({"target": apart, "source": found, "props": _shown_name(by_id[found]["name"])})
                by_imdb[movie["imdb_id"]] = node_of[movie_id] = apart
                taken.add(apart)
                counts["bridged_by_imdb"] += 1
            continue
        found = by_imdb.get(movie["imdb_id"])
        titled = next((i for i in by_key.get(movie["title_key"] or "", []) if i not in taken), None)
        if titled is None or titled == found:
            near = _year_apart(by_key, movie["title_key"])
            titled = next((i for i in near if i not in taken and _only_movielens(by_id[i])), titled)
        if found is not None and found not in taken:
            counts["matched_by_imdb"] += 1
            if titled is not None and titled != found and _bridges(by_id[titled], by_id[found]):
                # A year apart, the node shows IMDb's year (the ReDial entry's).
                props = _shown_name(by_id[found]["name"]) if by_id[titled]["key"] != movie["title_key"] else {}
                bridges.append({"target": titled, "source": found, "props": props})
                by_imdb[movie["imdb_id"]] = found = titled
                counts["bridged_by_imdb"] += 1
        else:
            found = titled
            counts["matched_by_title"] += found is not None
        if found is not None:
            node_of[movie_id] = found
            taken.add(found)
    return node_of, by_imdb, counts, bridges


def _year_apart(by_key: dict[str, list[str]], key: str | None) -> list[str]:
    """The nodes of the same title a year before or after: MovieLens-100K dates some films by their US release
    ("Monty Python and the Holy Grail (1974)" is MovieLens latest's and IMDb's 1975 film)."""
    if key is None:
        return []
    words, year = key.rsplit("|", 1)
    return [node for apart in (int(year) - 1, int(year) + 1) for node in by_key.get(f"{words}|{apart}", [])]


def _shown_name(name: str) -> dict[str, Any]:
    """The name and year a node takes from the ReDial entry folded into it a year apart (none without a year)."""
    year = split_year(name)[1]
    return {"name": name, "year": year} if year is not None else {}


def _only_movielens(row: dict[str, Any]) -> bool:
    """Whether a node is a MovieLens-100K movie that no other catalog has named (so it holds no IMDb id)."""
    return row["movielens"] and not row["redial"] and not row["imdb"]


def _bridges(movielens: dict[str, Any], redial: dict[str, Any]) -> bool:
    """Whether a MovieLens-100K-only node and a ReDial-only node that one MovieLens latest movie names are one film."""
    only_redial = redial["redial"] and not redial["movielens"]
    return _only_movielens(movielens) and only_redial and same_film_title(movielens["name"], redial["name"])


MOVIE_QUERY = (
    """
UNWIND $rows AS row
MERGE (m:Item {id: row.item})
  ON CREATE SET m.name = row.name, m.title = row.title, m.year = row.year, m.title_key = row.title_key
SET m:Movie, m.ml_latest_id = row.ml_latest_id, m.imdb_id = coalesce(m.imdb_id, row.imdb_id),
    m.aliases = CASE WHEN row.raw_title IN coalesce(m.aliases, []) OR row.raw_title = m.name THEN m.aliases
                     ELSE coalesce(m.aliases, []) + row.raw_title END
"""
    + LINK_GENRES
)

USER_QUERY = """
UNWIND $rows AS row
MERGE (u:User {id: 'ml-latest:' + toString(row.user)})
SET u.source = 'movielens-latest'
"""

RATING_QUERY = """
UNWIND $rows AS row
MATCH (u:User {id: 'ml-latest:' + toString(row.user)})
MATCH (m:Item {ml_latest_id: row.movie})
MERGE (u)-[r:RATED]->(m)
SET r.rating = row.rating, r.ts = row.ts
"""

TAG_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {ml_latest_id: row.movie})
MERGE (t:Tag {id: row.tag}) ON CREATE SET t.name = row.name
MERGE (m)-[r:TAGGED]->(t)
SET r.count = row.count
"""
