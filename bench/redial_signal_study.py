"""Which scoring signals could lift ReDial recall? An ablation of the conversation scorer, outside the service.

Not the benchmark (that is `bench/eval_redial.py`, which reads only the text). Here the gold context mentions
(`entity` of `valid_data_processed.jsonl`: movie titles and genres said so far) stand in for the NLU, so that the
scoring signals alone are compared, on the same split as the benchmark (learn from the dialogues of fold 0 of 2,
evaluate the processed turns of fold 1; `graph.importers.redial_dialogues.conversation_fold`). The scores mirror
the service's: `gnn.neighbours.ItemNeighbours` evidence (co-likes, shared genres / directors / actors / writers) and the
popularity of dialogue likes, weighted by the default `ScoringConfig.dialogue_weights` (without the GNN fold-in);
each extra signal is added with the best of a few weights:

- `plot`: similarity of plot embeddings (all-MiniLM-L6-v2 over "title. genres. plot") to the mentioned movies;
- `co_mentioned`: movies mentioned in the same training dialogue (not only the ones liked together);
- `suggested`: how often the training dialogues' recommenders suggested the movie;
- `co_rated`: MovieLens-100K co-ratings (4+) of the titles that match ReDial ones;
- `recency`: mentions weighted by how recently they were said (0.8 per mention back);
- `folds_5`, `folds_10`: the base signals learned from 4/5 or 9/10 of the dialogues (k-fold over all turns).

    OMP_NUM_THREADS=2 python bench/redial_signal_study.py   # ~2 min; bench/results/redial_signals.json + .png
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
import typer

from core.config import get_settings
from gnn.neighbours import ItemNeighbours, scaled
from gnn.scoring_config import ScoringConfig
from graph.importers.redial_dialogues import conversation_fold
from graph.importers.titles import title_key

KS = (1, 10, 50)
BASE = {name: weight for name, weight in ScoringConfig().dialogue_weights.items() if name != "embedding"}
EXTRA_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0)
ATTRIBUTE_KINDS = {"genre": "IN_GENRE", "director": "DIRECTED", "star": "ACTED_IN", "writer": "WROTE"}
Signals = dict[str, np.ndarray]


class Catalog:
    """The ReDial movies in a fixed order, their (movie, kind, attribute) facts, the raw and processed dialogues."""

    def __init__(self, redial: Path) -> None:
        self.info: dict[str, dict[str, Any]] = json.loads((redial / "id2info.json").read_text())
        self.ids = list(self.info)
        self.row = {movie: r for r, movie in enumerate(self.ids)}
        self.by_title = {info["name"]: self.row[movie] for movie, info in self.info.items()}
        self.attributes = [
            (movie, kind, f"{field}:{value}")
            for movie, info in self.info.items()
            for field, kind in ATTRIBUTE_KINDS.items()
            for value in info.get(field) or []
        ]
        self.genre_ids = {
            attr.removeprefix("genre:").lower(): attr for _, _, attr in self.attributes if attr[:6] == "genre:"
        }
        self.dialogues = [json.loads(line) for line in (redial / "valid_data.jsonl").read_text().splitlines() if line]
        self.turns = [
            json.loads(line) for line in (redial / "valid_data_processed.jsonl").read_text().splitlines() if line
        ]

    @property
    def size(self) -> int:
        """Number of movies."""
        return len(self.ids)


def learned_counts(catalog: Catalog, dialogues: list[dict[str, Any]]) -> dict[str, Any]:
    """What the training dialogues teach: the service's neighbours (co-likes + attributes), the like and suggestion
    priors, and co-mentions."""
    n = catalog.size
    liked, suggested = np.zeros(n), np.zeros(n)
    co_liked: Counter[tuple[str, str]] = Counter()
    co_mentioned = np.zeros((n, n), np.float32)
    for dialogue in dialogues:
        answers = {**(dialogue.get("respondentQuestions") or {}), **(dialogue.get("initiatorQuestions") or {})}
        likes = sorted(m for m, a in answers.items() if m in catalog.row and (a or {}).get("liked") == 1)
        suggested[[catalog.row[m] for m, a in answers.items() if m in catalog.row and (a or {}).get("suggested")]] += 1
        liked[[catalog.row[m] for m in likes]] += 1
        co_liked.update(itertools.combinations(likes, 2))
        mentioned = {catalog.row[m] for m in dialogue["movieMentions"] if m in catalog.row}
        for a, b in itertools.permutations(mentioned, 2):
            co_mentioned[a, b] += 1
    return {
        "neighbours": ItemNeighbours(catalog.ids, [(a, b, w) for (a, b), w in co_liked.items()], catalog.attributes),
        "prior": scaled(np.log1p(liked)),
        "suggested": scaled(np.log1p(suggested)),
        "co_mentioned": sp.csr_matrix(co_mentioned / np.maximum(co_mentioned.sum(axis=1, keepdims=True), 1.0)),
    }


def co_rated(catalog: Catalog, movielens: Path) -> sp.csr_matrix:
    """P(b rated 4+ | a rated 4+) among MovieLens-100K users, over the ReDial movies whose titles match."""
    key_row = {title_key(catalog.info[m]["name"]): catalog.row[m] for m in catalog.ids}
    rows = {}
    for line in (movielens / "u.item").read_text(encoding="latin-1").splitlines():
        fields = line.split("|")
        if (key := title_key(fields[1])) in key_row:
            rows[int(fields[0])] = key_row[key]
    liked: dict[int, list[int]] = {}
    for line in (movielens / "u.data").read_text().splitlines():
        user, item, rating, _ = (int(x) for x in line.split())
        if item in rows and rating >= 4:
            liked.setdefault(user, []).append(rows[item])
    counts = np.zeros((catalog.size, catalog.size), np.float32)
    for items in liked.values():
        counts[np.ix_(items, items)] += 1
    np.fill_diagonal(counts, 0)
    return sp.csr_matrix(counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0))


def ease_latest(catalog: Catalog, latest: Path, min_rating: float, l2: float) -> sp.csr_matrix:
    """`gnn.ease.ItemToItem` learned from MovieLens latest-small's ratings (>= `min_rating`), on the ReDial movies
    its IMDb links name."""
    import csv

    from gnn.ease import ItemToItem

    imdb_rows: dict[str, list[int]] = {}
    for movie in catalog.ids:
        imdb_rows.setdefault(catalog.info[movie].get("imdb_id") or "", []).append(catalog.row[movie])
    rows_of = {
        int(link["movieId"]): imdb_rows.get(f"tt{int(link['imdbId']):07d}", [])
        for link in csv.DictReader((latest / "links.csv").open())
    }
    users, items = [], []
    for rating in csv.DictReader((latest / "ratings.csv").open()):
        if float(rating["rating"]) >= min_rating:
            for row in rows_of.get(int(rating["movieId"]), [])[:1]:
                users.append(int(rating["userId"]))
                items.append(row)
    model = ItemToItem.fit(np.array(catalog.ids), np.array(users), np.array(items), l2=l2)
    matrix = model.matrix.tolil()
    for rows in imdb_rows.values():  # an entry the catalog lists twice shares the first one's neighbours
        for row in rows[1:]:
            matrix[row] = matrix[rows[0]]
    return matrix.tocsr()


def plot_embeddings(catalog: Catalog) -> np.ndarray:
    """Unit MiniLM vectors of "title. genres. plot" (the encoder truncates to 64 tokens)."""
    from nlu.encoder import SentenceEncoder

    texts = [
        f"{info['name']}. {', '.join(info.get('genre') or [])}. {info.get('plot') or ''}"
        for info in (catalog.info[m] for m in catalog.ids)
    ]
    return SentenceEncoder().encode(texts)


def turn_signals(catalog: Catalog, counts: dict[str, Any], turn: dict[str, Any], decay: float = 1.0) -> Signals:
    """The service's signals for one turn from its mentions so far (the latest weighs 1, each earlier one `decay`
    less)."""
    liked: dict[str, float] = {}
    genres: dict[str, float] = {}
    mentions = turn["entity"]
    for position, mention in enumerate(mentions):
        weight = decay ** (len(mentions) - 1 - position)
        if mention in catalog.by_title:
            movie = catalog.ids[catalog.by_title[mention]]
            liked[movie] = max(liked.get(movie, 0.0), weight)
        elif (genre := catalog.genre_ids.get(mention.lower())) is not None:
            genres[genre] = max(genres.get(genre, 0.0), weight)
    return {"prior": counts["prior"], **counts["neighbours"].evidence(liked, genres)}


def recall(cases: list[tuple[Signals, np.ndarray, list[int]]], weights: dict[str, float]) -> dict[str, float]:
    """Recall@k over all gold movies; mentioned movies are never recommended; ties count against the gold."""
    found, total = Counter(), 0
    for signals, said, golds in cases:
        scores = sum(weights.get(name, 0.0) * values for name, values in signals.items()).astype(np.float64)
        scores[said > 0] = -np.inf
        for gold in golds:
            total += 1
            rank = int(np.count_nonzero(scores >= scores[gold])) - 1
            for k in KS:
                found[k] += bool(np.isfinite(scores[gold]) and scores[gold] > 0 and rank < k)
    return {f"recall@{k}": round(found[k] / max(total, 1), 4) for k in KS} | {"golds": total}


def cases_for(
    catalog: Catalog, folds: int, evaluated: list[int], extra: Callable[[dict[str, Any], np.ndarray], Signals] | None
) -> list[tuple[Signals, np.ndarray, list[int]]]:
    """Per evaluated turn: its signals (base + `extra`), the mentioned movies, the gold rows."""
    cases = []
    for fold in evaluated:
        training = [d for d in catalog.dialogues if conversation_fold(d["conversationId"], folds) != fold]
        counts = learned_counts(catalog, training)
        for turn in catalog.turns:
            if conversation_fold(turn["dialog_id"], folds) != fold:
                continue
            said = np.zeros(catalog.size, np.float32)
            said[[catalog.by_title[t] for t in turn["entity"] if t in catalog.by_title]] = 1.0
            signals = turn_signals(catalog, counts, turn, decay=1.0)
            if extra is not None:
                signals |= extra(turn | {"counts": counts}, said)
            cases.append((signals, said, [catalog.by_title[g] for g in turn["rec"] if g in catalog.by_title]))
    return cases


def main(
    out: Annotated[Path, typer.Option(help="Results file.")] = Path("bench/results/redial_signals.json"),
) -> None:
    """Evaluate the base scorer and each extra signal at its best weight; write JSON + PNG."""
    started = time.perf_counter()
    data_dir = get_settings().data_dir
    catalog = Catalog(data_dir / "redial")
    embeddings = plot_embeddings(catalog)
    ratings = co_rated(catalog, data_dir / "movielens-100k")
    ease = {
        (r, l2): ease_latest(catalog, data_dir / "movielens-latest-small", r, l2)
        for r in (0.5, 4.0)
        for l2 in (100.0, 300.0)
    }

    def plot_similarity(_: dict[str, Any], said: np.ndarray) -> Signals:
        rows = np.nonzero(said)[0]
        similarity = np.clip(embeddings @ embeddings[rows].T, 0, None).sum(axis=1) - said if rows.size else said
        return {"extra": scaled(similarity)}

    def recent(turn: dict[str, Any], _: np.ndarray) -> Signals:
        return turn_signals(catalog, turn["counts"], turn, decay=0.8)  # replaces the base signals

    extras: dict[str, Callable[[dict[str, Any], np.ndarray], Signals]] = {
        "plot": plot_similarity,
        "co_mentioned": lambda turn, said: {"extra": scaled(turn["counts"]["co_mentioned"].T @ said)},
        "suggested": lambda turn, _: {"extra": turn["counts"]["suggested"]},
        "co_rated": lambda _, said: {"extra": scaled(ratings.T @ said)},
        **{
            f"ease_latest_r{r}_l{int(l2)}": (lambda _, said, m=matrix: {"extra": scaled(m.T @ said)})
            for (r, l2), matrix in ease.items()
        },
    }
    base = recall(cases_for(catalog, 2, [1], None), BASE)
    result: dict[str, Any] = {"base": base | {"weights": BASE}}
    for name, extra in extras.items():
        cases = cases_for(catalog, 2, [1], extra)
        trials = {w: recall(cases, BASE | {"extra": w}) for w in EXTRA_WEIGHTS}
        best = max(trials, key=lambda w: trials[w]["recall@10"] + trials[w]["recall@50"])
        result[name] = trials[best] | {"weight": best}
    result["recency"] = recall(cases_for(catalog, 2, [1], recent), BASE)
    for folds in (5, 10):
        result[f"folds_{folds}"] = recall(cases_for(catalog, folds, list(range(folds)), None), BASE)
    result["note"] = "oracle mentions (`entity`) instead of the NLU; not the benchmark protocol (eval_redial.py)"
    result["seconds"] = round(time.perf_counter() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    plot(result, out.with_suffix(".png"))
    print(json.dumps({k: v for k, v in result.items() if isinstance(v, dict)}, indent=1))


def plot(result: dict[str, Any], path: Path) -> None:
    """Recall@10 and @50 of every variant beside the issue's targets."""
    names = [k for k, v in result.items() if isinstance(v, dict)]
    fig, ax = plt.subplots(figsize=(8, 4))
    x = np.arange(len(names))
    for offset, k in ((-0.2, 10), (0.2, 50)):
        ax.bar(x + offset, [result[n][f"recall@{k}"] for n in names], width=0.4, label=f"Recall@{k}")
    for target, style in ((0.25, ":"), (0.45, "--")):
        ax.axhline(target, color="grey", linestyle=style, linewidth=1)
    ax.set_xticks(x, [re.sub("_", " ", n) for n in names], rotation=30, ha="right")
    ax.set_title("ReDial signal study (oracle mentions; targets 0.25 / 0.45 dotted / dashed)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    typer.run(main)
