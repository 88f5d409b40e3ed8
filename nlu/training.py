"""Training the learned linker (nlu.linker) from dialogues with `@id` movie placeholders: every message is written
in each rendering of nlu.renderings, the rules-only grounder proposes the title matches the linker would decide on
(the rejected ones too), and a match is a positive example when it overlaps a placeholder's span and names that
placeholder's movie."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.importers.redial_dialogues import read_dialogue_messages
from graph.search import items_by_redial_id
from nlu.grounding import Grounder
from nlu.linker import Linker, fit
from nlu.renderings import MOVIE_RENDERINGS, Rendered, placeholders, rewrite, seeded

Example = tuple[dict[str, float], int]


def linking_examples(grounder: Grounder, rendered: Rendered, node_of: Mapping[str, str]) -> list[Example]:
    """The title matches of one rendered message as (features, is a mention of its movie) pairs."""
    examples = []
    for candidate in grounder.find(rendered.text, fuzzy=True, keep_rejected=True):
        if candidate.features is None:
            continue
        names = {e.node_id for e in candidate.entities}
        hit = any(
            start < candidate.end and candidate.start < end and node_of.get(movie) in names
            for start, end, movie in rendered.spans
        )
        examples.append((dict(candidate.features), int(hit)))
    return examples


def train_linker(
    grounder: Grounder,
    messages: Iterable[tuple[str, str, Mapping[str, str]]],
    node_of: Mapping[str, str],
    renderings: tuple[str, ...] = MOVIE_RENDERINGS,
    progress: Callable[[int], None] | None = None,
) -> Linker:
    """Fit a linker on `messages`, (seed, text with `@id` placeholders, titles by id), each in every rendering;
    `node_of` maps a placeholder id to its node. `grounder` must score by the rules alone (linker=None)."""
    if grounder.linker is not None:
        raise ValueError("Train the linker with a rules-only Grounder (linker=None), not with a learned one.")
    examples: list[Example] = []
    used = 0
    for done, (seed, text, titles) in enumerate(messages, 1):
        if placeholders(text, titles):
            used += 1
            for rendering in renderings:
                rendered = rewrite(text, titles, rendering, seeded(seed, rendering))
                examples += linking_examples(grounder, rendered, node_of)
        if progress:
            progress(done)
    positives = sum(label for _, label in examples)
    return fit(examples, {"messages": used, "renderings": list(renderings), "positives": positives})


def train_on_redial(
    store: GraphStore, redial_dir: Path, only_fold: int | None = None, progress: Progress = no_progress
) -> Linker:
    """A linker learned from the ReDial dialogues (`valid_data.jsonl`; one fold of two when `only_fold` is given)
    against the catalog in `store`."""
    id2info = json.loads((redial_dir / "id2info.json").read_text(encoding="utf-8"))
    titles = {movie: info["name"] for movie, info in id2info.items()}
    messages = read_dialogue_messages(redial_dir / "valid_data.jsonl", titles, only_fold=only_fold)
    node_of = items_by_redial_id(store, list({m for _, text, known in messages for m in placeholders(text, known)}))
    grounder = Grounder(store, linker=None)
    linker = train_linker(
        grounder, messages, node_of, progress=lambda n: progress("Learning to link", n, len(messages))
    )
    about = {"data": "ReDial valid_data.jsonl", "fold": only_fold} | dict(linker.about)
    return Linker(linker.weights, linker.bias, about)
