"""Data set checksums (no network: the download itself is only for real users)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.datasets import DATASETS, fetch, verify_files
from graph.errors import DataFileError


@pytest.mark.parametrize("name", ["movielens-100k", "movielens-latest-small"])
def test_shared_movielens_files_have_the_published_checksums(data_dir: Path, name: str) -> None:
    verify_files(data_dir / name, DATASETS[name])


def test_an_altered_file_is_detected(data_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "movielens-100k"
    shutil.copytree(data_dir / "movielens-100k", copy)
    with (copy / "u.data").open("a") as handle:
        handle.write("1\t1\t5\t0\n")
    with pytest.raises(DataFileError, match=r"u\.data: SHA-256 is [0-9a-f]{64}, expected 0641"):
        verify_files(copy, DATASETS["movielens-100k"])


def test_fetch_keeps_an_intact_copy_without_downloading(data_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(data_dir / "movielens-100k", tmp_path / "movielens-100k")
    assert fetch("movielens-100k", tmp_path, timeout_s=0.001) == tmp_path / "movielens-100k"
