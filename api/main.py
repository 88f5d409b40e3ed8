"""The FastAPI application: health, recommendations with explanations, sessions, items, feedback, admin, metrics."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.console import install_console
from api.docs import install_docs
from api.errors import COMMON_RESPONSES, install_error_handlers, install_openapi
from api.middleware import BodySizeLimit, PrometheusMetrics
from api.routes import admin, explain, feedback, health, items, metrics, recommendations, sessions, stats, users
from api.services.container import build_services
from api.workers import mark_warm
from core.config import Settings, get_settings

ROUTERS = (health, metrics, stats, users, recommendations, sessions, explain, items, feedback, admin)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; without `settings`, they are read when it starts (so the environment may change first)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open one Neo4j driver, load the model and warm the services once per process; release them on
        shutdown. The long-lived objects loaded here (half a million: lexicon, libraries, model) are then frozen
        out of the cyclic garbage collector: a full collection over them stalled every request of the process for
        about 0.2 s, a few times per hundred requests (the p99 of the load benchmark)."""
        app.state.services = build_services(settings or get_settings())
        app.state.services.warm_up()
        gc.freeze()
        mark_warm()  # with several workers, /health/ready waits for every one
        try:
            yield
        finally:
            app.state.services.close()

    configured = settings or get_settings()
    app = FastAPI(
        title="Chat-Rec",
        version="0.1.0",
        lifespan=lifespan,
        description="Conversational recommendations explained by real paths in a Neo4j knowledge graph.",
        responses=COMMON_RESPONSES,
        docs_url=None,  # served by install_docs from packaged assets: FastAPI's own page needs a CDN
        redoc_url=None,
    )
    for module in ROUTERS:
        app.include_router(module.router)
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    install_console(app)
    if configured.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=configured.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=configured.max_request_bytes)
    app.add_middleware(PrometheusMetrics)
    return app


app = create_app()
