"""NLU benchmark of how people type: entity linking on ReDial messages whose movie and person mentions are rewritten
the ways people write them, one rendering at a time.

Usage (Neo4j running with the full demo graph, e.g. `chatrec import demo`; CHATREC_* settings pick the server):
    nice python bench/eval_nlu_typed.py [--out bench/results/nlu_typed.json] [--limit N]

Protocol (issue 18, GUIDE protocol 3): every message of `valid_data.jsonl` with an `@id` placeholder is rendered
once per rendering, every placeholder written from its catalog title (`id2info.json`), deterministically (a seed per
message):
- `canonical`: "Title (Year)", as ReDial's processed text writes it;
- `no_year`: "Title"; `lower`: "title"; `no_article`: "title" with a leading "the / a / an" dropped ("matrix");
- `short`: the part before ":" / " - " / a sequel number / " and the " ("harry potter", "toy story"), lower case;
  written whole where people would not shorten it: to one word at " and the " ("beauty"), or to the full title of
  another catalog film (Iron Man 3 is not "iron man", Thor: Ragnarok not "thor": 707 of 6,320 short mentions were
  such, a recall no linker could reach);
- `typo`: "Title" with one edit (substitution, deletion, insertion or transposition) inside a word of 4+ letters,
  for titles of 6+ letters (shorter ones stay as typed);
- `lower_message`: the whole message in lower case, titles without their year;
- `keyword`: the one word of the title that no other catalog title has and no English dictionary knows, lower case
  ("shawshank", "lebowski", "doubtfire"), the others in lower case; only the messages with such a title are scored
  in it (nlu/renderings.py writes them all).
Gold = the placeholder's movie; predicted = the Item mentions of the parse; micro P/R/F1 over the messages.
People: in the messages whose `entity` list names a person whose full name is in the text and whose surname is
distinctive (that person has at least 3 times the films of anyone else with that surname in the catalog), the name is
replaced by the surname (`surname`), in lower case (`surname_lower`), with one typo (`surname_typo`); gold = that
person, predicted = the Person mentions but the other people the message's `entity` list names (still written in
full: "with Sandler and Drew Barrymore" finding Drew Barrymore is no error). `mentions_changed` counts the
placeholders (or names) a rendering altered.
Both folds of the conversation split are reported together and apart (`by_fold`; fold 0 was looked at while tuning).
The learned title linker is trained here on the dialogues of fold 0 only (`chatrec train-nlu --fold 0` does the
same), so fold 1 (`held_out_fold`) is text it never saw; `--linker FILE` scores another one, `--rules` none.
"""

from __future__ import annotations

import json
import time
from collections import ChainMap, Counter, defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer
from linking import LEARNED_FROM, benchmark_linker, prf

from api.deps import open_store
from api.progress import RichProgress
from api.services.container import llm_config
from core.config import get_settings
from graph.importers.redial_dialogues import conversation_fold
from graph.search import items_by_redial_id
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
from nlu.llm import create_parser
from nlu.renderings import (
    MOVIE_RENDERINGS,
    PERSON_RENDERINGS,
    applies,
    placeholders,
    render_people,
    render_title,
    rewrite,
    seeded,
    title_keys,
)


def distinctive_surnames(id2info: dict[str, Any]) -> dict[str, str]:
    """Full name → surname, for the people who clearly own their surname in the catalog."""
    films: Counter[str] = Counter()
    for info in id2info.values():
        for role in ("director", "writer", "star"):
            films.update(set(info.get(role) or []))
    by_surname: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for name, count in films.items():
        if len(name.split()) >= 2:
            by_surname[name.split()[-1].lower()].append((count, name))
    owners = {}
    for surname, people in by_surname.items():
        people.sort(reverse=True)
        if len(surname) >= 4 and (len(people) == 1 or people[0][0] >= 3 * people[1][0]):
            owners[people[0][1]] = people[0][1].split()[-1]
    return owners


def score(counts: Counter[str]) -> dict[str, float]:
    """Micro precision, recall, F1 from tp / fp / fn counts."""
    return prf(counts["tp"], counts["fp"], counts["fn"])


def main(
    out: Annotated[Path, typer.Option(help="Results file.")] = Path("bench/results/nlu_typed.json"),
    limit: Annotated[int | None, typer.Option(help="Only the first N dialogues (a quick look).")] = None,
    errors: Annotated[Path | None, typer.Option(help="Also write up to 100 misses per rendering here.")] = None,
    linker: Annotated[
        Path | None, typer.Option(help="Score with this linker.json (default: one learned from fold 0 here).")
    ] = None,
    rules: Annotated[bool, typer.Option(help="Score by the rules alone (no learned linker).")] = False,
    llm: Annotated[
        bool, typer.Option(help="Parse in LLM mode (CHATREC_LLM_* settings), the embedded parser as its fallback.")
    ] = False,
    only: Annotated[
        str | None, typer.Option(help="Only these renderings, comma-separated (e.g. lower_message).")
    ] = None,
) -> None:
    """Render, parse, score; write JSON."""
    settings = get_settings()
    redial = settings.data_dir / "redial"
    dialogues = [json.loads(line) for line in (redial / "valid_data.jsonl").read_text().splitlines() if line.strip()]
    dialogues = dialogues[:limit] if limit else dialogues
    id2info = json.loads((redial / "id2info.json").read_text())
    entity2id = json.loads((redial / "entity2id.json").read_text())
    entity2type = json.loads((redial / "entity2type.json").read_text())
    surnames = distinctive_surnames(id2info)
    counts: dict[str, dict[int, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    started = time.perf_counter()
    with open_store(settings) as store, RichProgress() as progress:
        store.verify()
        node_of = items_by_redial_id(store, list(id2info))
        learned = benchmark_linker(store, redial, progress, linker, rules)
        grounder = Grounder(store, linker=learned)
        embedded = EmbeddedParser(grounder)
        embedded.warm_up()
        parser = create_parser(llm_config(settings), embedded, grounder) if llm else embedded
        wanted = set(only.split(",")) if only else set(MOVIE_RENDERINGS) | set(PERSON_RENDERINGS)
        parsers: Counter[str] = Counter()

        def tally(
            rendering: str, fold: int, text: str, gold: set[str], label: str, others: frozenset[str] = frozenset()
        ) -> None:
            """Count one parse; `others`: nodes the message also names (gold of no rendering here), never errors."""
            if rendering not in wanted:
                return
            parse = parser.parse(text)
            parsers[parse.parser] += 1
            predicted = {m.entity.node_id for m in parse.mentions if m.entity.label == label} - others
            tally_counts = counts[rendering][fold]
            tally_counts["tp"] += len(predicted & gold)
            tally_counts["fp"] += len(predicted - gold)
            tally_counts["fn"] += len(gold - predicted)
            if predicted != gold and len(misses[rendering]) < 100:
                misses[rendering].append(
                    {"text": text, "missed": sorted(gold - predicted), "extra": sorted(predicted - gold)}
                )

        catalog_titles = {k: v["name"] for k, v in id2info.items()}
        whole = title_keys(catalog_titles.values())
        for done, dialogue in enumerate(dialogues, 1):
            fold = conversation_fold(str(dialogue["conversationId"]), 2)
            titles = ChainMap(dialogue.get("movieMentions") or {}, catalog_titles)
            for message in dialogue["messages"]:
                text = message["text"]
                movies = placeholders(text, titles)
                gold = {node_of[p] for p in movies if p in node_of}
                if movies:
                    for rendering in (r for r in MOVIE_RENDERINGS if applies(r, [titles[m] for m in movies], whole)):
                        rng = seeded(f"{dialogue['conversationId']}|{message.get('turn_id')}", rendering)
                        written = rewrite(text, titles, rendering, rng, whole).text
                        counts[rendering][fold]["mentions_changed"] += sum(
                            render_title(titles[p], rendering, rng, whole) != render_title(titles[p], "canonical", rng)
                            for p in movies
                        )
                        tally(rendering, fold, written, gold, "Item")
                resolved = rewrite(text, titles, "canonical", seeded(0)).text
                named = [n for n in message.get("entity") or [] if entity2type.get(n) == "person" and n in entity2id]
                for name in named:
                    if name not in surnames:
                        continue
                    person = {f"redial:{entity2id[name]}"}
                    others = frozenset(f"redial:{entity2id[n]}" for n in named) - person
                    for rendering in PERSON_RENDERINGS:
                        rng = seeded(dialogue["conversationId"], message.get("turn_id"), name)
                        rendered = render_people(resolved, {name: surnames[name]}, rendering, rng)
                        if not rendered.spans:
                            break  # the name is not written out in full in this message
                        counts[rendering][fold]["mentions_changed"] += 1
                        tally(rendering, fold, rendered.text, person, "Person", others)
            progress("Typed ReDial dialogues", done, len(dialogues))
    by_rendering, by_fold = {}, {}
    for rendering in (r for r in (*MOVIE_RENDERINGS, *PERSON_RENDERINGS) if r in wanted):
        total = counts[rendering][0] + counts[rendering][1]
        by_rendering[rendering] = score(total) | {
            "gold": total["tp"] + total["fn"],
            "changed": total["mentions_changed"],
        }
        by_fold[rendering] = {f"fold{f}": score(counts[rendering][f])["f1"] for f in (0, 1)}
    result = {
        "by_rendering": by_rendering,
        "by_fold_f1": by_fold,
        "dialogues": len(dialogues),
        "linker": "rules" if learned is None else dict(learned.about),
        "parsed_by": dict(parsers),  # the LLM's own parses and the embedded parser's fallbacks, in LLM mode
        "held_out_fold": None if learned is None or linker is not None else 1 - LEARNED_FROM,
        "seconds": round(time.perf_counter() - started, 1),
        "protocol": __doc__.split("Protocol")[1].strip(),
    }
    previous = json.loads(out.read_text()) if out.is_file() else {}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(previous | result, indent=2) + "\n")  # keeps other sections (e.g. opendialkg)
    if errors:
        errors.write_text(json.dumps(misses, indent=1) + "\n")
    print(json.dumps({name: r["f1"] for name, r in by_rendering.items()}))


if __name__ == "__main__":
    typer.run(main)
