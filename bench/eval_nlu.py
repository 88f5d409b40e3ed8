"""NLU benchmark on the raw ReDial dialogues: entity linking, polarity, parse latency of the embedded parser.

Usage (Neo4j running with the full demo graph, e.g. `chatrec import demo`; CHATREC_* settings pick the server):
    nice python bench/eval_nlu.py [--out bench/results/nlu.json] [--limit N]

Protocol (issue 4, GUIDE): in every message of `valid_data.jsonl`, `@id` tokens are replaced by the titles in
`movieMentions`; the parser links the text; gold = the message's `item` (movies) and `entity` (genres, people)
lists, mapped to graph node ids. Polarity: for every movie a dialogue has a liked (1) / disliked (0) answer for
(the seeker's own `initiatorQuestions`, else `respondentQuestions`), the prediction is the last non-neutral polarity
of the movie's mentions in the seeker's messages, each parsed as the service parses a user turn: the parser, then
`nlu.reaction.react` with the recommender's latest offer as the service keeps it: the movies the recommender named
(less those the seeker brought up before) in its latest messages that named any
("I loved that one", "haven't seen it, I'll check it out"); no prediction counts as wrong. Dialogues are split in two
folds by conversation id (SHA-256, as the dialogue importer does): fold 0 was looked at while writing the rules,
and the learned title linker is trained on it (`--linker FILE` scores another, `--rules` none); fold 1 is reported
as `heldout`; the top-level figures are over all 1,000 dialogues. Seen-status: the same for every
movie with a seen (1) / not seen (0) answer, the prediction being the last known `seen` of its mentions in the
seeker's messages.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote

import typer
from linking import benchmark_linker, prf

from api.deps import open_store
from api.progress import RichProgress
from core.config import get_settings
from core.progress import Progress
from core.types import GroundedEntity, Polarity, Seen
from graph.importers.movielens import genre_id
from graph.importers.redial_dialogues import conversation_fold
from graph.search import items_by_redial_id
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
from nlu.reaction import react
from nlu.text import key

_AT = re.compile(r"@(\d+)")
TYPES = ("movie", "person", "genre")
LABEL_TYPE = {"Item": "movie", "Person": "person", "Genre": "genre"}


def load(data_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The dialogues and the catalog maps the gold needs."""
    redial = data_dir / "redial"
    dialogues = [json.loads(line) for line in (redial / "valid_data.jsonl").read_text().splitlines() if line.strip()]
    id2info = json.loads((redial / "id2info.json").read_text())
    entity2id = json.loads((redial / "entity2id.json").read_text())
    entity2type = json.loads((redial / "entity2type.json").read_text())
    return dialogues, {"id2info": id2info, "entity2id": entity2id, "entity2type": entity2type}


def resolve_text(text: str, mentions: dict[str, str], id2info: dict[str, Any]) -> str:
    """Replace `@id` tokens with the movie titles (whitespace collapsed, `%3F`-style escapes decoded)."""

    def title(match: re.Match[str]) -> str:
        name = mentions.get(match.group(1)) or (id2info.get(match.group(1)) or {}).get("name")
        return " ".join(unquote(name).split()) if name else match.group(0)

    return _AT.sub(title, text)


def gold_of(message: dict[str, Any], maps: dict[str, Any], items: dict[str, str]) -> set[tuple[str, str]]:
    """Gold (type, node id) pairs of one message."""
    gold: set[tuple[str, str]] = set()
    for name in message.get("item") or []:
        rid = maps["title_to_rid"].get(key(name))
        if rid is not None and rid in items:
            gold.add(("movie", items[rid]))
    for name in message.get("entity") or []:
        kind = maps["entity2type"].get(name)
        if kind == "genre":
            gold.add(("genre", genre_id(name)))
        elif kind == "person" and name in maps["entity2id"]:
            gold.add(("person", f"redial:{maps['entity2id'][name]}"))
    return gold


def evaluate(
    dialogues: list[dict[str, Any]],
    parser: EmbeddedParser,
    maps: dict[str, Any],
    items: dict[str, str],
    progress: Progress,
) -> dict[str, Any]:
    """Link every message, score linking and polarity per fold; time every parse."""
    counts = defaultdict(Counter)  # fold → counter of tp/fp/fn per type
    polarity = defaultdict(Counter)  # fold → correct/wrong/undecided, plus majority tallies
    timings: list[float] = []
    errors: list[dict[str, Any]] = []
    for done, dialogue in enumerate(dialogues, 1):
        fold = conversation_fold(str(dialogue["conversationId"]), 2)
        seeker = dialogue.get("initiatorWorkerId")
        parsed = []
        offered: list[GroundedEntity] = []  # the recommender's standing offer
        brought_up: set[str] = set()  # what the seeker named: the recommender's agreeing with it is no suggestion
        for message in dialogue["messages"]:
            text = resolve_text(message["text"], dialogue.get("movieMentions") or {}, maps["id2info"])
            started = time.perf_counter()
            result = parser.parse(text)
            timings.append((time.perf_counter() - started) * 1000)
            if message.get("senderWorkerId") == seeker:
                parsed.append((message, react(result, offered)))
                brought_up |= {m.entity.node_id for m in result.mentions}
            else:
                new = [
                    m.entity for m in result.mentions if m.entity.label == "Item" and m.entity.node_id not in brought_up
                ]
                if new:  # a new offer replaces the last one; a message naming no movie leaves it standing
                    offered = (offered if parsed and parsed[-1][0].get("senderWorkerId") != seeker else []) + new
                parsed.append((message, result))
            # ReDial annotates movies, people and genres: a MovieLens tag the parser finds has no gold to match.
            predicted = {
                (LABEL_TYPE[m.entity.label], m.entity.node_id) for m in result.mentions if m.entity.label in LABEL_TYPE
            }
            gold = gold_of(message, maps, items)
            for kind in TYPES:
                p = {x for x in predicted if x[0] == kind}
                g = {x for x in gold if x[0] == kind}
                counts[fold][f"{kind}_tp"] += len(p & g)
                counts[fold][f"{kind}_fp"] += len(p - g)
                counts[fold][f"{kind}_fn"] += len(g - p)
            if predicted != gold and len(errors) < 300:
                errors.append({"text": text, "missed": sorted(gold - predicted), "extra": sorted(predicted - gold)})
        for verdict in polarity_verdicts(dialogue, parsed, seeker, items):
            polarity[fold][verdict] += 1
        progress("ReDial dialogues", done, len(dialogues))
    return {"counts": counts, "polarity": polarity, "timings": timings, "errors": errors}


def polarity_verdicts(
    dialogue: dict[str, Any], parsed: list[tuple[dict[str, Any], Any]], seeker: Any, items: dict[str, str]
) -> list[str]:
    """Polarity ('correct' / 'wrong' / 'undecided' for every movie with a liked / disliked answer, plus its gold
    class) and seen-status (the same with the prefix 'seen_', for every movie with a seen / not seen answer)."""
    liked = answer_verdicts(dialogue, parsed, seeker, items, "liked", {1: Polarity.LIKE, 0: Polarity.DISLIKE}, "")
    seen = answer_verdicts(dialogue, parsed, seeker, items, "seen", {1: Seen.YES, 0: Seen.NO}, "seen_")
    return liked + seen


def answer_verdicts(
    dialogue: dict[str, Any],
    parsed: list[tuple[dict[str, Any], Any]],
    seeker: Any,
    items: dict[str, str],
    question: str,
    gold_of_answer: dict[int, Polarity | Seen],
    prefix: str,
) -> list[str]:
    """For every movie the workers answered `question` about (the seeker's own answer wins), the verdict on the last
    known value (`Polarity` or `Seen`, by the gold's type) of its mentions in the seeker's messages."""
    answers: dict[str, int] = {}
    for source in (dialogue.get("respondentQuestions") or {}, dialogue.get("initiatorQuestions") or {}):
        answers.update({m: a[question] for m, a in source.items() if isinstance(a, dict) and a.get(question) in (0, 1)})
    verdicts = []
    for rid, answer in answers.items():
        node = items.get(str(rid))
        if node is None:
            continue
        gold = gold_of_answer[answer]
        field, unknown = ("seen", Seen.UNKNOWN) if isinstance(gold, Seen) else ("polarity", Polarity.NEUTRAL)
        said = [
            getattr(m, field)
            for message, result in parsed
            if message.get("senderWorkerId") == seeker
            for m in result.mentions
            if m.entity.node_id == node and getattr(m, field) is not unknown
        ]
        verdict = "undecided" if not said else ("correct" if said[-1] is gold else "wrong")
        verdicts += [f"{prefix}{verdict}", f"{prefix}gold_{gold.value}"]
    return verdicts


def summarize(counts: Counter, polarity: Counter) -> dict[str, Any]:
    """Linking and polarity figures of one fold (or of all)."""
    total = {x: sum(counts[f"{k}_{x}"] for k in TYPES) for x in ("tp", "fp", "fn")}
    overall = prf(total["tp"], total["fp"], total["fn"])
    answered = polarity["correct"] + polarity["wrong"] + polarity["undecided"]
    decided = polarity["correct"] + polarity["wrong"]
    majority = max(polarity["gold_like"], polarity["gold_dislike"])
    return {
        "linking_f1": overall["f1"],
        "linking_precision": overall["precision"],
        "linking_recall": overall["recall"],
        "linking_by_type": {
            k: {
                **prf(counts[f"{k}_tp"], counts[f"{k}_fp"], counts[f"{k}_fn"]),
                "gold": counts[f"{k}_tp"] + counts[f"{k}_fn"],
            }
            for k in TYPES
        },
        "polarity_accuracy": round(polarity["correct"] / answered, 4) if answered else 0.0,
        "polarity_accuracy_decided": round(polarity["correct"] / decided, 4) if decided else 0.0,
        "polarity_coverage": round(decided / answered, 4) if answered else 0.0,
        "polarity_majority_baseline": round(majority / answered, 4) if answered else 0.0,
        "polarity_movies": answered,
        **seen_summary(polarity),
    }


def seen_summary(polarity: Counter) -> dict[str, Any]:
    """Seen-status figures: accuracy (no prediction counts as wrong), on the decided ones, coverage, baseline."""
    answered = polarity["seen_correct"] + polarity["seen_wrong"] + polarity["seen_undecided"]
    decided = polarity["seen_correct"] + polarity["seen_wrong"]
    majority = max(polarity["seen_gold_yes"], polarity["seen_gold_no"])
    return {
        "seen_accuracy": round(polarity["seen_correct"] / answered, 4) if answered else 0.0,
        "seen_accuracy_decided": round(polarity["seen_correct"] / decided, 4) if decided else 0.0,
        "seen_coverage": round(decided / answered, 4) if answered else 0.0,
        "seen_majority_baseline": round(majority / answered, 4) if answered else 0.0,
        "seen_movies": answered,
    }


def main(
    out: Annotated[Path, typer.Option(help="Results file.")] = Path("bench/results/nlu.json"),
    limit: Annotated[int | None, typer.Option(help="Only the first N dialogues (a quick look).")] = None,
    errors: Annotated[Path | None, typer.Option(help="Also write up to 300 mislinked messages here.")] = None,
    linker: Annotated[
        Path | None, typer.Option(help="Score with this linker.json (default: one learned from fold 0 here).")
    ] = None,
    rules: Annotated[bool, typer.Option(help="Score by the rules alone (no learned linker).")] = False,
) -> None:
    """Run the benchmark and write JSON, Markdown and a PNG."""
    settings = get_settings()
    dialogues, maps = load(settings.data_dir)
    dialogues = dialogues[:limit] if limit else dialogues
    maps["title_to_rid"] = {key(info["name"]): rid for rid, info in maps["id2info"].items()}
    with open_store(settings) as store:
        store.verify()
        items = items_by_redial_id(store, list(maps["id2info"]))
        with RichProgress() as progress:
            learned = benchmark_linker(store, settings.data_dir / "redial", progress, linker, rules)
            started = time.perf_counter()
            parser = EmbeddedParser(Grounder(store, linker=learned))
            load_seconds = time.perf_counter() - started
            parser.warm_up()
            run = evaluate(dialogues, parser, maps, items, progress)
    all_counts, all_polarity = Counter(), Counter()
    for fold in (0, 1):
        all_counts.update(run["counts"][fold])
        all_polarity.update(run["polarity"][fold])
    timings = sorted(run["timings"])
    result = {
        **summarize(all_counts, all_polarity),
        "parse_p50_ms": round(statistics.median(timings), 3),
        "parse_p90_ms": round(timings[int(0.9 * (len(timings) - 1))], 3),
        "parse_p99_ms": round(timings[int(0.99 * (len(timings) - 1))], 3),
        "parse_mean_ms": round(statistics.fmean(timings), 3),
        "messages": len(timings),
        "dialogues": len(dialogues),
        "folds": {
            "tuning_fold0": summarize(run["counts"][0], run["polarity"][0]),
            "heldout_fold1": summarize(run["counts"][1], run["polarity"][1]),
        },
        "grounder_load_seconds": round(load_seconds, 2),
        "linker": "rules" if learned is None else dict(learned.about),
        "protocol": __doc__.split("Protocol")[1].strip().split("\n\n")[0],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    if errors:  # quotes dialogue text: keep it out of the repository
        errors.write_text(json.dumps(run["errors"], indent=1) + "\n")
    _markdown(result, out.with_suffix(".md"))
    _plot(result, out.with_suffix(".png"))
    print(
        json.dumps(
            {
                k: result[k]
                for k in ("linking_f1", "linking_precision", "linking_recall", "polarity_accuracy", "parse_p50_ms")
            }
        )
    )


def _markdown(result: dict[str, Any], path: Path) -> None:
    rows = ["| split | type | precision | recall | F1 | gold |", "|---|---|---|---|---|---|"]
    for split, figures in (("all", result), *result["folds"].items()):
        rows.append(
            f"| {split} | overall | {figures['linking_precision']} | {figures['linking_recall']} | "
            f"{figures['linking_f1']} | |"
        )
        for kind, f in figures["linking_by_type"].items():
            rows.append(f"| {split} | {kind} | {f['precision']} | {f['recall']} | {f['f1']} | {f['gold']} |")
    pol = [
        "| split | accuracy | accuracy (decided) | coverage | majority baseline | movies |",
        "|---|---|---|---|---|---|",
    ]
    for split, f in (("all", result), *result["folds"].items()):
        pol.append(
            f"| {split} | {f['polarity_accuracy']} | {f['polarity_accuracy_decided']} | "
            f"{f['polarity_coverage']} | {f['polarity_majority_baseline']} | {f['polarity_movies']} |"
        )
    text = (
        "# NLU benchmark (embedded parser, ReDial valid_data.jsonl)\n\n## Entity linking\n\n"
        + "\n".join(rows)
        + "\n\n## Polarity\n\n"
        + "\n".join(pol)
        + f"\n\n## Latency\n\nparse p50 {result['parse_p50_ms']} ms, p90 {result['parse_p90_ms']} ms, "
        f"p99 {result['parse_p99_ms']} ms over {result['messages']} messages.\n"
    )
    path.write_text(text)


def _plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = ["overall", *TYPES]
    f1 = [result["linking_f1"], *(result["linking_by_type"][k]["f1"] for k in TYPES)]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(labels, f1, color="#4c78a8")
    ax.axhline(0.9, color="red", linestyle="--", label="target 0.90")
    ax.set_ylim(0, 1)
    ax.set_ylabel("linking F1")
    ax.set_title(f"ReDial linking; polarity acc {result['polarity_accuracy']}, p50 {result['parse_p50_ms']} ms")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    typer.run(main)
