"""Fixtures of the NLU tests: a small catalog written to a real Neo4j and the embedded parser over it."""

from __future__ import annotations

import pytest

from graph.db import GraphStore
from nlu.embedded import EmbeddedParser
from nlu.encoder import SentenceEncoder
from nlu.grounding import Grounder

MOVIES = [
    ("ml:1", "Jurassic Park (1993)", 1993, ["sci-fi", "adventure"], 40),
    ("ml:2", "Jaws (1975)", 1975, ["horror", "thriller"], 30),
    ("ml:3", "Titanic (1997)", 1997, ["romance", "drama"], 50),
    ("ml:4", "Titanic (1953)", 1953, ["drama"], 2),
    ("ml:5", "Forrest Gump (1994)", 1994, ["comedy", "drama"], 45),
    ("ml:6", "The Matrix (1999)", 1999, ["sci-fi", "action"], 42),
    ("ml:7", "The Shining (1980)", 1980, ["horror"], 20),
    ("ml:8", "Superbad (2007)", 2007, ["comedy"], 10),
    ("ml:9", "It (2017)", 2017, ["horror"], 8),
    ("ml:10", "The Help (2011)", 2011, ["drama"], 12),
]
PEOPLE = [("redial:1", "Steven Spielberg", ["ml:1", "ml:2"]), ("redial:2", "Tom Hanks", ["ml:5"])]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


@pytest.fixture
def parser(store: GraphStore, encoder: SentenceEncoder) -> EmbeddedParser:
    store.write(
        """
        UNWIND $movies AS m
        MERGE (i:Item:Movie {id: m.id}) SET i.name = m.name, i.title = m.name, i.year = m.year
        WITH i, m
        UNWIND m.genres AS g
        MERGE (genre:Genre {id: g}) SET genre.name = g
        MERGE (i)-[:IN_GENRE]->(genre)
        WITH DISTINCT i, m
        UNWIND range(1, m.ratings) AS n
        MERGE (u:User {id: 'ml:' + n})
        MERGE (u)-[:RATED {rating: 4}]->(i)
        """,
        movies=[{"id": i, "name": n, "year": y, "genres": g, "ratings": r} for i, n, y, g, r in MOVIES],
    )
    store.write(
        "UNWIND $people AS p MERGE (x:Person {id: p.id}) SET x.name = p.name "
        "WITH x, p UNWIND p.movies AS m MATCH (i:Item {id: m}) MERGE (x)-[:DIRECTED]->(i)",
        people=[{"id": i, "name": n, "movies": m} for i, n, m in PEOPLE],
    )
    store.write("CALL db.awaitIndexes(60)")
    return EmbeddedParser(Grounder(store, encoder))


@pytest.fixture
def grounder(store: GraphStore, encoder: SentenceEncoder) -> Grounder:
    """The grounder the LLM tests validate proposals with: Fargo, Frances McDormand, three genres."""
    store.write(
        """
        CREATE (fargo:Item:Movie {id: 'ml:100', name: 'Fargo (1996)', title: 'Fargo', year: 1996}),
               (jaws:Item:Movie {id: 'ml:234', name: 'Jaws (1975)', title: 'Jaws', year: 1975}),
               (gump:Item:Movie {id: 'ml:69', name: 'Forrest Gump (1994)', title: 'Forrest Gump', year: 1994}),
               (fm:Person {id: 'redial:1', name: 'Frances McDormand'}),
               (horror:Genre {id: 'horror', name: 'Horror'}), (comedy:Genre {id: 'comedy', name: 'Comedy'}),
               (drama:Genre {id: 'drama', name: 'Drama'}),
               (fm)-[:ACTED_IN]->(fargo), (fargo)-[:IN_GENRE]->(drama), (jaws)-[:IN_GENRE]->(horror),
               (gump)-[:IN_GENRE]->(comedy), (gump)-[:IN_GENRE]->(drama)
        """
    )
    store.write("CALL db.awaitIndexes(300)")
    return Grounder(store, encoder=encoder)
