"""Follow-up requests typed the way people type: a fresh session says "i loved <a popular film>" (lower case, no
year), then asks for a person or a genre that film does not have ("something with jim carrey", "anything by
christopher nolan?", "any good comedy movies?"), each through `Conversation.message`, the service's own path.

Per request kind it reports `understood` (the parse grounded the asked-for person or genre) and `followed@5` (the
share of the second list's top 5 that have it: acted in, directed or wrote by the person, in the genre), with the
served weights and with each `--request-weights` value in place of the served `request` weight (a Recommender per
weight; the conversations are the same). Cases come from the graph the settings point at (the demo graph: people
with at least `--min-films` films among the `--catalog` most popular, films among the `--films` most popular), drawn
with a fixed seed; every session is deleted afterwards, so the graph is left as it was found and a rerun reads the
same graph. Writes bench/results/followups.json:

    python bench/eval_followups.py
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from eval_redial import replayed_sessions

from api.deps import open_store
from api.progress import RichProgress
from api.services.container import build_parser
from api.services.conversation import Conversation
from api.services.recommender import Recommender
from core.config import get_settings
from gnn.model_store import load
from graph.db import GraphStore
from graph.dialogue import create_session
from graph.recommend import item_attributes, item_popularity
from graph.search import entity_catalog

PERSON_ASKS = {
    "ACTED_IN": ("something with {name}", "any movies with {name}?", "i want something starring {name}"),
    "DIRECTED": ("anything by {name}?", "something directed by {name}", "more {name} please"),
}
GENRE_ASKS = ("any good {name} movies?", "i'm in the mood for {name}", "something {name} please")
K = 5


def typed(name: str) -> str:
    """A title or name as people type it: lower case, no year."""
    return re.sub(r"\s*\(\d{4}\)$", "", name).lower()


def cases(
    store: GraphStore, seed: int, people: int, genres: int, min_films: int, catalog: int, films: int
) -> tuple[list[dict[str, str]], dict[str, set[str]]]:
    """The conversations (what is said first, the asked-for entity, how it is asked), drawn with `seed`, and every
    item's genres, people and tags."""
    rng = random.Random(seed)
    popular = [item_id for item_id, ratings, _ in item_popularity(store) if ratings][:catalog]
    known = set(popular)
    names = {(row["label"], row["id"]): row["name"] for row in entity_catalog(store)}
    has: dict[str, set[str]] = defaultdict(set)
    films_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item_id, kind, attribute in item_attributes(store):
        has[item_id].add(attribute)
        if item_id in known and kind in (*PERSON_ASKS, "IN_GENRE"):
            films_of[(kind, attribute)].add(item_id)
    chosen = sorted(key for key, items in films_of.items() if len(items) >= min_films and ("Person", key[1]) in names)
    all_genres = sorted(g for (kind, g), items in films_of.items() if kind == "IN_GENRE" and len(items) >= min_films)
    out = []
    for kind, person in rng.sample(chosen, min(people, len(chosen))):
        first = rng.choice([i for i in popular[:films] if person not in has[i]])
        ask = rng.choice(PERSON_ASKS[kind]).format(name=typed(names[("Person", person)]))
        out.append({"kind": "person", "first": first, "wanted": person, "ask": ask})
    for _ in range(genres):
        genre = rng.choice(all_genres)
        first = rng.choice([i for i in popular[:films] if genre not in has[i]])
        ask = rng.choice(GENRE_ASKS).format(name=typed(names[("Genre", genre)]))
        out.append({"kind": "genre", "first": first, "wanted": genre, "ask": ask})
    for case in out:
        case["say"] = f"i loved {typed(names[('Item', case['first'])])}"
    return out, has


def replay(
    store: GraphStore, conversation: Conversation, drawn: list[dict[str, str]], has: dict[str, set[str]], label: str
) -> tuple[dict[str, Counter[str]], list[dict[str, list[str]]]]:
    """Each drawn conversation in a fresh session (deleted afterwards, `replayed_sessions`): the tallies per
    request kind and up to 10 lists that missed an understood request."""
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[dict[str, list[str]]] = []
    with replayed_sessions(store) as sessions, RichProgress() as progress:
        for done, case in enumerate(drawn, 1):
            session = create_session(store)
            sessions.append(session.session_id)
            conversation.message(session.session_id, case["say"], k=K, explain=False)
            answer = conversation.message(session.session_id, case["ask"], k=K, explain=False)
            followed = sum(case["wanted"] in has[r.item_id] for r in answer.recommendations) / K
            understood = any(m.node_id == case["wanted"] for m in answer.parse.mentions)
            counts = tally[case["kind"]]
            counts["cases"] += 1
            counts["understood"] += understood
            counts["followed"] += followed
            if understood:
                counts["understood_followed"] += followed
            if understood and followed < 0.6 and len(misses) < 10:
                names = [r.name for r in answer.recommendations]
                misses.append({"said": [case["say"], case["ask"]], "listed": names})
            progress(f"Follow-ups ({label})", done, len(drawn))
    return tally, misses


def main(
    seed: Annotated[int, typer.Option(help="Seed of the drawn cases.")] = 7,
    people: Annotated[int, typer.Option(help="Person requests.")] = 120,
    genres: Annotated[int, typer.Option(help="Genre requests.")] = 40,
    min_films: Annotated[int, typer.Option(help="A person's films among the catalog's popular ones.")] = 5,
    catalog: Annotated[int, typer.Option(help="The most popular items a person's films are counted in.")] = 3000,
    films: Annotated[int, typer.Option(help="The most popular items the first film comes from.")] = 300,
    request_weights: Annotated[str, typer.Option(help="`request` weights to try beside the served one.")] = "0",
    out: Annotated[Path, typer.Option(help="Results file.")] = Path("bench/results/followups.json"),
) -> None:
    """Replay the drawn two-turn conversations, tally, write JSON."""
    settings = get_settings()
    started = time.perf_counter()
    model = load(settings.model_dir)
    served = model.scoring.dialogue_weights["request"]
    weights = [served, *(float(w) for w in request_weights.split(",") if w and float(w) != served)]
    with open_store(settings) as store:
        drawn, has = cases(store, seed, people, genres, min_films, catalog, films)
        tallies: dict[float, dict[str, Counter[str]]] = {}
        misses: dict[float, list[dict[str, list[str]]]] = {}
        for weight in weights:
            scoring = model.scoring.model_copy(
                update={"dialogue_weights": {**model.scoring.dialogue_weights, "request": weight}}
            )
            recommender = Recommender(store, replace(model, scoring=scoring))
            recommender.warm_up()
            conversation = Conversation(store, recommender, lambda: build_parser(settings, store))
            conversation.warm_up()
            tallies[weight], misses[weight] = replay(store, conversation, drawn, has, f"request weight {weight}")
    result: dict[str, Any] = {
        "by_request_weight": {
            str(weight): {
                kind: {
                    "cases": c["cases"],
                    "understood": round(c["understood"] / c["cases"], 4),
                    f"followed@{K}": round(c["followed"] / c["cases"], 4),
                    f"followed@{K}_when_understood": round(c["understood_followed"] / max(c["understood"], 1), 4),
                }
                for kind, c in tally.items()
            }
            for weight, tally in tallies.items()
        },
        "served_request_weight": served,
        "examples_of_misses": {str(weight): found for weight, found in misses.items()},
        "cases": {"seed": seed, "people": people, "genres": genres, "min_films": min_films, "catalog": catalog},
        "model_dir": str(settings.model_dir),
        "seconds": round(time.perf_counter() - started, 1),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["by_request_weight"], indent=1))


if __name__ == "__main__":
    typer.run(main)
