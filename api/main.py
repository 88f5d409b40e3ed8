"""The FastAPI application: health endpoints and the graph statistics (recommendation routes come on top)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.deps import open_store
from api.routes import health, stats


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open one Neo4j driver for the process and close it on shutdown."""
    app.state.store = open_store()
    try:
        yield
    finally:
        app.state.store.close()


app = FastAPI(title="Chat-Rec", version="0.1.0", lifespan=lifespan)
app.include_router(health.router)
app.include_router(stats.router)
