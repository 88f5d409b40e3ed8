"""Background training jobs: one at a time in a worker thread; the new checkpoint replaces the served one
atomically (trained into a staging folder, then renamed), its embeddings are written back to Neo4j, and the
service switches to it. Job records live in this process (a replica restart forgets them, not the model)."""

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

from api.errors import NotFoundError
from gnn.model_store import TrainedModel, load, write_back
from gnn.train import TrainConfig, train
from graph.db import GraphStore


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
        config = replace(TrainConfig(), **{k: v for k, v in overrides.items() if v is not None})
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
        staging = self.model_dir.with_name(f".{self.model_dir.name}-{job.job_id}")
        try:
            metrics = train(self.store, config, staging)
            model = load(staging)
            write_back(self.store, model)
            self._swap(staging)
            self.on_model(load(self.model_dir))
            job.metrics = {k: v for k, v in metrics.items() if k != "history"}
            job.status = "succeeded"
        except Exception as exc:  # a failed job reports its error; the served model stays as it was
            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = time.time()
            shutil.rmtree(staging, ignore_errors=True)

    def _swap(self, staging: Path) -> None:
        old = self.model_dir.with_name(f".{self.model_dir.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        if self.model_dir.exists():
            self.model_dir.rename(old)
        staging.rename(self.model_dir)
        shutil.rmtree(old, ignore_errors=True)
