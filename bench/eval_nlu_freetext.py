"""NLU benchmark of free text: chat messages written the way people type to a recommender, each with the films,
people and genres it refers to, parsed as the service parses a first user turn.

Usage (Neo4j running with the full demo graph, e.g. `chatrec import demo`; CHATREC_* settings pick the server):
    nice python bench/eval_nlu_freetext.py [--out bench/results/nlu_freetext.json] [--errors FILE]

Protocol: `bench/data/freetext/*.jsonl`, one message a line, `{"text", "gold": [{"label", "name", "polarity"}]}`,
written for this project (not drawn from any data set): twenty sets (one of 300 messages, eight of 240, `j` to `t`
of 480), each in two files of the same messages: mixed case (`*_mixed`) and all lower case with the typos, short
titles, surnames and texting style people use (`*_lower`), about a tenth chitchat with no gold. Set `a` was read while
the rules were written (its misses were looked at and fixed where a fix was general); sets `b` to `q` were each written
after, by another hand that saw no code, and scored once before any of its misses were looked at (`docs/benchmarks.md`
gives those first figures; `j` and `k` were asked for many of the ways people refer to films: by their place in a
series, their year, a remake, a description; `l` to `t` for messages in the proportions users write them, `n` with
realistic typos in ordinary words too and some longer messages, `o` to `q` with films spread across decades and
kinds, `q` and `r` from a varied crowd of users, `s` from users who tell what they watched in detail, with sequels,
franchises and foreign films, `t` from users of many ages and backgrounds).
Two messages of `d` and `f` that ask for a film told by its story ("that movie where Bill Murray keeps reliving the same
day") listed only the person; the film they ask for is in their gold too (corrected once the parser could read it).
Gold names are the ReDial catalog's (`id2info.json`):
a film is any node that holds a catalog entry of that name (the importer makes one node of the entries of one
film: the same IMDb id and a title that agrees, or a year-less franchise name: "Harry Potter"); a person by name; a
genre by id. Predicted: every film, person and genre mention of the parse with the model folder's linker (as
served); the gold lists no tags, so tag mentions ("pixar", "superhero") are counted apart (`counts.tags`), neither
right nor wrong. Micro P/R/F1 per file and per set; polarity accuracy on the mentions linked right (`like` /
`dislike`; a question about a film counts as a like, as in ReDial).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer
from linking import prf

from api.deps import open_store
from api.progress import RichProgress
from core.config import get_settings
from graph.search import items_by_redial_id
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
from nlu.linker import load_linker

DATA = Path(__file__).parent / "data" / "freetext"
GOLD_LABELS = frozenset({"Item", "Person", "Genre"})  # what the gold lists; tags are counted apart


def catalog_nodes(id2info: dict[str, Any], node_of: dict[str, str]) -> dict[str, set[str]]:
    """Catalog name → the graph nodes that hold an entry of that name: the importer's entity resolution says which
    entries are one film ("Avatar" / "Avatar (2009)", "Harry Potter" / "Harry Potter and the Philosopher's Stone
    (2001)"; never "Spider (2007)" / "Spider-Man 3 (2007)")."""
    nodes: dict[str, set[str]] = defaultdict(set)
    for rid, info in id2info.items():
        if rid in node_of:
            nodes[info["name"]].add(node_of[rid])
    return nodes


def main(
    out: Annotated[Path, typer.Option(help="Results file.")] = Path("bench/results/nlu_freetext.json"),
    errors: Annotated[Path | None, typer.Option(help="Also write every message with a miss here.")] = None,
) -> None:
    """Parse every message of every file, score against its gold, write the results."""
    settings = get_settings()
    id2info = json.loads((settings.data_dir / "redial" / "id2info.json").read_text())
    files = sorted(DATA.glob("*.jsonl"))
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    misses: list[dict[str, Any]] = []
    with open_store(settings) as store, RichProgress() as progress:
        store.verify()
        films = catalog_nodes(id2info, items_by_redial_id(store, list(id2info)))
        people = {r["name"]: r["id"] for r in store.read("MATCH (p:Person) RETURN p.name AS name, p.id AS id")}
        parser = EmbeddedParser(Grounder(store, linker=load_linker(settings.model_dir)))
        parser.warm_up()
        for path in files:
            messages = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            counts: Counter[str] = Counter()
            for done, message in enumerate(messages, 1):
                gold = []
                for entity in message["gold"]:
                    ids = {
                        "Item": films.get(entity["name"], set()),
                        "Person": {people.get(entity["name"])} - {None},
                        "Genre": {entity["name"]},
                    }[entity["label"]]
                    gold.append((entity["label"], ids, entity["polarity"], entity["name"]))
                found: list[int] = []
                extra = []
                for mention in parser.parse(message["text"]).mentions:
                    if mention.entity.label not in GOLD_LABELS:  # "pixar", "superhero": a tag, which no gold lists
                        counts["tags"] += 1
                        continue
                    hit = next(
                        (
                            i
                            for i, (label, ids, _, _) in enumerate(gold)
                            if i not in found and label == mention.entity.label and mention.entity.node_id in ids
                        ),
                        None,
                    )
                    if hit is None:
                        counts["fp"] += 1
                        extra.append(f"{mention.entity.label}: {mention.entity.name}")
                        continue
                    found.append(hit)
                    counts["tp"] += 1
                    counts["polarity_right"] += str(mention.polarity) == gold[hit][2]
                missed = [name for i, (_, _, _, name) in enumerate(gold) if i not in found]
                counts["fn"] += len(missed)
                if missed or extra:
                    misses.append({"file": path.stem, "text": message["text"], "missed": missed, "extra": extra})
                progress(f"Free text {path.stem}", done, len(messages))
            results[path.stem] = {
                **prf(counts["tp"], counts["fp"], counts["fn"]),
                "polarity_accuracy": round(counts["polarity_right"] / counts["tp"], 4) if counts["tp"] else 0.0,
                "messages": len(messages),
                "counts": dict(counts),
            }
    by_set: dict[str, dict[str, float]] = {}
    for name in sorted({stem.split("_")[0] for stem in results}):
        total: Counter[str] = sum(
            (Counter(r["counts"]) for s, r in results.items() if s.split("_")[0] == name), Counter()
        )
        by_set[name] = prf(total["tp"], total["fp"], total["fn"])
    result = {
        "by_file": results,
        "by_set": by_set,
        "seconds": round(time.perf_counter() - started, 1),
        "protocol": __doc__.split("Protocol: ")[1].strip(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    if errors:
        errors.write_text(json.dumps(misses, indent=1) + "\n")
    print(json.dumps({name: r["f1"] for name, r in results.items()} | {f"set_{k}": v["f1"] for k, v in by_set.items()}))


if __name__ == "__main__":
    typer.run(main)
