"""Training the learned linker (nlu.linker) from dialogue messages with `@id` movie placeholders and the names of
the people they mention: every message is written in each rendering of nlu.renderings (titles the ways people type
them; people in full named by their surname alone), the rules-only grounder proposes the matches the linker would
decide on (the rejected ones too), and a match is a positive example when it overlaps a rewritten span and names that
span's movie or person, or names a person the message is known to mention. How often each name stands in the chat as
plain words (outside the placeholders) is counted from the same messages, each example reading the counts of the
other dialogues only."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.importers.redial_dialogues import DialogueMessage, read_dialogue_messages
from graph.search import items_by_redial_id
from nlu.grounding import Grounder
from nlu.lexicon import Lexicon
from nlu.linker import Linker, PlainUsage, fit
from nlu.renderings import (
    MOVIE_RENDERINGS,
    PERSON_RENDERINGS,
    Rendered,
    applies,
    placeholders,
    render_people,
    rewrite,
    seeded,
    title_keys,
)
from nlu.text import key, tokenize

Example = tuple[dict[str, float], int]
MAX_NAME_WORDS = 4  # names of up to this many words are counted as plain words (longer ones are never everyday)
_PLACEHOLDER = re.compile(r"@\d+")


def plain_usage(lexicon: Lexicon, messages: Sequence[DialogueMessage]) -> tuple[PlainUsage, dict[str, PlainUsage]]:
    """How often each word, and each name key of `lexicon` of up to `MAX_NAME_WORDS` words, stands as plain words
    in `messages` (the text between the `@id` placeholders, in lower case), and for each dialogue (the part of a
    message's seed before "|") the counts without its own. Every word is counted, so that a one-word name of another
    catalog ("heard", a surname there) is read as the everyday word it is."""
    names = {k for k in (*lexicon.keys, *lexicon.derived) if len(k.split()) <= MAX_NAME_WORDS}
    own: dict[str, Counter[str]] = {}
    own_words: Counter[str] = Counter()
    for message in messages:
        dialogue = message.seed.split("|")[0]
        counts = own.setdefault(dialogue, Counter())
        for part in _PLACEHOLDER.split(message.text):
            tokens = tokenize(part)
            own_words[dialogue] += len(tokens)
            # Words written in lower case only: "Black Panther" typed without its placeholder is a title still.
            norms = [None if t.capitalised else t.norm for t in tokens]
            counts.update(n for n in norms if n)
            for n in range(2, MAX_NAME_WORDS + 1):
                grams = (norms[i : i + n] for i in range(len(norms) - n + 1))
                counts.update(g for gram in grams if all(gram) and (g := " ".join(gram)) in names)  # type: ignore[arg-type]
    total: Counter[str] = Counter()
    for counts in own.values():
        total.update(counts)
    usage = PlainUsage(dict(total), sum(own_words.values()))
    return usage, {d: usage.without(counts, own_words[d]) for d, counts in own.items()}


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
    whole: Collection[str] = (),
) -> Linker:
    """Fit a linker on `messages`, each in every rendering; `node_of` maps a placeholder id to its node, `people` a
    person's full name (as the messages' `entities` write it) to theirs; `about` says what they are (it is kept with
    the weights, beside the counts). `grounder` must score by the rules alone."""
    if grounder.linker is not None:
        raise ValueError("Train the linker with a rules-only Grounder (linker=None), not with a learned one.")
    people = people or {}
    examples: list[Example] = []
    used = 0
    messages = list(messages)
    usage, others = plain_usage(grounder.lexicon, messages)
    for done, message in enumerate(messages, 1):
        grounder.usage = others[message.seed.split("|")[0]]
        named = {people[name] for name in message.entities if name in people}
        surnames = {name: name.split()[-1] for name in message.entities if name in people}
        surnames = {name: last for name, last in surnames.items() if _owns_surname(grounder, people[name], last)}
        movies = placeholders(message.text, message.titles)
        used += bool(movies or surnames)
        if movies:
            for rendering in (r for r in renderings if applies(r, [message.titles[m] for m in movies], whole)):
                rendered = rewrite(message.text, message.titles, rendering, seeded(message.seed, rendering), whole)
                examples += linking_examples(grounder, rendered, node_of, named)
        if surnames:
            canonical = rewrite(message.text, message.titles, "canonical", seeded(0)).text
            for rendering in PERSON_RENDERINGS:
                rendered = render_people(canonical, surnames, rendering, seeded(message.seed, rendering))
                examples += linking_examples(grounder, rendered, people, named)
        if progress:
            progress(done)
    grounder.usage = PlainUsage()
    positives = sum(label for _, label in examples)
    counts = {"messages": used, "renderings": [*renderings, *PERSON_RENDERINGS], "positives": positives}
    return fit(examples, dict(about or {}) | counts, usage)


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
        whole=title_keys(titles.values()),
    )
