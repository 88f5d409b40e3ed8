"""The GNN package against a real Neo4j: export, write-back, training, fold-in, scoring config and typed errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from api.cli import app
from gnn.data import build_kg_data
from gnn.errors import CheckpointMismatchError, EmptyGraphError, GNNError, ModelNotFoundError
from gnn.foldin import fold_in, score_items
from gnn.model_store import TrainedModel, load
from gnn.scoring_config import ScoringConfig
from gnn.train import TrainConfig, train
from graph.db import GraphStore
from graph.embeddings import similar_entities, write_back, write_embeddings
from graph.export import export_graph
from graph.schema import clear_database

GROUPS, USERS_PER_GROUP, ITEMS_PER_GROUP, RATED_PER_USER = 4, 10, 20, 14
FAST = TrainConfig(
    dim=16,
    num_layers=2,
    lr=0.05,
    batch_size=512,
    max_epochs=60,
    patience=10,
    eval_every=5,
    val_fraction=0.1,
    device="cpu",
    seed=7,
)


def planted_graph(store: GraphStore) -> None:
    """Users of group g rate only items of group g; those items share genre g and director g."""
    rng = np.random.default_rng(0)
    items = [
        {"id": f"i{g}-{k:02d}", "genre": f"g{g}", "person": f"p{g}"}
        for g in range(GROUPS)
        for k in range(ITEMS_PER_GROUP)
    ]
    ratings = [
        {"user": f"u{g}-{n:02d}", "item": f"i{g}-{k:02d}", "rating": int(rng.integers(1, 6)), "ts": 1000 + k}
        for g in range(GROUPS)
        for n in range(USERS_PER_GROUP)
        for k in rng.choice(ITEMS_PER_GROUP, RATED_PER_USER, replace=False)
    ]
    store.write(
        "UNWIND $items AS row MERGE (i:Item:Movie {id: row.id}) SET i.name = row.id "
        "MERGE (g:Genre {id: row.genre}) SET g.name = row.genre MERGE (i)-[:IN_GENRE]->(g) "
        "MERGE (p:Person {id: row.person}) SET p.name = row.person MERGE (p)-[:DIRECTED]->(i)",
        items=items,
    )
    store.write(
        "UNWIND $rows AS row MERGE (u:User {id: row.user}) WITH u, row MATCH (i:Item {id: row.item}) "
        "MERGE (u)-[r:RATED]->(i) SET r.rating = row.rating, r.ts = row.ts",
        rows=ratings,
    )


def test_export_and_write_back_round_trip(store: GraphStore) -> None:
    planted_graph(store)
    arrays = export_graph(store, node_page_size=15, edge_page_size=12)  # small pages: several cursor steps
    items = sorted(f"i{g}-{k:02d}" for g in range(GROUPS) for k in range(ITEMS_PER_GROUP))
    assert arrays.nodes["Item"].tolist() == items
    assert len(arrays.nodes["User"]) == GROUPS * USERS_PER_GROUP
    expected = {
        (r["u"], r["i"]): (r["rating"], r["ts"])
        for r in store.read(
            "MATCH (u:User)-[r:RATED]->(i:Item) RETURN u.id AS u, i.id AS i, r.rating AS rating, r.ts AS ts"
        )
    }
    rated = arrays.edges["RATED"]
    exported = {
        (u, i): (rating, ts)
        for u, i, rating, ts in zip(rated.src, rated.dst, rated.rating.tolist(), rated.ts.tolist(), strict=True)
    }
    assert exported == expected
    assert len(arrays.edges["DIRECTED"]) == GROUPS * ITEMS_PER_GROUP

    vectors = np.random.default_rng(1).normal(size=(len(items), 8))
    assert write_embeddings(store, "Item", items, vectors, batch_size=30) == len(items)
    stored = store.read("MATCH (n:Item:Entity) RETURN n.id AS id, n.embedding AS embedding ORDER BY n.id")
    assert [row["id"] for row in stored] == items
    assert np.array_equal(np.array([row["embedding"] for row in stored]), vectors)


def test_liked_dialogue_preferences_are_interactions_and_dislikes_are_not(store: GraphStore) -> None:
    planted_graph(store)
    store.write(
        "CREATE (u:User {id: 'seeker'}) WITH u MATCH (a:Item {id: 'i3-00'}), (b:Item {id: 'i3-01'}), "
        "(c:Item {id: 'i1-00'}) CREATE (u)-[:PREFERS {polarity: 'like', source: 'redial'}]->(a), "
        "(u)-[:PREFERS {polarity: 'like', source: 'dialogue'}]->(b), (u)-[:PREFERS {polarity: 'dislike'}]->(c)"
    )
    arrays = export_graph(store)
    assert sorted(zip(arrays.edges["PREFERS"].src, arrays.edges["PREFERS"].dst, strict=True)) == [
        ("seeker", "i3-00"),
        ("seeker", "i3-01"),
    ]
    with_likes, ratings_only = build_kg_data(arrays), build_kg_data(arrays, dialogue_likes=False)
    seeker = with_likes.index.local("User", ["seeker"])[0]
    liked = with_likes.index.ids["Item"][with_likes.rating_item[with_likes.rating_user == seeker]]
    assert sorted(liked.tolist()) == ["i3-00", "i3-01"]
    assert len(with_likes.rating_user) == len(ratings_only.rating_user) + 2
    assert seeker not in ratings_only.rating_user


def planted_precision(store: GraphStore, model: TrainedModel) -> float:
    """Mean precision@5 of every user's unseen items: the share of the user's own group."""
    rated = {}
    for row in store.read("MATCH (u:User)-[:RATED]->(i:Item) RETURN u.id AS u, collect(i.id) AS items"):
        rated[row["u"]] = row["items"]
    precision = []
    for user, seen in rated.items():
        scores = score_items(model, fold_in(model, {}, user_id=user))
        scores[model.index.local("Item", seen)] = -np.inf
        top = model.index.ids["Item"][np.argsort(-scores, kind="stable")[:5]]
        precision.append(np.mean([item.split("-")[0][1:] == user.split("-")[0][1:] for item in top]))
    return float(np.mean(precision))


def test_training_recovers_planted_structure_and_fold_in(store: GraphStore, tmp_path: Path) -> None:
    planted_graph(store)
    metrics = train(export_graph(store), FAST, tmp_path / "model")
    assert metrics["best_epoch"] > 0
    files = ("config.json", "weights.pt", "id_maps.json", "embeddings.npy", "metrics.json", "scoring.json")
    for name in (*files, "training.png"):
        assert (tmp_path / "model" / name).is_file()
    model = load(tmp_path / "model", export_graph(store))

    assert not metrics["sampled"]  # the planted graph fits any memory budget
    assert planted_precision(store, model) >= 0.8  # random: 6 of 66 unseen items are in the user's group, about 0.09

    scores = score_items(model, fold_in(model, {("Person", "p2"): 1.0}))
    group = np.array([item.startswith("i2-") for item in model.index.ids["Item"]])
    assert scores[group].min() > scores[~group].max()
    disliked = score_items(model, fold_in(model, {("Person", "p2"): -1.0}))
    assert disliked[group].max() < disliked[~group].min()

    # A known user of group 0 who now says they love director p2: p2's films climb above the rest of the
    # catalog outside group 0, and the more weight the new preference gets, the higher they climb.
    own = np.array([item.startswith("i0-") for item in model.index.ids["Item"]])
    before = score_items(model, fold_in(model, {}, user_id="u0-00"))
    after = score_items(model, fold_in(model, {("Person", "p2"): 1.0}, user_id="u0-00", preference_share=0.7))
    others = ~group & ~own
    assert np.median(before[group]) < np.median(before[own])
    assert after[group].min() > after[others].max()
    assert (after[group] - after[others].mean()).mean() > (before[group] - before[others].mean()).mean()

    assert write_back(store, model.blocks())["Item"] == GROUPS * ITEMS_PER_GROUP
    # Group 1's users, items, genre and director end up close together (near-ties among them, so no exact rank
    # is asserted): the vector index's nearest neighbours of one of its items all come from group 1.
    hits = similar_entities(store, model.vectors("Item", ["i1-03"])[0], k=10)
    assert len(hits) == 10 and all(hit.id.split("-")[0][1:] == "1" for hit in hits)


def test_training_samples_neighbours_over_the_memory_budget_and_still_learns(store: GraphStore, tmp_path: Path) -> None:
    planted_graph(store)
    config = replace(FAST, memory_budget_mb=0.01, fanout=4, sampled_batch_size=128)  # the planted graph: ~0.04 MB
    metrics = train(export_graph(store), config, tmp_path / "model")
    assert metrics["sampled"]
    assert planted_precision(store, load(tmp_path / "model", export_graph(store))) >= 0.8
    with pytest.raises(GNNError, match="sampling"):
        train(export_graph(store), replace(FAST, sampling="sometimes"), tmp_path / "bad")


def test_training_is_deterministic_on_cpu(store: GraphStore, tmp_path: Path) -> None:
    planted_graph(store)
    arrays = export_graph(store)
    config = TrainConfig(**{**FAST.__dict__, "max_epochs": 5, "patience": 100})
    train(arrays, config, tmp_path / "a")
    train(arrays, config, tmp_path / "b")
    assert np.array_equal(load(tmp_path / "a").embeddings, load(tmp_path / "b").embeddings)


def test_empty_and_edgeless_graphs_raise(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(EmptyGraphError, match="no User and no Item"):
        train(export_graph(store), FAST, tmp_path / "m")
    store.write("CREATE (:User {id: 'u'}), (:Item {id: 'i'})")
    with pytest.raises(EmptyGraphError, match="no RATED"):
        train(export_graph(store), FAST, tmp_path / "m")


def test_missing_model_and_mismatching_checkpoint_raise(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        load(tmp_path / "nowhere")
    planted_graph(store)
    arrays, quick = export_graph(store), TrainConfig(**{**FAST.__dict__, "max_epochs": 2})
    train(arrays, quick, tmp_path / "m")
    (tmp_path / "m" / "weights.pt").unlink()
    with pytest.raises(ModelNotFoundError, match=r"weights\.pt"):
        load(tmp_path / "m")
    train(arrays, quick, tmp_path / "m")
    (tmp_path / "m" / "scoring.json").write_text('{"dialogue_weights": {"prior": -1.0}}')
    with pytest.raises(CheckpointMismatchError, match="scoring configuration"):
        load(tmp_path / "m")
    (tmp_path / "m" / "scoring.json").unlink()  # an older checkpoint without one scores with the defaults
    assert load(tmp_path / "m").scoring == ScoringConfig()
    store.write("CREATE (:Item {id: 'new-item'})")
    with pytest.raises(CheckpointMismatchError, match="Item: 1 new"):
        load(tmp_path / "m", export_graph(store))


def test_cli_train_writes_back_and_reports_bad_input(app_env: None, store: GraphStore, tmp_path: Path) -> None:
    runner = CliRunner()
    model_dir = tmp_path / "cli-model"
    args = ["train", "--model-dir", str(model_dir), "--device", "cpu", "--max-epochs", "3", "--dim", "8"]
    empty = runner.invoke(app, args)
    assert empty.exit_code == 2 and "no User and no Item" in empty.output and "Traceback" not in empty.output
    store.write("CREATE (:User {id: 'u'}), (:Item {id: 'i'})")
    edgeless = runner.invoke(app, args)
    assert edgeless.exit_code == 2 and "no RATED" in edgeless.output
    missing = runner.invoke(app, ["write-back", "--model-dir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 5 and "does not exist" in missing.output
    bad_device = runner.invoke(app, [*args[:3], "--device", "tpu"])
    assert bad_device.exit_code == 7 and "Unknown device" in bad_device.output

    clear_database(store)
    planted_graph(store)
    trained = runner.invoke(app, args)
    assert trained.exit_code == 0, trained.output
    assert (model_dir / "training.png").is_file()
    counts = store.read("MATCH (n:Entity) WHERE n.embedding IS NOT NULL RETURN count(n) AS n")[0]["n"]
    assert counts == GROUPS * (USERS_PER_GROUP + ITEMS_PER_GROUP + 2)  # users, items, one genre and one director

    store.write("CREATE (:Person {id: 'newcomer'})")
    mismatch = runner.invoke(app, ["write-back", "--model-dir", str(model_dir)])
    assert mismatch.exit_code == 6 and "does not match the graph" in mismatch.output
