"""Shared dependencies: the graph store and the local Neo4j launcher, built from the Settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.config import Settings, get_settings
from graph.db import BreakerPolicy, Deadlines, GraphStore
from graph.server import LocalNeo4j


def open_store(settings: Settings | None = None, serving: bool = False) -> GraphStore:
    """A GraphStore connected with the configured URI and credentials (the caller closes it). `serving` (the API,
    the terminal chat) bounds every call by the configured deadlines and puts a circuit breaker in front; without
    it (import, training, benchmarks) calls take as long as the work does."""
    settings = settings or get_settings()
    deadlines, breaker = Deadlines(), None
    if serving:
        deadlines = Deadlines(
            call_s=settings.neo4j_timeout_s,
            long_s=settings.neo4j_long_timeout_s,
            retry_s=settings.neo4j_retry_s,
            connect_s=settings.neo4j_connect_timeout_s,
            acquire_s=settings.neo4j_timeout_s,
        )
        breaker = BreakerPolicy(settings.neo4j_breaker_failures, settings.neo4j_breaker_reset_s)
    return GraphStore(
        settings.neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
        settings.neo4j_database,
        deadlines=deadlines,
        breaker=breaker,
    )


def local_neo4j(settings: Settings | None = None) -> LocalNeo4j:
    """The local (no Docker) Neo4j server described by the Settings."""
    settings = settings or get_settings()
    return LocalNeo4j(
        home=settings.neo4j_home,
        password=settings.neo4j_password.get_secret_value(),
        bolt_port=settings.neo4j_bolt_port,
        http_port=settings.neo4j_http_port,
        neo4j_version=settings.neo4j_version,
        browser_version=settings.neo4j_browser_version,
        java_home=settings.java_home,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
    )


async def get_store(request: Request) -> GraphStore:
    """The application's GraphStore (opened in the lifespan)."""
    return request.app.state.services.store


StoreDep = Annotated[GraphStore, Depends(get_store)]
