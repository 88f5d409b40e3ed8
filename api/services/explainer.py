"""Explanations: rank the graph's real paths from a user to an item by an embedding score and say each in one
sentence, with the Cypher that shows it in the Neo4j Browser."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from api.schemas import Explanation
from gnn.model_store import TrainedModel
from graph.paths import GraphPath, PathNode, display_query

# Relationship type -> (passive phrase for "X, <phrase> P", active verb for "P <verb> Y").
_ROLES = {
    "DIRECTED": ("directed by", "directed"),
    "ACTED_IN": ("starring", "acted in"),
    "WROTE": ("written by", "wrote"),
}


class PathScorer:
    """Scores paths with the model's embeddings: the mean cosine similarity of a path's inner nodes to the item
    (and to the user's vector when there is one). A path through entities close to both ends explains best;
    shorter paths win ties (a 0.01 / hops bonus)."""

    def __init__(self, model: TrainedModel | None) -> None:
        self.model = model
        self.unit: np.ndarray | None = None
        self.offsets: dict[str, int] = {}
        if model is not None:
            norms = np.linalg.norm(model.embeddings, axis=1, keepdims=True)
            self.unit = model.embeddings / np.maximum(norms, 1e-12)
            self.offsets = {label: model.index.offset(label) for label in model.index.ids}

    def _row(self, node: PathNode) -> int | None:
        if self.model is None:
            return None
        position = self.model.index.positions.get(node.label, {}).get(node.id)
        return None if position is None else self.offsets[node.label] + position

    def scores(self, user_vector: np.ndarray | None, found: dict[str, list[GraphPath]]) -> dict[str, list[float]]:
        """One score per path of each item's list (the paths of a list end at that item), in one pass over the
        embeddings for all items."""
        flat = [path for paths in found.values() for path in paths]
        means = self._means(user_vector, flat)
        scored = [float(m) + 0.01 / max(len(p.relationships), 1) for m, p in zip(means, flat, strict=True)]
        by_item, start = {}, 0
        for item_id, paths in found.items():
            by_item[item_id] = scored[start : start + len(paths)]
            start += len(paths)
        return by_item

    def _means(self, user_vector: np.ndarray | None, paths: list[GraphPath]) -> np.ndarray:
        """Per path, the mean over its inner nodes of their cosine to the path's end and to the user (each node
        averages the ones it has); 0 for a path without any embedded inner node."""
        owners, rows, targets = [], [], []
        for index, path in enumerate(paths):
            target = self._row(path.nodes[-1])
            for node in path.nodes[1:-1]:
                row = self._row(node)
                if row is not None:
                    owners.append(index)
                    rows.append(row)
                    targets.append(-1 if target is None else target)
        if self.unit is None or not rows:
            return np.zeros(len(paths))
        inner = self.unit[rows]
        target_rows = np.array(targets)
        has_target = target_rows >= 0
        total = np.where(has_target, np.einsum("ij,ij->i", inner, self.unit[np.maximum(target_rows, 0)]), 0.0)
        parts = has_target.astype(float)
        if user_vector is not None:
            total += inner @ (user_vector / max(float(np.linalg.norm(user_vector)), 1e-12))
            parts += 1.0
        sims = np.divide(total, parts, out=np.zeros(len(rows)), where=parts > 0)
        owner_index = np.array(owners)
        totals = np.bincount(owner_index, weights=sims, minlength=len(paths))
        counts = np.bincount(owner_index[parts > 0], minlength=len(paths))
        return np.divide(totals, counts, out=np.zeros(len(paths)), where=counts > 0)


def rank_paths(
    scorer: PathScorer,
    user_vector: np.ndarray | None,
    found: dict[str, list[GraphPath]],
    limit: int = 3,
    requested: Collection[tuple[str, str]] = (),
) -> dict[str, list[Explanation]]:
    """For each item, its `limit` best paths, preferring different reasons (the entity next to the item); paths from
    an entity the user just asked for (`requested`, (label, id): "something with jim carrey") come first."""
    scores = scorer.scores(user_vector, found)
    return {
        item_id: _best(list(zip(scores[item_id], paths, strict=True)), limit, set(requested))
        for item_id, paths in found.items()
    }


def _best(scored: list[tuple[float, GraphPath]], limit: int, requested: set[tuple[str, str]]) -> list[Explanation]:
    def order(sp: tuple[float, GraphPath]) -> tuple[bool, float]:
        anchor = sp[1].nodes[1]
        return (anchor.label, anchor.id) not in requested, -sp[0]

    scored.sort(key=order)
    chosen: list[tuple[float, GraphPath]] = []
    reasons: set[tuple[str, str]] = set()
    for score, path in scored:  # first pass: one path per reason (a person, a genre, a co-rater)
        reason = (path.nodes[-2].label, path.nodes[-2].id)
        if reason not in reasons and len(chosen) < limit:
            chosen.append((score, path))
            reasons.add(reason)
    for score, path in scored:  # then fill up with the best remaining ones
        if len(chosen) >= limit:
            break
        if all(path is not other for _, other in chosen):
            chosen.append((score, path))
    chosen.sort(key=order)
    return [to_explanation(path, score) for score, path in chosen]


def to_explanation(path: GraphPath, score: float) -> Explanation:
    """The API form of a path: structure, sentence and Browser query (validated as one nested value)."""
    return Explanation.model_validate(
        {
            "text": render(path),
            "score": round(score, 4),
            "nodes": [{"label": n.label, "id": n.id, "name": n.name} for n in path.nodes],
            "relationships": [
                {"type": r.type, "start": r.start, "end": r.end, "properties": r.properties} for r in path.relationships
            ],
            "cypher": display_query(path),
        }
    )


def render(path: GraphPath) -> str:
    """One sentence for a path, e.g. "You liked Fargo (1996), directed by Joel Coen, who also directed The Big
    Lebowski (1998).\""""
    nodes, rels = path.nodes, path.relationships
    anchor, target = nodes[1], nodes[-1]
    opening = _opening(rels[0].type, rels[0].properties, anchor)
    if len(nodes) == 3:  # user -> preferred person or genre -> item
        if anchor.label == "Person":
            return f"{opening}, who {_ROLES[rels[1].type][1]} {target.name}."
        if anchor.label == "Tag":
            return f"{opening}, and people tag {target.name} “{anchor.name}”."
        return f"{opening}, and {target.name} is {_genre_phrase(anchor)}."
    middle = nodes[2]
    if middle.label == "Person":
        passive, active = _ROLES[rels[1].type][0], _ROLES[rels[2].type][1]
        return f"{opening}, {passive} {middle.name}, who also {active} {target.name}."
    if middle.label == "Genre":
        return f"{opening}, {_genre_phrase(middle)}, and so is {target.name}."
    if middle.label == "Tag":
        return f"{opening}, which people tag “{middle.name}”, as they tag {target.name}."
    if middle.label == "User":
        return f"{opening}; another viewer who liked it too also liked {target.name}."
    return f"{opening}, which leads to {target.name}."


def _opening(rel_type: str, properties: dict[str, object], anchor: PathNode) -> str:
    if rel_type == "RATED":
        rating = properties.get("rating")
        return (
            f"You rated {anchor.name} {rating:g}/5" if isinstance(rating, int | float) else f"You rated {anchor.name}"
        )
    if rel_type == "FEEDBACK":
        return f"You accepted {anchor.name}"
    return f"You said you like {anchor.name}"


def _genre_phrase(genre: PathNode) -> str:
    name = genre.name
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name} movie"
