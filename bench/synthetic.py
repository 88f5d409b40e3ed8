"""A synthetic catalog at scale factor S, in the project's CSV format (docs/csv-format.md), deterministic by seed.

S = 1 is the size of the demo graph (6,500 items, 1,000 raters, ~100 k ratings); S = 10 ~1 M ratings / 65 k items,
S = 100 ~10 M ratings (benchmark only). What makes it realistic enough to measure a recommender on:
- tastes: every item belongs to one of `TASTES` clusters, each with its own core genres and its own pool of people;
  each user has a main and a second taste, and draws 60 % of their ratings from the main one, 20 % from the second;
- popularity: a Zipf weight per item (exponent 0.9) decides which items of a pool get rated, so a few items have
  thousands of ratings and most have a handful;
- activity: ratings per user follow a power law (Pareto, at least 15), as in MovieLens;
- ratings: 4-5 stars mostly inside a user's tastes, 1-5 outside; timestamps over 2000-2018;
- dialogue likes: 300 S past conversations (`preferences.csv`) of 2-6 likes of one taste and sometimes a dislike.

Usage: python bench/synthetic.py OUT_DIR --scale 10 [--seed 0]
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

TASTES = 24
GENRES = (
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
    "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
)  # fmt: skip
_ADJECTIVES = (
    "Silent", "Golden", "Broken", "Hidden", "Last", "Crimson", "Midnight", "Wild", "Electric", "Frozen", "Lost",
    "Burning", "Distant", "Hollow", "Iron", "Paper", "Quiet", "Restless", "Savage", "Secret", "Shining", "Stolen",
    "Sudden", "Velvet", "Wandering", "Bitter", "Brave", "Dark", "Endless", "Fallen", "Glass", "Lucky", "Northern",
    "Painted", "Rising", "Scarlet", "Sleeping", "Southern", "Twisted", "Winter",
)  # fmt: skip
_NOUNS = (
    "Harbor", "Kingdom", "Garden", "River", "Empire", "Road", "Mirror", "Station", "Island", "Letter", "Machine",
    "Orchard", "Promise", "Signal", "Summer", "Tower", "Valley", "Voyage", "Witness", "Horizon", "Circus", "Desert",
    "Engine", "Frontier", "Heart", "Hunter", "Legacy", "Mountain", "Ocean", "Palace", "Planet", "Rebel", "Shadow",
    "Storm", "Stranger", "Thief", "Train", "Wolf", "Country", "City",
)  # fmt: skip
_FIRST = (
    "Anna", "Ben", "Clara", "David", "Elena", "Frank", "Grace", "Henry", "Iris", "Jack", "Kate", "Leo", "Maria",
    "Nina", "Oscar", "Paula", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor", "Wendy", "Xavier", "Yara", "Zoe",
)  # fmt: skip
_LAST = (
    "Abbott", "Bennett", "Carver", "Dalton", "Ellison", "Fischer", "Garland", "Hale", "Ingram", "Jensen", "Keller",
    "Lambert", "Moreau", "Nolan", "Okafor", "Porter", "Quint", "Russo", "Sato", "Thorne", "Ulrich", "Vance",
    "Whitman", "Xu", "Young", "Zeller",
)  # fmt: skip


@dataclass(frozen=True)
class Sizes:
    """How many of each thing a scale factor makes."""

    items: int
    users: int
    ratings: int
    people: int
    conversations: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        """The sizes at scale factor `scale` (1 = the demo graph's size)."""
        return cls(
            items=round(6_500 * scale),
            users=round(1_000 * scale),
            ratings=round(100_000 * scale),
            people=round(3_000 * scale),
            conversations=round(300 * scale),
        )


@dataclass(frozen=True)
class Catalog:
    """The generated catalog as arrays (ids are positions; `write` gives them their string ids)."""

    titles: list[str]
    years: np.ndarray
    item_taste: np.ndarray
    item_genres: list[list[int]]
    people: list[str]
    credits: tuple[np.ndarray, np.ndarray, np.ndarray]  # item, person, relation (0 director, 1 star, 2 writer)
    ratings: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # user, item, rating, ts
    likes: tuple[np.ndarray, np.ndarray, np.ndarray]  # conversation, item, liked (bool)


def generate(scale: float, seed: int = 0) -> Catalog:
    """Generate the catalog at scale factor `scale`, the same for the same seed."""
    sizes = Sizes.at(scale)
    rng = np.random.default_rng(seed)
    n_items = sizes.items
    taste = rng.integers(0, TASTES, n_items)
    popularity = 1.0 / (1.0 + rng.permutation(n_items)) ** 0.9
    by_taste = np.argsort(taste, kind="stable")  # the items grouped by taste
    cumulative = np.cumsum(popularity[by_taste])
    bounds = np.searchsorted(taste[by_taste], np.arange(TASTES + 1))  # taste t's items are by_taste[b[t]:b[t+1]]

    def draw(tastes: np.ndarray) -> np.ndarray:
        """One item per entry, by popularity, from the entry's taste (-1: from the whole catalog)."""
        low = np.where(tastes >= 0, np.r_[0.0, cumulative][bounds[np.maximum(tastes, 0)]], 0.0)
        high = np.where(tastes >= 0, cumulative[bounds[np.maximum(tastes, 0) + 1] - 1], cumulative[-1])
        position = np.searchsorted(cumulative, low + rng.random(len(tastes)) * (high - low), side="right")
        return by_taste[np.minimum(position, n_items - 1)]

    core_genres = [rng.choice(len(GENRES), 2, replace=False) for _ in range(TASTES)]
    item_genres = []
    for item in range(n_items):
        genres = {int(g) for g in core_genres[taste[item]][: rng.integers(1, 3)]}
        if rng.random() < 0.4:
            genres.add(int(rng.integers(len(GENRES))))
        item_genres.append(sorted(genres))
    years = np.clip(np.rint(2018 - rng.exponential(14, n_items)), 1930, 2018).astype(np.int64)
    titles = _unique_names(
        [f"{a} {n}" for n in _NOUNS for a in _ADJECTIVES] + [f"The {a} {n}" for n in _NOUNS for a in _ADJECTIVES],
        rng.permutation(n_items),
    )
    names = [f"{f} {chr(65 + m)}. {last}" for m in range(26) for last in _LAST for f in _FIRST]
    people = _unique_names(names, rng.permutation(sizes.people))
    credits = _credits(rng, taste, sizes.people)

    activity = np.minimum(np.rint(15 * (1 + rng.pareto(1.3, sizes.users))), n_items // 4).astype(np.int64)
    activity = np.maximum(np.rint(activity * sizes.ratings / activity.sum()), 5).astype(np.int64)
    main, second = rng.integers(0, TASTES, sizes.users), rng.integers(0, TASTES, sizes.users)
    keys = np.zeros(0, dtype=np.int64)
    for _ in range(8):  # draw again for the users whose draws hit items they had already rated
        missing = activity - np.bincount(keys // n_items, minlength=sizes.users)
        if missing.sum() <= 0.001 * sizes.ratings:
            break
        users = np.repeat(np.arange(sizes.users), np.maximum(missing, 0))
        source = rng.random(len(users))
        tastes = np.where(source < 0.6, main[users], np.where(source < 0.8, second[users], -1))
        keys = np.unique(np.r_[keys, users * n_items + draw(tastes)])
    users, items = keys // n_items, keys % n_items
    liked_taste = (taste[items] == main[users]) | (taste[items] == second[users])
    stars = np.where(liked_taste, rng.choice([3, 4, 4, 5, 5], len(items)), rng.choice([1, 2, 3, 3, 4], len(items)))
    ts = 946_684_800 + rng.integers(0, 18 * 365 * 86_400, len(items))

    per_conversation = rng.integers(2, 7, sizes.conversations)
    conversation = np.repeat(np.arange(sizes.conversations), per_conversation)
    liked = draw(rng.integers(0, TASTES, sizes.conversations)[conversation])
    disliked_conversations = np.flatnonzero(rng.random(sizes.conversations) < 0.3)
    disliked = draw(np.full(len(disliked_conversations), -1))
    _, first_like = np.unique(conversation * n_items + liked, return_index=True)
    return Catalog(
        titles=titles,
        years=years,
        item_taste=taste,
        item_genres=item_genres,
        people=people,
        credits=credits,
        ratings=(users, items, stars.astype(np.float32), ts),
        likes=(
            np.r_[conversation[first_like], disliked_conversations],
            np.r_[liked[first_like], disliked],
            np.r_[np.ones(len(first_like), bool), np.zeros(len(disliked), bool)],
        ),
    )


def _unique_names(names: list[str], order: np.ndarray) -> list[str]:
    """One name per position of `order`: the names in turn, then again with a sequel number ("Silent Harbor 2")."""
    return [names[n % len(names)] + (f" {n // len(names) + 1}" if n >= len(names) else "") for n in order.tolist()]


def _credits(rng: np.random.Generator, taste: np.ndarray, n_people: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A director, three stars and (for half the items) a writer per item, drawn mostly from the people of the
    item's taste, busy people more often."""
    person_taste = rng.integers(0, TASTES, n_people)
    # How much each person works: drawn independently per person (heavy-tailed, capped), so that the busiest people
    # have ~100 credits at every scale; Zipf ranks would give the head of a 10x pool ~6x the credits.
    activity = np.minimum(1.0 + rng.pareto(1.2, n_people), 25.0)
    pools = [np.flatnonzero(person_taste == t) for t in range(TASTES)]
    items, people, relations = [], [], []
    for relation, count in ((0, 1), (1, 3), (2, 1)):
        chosen = np.arange(len(taste)) if relation != 2 else np.flatnonzero(rng.random(len(taste)) < 0.5)
        for _ in range(count):
            picks = np.empty(len(chosen), dtype=np.int64)
            for t in range(TASTES):
                rows = np.flatnonzero(taste[chosen] == t)
                pool = pools[t] if len(pools[t]) and rng.random() < 0.8 else np.arange(n_people)
                weights = activity[pool]
                picks[rows] = pool[rng.choice(len(pool), len(rows), p=weights / weights.sum())]
            items.append(chosen)
            people.append(picks)
            relations.append(np.full(len(chosen), relation))
    item, person, relation = np.concatenate(items), np.concatenate(people), np.concatenate(relations)
    _, first = np.unique((item * n_people + person) * 3 + relation, return_index=True)
    return item[first], person[first], relation[first]


def write(catalog: Catalog, directory: Path, prefix: str = "syn") -> dict[str, int]:
    """Write items.csv, users.csv, interactions.csv, triples.csv and preferences.csv into `directory`; returns the
    rows written per file."""
    directory.mkdir(parents=True, exist_ok=True)
    item_id = [f"{prefix}:i{n}" for n in range(len(catalog.titles))]
    counts: dict[str, int] = {}

    def rows(name: str, header: list[str], body: object) -> None:
        with (directory / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            n = 0
            for row in body:  # type: ignore[attr-defined]
                writer.writerow(row)
                n += 1
        counts[name] = n

    rows(
        "items.csv",
        ["id", "title", "year", "genres"],
        (
            (item_id[i], title, int(catalog.years[i]), "|".join(GENRES[g] for g in catalog.item_genres[i]))
            for i, title in enumerate(catalog.titles)
        ),
    )
    raters = np.unique(catalog.ratings[0]).tolist()
    rows("users.csv", ["id", "name"], ((f"{prefix}:u{u}", f"Rater {u}") for u in raters))
    rows(
        "interactions.csv",
        ["user_id", "item_id", "rating", "ts"],
        (
            (f"{prefix}:u{u}", item_id[i], f"{r:g}", t)
            for u, i, r, t in zip(*(a.tolist() for a in catalog.ratings), strict=True)
        ),
    )
    relation_name = ("director", "star", "writer")
    item, person, relation = catalog.credits
    rows(
        "triples.csv",
        ["item_id", "relation", "entity_id", "entity_name"],
        (
            (item_id[i], relation_name[r], f"{prefix}:p{p}", catalog.people[p])
            for i, p, r in zip(item.tolist(), person.tolist(), relation.tolist(), strict=True)
        ),
    )
    conversation, liked_item, liked = catalog.likes
    rows(
        "preferences.csv",
        ["user_id", "item_id", "polarity"],
        (
            (f"{prefix}:c{c}", item_id[i], "like" if like else "dislike")
            for c, i, like in zip(conversation.tolist(), liked_item.tolist(), liked.tolist(), strict=True)
        ),
    )
    return counts


def main(
    out: Annotated[Path, typer.Argument(help="Folder for the CSV files.")],
    scale: Annotated[float, typer.Option(min=0.01, help="Scale factor: 1 = the demo graph's size.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 0,
) -> None:
    """Generate a synthetic catalog and write it in the CSV format of `chatrec import csv`."""
    counts = write(generate(scale, seed), out)
    typer.echo(", ".join(f"{name}: {n:,} rows" for name, n in counts.items()) + f" in {out}")


if __name__ == "__main__":
    typer.run(main)
