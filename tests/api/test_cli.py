"""The `chatrec` command line against the real test server: results, exit codes and sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.db import GraphStore

runner = CliRunner()


def test_import_demo_then_stats(app_env: None, store: GraphStore) -> None:
    result = runner.invoke(app, ["import", "demo"])
    assert result.exit_code == 0, result.output
    assert "merged_movies" in result.output
    stats = runner.invoke(app, ["stats", "--json"])
    assert stats.exit_code == 0, stats.output
    counts = json.loads(stats.output)
    assert counts["nodes"]["User"] > 943  # MovieLens users plus one per ReDial seeker conversation
    assert counts["relationships"]["PREFERS"] > 0
    assert counts["relationships"]["RATED"] == 100_000 + 100_836  # MovieLens-100K and latest-small
    assert counts["nodes"]["Tag"] > 200
    assert counts["total_nodes"] == sum(v for k, v in counts["nodes"].items() if k != "Movie")


def test_missing_data_folder_exits_2_with_a_sentence(app_env: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "movielens", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "Error:" in result.output and "file not found" in result.output


def test_a_folder_without_imdb_links_exits_2_with_a_sentence(app_env: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "redial", "--imdb-names-from", str(tmp_path)])
    assert result.exit_code == 2
    assert "Error:" in result.output and "links.csv" in result.output


def test_unreachable_neo4j_exits_3(app_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.config import get_settings

    monkeypatch.setenv("CHATREC_NEO4J_URI", "bolt://127.0.0.1:1")
    get_settings.cache_clear()
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 3
    assert "unreachable" in result.output


def test_unknown_data_set_exits_2(app_env: None) -> None:
    result = runner.invoke(app, ["data", "fetch", "movielens-1b"])
    assert result.exit_code == 2
    assert "unknown data set" in result.output


def test_bad_batch_size_is_rejected(app_env: None) -> None:
    result = runner.invoke(app, ["import", "movielens", "--batch-size", "0"])
    assert result.exit_code == 2
