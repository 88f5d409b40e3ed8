"""Item-to-item evidence: co-likes from past conversations and shared attributes, scaled per signal."""

from __future__ import annotations

import numpy as np
import pytest

from gnn.neighbours import SIGNALS, ItemNeighbours

ITEMS = ["fargo", "lebowski", "raising-arizona", "titanic", "jaws"]
CO_LIKED = [("fargo", "lebowski", 4), ("fargo", "titanic", 1), ("jaws", "lebowski", 1), ("fargo", "ghost", 9)]
ATTRIBUTES = [
    ("fargo", "DIRECTED", "coen"),
    ("lebowski", "DIRECTED", "coen"),
    ("raising-arizona", "DIRECTED", "coen"),
    ("fargo", "IN_GENRE", "crime"),
    ("jaws", "IN_GENRE", "thriller"),
    ("titanic", "ACTED_IN", "dicaprio"),
]


@pytest.fixture
def neighbours() -> ItemNeighbours:
    return ItemNeighbours(ITEMS, CO_LIKED, ATTRIBUTES)


def test_co_likes_rank_what_people_liked_together(neighbours: ItemNeighbours) -> None:
    evidence = neighbours.evidence({"fargo": 1.0})
    assert set(evidence) == set(SIGNALS)
    co = dict(zip(ITEMS, evidence["co_liked"], strict=True))
    assert co["lebowski"] == pytest.approx(1.0) and 0 < co["titanic"] < co["lebowski"]
    assert co["fargo"] == 0 and co["jaws"] == 0 and co["raising-arizona"] == 0  # unknown "ghost" is ignored


def test_shared_people_and_genres_count_but_not_the_item_itself(neighbours: ItemNeighbours) -> None:
    evidence = neighbours.evidence({"fargo": 1.0})
    directed = dict(zip(ITEMS, evidence["DIRECTED"], strict=True))
    assert directed == {"fargo": 0.0, "lebowski": 1.0, "raising-arizona": 1.0, "titanic": 0.0, "jaws": 0.0}
    assert not evidence["IN_GENRE"].any()  # nobody else is a crime movie
    assert not evidence["ACTED_IN"].any() and not evidence["WROTE"].any()


def test_weights_add_up_and_nothing_liked_gives_no_evidence(neighbours: ItemNeighbours) -> None:
    both = neighbours.evidence({"fargo": 1.0, "jaws": 1.0, "nobody-knows": 3.0, "titanic": -1.0})["co_liked"]
    assert np.argmax(both) == ITEMS.index("lebowski") and both.max() == pytest.approx(1.0)
    for values in neighbours.evidence({}).values():
        assert values.shape == (len(ITEMS),) and not values.any()


def test_liked_genres_and_people_bring_their_items(neighbours: ItemNeighbours) -> None:
    evidence = neighbours.evidence({}, {"thriller": 1.0, "coen": 0.5, "nobody": 1.0})
    assert dict(zip(ITEMS, evidence["IN_GENRE"], strict=True)) == {
        "fargo": 0.0,
        "lebowski": 0.0,
        "raising-arizona": 0.0,
        "titanic": 0.0,
        "jaws": 1.0,
    }
    assert evidence["DIRECTED"][ITEMS.index("lebowski")] == pytest.approx(1.0) and not evidence["co_liked"].any()
