"""Every Prometheus metric of the service, and their exposition.

With several worker processes (`chatrec serve --workers N`) each process counts for itself; the server then points
`PROMETHEUS_MULTIPROC_DIR` at a fresh folder before the workers start (prometheus-client's multiprocess mode), every
process writes its samples there, and a scrape of any worker adds them up: counters are process-wide."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
__all__ = ["CONTENT_TYPE_LATEST", "exposition"]

REQUESTS = Counter("chatrec_http_requests_total", "HTTP requests answered.", ["method", "route", "status"])
LATENCY = Histogram(
    "chatrec_http_request_duration_seconds",
    "HTTP request latency.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
LISTS = Counter("chatrec_recommendation_lists_total", "Recommendation lists served, by strategy.", ["strategy"])
EMPTY_LISTS = Counter("chatrec_empty_lists_total", "Recommendation lists that held no item (constraints too tight).")
PARSES = Counter("chatrec_parses_total", "Utterances parsed, by the parser that answered.", ["parser"])
NLU_FALLBACKS = Counter("chatrec_nlu_fallbacks_total", "LLM parses that failed and fell back to the embedded parser.")
NEO4J_ERRORS = Counter("chatrec_neo4j_errors_total", "Requests that failed because Neo4j was unavailable.", ["error"])
MODEL = Gauge(
    "chatrec_model_info",
    "1 for each model version a worker serves (`none`: no model), 0 for one it served before.",
    ["version"],
    multiprocess_mode="max",
)
_served: list[str] = []


def serve_model(version: str | None) -> None:
    """Record that this process now serves `version` (None: no model) instead of the one before."""
    label = version or "none"
    for previous in _served:
        MODEL.labels(previous).set(0)
    MODEL.labels(label).set(1)
    _served[:] = [label]


def exposition() -> bytes:
    """The metrics in the Prometheus text format: the sum over every worker in multiprocess mode, else this
    process's."""
    if not os.environ.get(MULTIPROC_ENV):
        return _generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return _generate_latest(registry)


def prepare_multiprocess_dir() -> Path:
    """Before the workers start: a fresh folder for their samples (`PROMETHEUS_MULTIPROC_DIR` when set, emptied
    of an earlier run's files, else a new temporary folder), exported to the workers. Returns it."""
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="chatrec-metrics-"))
        os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def remove_multiprocess_dir(folder: Path, created: bool) -> None:
    """After the workers stopped: remove the folder when the server created it."""
    if created:
        shutil.rmtree(folder, ignore_errors=True)
