"""Path ranking: embedding scores of explanation paths, one reason per path first, sentences and Browser queries."""

from __future__ import annotations

import numpy as np
import pytest

from api.services.explainer import PathScorer, rank_paths
from gnn.data import NodeIndex
from gnn.model_store import TrainedModel
from graph.paths import GraphPath, PathNode, PathRelationship

USER = PathNode("User", "u:1", "u:1")
FARGO = PathNode("Item", "i:fargo", "Fargo (1996)")
LEBOWSKI = PathNode("Item", "i:lebowski", "The Big Lebowski (1998)")
BLOOD_SIMPLE = PathNode("Item", "i:blood", "Blood Simple (1984)")
NEW_ITEM = PathNode("Item", "i:new", "Not In The Model (2024)")  # imported after training: no embedding
COEN = PathNode("Person", "p:coen", "Joel Coen")
BRIDGES = PathNode("Person", "p:bridges", "Jeff Bridges")
COMEDY = PathNode("Genre", "comedy", "comedy")


def model() -> TrainedModel:
    """Unit embeddings in 4 dimensions: Lebowski along x; Blood Simple, Coen, Fargo and Bridges less and less close to
    it; comedy orthogonal."""
    items = ["i:blood", "i:fargo", "i:lebowski"]
    index = NodeIndex.from_lists(
        {"User": ["u:1"], "Item": items, "Genre": ["comedy"], "Person": ["p:bridges", "p:coen"]}
    )
    vectors = {
        ("User", "u:1"): [0.0, 0.0, 0.0, 1.0],
        ("Item", "i:blood"): [0.96, 0.28, 0.0, 0.0],
        ("Item", "i:fargo"): [0.6, 0.8, 0.0, 0.0],
        ("Item", "i:lebowski"): [1.0, 0.0, 0.0, 0.0],
        ("Genre", "comedy"): [0.0, 0.0, 1.0, 0.0],
        ("Person", "p:bridges"): [0.6, 0.0, 0.8, 0.0],
        ("Person", "p:coen"): [0.8, 0.6, 0.0, 0.0],
    }
    embeddings = np.zeros((len(vectors), 4), dtype=np.float32)
    for (label, node_id), vector in vectors.items():
        embeddings[index.offset(label) + index.positions[label][node_id]] = vector
    return TrainedModel(config={}, index=index, embeddings=embeddings, metrics={})


def via(anchor: PathNode, middle: PathNode, target: PathNode, kind: str = "DIRECTED") -> GraphPath:
    """user -RATED-> anchor <-kind- middle -kind-> target (people), or anchor -IN_GENRE-> genre <-IN_GENRE- target."""
    rated = PathRelationship("RATED", 0, 1, {"rating": 5})
    if middle.label == "Genre":
        rels = (rated, PathRelationship("IN_GENRE", 1, 2, {}), PathRelationship("IN_GENRE", 3, 2, {}))
    else:
        rels = (rated, PathRelationship(kind, 2, 1, {}), PathRelationship(kind, 2, 3, {}))
    return GraphPath((USER, anchor, middle, target), rels)


def test_paths_through_entities_close_to_the_item_rank_first_with_one_path_per_reason() -> None:
    scorer = PathScorer(model())
    candidates = [
        via(FARGO, COMEDY, LEBOWSKI),
        via(FARGO, COEN, LEBOWSKI),
        via(FARGO, BRIDGES, LEBOWSKI, "ACTED_IN"),
        via(BLOOD_SIMPLE, COEN, LEBOWSKI),
    ]
    ranked = rank_paths(scorer, None, {"i:lebowski": candidates}, limit=2)["i:lebowski"]
    # Without a user vector a path scores the mean cosine of its inner nodes to the item, plus 0.01 / hops. The
    # second path through Coen (0.7) outscores the one through Bridges (0.6), but another reason goes first.
    assert [(e.nodes[1].id, e.nodes[2].id) for e in ranked] == [("i:blood", "p:coen"), ("i:fargo", "p:bridges")]
    assert ranked[0].score == pytest.approx((0.96 + 0.8) / 2 + 0.01 / 3, abs=1e-4)
    assert ranked[1].score == pytest.approx((0.6 + 0.6) / 2 + 0.01 / 3, abs=1e-4)
    assert ranked[0].text == (
        "You rated Blood Simple (1984) 5/5, directed by Joel Coen, who also directed The Big Lebowski (1998)."
    )
    assert ranked[1].cypher == (
        "MATCH path = (n0:User {id: 'u:1'})-[:RATED]->(n1:Item {id: 'i:fargo'})<-[:ACTED_IN]-"
        "(n2:Person {id: 'p:bridges'})-[:ACTED_IN]->(n3:Item {id: 'i:lebowski'}) RETURN path"
    )
    # Once every reason has its path, the remaining ones fill up the list, which is then in score order.
    every = rank_paths(scorer, None, {"i:lebowski": candidates}, limit=4)["i:lebowski"]
    assert [(e.nodes[1].id, e.nodes[2].id) for e in every] == [
        ("i:blood", "p:coen"),
        ("i:fargo", "p:coen"),
        ("i:fargo", "p:bridges"),
        ("i:fargo", "comedy"),
    ]


def test_every_item_of_a_list_is_scored_against_its_own_end_and_the_user() -> None:
    scorer = PathScorer(model())
    user = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)  # leans towards Fargo's second axis
    found = {
        "i:lebowski": [via(FARGO, COEN, LEBOWSKI)],
        "i:fargo": [via(LEBOWSKI, COEN, FARGO), via(LEBOWSKI, BRIDGES, FARGO, "ACTED_IN")],
        "i:new": [via(FARGO, COEN, NEW_ITEM)],  # no embedding for the end: the user's side alone
        "i:none": [],
    }
    scores = scorer.scores(user, found)
    # Each inner node (the rated movie, then the person) averages its cosine to the item and to the user.
    bonus = 0.01 / 3
    fargo_then_coen_to_lebowski = ((0.6 + 0.8) / 2 + (0.8 + 0.6) / 2) / 2
    lebowski_then_coen_to_fargo = ((0.6 + 0.0) / 2 + (0.96 + 0.6) / 2) / 2
    lebowski_then_bridges_to_fargo = ((0.6 + 0.0) / 2 + (0.36 + 0.0) / 2) / 2
    assert scores["i:lebowski"] == pytest.approx([fargo_then_coen_to_lebowski + bonus], abs=1e-5)
    assert scores["i:fargo"] == pytest.approx(
        [lebowski_then_coen_to_fargo + bonus, lebowski_then_bridges_to_fargo + bonus], abs=1e-5
    )
    assert scores["i:new"] == pytest.approx([(0.8 + 0.6) / 2 + bonus], abs=1e-5)  # Fargo and Coen to the user
    assert scores["i:none"] == []
    ranked = rank_paths(scorer, user, found, limit=3)
    assert [e.nodes[2].id for e in ranked["i:fargo"]] == ["p:coen", "p:bridges"]
    assert ranked["i:none"] == []


def test_without_a_model_shorter_paths_win() -> None:
    short = GraphPath(
        (USER, COEN, LEBOWSKI),
        (PathRelationship("PREFERS", 0, 1, {"polarity": "like"}), PathRelationship("DIRECTED", 1, 2, {})),
    )
    ranked = rank_paths(PathScorer(None), None, {"i:lebowski": [via(FARGO, COEN, LEBOWSKI), short]}, limit=1)
    assert [len(e.nodes) for e in ranked["i:lebowski"]] == [3]
    assert ranked["i:lebowski"][0].text == "You said you like Joel Coen, who directed The Big Lebowski (1998)."


def test_a_path_from_what_the_user_just_asked_for_leads_with_its_own_score() -> None:
    asked = GraphPath(
        (USER, BRIDGES, LEBOWSKI),
        (PathRelationship("PREFERS", 0, 1, {"polarity": "like"}), PathRelationship("ACTED_IN", 1, 2, {})),
    )
    candidates = [via(BLOOD_SIMPLE, COEN, LEBOWSKI), asked]
    plain = rank_paths(PathScorer(model()), None, {"i:lebowski": candidates}, limit=2)["i:lebowski"]
    assert [e.nodes[1].id for e in plain] == ["i:blood", "p:bridges"]  # Coen's path is closer to the item
    asked_for = {("Person", "p:bridges")}
    ranked = rank_paths(PathScorer(model()), None, {"i:lebowski": candidates}, limit=2, requested=asked_for)
    first, second = ranked["i:lebowski"]
    assert first.text == "You said you like Jeff Bridges, who acted in The Big Lebowski (1998)."
    assert (first.score, second.score) == (plain[1].score, plain[0].score)  # the scores are the paths' own
