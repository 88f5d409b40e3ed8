"""Popularity counts behind the cold-start prior and the last-resort list."""

from __future__ import annotations

from graph.db import GraphStore
from graph.recommend import item_popularity


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
