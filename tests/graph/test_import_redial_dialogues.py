"""Past ReDial conversations as seeker users with PREFERS edges, split into folds by conversation id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.redial_dialogues import conversation_fold, import_redial_dialogues, read_dialogue_preferences

DIALOGUES = [
    {  # the seeker's own answers win over the recommender's; "liked": 2 records nothing
        "conversationId": "101",
        "initiatorQuestions": {"1": {"liked": 1}, "2": {"liked": 0}, "3": {"liked": 2}},
        "respondentQuestions": {"1": {"liked": 0}, "4": {"liked": 1}},
    },
    {"conversationId": "102", "initiatorQuestions": {"9": {"liked": 1}, "2": {"liked": 1}}, "respondentQuestions": []},
]


def write_dialogues(path: Path, dialogues: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(d) for d in dialogues) + "\n", encoding="utf-8")
    return path


def preferences(store: GraphStore) -> set[tuple[str, str, str]]:
    rows = store.read(
        "MATCH (u:User)-[p:PREFERS]->(m:Item) RETURN u.id AS user, m.redial_id AS movie, p.polarity AS polarity"
    )
    return {(r["user"], r["movie"], r["polarity"]) for r in rows}


def test_seekers_get_their_answers_as_preferences_idempotently(store: GraphStore, tmp_path: Path) -> None:
    store.write("UNWIND ['1', '2', '3', '4'] AS id CREATE (:Item:Movie {id: 'redial:' + id, redial_id: id})")
    path = write_dialogues(tmp_path / "dialogues.jsonl", DIALOGUES)
    expected = {
        ("redial-seeker:101", "1", "like"),
        ("redial-seeker:101", "2", "dislike"),
        ("redial-seeker:101", "4", "like"),
        ("redial-seeker:102", "2", "like"),  # movie 9 is not in the catalog: skipped
    }
    first = import_redial_dialogues(store, path)
    assert preferences(store) == expected
    second = import_redial_dialogues(store, path)
    assert first == second == {"seekers": 2, "preferences": 4}
    assert preferences(store) == expected


def test_holdout_folds_partition_the_conversations(tmp_path: Path, data_dir: Path) -> None:
    path = data_dir / "redial" / "valid_data.jsonl"
    every = {row["user"] for row in read_dialogue_preferences(path)}
    kept = [{row["user"] for row in read_dialogue_preferences(path, 2, holdout)} for holdout in (0, 1)]
    assert kept[0] | kept[1] == every and not kept[0] & kept[1]
    assert 0.4 < len(kept[0]) / len(every) < 0.6
    for holdout, users in enumerate(kept):
        assert all(conversation_fold(user.removeprefix("redial-seeker:"), 2) != holdout for user in users)
    inner = {row["user"] for row in read_dialogue_preferences(path, 4, (1, 2, 3))}  # learn from one fold of four
    assert inner < kept[1] and all(conversation_fold(u.removeprefix("redial-seeker:"), 4) == 0 for u in inner)


def test_a_malformed_dialogue_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(DIALOGUES[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"bad.jsonl, line 2"):
        read_dialogue_preferences(path)
    with pytest.raises(ValueError, match="holdout fold"):
        read_dialogue_preferences(path, folds=2, holdout_fold=2)
    with pytest.raises(ValueError, match="holdout fold"):
        read_dialogue_preferences(path, folds=4, holdout_fold=(1, 4))
