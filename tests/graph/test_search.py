"""Entity lookup for the NLU: the popularity that tells films of one name apart."""

from __future__ import annotations

from graph.db import GraphStore
from graph.search import DIALOGUE_WEIGHT, MIN_RATED_NAMESAKE, entity_catalog


def test_a_rated_film_takes_the_name_from_an_unrated_namesake_with_likes(store: GraphStore) -> None:
    # "The Notebook (2004)" rated by a few users, "The Notebook (2013)" by none but liked in conversations
    # (annotators who picked the wrong year); "Venom (2018)" liked only, its namesake rated by too few to say.
    store.write(
        """
        UNWIND [['nb04', 'The Notebook', 2004], ['nb13', 'The Notebook', 2013],
                ['v82', 'Venom', 1982], ['v18', 'Venom', 2018]] AS m
        CREATE (:Item:Movie {id: m[0], title: m[1], year: m[2], name: m[1] + ' (' + m[2] + ')'})
        WITH count(*) AS created
        UNWIND range(1, $raters) AS n CREATE (:User {id: 'u' + n})
        WITH count(*) AS users
        MATCH (u:User), (nb04:Item {id: 'nb04'}), (nb13:Item {id: 'nb13'}), (v18:Item {id: 'v18'})
        CREATE (u)-[:RATED {rating: 4}]->(nb04), (u)-[:PREFERS {polarity: 'like'}]->(nb13),
               (u)-[:PREFERS {polarity: 'like'}]->(v18)
        WITH count(*) AS written
        MATCH (u:User {id: 'u1'}), (v82:Item {id: 'v82'}) CREATE (u)-[:RATED {rating: 3}]->(v82)
        """,
        raters=MIN_RATED_NAMESAKE,
    )
    popularity = {row["id"]: row["popularity"] for row in entity_catalog(store) if row["label"] == "Item"}
    assert popularity == {
        "nb04": MIN_RATED_NAMESAKE,
        "nb13": 0,
        "v82": 1,
        "v18": DIALOGUE_WEIGHT * MIN_RATED_NAMESAKE,
    }
