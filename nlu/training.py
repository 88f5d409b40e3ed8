"""Training the learned linker (nlu.linker) from dialogue messages with `@id` movie placeholders and the names of
the people they mention: every message is written in each rendering of nlu.renderings (titles the ways people type
them; people in full named by their surname alone), the rules-only grounder proposes the matches the linker would
decide on (the rejected ones too), and a match is a positive example when it overlaps a rewritten span and names that
span's movie or person, or names a person the message is known to mention."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.importers.redial_dialogues import DialogueMessage, read_dialogue_messages
from graph.search import items_by_redial_id
from nlu.grounding import Grounder
from nlu.linker import Linker, fit
from nlu.renderings import (
    MOVIE_RENDERINGS,
    PERSON_RENDERINGS,
    Rendered,
    placeholders,
    render_people,
    rewrite,
    seeded,
)
from nlu.text import key

Example = tuple[dict[str, float], int]


def linking_examples(
    grounder: Grounder, rendered: Rendered, node_of: Mapping[str, str], known: Collection[str] = ()
) -> list[Example]:
    """The matches of one rendered message as (features, is a mention) pairs; `node_of` maps a span's key (a
    placeholder id or a person's name) to its node, `known` holds nodes the message names wherever they stand."""
    examples = []
    for candidate in grounder.find(rendered.text, fuzzy=True, keep_rejected=True):
        if candidate.features is None:
            continue
        names = {e.node_id for e in candidate.entities}
        hit = bool(names & set(known)) or any(
            start < candidate.end and candidate.start < end and node_of.get(span) in names
            for start, end, span in rendered.spans
        )
        examples.append((dict(candidate.features), int(hit)))
    return examples


def train_linker(
    grounder: Grounder,
    messages: Iterable[DialogueMessage],
    node_of: Mapping[str, str],
    people: Mapping[str, str] | None = None,
    renderings: tuple[str, ...] = MOVIE_RENDERINGS,
    progress: Callable[[int], None] | None = None,
    about: Mapping[str, object] | None = None,
) -> Linker:
    """Fit a linker on `messages`, each in every rendering; `node_of` maps a placeholder id to its node, `people` a
    person's full name (as the messages' `entities` write it) to theirs; `about` says what they are (it is kept with
    the weights, beside the counts). `grounder` must score by the rules alone."""
    if grounder.linker is not None:
        raise ValueError("Train the linker with a rules-only Grounder (linker=None), not with a learned one.")
    people = people or {}
    examples: list[Example] = []
    used = 0
    for done, message in enumerate(messages, 1):
        named = {people[name] for name in message.entities if name in people}
        surnames = {name: name.split()[-1] for name in message.entities if name in people}
        surnames = {name: last for name, last in surnames.items() if _owns_surname(grounder, people[name], last)}
        movies = placeholders(message.text, message.titles)
        used += bool(movies or surnames)
        if movies:
            for rendering in renderings:
                rendered = rewrite(message.text, message.titles, rendering, seeded(message.seed, rendering))
                examples += linking_examples(grounder, rendered, node_of, named)
        if surnames:
            canonical = rewrite(message.text, message.titles, "canonical", seeded(0)).text
            for rendering in PERSON_RENDERINGS:
                rendered = render_people(canonical, surnames, rendering, seeded(message.seed, rendering))
                examples += linking_examples(grounder, rendered, people, named)
        if progress:
            progress(done)
    positives = sum(label for _, label in examples)
    counts = {"messages": used, "renderings": [*renderings, *PERSON_RENDERINGS], "positives": positives}
    return fit(examples, dict(about or {}) | counts)


def _owns_surname(grounder: Grounder, node: str, surname: str) -> bool:
    """Whether the catalog reads `surname` alone as that person (it is distinctive enough)."""
    lexicon = grounder.lexicon
    return any(lexicon.entries[i].node_id == node for i in lexicon.derived.get(key(surname), ()))


def train_on_redial(
    store: GraphStore, redial_dir: Path, only_fold: int | None = None, progress: Progress = no_progress
) -> Linker:
    """A linker learned from the ReDial dialogues (`valid_data.jsonl`; one fold of two when `only_fold` is given)
    against the catalog in `store`."""
    id2info = json.loads((redial_dir / "id2info.json").read_text(encoding="utf-8"))
    entity2id = json.loads((redial_dir / "entity2id.json").read_text(encoding="utf-8"))
    entity2type = json.loads((redial_dir / "entity2type.json").read_text(encoding="utf-8"))
    titles = {movie: info["name"] for movie, info in id2info.items()}
    people = {name: f"redial:{i}" for name, i in entity2id.items() if entity2type.get(name) == "person"}
    messages = read_dialogue_messages(redial_dir / "valid_data.jsonl", titles, only_fold=only_fold)
    movies = {movie for m in messages for movie in placeholders(m.text, m.titles)}
    node_of = items_by_redial_id(store, list(movies))
    return train_linker(
        Grounder(store, linker=None),
        messages,
        node_of,
        people,
        progress=lambda n: progress("Learning to link", n, len(messages)),
        about={"data": "ReDial valid_data.jsonl", "fold": only_fold},
    )
