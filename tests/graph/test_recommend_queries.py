"""Graph reads behind scoring: popularity (cold-start prior, last-resort list), co-likes and attributes."""

from __future__ import annotations

from graph.db import GraphStore
from graph.recommend import co_liked_items, item_attributes, item_popularity


def test_popularity_counts_ratings_and_dialogue_likes(store: GraphStore) -> None:
    store.write(
        """
        UNWIND ['a', 'b', 'c'] AS id CREATE (:Item:Movie {id: id})
        WITH count(*) AS created
        UNWIND range(1, 4) AS n CREATE (:User {id: 'u' + n})
        WITH count(*) AS users
        MATCH (a:Item {id: 'a'}), (b:Item {id: 'b'}), (u1:User {id: 'u1'}), (u2:User {id: 'u2'}),
              (u3:User {id: 'u3'}), (u4:User {id: 'u4'})
        CREATE (u1)-[:RATED {rating: 4}]->(a), (u2)-[:RATED {rating: 2}]->(a), (u1)-[:RATED {rating: 5}]->(b),
               (u3)-[:PREFERS {polarity: 'like'}]->(b), (u4)-[:PREFERS {polarity: 'like'}]->(b),
               (u2)-[:PREFERS {polarity: 'dislike'}]->(b)
        """
    )
    assert item_popularity(store) == [("b", 1, 2), ("a", 2, 0), ("c", 0, 0)]


def test_co_likes_and_attributes_are_read_as_they_are(store: GraphStore) -> None:
    store.write(
        """
        UNWIND ['a', 'b', 'c'] AS id CREATE (:Item:Movie {id: id})
        WITH count(*) AS created
        UNWIND ['u1', 'u2', 'u3'] AS id CREATE (:User {id: id})
        WITH count(*) AS users
        MATCH (a:Item {id: 'a'}), (b:Item {id: 'b'}), (c:Item {id: 'c'}),
              (u1:User {id: 'u1'}), (u2:User {id: 'u2'}), (u3:User {id: 'u3'})
        CREATE (u1)-[:PREFERS {polarity: 'like'}]->(a), (u1)-[:PREFERS {polarity: 'like'}]->(b),
               (u2)-[:PREFERS {polarity: 'like'}]->(a), (u2)-[:PREFERS {polarity: 'like'}]->(b),
               (u2)-[:PREFERS {polarity: 'dislike'}]->(c), (u3)-[:PREFERS {polarity: 'like'}]->(c),
               (a)-[:IN_GENRE]->(:Genre {id: 'crime'}), (:Person {id: 'p1'})-[:DIRECTED]->(b)
        """
    )
    assert co_liked_items(store) == [("a", "b", 2)]  # a dislike is no co-like; c is liked alone
    assert sorted(item_attributes(store)) == [("a", "IN_GENRE", "crime"), ("b", "DIRECTED", "p1")]
