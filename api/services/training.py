"""Training, for `chatrec train` and `POST /v1/admin/train` alike: `train_and_publish` exports the graph, trains
into a staging folder, writes the embeddings back to Neo4j and swaps the new checkpoint in atomically (rename).
`TrainingJobs` runs it in the background, one job at a time, and hands each new model to the service. Job records
live in this process (a replica restart forgets them, not the model)."""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from core.config import get_settings
from core.errors import NotFoundError
from core.progress import Progress, no_progress
from gnn.foldin import inner_product_keys
from gnn.model_store import TrainedModel, load, load_scoring
from gnn.train import TrainConfig, train
from graph.db import GraphStore
from graph.embeddings import write_back
from graph.export import export_graph


def train_config(overrides: dict[str, Any]) -> TrainConfig:
    """TrainConfig's defaults with the settings' memory budget (`CHATREC_TRAIN_MEMORY_BUDGET_MB`), then the
    `overrides` that are not None."""
    base = replace(TrainConfig(), memory_budget_mb=get_settings().train_memory_budget_mb)
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def train_and_publish(
    store: GraphStore,
    config: TrainConfig,
    model_dir: Path,
    progress: Progress = no_progress,
    write_embeddings: bool = True,
) -> tuple[dict[str, Any], TrainedModel]:
    """Train on the current graph and make the result the model in `model_dir`: trained into a staging folder
    beside it, written back to Neo4j (embeddings + vector index) unless `write_embeddings` is off, then renamed into
    place, so that a failure at any step leaves the previous model as it was. The scoring configuration of the
    previous model carries over. Returns the training metrics and the published model."""
    staging = model_dir.with_name(f".{model_dir.name}-{uuid.uuid4().hex}")
    try:
        metrics = train(export_graph(store), config, staging, progress, load_scoring(model_dir))
        if write_embeddings:
            trained = load(staging)
            write_back(store, trained.blocks(), inner_product_keys(trained.block("Item")))
        _swap(staging, model_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return metrics, load(model_dir)


def _swap(staging: Path, model_dir: Path) -> None:
    old = model_dir.with_name(f".{model_dir.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if model_dir.exists():
        model_dir.rename(old)
    staging.rename(model_dir)
    shutil.rmtree(old, ignore_errors=True)


@dataclass
class Job:
    """The state of one training job."""

    job_id: str
    config: dict[str, Any]
    status: str = "queued"
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    metrics: dict[str, Any] | None = None


class TrainingJobs:
    """Queue training runs and publish each finished model through `on_model`."""

    def __init__(self, store: GraphStore, model_dir: Path, on_model: Callable[[TrainedModel], None]) -> None:
        self.store = store
        self.model_dir = model_dir
        self.on_model = on_model
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="train")

    def submit(self, overrides: dict[str, Any]) -> Job:
        """Queue a run with `overrides` of TrainConfig's defaults; returns the queued job."""
        config = train_config(overrides)
        job = Job(job_id=uuid.uuid4().hex, config=asdict(config))
        with self._lock:
            self._jobs[job.job_id] = job
        self._executor.submit(self._run, job, config)
        return job

    def get(self, job_id: str) -> Job:
        """A job by id; raises NotFoundError."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"Training job {job_id!r} does not exist.")
        return job

    def shutdown(self) -> None:
        """Stop accepting jobs (a running one finishes in its thread)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, config: TrainConfig) -> None:
        job.status, job.started = "running", time.time()
        try:
            with self.store.long_calls():
                metrics, model = train_and_publish(self.store, config, self.model_dir)
            self.on_model(model)
            job.metrics = {k: v for k, v in metrics.items() if k != "history"}
            job.status = "succeeded"
        except Exception as exc:  # a failed job reports its error; the served model stays as it was
            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = time.time()
