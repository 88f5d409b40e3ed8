"""Conversational recommendation on OpenDialKG (GUIDE protocol 2 on a second, crowd-typed domain of movies and
books), learned from one fold of its dialogues and evaluated on the other, as `bench/eval_redial.py` does for ReDial.

    nice python bench/eval_opendialkg.py --rebuild --tune --model-dir .neo4j/odkg-tuning   # inner split: weights
    nice python bench/eval_opendialkg.py --rebuild --model-dir .neo4j/odkg-model           # the reported run

`--rebuild` empties the database the settings point at. `--tune` learns from fold 0 of 4 and grid-searches the
conversation weights on fold 2 of 4 (both inside the reported training fold, `bench/eval_redial.grid_search`),
writing `bench/results/opendialkg_tuning.json`; the reported run scores with the weights found there (this domain's
own `scoring.json` in its model directory), or ReDial's defaults when there is no tuning file.

The catalog is loaded as a user loads their own (`chatrec import csv`, docs/csv-format.md): `id2info.json` becomes
items.csv and triples.csv (`bench/eval_nlu_opendialkg.write_catalog_csv`), and the learned fold's dialogues become
preferences.csv: one user per dialogue who likes every item its turns name (`entity`) or recommend (`rec`). The GNN
is trained on that graph. Each evaluated turn (the other fold, split by `dialog_id` with SHA-256 like ReDial) starts
a fresh session, replays its context utterances through `Conversation.observe` (the service's parse → react → record
path; the seeker speaks first and last) and asks for the top 50: Recall@1/10/50 over the gold items, standard and
dedup (gold items whose name the context already says dropped: 34 % of them are). Beside it, the baseline the
issue names: the items the context names (gold `entity`, latest first), then the learned fold's most recommended
items.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from eval_nlu_opendialkg import write_catalog_csv
from eval_redial import KS, REPORTED, TUNING, Kept, Split, grid_search, replay, replayed_sessions, tuning_signals

from api.deps import open_store
from api.progress import RichProgress
from api.services.conversation import Conversation
from api.services.recommender import Recommender
from api.services.training import train_and_publish
from core.config import get_settings
from core.types import Strategy
from gnn.model_store import SCORING_FILE, load
from gnn.scoring_config import ScoringConfig
from gnn.train import TrainConfig, use_threads
from graph.db import GraphStore
from graph.importers.csv_catalog import import_csv_catalog
from graph.importers.redial_dialogues import conversation_fold
from graph.schema import clear_database, ensure_schema
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder

TUNING_FILE = Path("bench/results/opendialkg_tuning.json")
# Published on OpenDialKG's test split (iEvaLM table), Recall@1/10/50.
PUBLISHED = {"KBRD": (0.231, 0.423, 0.492), "BARCOR": (0.312, 0.453, 0.510), "UniCRS": (0.308, 0.513, 0.574)}


def fold_of(sample: dict[str, Any], split: Split) -> int:
    """The fold of a turn's dialogue."""
    return conversation_fold(str(sample["dialog_id"]), split.folds)


def write_preferences(samples: list[dict[str, Any]], item_of: dict[str, str], path: Path) -> int:
    """preferences.csv of the learned fold: each dialogue's user likes the items its turns name or recommend."""
    liked: dict[str, set[str]] = {}
    for sample in samples:
        names = [*sample["entity"], *sample["rec"]]
        liked.setdefault(f"odkg-seeker:{sample['dialog_id']}", set()).update(item_of[n] for n in names if n in item_of)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "polarity"])
        for user, items in sorted(liked.items()):
            writer.writerows([user, item, "like"] for item in sorted(items))
    return sum(len(items) for items in liked.values())


def rebuild(
    store: GraphStore,
    source: Path,
    samples: list[dict[str, Any]],
    item_of: dict[str, str],
    model_dir: Path,
    split: Split,
    scoring: ScoringConfig | None,
) -> dict[str, Any]:
    """Empty the database, load the catalog and the learned folds' likes, train the GNN (its model directory scores
    with `scoring` when given)."""
    clear_database(store)
    ensure_schema(store)
    learned = [s for s in samples if fold_of(s, split) in split.learned]
    with RichProgress() as progress, tempfile.TemporaryDirectory() as folder:
        catalog = write_catalog_csv(source, Path(folder))
        likes = write_preferences(learned, item_of, Path(folder) / "preferences.csv")
        import_csv_catalog(store, Path(folder), get_settings().import_batch_size, progress=progress)
        store.write("CALL db.awaitIndexes(300)")
        if scoring is not None:
            model_dir.mkdir(parents=True, exist_ok=True)
            (model_dir / SCORING_FILE).write_text(scoring.model_dump_json(indent=2))  # carried over by training
        metrics, _ = train_and_publish(store, TrainConfig(device="cpu"), model_dir, progress, write_embeddings=False)
    return {"catalog": catalog, "training_likes": likes, "train_seconds": metrics.get("train_seconds")}


def named_in(context: list[str], name: str) -> bool:
    """Whether the context already names `name` (as whole words, case aside: "Up" is not named by "super")."""
    return re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", " ".join(context).lower()) is not None


def evaluate(
    store: GraphStore,
    samples: list[dict[str, Any]],
    item_of: dict[str, str],
    split: Split,
    limit: int | None,
    tune: bool,
) -> dict[str, Any]:
    """Replay every evaluated turn's context and recommend; tally ours and the repeat-then-popularity baseline.
    With `tune`, also keep each turn's conversation signals and grid-search their weights."""
    evaluated = [s for s in samples if fold_of(s, split) == split.evaluated][:limit]
    popular = Counter(
        item_of[n] for s in samples if fold_of(s, split) in split.learned for n in s["rec"] if n in item_of
    )
    by_popularity = [item for item, _ in popular.most_common()]
    recommender = Recommender(store, load(get_settings().model_dir))
    recommender.warm_up()
    # The packaged title linker, as the product reads a catalog of its own with (learned from ReDial only).
    conversation = Conversation(store, recommender, lambda: EmbeddedParser(Grounder(store)))
    conversation.warm_up()
    scorer = recommender.scorer()
    rows = recommender.model.index.positions["Item"] if recommender.model else {}
    kept: list[Kept] = []
    hits = {name: {p: Counter() for p in ("standard", "dedup")} for name in ("chat-rec", "repeat_then_popularity")}
    totals: Counter[str] = Counter()
    strategies: Counter[str] = Counter()
    unmapped, timings = 0, []
    with replayed_sessions(store) as sessions, RichProgress() as progress:
        for done, sample in enumerate(evaluated, 1):
            context, ranked, seconds = replay(store, conversation, recommender, sample["context"], sessions)
            timings.append(seconds)
            strategies[str(ranked.strategy)] += 1
            named = list(dict.fromkeys(item_of[n] for n in reversed(sample["entity"]) if n in item_of))
            tops = {
                "chat-rec": [r.item_id for r in ranked.recommendations],
                "repeat_then_popularity": list(dict.fromkeys(named + by_popularity))[: max(KS)],
            }
            golds = []
            for name in sample["rec"]:
                node = item_of.get(name)
                unmapped += node is None
                new = not named_in(sample["context"], name)
                golds.append((rows.get(node, -1), new))
                protocols = ("standard", "dedup") if new else ("standard",)
                for protocol in protocols:
                    totals[protocol] += 1
                    for system, top in tops.items():
                        rank = top.index(node) if node in top else None
                        for k in KS:
                            hits[system][protocol][k] += rank is not None and rank < k
            if tune and scorer is not None and ranked.strategy is Strategy.DIALOGUE:
                kept.append((tuning_signals(scorer, context), [rows[i] for i in context.seen if i in rows], golds))
            progress("OpenDialKG turns", done, len(evaluated))
    result: dict[str, Any] = {
        protocol: {f"recall@{k}": round(hits["chat-rec"][protocol][k] / max(totals[protocol], 1), 4) for k in KS}
        | {"samples": totals[protocol]}
        for protocol in ("standard", "dedup")
    }
    result["repeat_then_popularity"] = {
        protocol: {
            f"recall@{k}": round(hits["repeat_then_popularity"][protocol][k] / max(totals[protocol], 1), 4) for k in KS
        }
        for protocol in ("standard", "dedup")
    }
    timings.sort()
    if tune:
        result["tuning"] = grid_search(kept)
    return result | {
        "turn_samples": len(evaluated),
        "gold_not_in_catalog": unmapped,
        "strategies": dict(strategies),
        "sample_p50_s": round(timings[len(timings) // 2], 4) if timings else None,
        "published_test_split": {
            name: dict(zip(("recall@1", "recall@10", "recall@50"), v, strict=True)) for name, v in PUBLISHED.items()
        },
    }


def main(
    rebuild_graph: Annotated[bool, typer.Option("--rebuild", help="Empty the database, load, train.")] = False,
    model_dir: Annotated[Path | None, typer.Option(help="Model directory (default: the settings').")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N evaluated turns (a quick look).")] = None,
    threads: Annotated[int, typer.Option(min=1, help="torch CPU threads for training.")] = 1,
    out: Annotated[Path, typer.Option(help="Results file.")] = Path("bench/results/opendialkg.json"),
    tune: Annotated[bool, typer.Option(help="Inner split of the training fold; grid-search the weights.")] = False,
) -> None:
    """Optionally rebuild graph and model, evaluate, write JSON."""
    settings = get_settings()
    split = TUNING if tune else REPORTED
    out = TUNING_FILE if tune else out
    tuned = None
    if not tune and TUNING_FILE.is_file():
        best = json.loads(TUNING_FILE.read_text())["tuning"]["best"]
        tuned = ScoringConfig(dialogue_weights=best["weights"], recency_decay=best.get("recency_decay", 1.0))
    if model_dir is not None:
        settings.model_dir = model_dir
    source = settings.data_dir / "opendialkg"
    samples = [json.loads(line) for line in (source / "dialogues_processed.jsonl").read_text().splitlines() if line]
    info = json.loads((source / "id2info.json").read_text())
    item_of = {entry["name"]: f"odkg:{item_id}" for item_id, entry in info.items()}
    started = time.perf_counter()
    use_threads(threads)
    with open_store(settings) as store:
        setup = rebuild(store, source, samples, item_of, settings.model_dir, split, tuned) if rebuild_graph else {}
        result = evaluate(store, samples, item_of, split, limit, tune)
    result |= {
        "split": {
            "folds": split.folds,
            "learned_folds": list(split.learned),
            "evaluated_fold": split.evaluated,
            "by": "SHA-256 of dialog_id (graph.importers.redial_dialogues.conversation_fold)",
            "learned_from": "the OpenDialKG catalog (CSV import) and the learned fold's named / recommended items as "
            "likes (preferences.csv)",
        },
        "weights": load(settings.model_dir).scoring.dialogue_weights,
        "recency_decay": load(settings.model_dir).scoring.recency_decay,
        **setup,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    shown = ("standard", "dedup", "repeat_then_popularity")
    print(json.dumps({k: result[k] for k in shown} | ({"best": result["tuning"]["best"]} if tune else {})))


if __name__ == "__main__":
    typer.run(main)
