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
               (t3:Tag {id: 'funny', name: 'funny'}),
               (m)-[:TAGGED {count: 4}]->(t1), (h)-[:TAGGED {count: 2}]->(t2), (m)-[:TAGGED {count: 2}]->(t3),
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


def test_an_everyday_word_alone_is_no_tag(parser: EmbeddedParser) -> None:
    assert not any(label == "Tag" for label, _, _ in found(parser, "that was funny, thanks"))
    assert ("Item", "m1", "like") in found(parser, "i loved back to the future")
