"""MovieLens-100K importer: users with demographics, movies with title/year, genres, ratings with timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.batches import write_batches
from graph.importers.readers import parse_int, read_lines, split_fields
from graph.importers.titles import display_title, split_year, title_key

ITEM_FIELDS = 5  # id | title | release date | video release date | IMDb URL, then one flag per genre


def genre_id(name: str) -> str:
    """Canonical genre id shared by every catalog: "Children's" → "children", "Sci-Fi" → "sci-fi"."""
    return name.strip().lower().replace("'s", "").replace(" ", "-")


@dataclass(frozen=True)
class MovieLensData:
    """The parsed, validated content of an ML-100K directory, ready to write."""

    items: list[dict[str, Any]]
    users: list[dict[str, Any]]
    ratings: list[dict[str, Any]]


def read_movielens(directory: Path, encoding: str = "latin-1") -> MovieLensData:
    """Parse and validate `u.genre`, `u.item`, `u.user` and `u.data`; nothing is written."""
    genres = _read_genres(directory / "u.genre", encoding)
    items = _read_items(directory / "u.item", encoding, genres)
    users = _read_users(directory / "u.user", encoding)
    ratings = _read_ratings(directory / "u.data", encoding, {i["ml_id"] for i in items}, {u["ml_id"] for u in users})
    return MovieLensData(items=items, users=users, ratings=ratings)


def import_movielens(
    store: GraphStore,
    directory: Path,
    batch_size: int = 10_000,
    encoding: str = "latin-1",
    progress: Progress = no_progress,
) -> dict[str, int]:
    """Validate the whole directory first, then MERGE users, movies, genres and ratings in batches."""
    data = read_movielens(directory, encoding)
    write_batches(store, ITEM_QUERY, data.items, batch_size, progress, "MovieLens movies")
    write_batches(store, USER_QUERY, data.users, batch_size, progress, "MovieLens users")
    write_batches(store, RATING_QUERY, data.ratings, batch_size, progress, "MovieLens ratings")
    return {"items": len(data.items), "users": len(data.users), "ratings": len(data.ratings)}


# The tail of an item query: the row's `genres` (ids) as IN_GENRE relationships of `m`, genres created as needed.
LINK_GENRES = """
WITH m, row
UNWIND row.genres AS genre
MERGE (g:Genre {id: genre}) ON CREATE SET g.name = genre
MERGE (m)-[:IN_GENRE]->(g)
"""

ITEM_QUERY = (
    """
UNWIND $rows AS row
MERGE (m:Item {ml_id: row.ml_id})
  ON CREATE SET m.id = 'ml:' + toString(row.ml_id), m.name = row.name
SET m:Movie, m.title = row.title, m.year = row.year, m.release_date = row.release_date,
    m.imdb_url = row.imdb_url, m.title_key = row.title_key,
    m.aliases = CASE WHEN row.raw_title IN coalesce(m.aliases, []) THEN m.aliases
                     ELSE coalesce(m.aliases, []) + row.raw_title END
"""
    + LINK_GENRES
)

USER_QUERY = """
UNWIND $rows AS row
MERGE (u:User {id: 'ml:' + toString(row.ml_id)})
SET u.ml_id = row.ml_id, u.age = row.age, u.gender = row.gender, u.occupation = row.occupation,
    u.zip = row.zip, u.source = 'movielens'
"""

RATING_QUERY = """
UNWIND $rows AS row
MATCH (u:User {id: 'ml:' + toString(row.user)})
MATCH (m:Item {ml_id: row.item})
MERGE (u)-[r:RATED]->(m)
SET r.rating = row.rating, r.ts = row.ts
"""


def _read_genres(path: Path, encoding: str) -> dict[int, str]:
    genres: dict[int, str] = {}
    for number, text in read_lines(path, encoding):
        name, index = split_fields(path, number, text, "|", 2)
        genres[parse_int(path, number, index, "genre index")] = name
    if not genres:
        raise DataFileError(path, "no genres found")
    return genres


def _read_items(path: Path, encoding: str, genres: dict[int, str]) -> list[dict[str, Any]]:
    items = []
    for number, text in read_lines(path, encoding):
        fields = split_fields(path, number, text, "|", ITEM_FIELDS + len(genres))
        ml_id = parse_int(path, number, fields[0], "movie id")
        raw_title = fields[1].strip()
        flags = fields[ITEM_FIELDS:]
        if any(flag not in ("0", "1") for flag in flags):
            raise DataFileError(path, "genre flags must be 0 or 1", number)
        name = display_title(raw_title)
        title, year = split_year(name)
        if year is None and fields[2]:
            year = _release_year(path, number, fields[2])
        items.append(
            {
                "ml_id": ml_id,
                "raw_title": raw_title,
                "name": name,
                "title": title,
                "year": year,
                "release_date": fields[2] or None,
                "imdb_url": fields[4] or None,
                "title_key": title_key(name),
                "genres": [
                    genre_id(genres[i]) for i, flag in enumerate(flags) if flag == "1" and genres[i] != "unknown"
                ],
            }
        )
    if not items:
        raise DataFileError(path, "no movies found")
    return items


def _release_year(path: Path, number: int, value: str) -> int:
    try:
        return datetime.strptime(value, "%d-%b-%Y").year
    except ValueError as exc:
        raise DataFileError(path, f"release date must look like 01-Jan-1995, got {value!r}", number) from exc


def _read_users(path: Path, encoding: str) -> list[dict[str, Any]]:
    users = []
    for number, text in read_lines(path, encoding):
        ml_id, age, gender, occupation, zip_code = split_fields(path, number, text, "|", 5)
        if gender not in ("M", "F"):
            raise DataFileError(path, f"gender must be M or F, got {gender!r}", number)
        users.append(
            {
                "ml_id": parse_int(path, number, ml_id, "user id"),
                "age": parse_int(path, number, age, "age"),
                "gender": gender,
                "occupation": occupation,
                "zip": zip_code,
            }
        )
    if not users:
        raise DataFileError(path, "no users found")
    return users


def _read_ratings(path: Path, encoding: str, item_ids: set[int], user_ids: set[int]) -> list[dict[str, Any]]:
    ratings = []
    for number, text in read_lines(path, encoding):
        user, item, rating, ts = split_fields(path, number, text, "\t", 4)
        row = {
            "user": parse_int(path, number, user, "user id"),
            "item": parse_int(path, number, item, "item id"),
            "rating": parse_int(path, number, rating, "rating"),
            "ts": parse_int(path, number, ts, "timestamp"),
        }
        if not 1 <= row["rating"] <= 5:
            raise DataFileError(path, f"rating must be between 1 and 5, got {row['rating']}", number)
        if row["user"] not in user_ids:
            raise DataFileError(path, f"user {row['user']} is not in u.user", number)
        if row["item"] not in item_ids:
            raise DataFileError(path, f"item {row['item']} is not in u.item", number)
        ratings.append(row)
    return ratings
