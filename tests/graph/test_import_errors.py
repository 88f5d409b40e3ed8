"""Bad input gives an error that names the file and line, and writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.db import GraphStore
from graph.errors import DataFileError
from graph.importers.movielens import import_movielens
from graph.importers.redial import import_redial
from graph.stats import total_counts


@pytest.fixture
def movielens_copy(data_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ml"
    shutil.copytree(data_dir / "movielens-100k", target)
    return target


def _replace_line(path: Path, number: int, text: str, encoding: str = "latin-1") -> None:
    lines = path.read_text(encoding=encoding).splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding=encoding)


def test_missing_directory_names_the_file(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"u\.genre: file not found"):
        import_movielens(store, tmp_path / "nowhere")


def test_malformed_rating_row_names_file_and_line_and_writes_nothing(store: GraphStore, movielens_copy: Path) -> None:
    _replace_line(movielens_copy / "u.data", 50_000, "196\t242\t3")
    with pytest.raises(DataFileError) as error:
        import_movielens(store, movielens_copy)
    assert error.value.line == 50_000
    assert str(error.value).endswith("u.data, line 50000: expected 4 '\\t'-separated fields, found 3")
    assert total_counts(store) == (0, 0)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("196\t242\t9\t881250949", "rating must be between 1 and 5, got 9"),
        ("196\t99999\t3\t881250949", "item 99999 is not in u.item"),
        ("abc\t242\t3\t881250949", "user id must be an integer, got 'abc'"),
    ],
)
def test_invalid_rating_values_are_rejected(store: GraphStore, movielens_copy: Path, line: str, message: str) -> None:
    _replace_line(movielens_copy / "u.data", 7, line)
    with pytest.raises(DataFileError, match=f"line 7: {message}"):
        import_movielens(store, movielens_copy)
    assert total_counts(store) == (0, 0)


def test_wrong_encoding_names_the_line(store: GraphStore, data_dir: Path) -> None:
    with pytest.raises(DataFileError, match=r"u\.item, line \d+: cannot be decoded as utf-8"):
        import_movielens(store, data_dir / "movielens-100k", encoding="utf-8")


def test_unknown_encoding_is_a_clear_error(store: GraphStore, data_dir: Path) -> None:
    with pytest.raises(DataFileError, match="unknown text encoding 'klingon-8'"):
        import_movielens(store, data_dir / "movielens-100k", encoding="klingon-8")


def test_broken_json_names_the_line(store: GraphStore, data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "redial"
    shutil.copytree(data_dir / "redial", target)
    (target / "kg.json").write_text('{"0": [[0, 1],\n  [1, ]]}')
    with pytest.raises(DataFileError, match=r"kg\.json, line 2: invalid JSON"):
        import_redial(store, target)
    assert total_counts(store) == (0, 0)
