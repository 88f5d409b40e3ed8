"""MovieLens tags as entities the embedded parser grounds: a name of several words or an uncommon word is a tag; an
everyday word alone is not; a film, person or genre of the same name comes first."""

from __future__ import annotations

import pytest

from graph.db import GraphStore
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder


@pytest.fixture
def parser(store: GraphStore) -> EmbeddedParser:
    store.write(
        """
        CREATE (m:Item:Movie {id: 'm1', name: 'Back to the Future (1985)', title: 'Back to the Future', year: 1985}),
               (h:Item:Movie {id: 'm2', name: 'Superman (1978)', title: 'Superman', year: 1978}),
               (g:Genre {id: 'comedy', name: 'comedy'}),
               (t1:Tag {id: 'time travel', name: 'time travel'}), (t2:Tag {id: 'superhero', name: 'superhero'}),
               (t3:Tag {id: 'funny', name: 'funny'}), (t4:Tag {id: 'too long', name: 'too long'}),
               (t5:Tag {id: 'overrated', name: 'overrated'}),
               (m)-[:TAGGED {count: 4}]->(t1), (h)-[:TAGGED {count: 2}]->(t2), (m)-[:TAGGED {count: 2}]->(t3),
               (h)-[:TAGGED {count: 3}]->(t4), (h)-[:TAGGED {count: 3}]->(t5),
               (m)-[:IN_GENRE]->(g)
        """
    )
    store.write("CALL db.awaitIndexes(300)")
    return EmbeddedParser(Grounder(store))


def found(parser: EmbeddedParser, text: str) -> set[tuple[str, str, str]]:
    return {(m.entity.label, m.entity.node_id, str(m.polarity)) for m in parser.parse(text).mentions}


def test_tags_are_grounded_with_their_polarity(parser: EmbeddedParser) -> None:
    assert ("Tag", "time travel", "like") in found(parser, "i love movies about time travel")
    assert ("Tag", "superhero", "like") in found(parser, "any good superhero movies?")
    assert ("Tag", "superhero", "dislike") in found(parser, "no superhero stuff please")
    assert ("Tag", "superhero", "dislike") in found(parser, "no more superhero movies please")  # issue 18's words


def test_an_everyday_word_alone_is_no_tag(parser: EmbeddedParser) -> None:
    assert not any(label == "Tag" for label, _, _ in found(parser, "that was funny, thanks"))
    assert ("Item", "m1", "like") in found(parser, "i loved back to the future")


def test_a_judgment_is_the_writers_polarity_not_a_tag(parser: EmbeddedParser) -> None:
    # "too long" and "overrated" are MovieLens tags, but said of a film they are how the writer found it
    assert found(parser, "i hated superman, way too long") == {("Item", "m2", "dislike")}
    assert found(parser, "I thought Superman was overrated") == {("Item", "m2", "dislike")}
