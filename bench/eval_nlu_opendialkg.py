"""NLU benchmark on crowd-typed dialogue: context-level entity linking on OpenDialKG (movies and books), its catalog
loaded as a user loads their own, through the CSV importer (`chatrec import csv`, docs/csv-format.md).

Usage (a Neo4j for this catalog alone: `--load` empties the database the CHATREC_* settings point at):
    nice python bench/eval_nlu_opendialkg.py --load [--out bench/results/nlu_typed.json] [--limit N]

Protocol (issue 18, GUIDE protocol 3): `id2info.json` becomes items.csv (id, title, year, genres) and triples.csv
(director, star = actor, writer); for every recommendation turn of `dialogues_processed.jsonl` the embedded parser
reads each context utterance and the names of the nodes it links (titles without their year, people, genres; case and
punctuation folded) are compared with the turn's `entity` list (gold, by name): micro P/R/F1 over the turns. Gold
names that are no node of the catalog (sports people, companies, years) cannot be linked: `f1` counts the gold in
the catalog, `f1_all_gold` every gold name. Dialogues are split in two folds by `dialog_id` (SHA-256): `by_fold`.
The `entity` lists name the entities of the dialogue's knowledge-graph walk, not every one typed: "Do you like Action
film?", "it stars Natalie Portman, Chris Hemsworth and Anthony Hopkins" list none of those names, and 4 of 5 links the
raw gold calls wrong are names typed out in full like these (534 of 648 in a sample). So the gold is completed by the
catalog names typed verbatim in the context, whether the parser links them or not (case and punctuation folded,
longest first, left to right), when no everyday words could be meant: a genre name, a name with a word no dictionary
has (one word: capitalised), or two or more everyday words written as a title ("Date Night", never "date night",
"Up" or "love"): precision / recall / f1 against that; `given_gold` scores against the lists as they are.
"""

from __future__ import annotations

import csv
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from linking import prf

from api.deps import open_store
from api.progress import RichProgress
from core.config import get_settings
from graph.importers.csv_catalog import import_csv_catalog
from graph.importers.redial_dialogues import conversation_fold
from graph.importers.titles import split_year
from graph.schema import clear_database, ensure_schema
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
from nlu.lexicon import GENRE_NAME_BLOCKLIST
from nlu.text import key, tokenize

ROLES = {"director": "director", "actor": "star", "writer": "writer"}


def write_catalog_csv(source: Path, target: Path) -> dict[str, int]:
    """OpenDialKG's `id2info.json` in the project's own CSV format (items.csv, triples.csv) under `target`."""
    info = json.loads((source / "id2info.json").read_text())
    target.mkdir(parents=True, exist_ok=True)
    triples = 0
    with (target / "items.csv").open("w", newline="") as items, (target / "triples.csv").open("w", newline="") as t:
        item_rows, triple_rows = csv.writer(items), csv.writer(t)
        item_rows.writerow(["id", "title", "year", "genres"])
        triple_rows.writerow(["item_id", "relation", "entity_id", "entity_name"])
        for item_id, entry in info.items():
            year = entry.get("year") if str(entry.get("year", "")).isdigit() else ""
            genres = "|".join(dict.fromkeys(g.replace("|", " ") for g in entry.get("genre") or []))
            item_rows.writerow([f"odkg:{item_id}", entry["name"], year, genres])
            for field, relation in ROLES.items():
                for name in dict.fromkeys(entry.get(field) or []):
                    triple_rows.writerow([f"odkg:{item_id}", relation, f"odkg:person:{key(name)}", name])
                    triples += 1
    return {"items": len(info), "triples": triples}


def node_key(name: str) -> str:
    """A name as the gold and the graph are compared: folded, without a trailing year."""
    return key(split_year(name)[0])


def score(counts: Counter[str]) -> dict[str, float]:
    """Micro precision, recall, F1 from tp / fp / fn counts."""
    return prf(counts["tp"], counts["fp"], counts["fn"])


def main(
    load: Annotated[bool, typer.Option(help="Empty the database and import the OpenDialKG catalog first.")] = False,
    out: Annotated[Path, typer.Option(help="Results file (the `opendialkg` section).")] = Path(
        "bench/results/nlu_typed.json"
    ),
    limit: Annotated[int | None, typer.Option(help="Only the first N turns (a quick look).")] = None,
    errors: Annotated[Path | None, typer.Option(help="Also write up to 300 mislinked turns here.")] = None,
) -> None:
    """Load (optionally), link every turn's context, score; write the `opendialkg` section."""
    settings = get_settings()
    source = settings.data_dir / "opendialkg"
    samples = [json.loads(line) for line in (source / "dialogues_processed.jsonl").read_text().splitlines() if line]
    samples = samples[:limit] if limit else samples
    started = time.perf_counter()
    with open_store(settings) as store, RichProgress() as progress:
        store.verify()
        if load:
            clear_database(store)
            ensure_schema(store)
            with tempfile.TemporaryDirectory() as folder:
                write_catalog_csv(source, Path(folder))
                import_csv_catalog(store, Path(folder), settings.import_batch_size, progress=progress)
            store.write("CALL db.awaitIndexes(300)")
        rows = store.read("MATCH (n:Item|Person|Genre) RETURN n.name AS name, n:Genre AS genre")
        names = {node_key(row["name"]) for row in rows}
        genres = {node_key(row["name"]) for row in rows if row["genre"]}
        grounder = Grounder(store)
        parser = EmbeddedParser(grounder)

        longest = max(len(name.split()) for name in names)

        def typed_out(context: str) -> set[str]:
            """The catalog names written out in `context` (longest first, left to right) that no everyday words
            could be: a genre, a name with a word no dictionary has, or everyday words written as a title."""
            tokens, found, i = tokenize(context), set(), 0
            words = [t.norm for t in tokens]
            while i < len(words):
                sizes = range(min(longest, len(words) - i), 0, -1)
                n = next((n for n in sizes if " ".join(words[i : i + n]) in names), 0)
                name, span = " ".join(words[i : i + n]), tokens[i : i + n]
                lexicon = grounder.lexicon
                genre = name in genres and name not in GENRE_NAME_BLOCKLIST  # "comedy", never "love" or "film"
                named = any(not lexicon.is_common(t.norm) for t in span if t.norm.isalpha())
                content = [t for t in span if not lexicon.is_stopword(t.norm)]
                title_case = n > 1 and bool(content) and all(t.capitalised for t in content)
                if n and (genre or (named and (n > 1 or span[0].capitalised)) or title_case):
                    found.add(name)
                i += max(n, 1)
            return found

        parser.warm_up()
        cache: dict[str, set[str]] = {}
        counts: dict[str, Counter[str]] = {f"fold{f}": Counter() for f in (0, 1)}
        given: Counter[str] = Counter()
        every: Counter[str] = Counter()
        misses: list[dict[str, Any]] = []
        for done, sample in enumerate(samples, 1):
            predicted: set[str] = set()
            for utterance in sample["context"]:
                if utterance not in cache:
                    cache[utterance] = {node_key(m.entity.name) for m in parser.parse(utterance).mentions}
                predicted |= cache[utterance]
            listed = {node_key(name) for name in sample["entity"]} - {""}
            given["tp"] += len(predicted & listed & names)
            given["fp"] += len(predicted - listed)
            given["fn"] += len((listed & names) - predicted)
            gold = listed | set().union(*(typed_out(utterance) for utterance in sample["context"]))
            linkable = gold & names
            fold = counts[f"fold{conversation_fold(str(sample['dialog_id']), 2)}"]
            fold["tp"] += len(predicted & linkable)
            fold["fp"] += len(predicted - gold)
            fold["fn"] += len(linkable - predicted)
            every["fn"] += len(gold - predicted - linkable)
            if predicted != linkable and len(misses) < 300:
                misses.append(
                    {
                        "context": sample["context"],
                        "missed": sorted(linkable - predicted),
                        "extra": sorted(predicted - gold),
                    }
                )
            progress("OpenDialKG turns", done, len(samples))
    total = counts["fold0"] + counts["fold1"]
    all_gold = total + every
    result = {
        **score(total),
        "f1_all_gold": score(all_gold)["f1"],
        "given_gold": score(given),
        "gold_in_catalog": total["tp"] + total["fn"],
        "gold_not_in_catalog": every["fn"],
        "by_fold": {name: score(c)["f1"] for name, c in counts.items()},
        "turns": len(samples),
        "seconds": round(time.perf_counter() - started, 1),
        "protocol": __doc__.split("Protocol")[1].strip(),
    }
    previous = json.loads(out.read_text()) if out.is_file() else {}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(previous | {"opendialkg": result}, indent=2) + "\n")
    if errors:
        errors.write_text(json.dumps(misses, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "protocol"}))


if __name__ == "__main__":
    typer.run(main)
