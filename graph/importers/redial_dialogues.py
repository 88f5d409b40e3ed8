"""ReDial dialogues (`valid_data.jsonl`) as the graph's memory of past conversations: one `User` per seeker
conversation, `(User)-[:PREFERS {polarity, weight, source: 'redial'}]->(Item)` for every movie whose liked / disliked
answer the seeker gave. Dialogues are split into folds by conversation id, so a benchmark can learn from some folds
and evaluate on the held-out one: no dialogue is both learned from and evaluated on."""

from __future__ import annotations

import hashlib
import json
from collections import ChainMap
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.batches import write_batches
from graph.importers.readers import read_lines
from graph.search import items_by_redial_id

SEEKER_PREFIX = "redial-seeker:"
LIKED_ANSWERS = {0: "dislike", 1: "like"}  # 2 = "did not say": no preference is recorded


def conversation_fold(conversation_id: str, folds: int) -> int:
    """The fold (0 … folds-1) of a conversation: stable across machines and runs (SHA-256 of the id)."""
    digest = hashlib.sha256(str(conversation_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


def read_dialogue_preferences(
    path: Path, folds: int = 2, holdout_fold: int | Collection[int] | None = None
) -> list[dict[str, Any]]:
    """Rows `{user, redial_id, polarity}` from the seekers' liked answers, skipping dialogues of `holdout_fold` (one
    fold or several).

    The seeker's own answers (`initiatorQuestions`) win; the recommender's answers about the seeker
    (`respondentQuestions`) fill in movies the seeker did not answer for.
    """
    skipped = {holdout_fold} if isinstance(holdout_fold, int) else set(holdout_fold or ())
    if folds < 1 or not all(0 <= fold < folds for fold in skipped):
        raise ValueError(f"holdout fold must be in 0..{folds - 1}, got {holdout_fold}")
    rows: list[dict[str, Any]] = []
    for number, text in read_lines(path, "utf-8"):
        try:
            dialogue = json.loads(text)
            conversation = str(dialogue["conversationId"])
            answers = [dialogue.get("respondentQuestions") or {}, dialogue.get("initiatorQuestions") or {}]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataFileError(path, f"not a ReDial dialogue ({exc})", number) from exc
        if skipped and conversation_fold(conversation, folds) in skipped:
            continue
        merged: dict[str, Any] = {}
        for source in answers:  # later sources overwrite earlier ones: the seeker's own answers win
            if not isinstance(source, dict):
                raise DataFileError(path, "movie answers must be an object keyed by movie id", number)
            merged.update({movie: answer for movie, answer in source.items() if _liked(answer) in LIKED_ANSWERS})
        rows.extend(
            {"user": SEEKER_PREFIX + conversation, "redial_id": str(movie), "polarity": LIKED_ANSWERS[_liked(answer)]}
            for movie, answer in sorted(merged.items())
        )
    return rows


@dataclass(frozen=True)
class DialogueMessage:
    """One message of a ReDial dialogue: `text` with `@id` placeholders, the `titles` they stand for (the dialogue's
    own `movieMentions` over the catalog's), the names its `entity` list marks, and a `seed` that names it."""

    seed: str
    text: str
    titles: Mapping[str, str]
    entities: tuple[str, ...]


def read_dialogue_messages(
    path: Path, titles: dict[str, str], folds: int = 2, only_fold: int | None = None
) -> list[DialogueMessage]:
    """Every message of the dialogues (of `only_fold` when given)."""
    messages = []
    for number, text in read_lines(path, "utf-8"):
        try:
            dialogue = json.loads(text)
            conversation = str(dialogue["conversationId"])
            mentioned = {str(k): v for k, v in (dialogue.get("movieMentions") or {}).items() if v}
            turns = [
                (str(m.get("turn_id", i)), str(m["text"]), tuple(map(str, m.get("entity") or ())))
                for i, m in enumerate(dialogue["messages"])
            ]
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise DataFileError(path, f"not a ReDial dialogue ({exc})", number) from exc
        if only_fold is not None and conversation_fold(conversation, folds) != only_fold:
            continue
        known = ChainMap(mentioned, titles)  # the dialogue's own titles first; the catalog's are not copied
        messages.extend(DialogueMessage(f"{conversation}|{turn}", body, known, names) for turn, body, names in turns)
    return messages


def import_redial_dialogues(
    store: GraphStore,
    path: Path,
    folds: int = 2,
    holdout_fold: int | Collection[int] | None = None,
    batch_size: int = 10_000,
    progress: Progress = no_progress,
) -> dict[str, int]:
    """MERGE the seekers and their preferences (movies missing from the catalog are skipped; the entries of one
    movie are one node); idempotent."""
    rows = read_dialogue_preferences(path, folds, holdout_fold)
    node_of = items_by_redial_id(store, [row["redial_id"] for row in rows])
    rows = [row | {"item": node_of[row["redial_id"]]} for row in rows if row["redial_id"] in node_of]
    write_batches(store, PREFERENCE_QUERY, rows, batch_size, progress, "ReDial dialogue preferences")
    counts = store.read(COUNT_QUERY, prefix=SEEKER_PREFIX)[0]
    return {"seekers": counts["seekers"], "preferences": counts["preferences"]}


def _liked(answer: Any) -> int | None:
    liked = answer.get("liked") if isinstance(answer, dict) else None
    return liked if isinstance(liked, int) else None


PREFERENCE_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {id: row.item})
MERGE (u:User {id: row.user}) ON CREATE SET u.source = 'redial'
MERGE (u)-[p:PREFERS]->(m)
SET p.polarity = row.polarity, p.weight = 1.0, p.source = 'redial'
"""

COUNT_QUERY = """
MATCH (u:User) WHERE u.id STARTS WITH $prefix
OPTIONAL MATCH (u)-[p:PREFERS {source: 'redial'}]->(:Item)
RETURN count(DISTINCT u) AS seekers, count(p) AS preferences
"""
