"""The learned title linker: fitting, its file, the labelled renderings it learns from, and training against a real
Neo4j catalog."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from api.services.container import build_parser
from core.config import Settings
from graph.db import GraphStore
from graph.importers.redial_dialogues import DialogueMessage
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
from nlu.linker import LINKER_FILE, MIN_FEATURE_COUNT, PACKAGED_LINKER, Linker, PlainUsage, fit, load_linker
from nlu.renderings import (
    MOVIE_RENDERINGS,
    applies,
    distinctive_word,
    render_people,
    rewrite,
    seeded,
    shortened,
    typo,
)
from nlu.training import linking_examples, plain_usage, train_linker

TITLES = {"1": "The Matrix (1999)", "2": "Harry Potter and the Goblet of Fire (2005)", "3": "Jaws (1975)"}


def test_fit_learns_which_features_mark_a_mention() -> None:
    rng = random.Random(7)
    examples = []
    for _ in range(400):
        capitalised = rng.random() < 0.5
        examples.append(({"capitalised": float(capitalised), "before:loved": 1.0}, int(capitalised)))
    examples += [({"capitalised": 0.0, "before:loved": 1.0, "after:rare": 1.0}, 0)] * (MIN_FEATURE_COUNT - 1)
    linker = fit(examples, {"data": "synthetic"})
    seen = {"before:loved": 1.0}
    assert linker.probability(seen | {"capitalised": 1.0}) > 0.8 > 0.2 > linker.probability(seen | {"capitalised": 0})
    assert "after:rare" not in linker.weights  # a context word seen too rarely is no feature
    assert linker.about["examples"] == len(examples) and linker.about["data"] == "synthetic"
    with pytest.raises(ValueError, match="both"):
        fit([({"capitalised": 1.0}, 1)] * 5)


def test_a_linker_file_round_trips_and_a_model_folder_wins(tmp_path: Path, caplog) -> None:
    linker = Linker({"rule": 2.5, "near:loved": 0.75}, -1.25, {"fold": 0}, PlainUsage({"bright": 3}, 1000))
    linker.save(tmp_path / LINKER_FILE)
    assert Linker.load(tmp_path / LINKER_FILE) == linker
    assert load_linker(tmp_path) == linker
    assert PACKAGED_LINKER is not None and load_linker(tmp_path / "empty") == PACKAGED_LINKER
    assert PACKAGED_LINKER.usage.words > 10_000 and PACKAGED_LINKER.usage.per_100k_words("it") > 100
    older = tmp_path / "older"
    older.mkdir()
    (older / LINKER_FILE).write_text(json.dumps({"bias": 0.0, "weights": {"rule": 1.0}}))  # before `usage`
    assert load_linker(older) == PACKAGED_LINKER and "retrain it with `chatrec train-nlu`" in caplog.text


def test_plain_usage_counts_words_outside_titles_and_leaves_each_dialogue_out(catalog: GraphStore, encoder) -> None:
    texts = {"d1|0": "@3 is a bright movie", "d1|1": "bright and early, the help", "d2|0": "Bright day for @1"}
    messages = [DialogueMessage(seed, text, TITLES, ()) for seed, text in texts.items()]
    usage, others = plain_usage(Grounder(catalog, encoder, linker=None).lexicon, messages)
    assert usage.counts["bright"] == 2  # "Bright" written as a name is not counted, nor the placeholders
    assert usage.counts["the help"] == 1 and usage.words == 12
    assert usage.per_100k_words("bright") == 2 * 100_000 / 12
    assert others["d1"].per_100k_words("bright") == 0.0 and others["d2"].per_100k_words("the help") == 100_000 / 9
    assert PlainUsage().per_100k_words("bright") is None  # no chat to go by


def test_short_titles_are_what_people_shorten_them_to() -> None:
    assert shortened("Harry Potter and the Goblet of Fire") == "harry potter"
    assert shortened("Thor: Ragnarok") == "thor"
    assert shortened("Thor: Ragnarok", whole={"thor"}) == "thor: ragnarok"  # "thor" is another film
    assert shortened("Beauty and the Beast") == "beauty and the beast"  # never "beauty"
    assert shortened("Toy Story 3", whole={"toy story 3"}) == "toy story"


def test_a_title_is_named_by_the_word_no_other_title_and_no_dictionary_has() -> None:
    whole = {"the shawshank redemption", "the big lebowski", "pineapple express", "the redemption", "the big sleep"}
    assert distinctive_word("The Shawshank Redemption", whole) == "shawshank"
    assert distinctive_word("The Big Lebowski", whole) == "lebowski"
    assert distinctive_word("Pineapple Express", whole) is None  # English words both
    assert distinctive_word("The Shawshank Redemption", whole | {"shawshank"}) is None  # another title has it
    bueller = whole | {"ferris buellers day off"}
    assert distinctive_word("Ferris Bueller's Day Off", bueller) == "bueller"  # a possessive without its 's
    assert distinctive_word("Ferris Bueller's Day Off", bueller | {"buellers adventure"}) is None  # "ferris": English
    assert distinctive_word("You've Got Mail", whole) is None  # nobody calls it "youve"
    assert applies("keyword", ["The Big Lebowski (1998)", "Jaws (1975)"], whole)
    assert not applies("keyword", ["Pineapple Express (2008)"], whole) and applies("lower", [], whole)
    written = rewrite("I loved @1 and @2", {"1": "The Big Lebowski (1998)", "2": "Jaws (1975)"}, "keyword", seeded(0))
    assert written.text == "I loved lebowski and jaws"


def test_renderings_say_where_each_title_stands() -> None:
    text = "I loved @1 and @2, but @3 scared me. @99 is unknown"
    for rendering in MOVIE_RENDERINGS:
        rendered = rewrite(text, TITLES, rendering, seeded("message", rendering))
        assert [movie for _, _, movie in rendered.spans] == ["1", "2", "3"]
        written = [rendered.text[a:b] for a, b, _ in rendered.spans]
        assert "@99" in rendered.text and "@1" not in rendered.text
        if rendering == "canonical":
            assert written == ["The Matrix (1999)", "Harry Potter and the Goblet of Fire (2005)", "Jaws (1975)"]
        if rendering == "short":
            assert written == ["the matrix", "harry potter", "jaws"]
        if rendering == "no_article":
            assert written[0] == "matrix"
        if rendering == "lower_message":
            assert rendered.text == rendered.text.lower() and written[0] == "the matrix"
    assert rewrite(text, TITLES, "typo", seeded("a")) == rewrite(text, TITLES, "typo", seeded("a"))  # deterministic
    with pytest.raises(ValueError, match="Unknown rendering"):
        rewrite(text, TITLES, "shouting", seeded("a"))


def test_a_typo_is_one_edit_inside_a_word() -> None:
    for seed in range(50):
        written = typo("The Shawshank Redemption", random.Random(seed))
        assert written != "The Shawshank Redemption" and written[0] == "T"
        assert Levenshtein.distance(written, "The Shawshank Redemption") <= 2  # a transposition is two
    assert typo("Jaws", random.Random(1)) == "Jaws"  # too short to misspell


@pytest.fixture
def catalog(store: GraphStore) -> GraphStore:
    movies = [("m:matrix", "The Matrix (1999)", 40), ("m:jaws", "Jaws (1975)", 30), ("m:help", "The Help (2011)", 5)]
    store.write(
        "UNWIND $movies AS m MERGE (i:Item:Movie {id: m.id}) SET i.name = m.name, i.title = m.name "
        "WITH i, m UNWIND range(1, m.ratings) AS n MERGE (u:User {id: 'u' + n}) MERGE (u)-[:RATED {rating: 4}]->(i)",
        movies=[{"id": i, "name": n, "ratings": r} for i, n, r in movies],
    )
    store.write("CALL db.awaitIndexes(60)")
    return store


def test_examples_are_labelled_by_the_placeholders(catalog: GraphStore, encoder) -> None:
    grounder = Grounder(catalog, encoder, linker=None)
    rendered = rewrite("i loved @1 and thanks for the help", TITLES, "lower", seeded(0))
    examples = linking_examples(grounder, rendered, {"1": "m:matrix"})
    labels = sorted((features["letters"], label) for features, label in examples)
    assert [label for _, label in labels] == [0, 1]  # "the help" (rejected by the rules too) is no mention here
    assert all(features["lower_case_writer"] == 1.0 for features, _ in examples)


def test_training_on_messages_gives_a_linker_the_parser_uses(catalog: GraphStore, encoder, tmp_path: Path) -> None:
    texts = ["i loved @1", "what about @3?", "@1 and @3 are great", "@3, thanks for the help"] * 20
    messages = [DialogueMessage(f"m{n}", text, TITLES, ()) for n, text in enumerate(texts)]
    rules = Grounder(catalog, encoder, linker=None)
    linker = train_linker(rules, messages, {"1": "m:matrix", "3": "m:jaws"}, renderings=("lower", "canonical"))
    assert linker.about["messages"] == 80 and linker.about["positives"] > 0
    with pytest.raises(ValueError, match="rules-only"):
        train_linker(Grounder(catalog, encoder), messages, {})
    linker.save(tmp_path / LINKER_FILE)
    parser = build_parser(Settings(model_dir=tmp_path), catalog)
    embedded = parser if isinstance(parser, EmbeddedParser) else None
    assert embedded is not None and embedded.grounder.linker == linker
    assert [m.entity.node_id for m in embedded.parse("i loved the matrix").mentions] == ["m:matrix"]


def test_people_named_in_full_are_written_by_their_surname() -> None:
    text = "I like Tom Hanks and tom hanks again, and Meryl Streep."
    surnames = {"Tom Hanks": "Hanks", "Meryl Streep": "Streep", "Nobody Here": "Here"}
    rendered = render_people(text, surnames, "surname_lower", seeded(1))
    assert rendered.text == "I like hanks and tom hanks again, and streep."
    spans = [(rendered.text[a:b], name) for a, b, name in rendered.spans]
    assert spans == [("hanks", "Tom Hanks"), ("streep", "Meryl Streep")]
    misspelt = render_people(text, surnames, "surname_typo", seeded(1))
    assert misspelt.text.startswith("I like Hanks and")  # five letters: too short to misspell
    start, end, _ = misspelt.spans[1]
    assert Levenshtein.distance(misspelt.text[start:end], "Streep") in (1, 2)
