"""Administration: background training jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from api.schemas import JobOut, TrainRequest
from api.security import require_api_key
from api.services.container import ServicesDep
from api.services.training import Job

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_api_key)])


def _out(job: Job) -> JobOut:
    return JobOut(
        job_id=job.job_id,
        status=job.status,
        submitted=job.submitted,
        started=job.started,
        finished=job.finished,
        error=job.error,
        metrics=job.metrics,
    )


@router.post("/train", status_code=status.HTTP_202_ACCEPTED, responses={401: {"description": "Missing API key"}})
def train(services: ServicesDep, body: TrainRequest | None = None) -> JobOut:
    """Queue a training run on the current graph; when it succeeds, its model replaces the served one and its
    embeddings are written back to Neo4j (vector index)."""
    return _out(services.jobs.submit((body or TrainRequest()).model_dump()))


@router.get("/jobs/{job_id}", responses={401: {"description": "Missing API key"}, 404: {"description": "No job"}})
def job(job_id: Annotated[str, Path(max_length=64, examples=["3f1c9a2e6b0d4c55"])], services: ServicesDep) -> JobOut:
    """A training job's status, timing, error or metrics."""
    return _out(services.jobs.get(job_id))
