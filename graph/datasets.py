"""Download the public data sets for real users, with checksums. Tests never call this (no network there)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from graph.errors import DataFileError


@dataclass(frozen=True)
class Dataset:
    """A downloadable archive, its published MD5 (None where GroupLens publishes none that we pinned) and the
    SHA-256 of the files we read from it (always checked)."""

    url: str
    archive_md5: str | None
    folder_in_archive: str
    file_sha256: dict[str, str]


DATASETS: dict[str, Dataset] = {
    "movielens-100k": Dataset(
        url="https://files.grouplens.org/datasets/movielens/ml-100k.zip",
        archive_md5="0e33842e24a9c977be4e0107933c0723",
        folder_in_archive="ml-100k",
        file_sha256={
            "u.data": "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490",
            "u.item": "553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701",
            "u.user": "f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c",
            "u.genre": "9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb",
            "u.occupation": "cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d",
        },
    ),
    "movielens-latest-small": Dataset(
        url="https://files.grouplens.org/datasets/movielens/ml-latest-small.zip",
        archive_md5=None,
        folder_in_archive="ml-latest-small",
        file_sha256={
            "ratings.csv": "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646",
            "movies.csv": "5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07",
            "links.csv": "97ad18e4e56a09363c65676b6cb3482ce3e2cea2372a24620c1599c843325f31",
            "tags.csv": "92a9f8bb7916dceef6151209845788c3643f794dfa79d1feaec7121b5960399d",
        },
    ),
}


def verify_files(directory: Path, dataset: Dataset) -> None:
    """Raise DataFileError unless every expected file is in `directory` with its SHA-256."""
    for name, expected in dataset.file_sha256.items():
        path = directory / name
        if not path.is_file():
            raise DataFileError(path, "file not found")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise DataFileError(path, f"SHA-256 is {actual}, expected {expected}: the file is corrupt or altered")


def fetch(name: str, data_dir: Path, timeout_s: float = 120.0) -> Path:
    """Download data set `name` into `data_dir/name` (skipped when already there and intact); returns the folder."""
    dataset = DATASETS[name]
    target = data_dir / name
    try:
        verify_files(target, dataset)
        return target
    except DataFileError:
        pass
    response = httpx.get(dataset.url, timeout=timeout_s, follow_redirects=True)
    response.raise_for_status()
    archive = response.content
    digest = hashlib.md5(archive, usedforsecurity=False).hexdigest()
    if dataset.archive_md5 is not None and digest != dataset.archive_md5:
        raise DataFileError(dataset.url, f"MD5 is {digest}, expected {dataset.archive_md5}")
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        for name_in_zip in dataset.file_sha256:
            (target / name_in_zip).write_bytes(bundle.read(f"{dataset.folder_in_archive}/{name_in_zip}"))
    verify_files(target, dataset)
    return target
