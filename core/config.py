"""The one Settings object of Chat-Rec: defaults here, overridden by environment variables or `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str) -> AliasChoices:
    """Accept both `CHATREC_<NAME>` and the conventional unprefixed `<NAME>` (e.g. NEO4J_URI)."""
    return AliasChoices(f"CHATREC_{name}", name)


class Settings(BaseSettings):
    """Every setting of the system. Environment variables win over `.env`, which wins over these defaults."""

    model_config = SettingsConfigDict(env_prefix="CHATREC_", env_file=".env", extra="ignore", populate_by_name=True)

    # Neo4j connection (bolt://, neo4j:// routing, +s variants all work).
    neo4j_uri: str = Field("bolt://127.0.0.1:7687", validation_alias=_env("NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=_env("NEO4J_USER"))
    neo4j_password: SecretStr = Field(SecretStr("chatrec-password"), validation_alias=_env("NEO4J_PASSWORD"))
    neo4j_database: str = Field("neo4j", validation_alias=_env("NEO4J_DATABASE"))
    # Deadlines of the API's Neo4j calls: a frozen or partitioned server costs a request at most `neo4j_timeout_s`
    # (the whole call: connection, driver retries, query, result), and after `neo4j_breaker_failures` failures in a
    # row requests get 503 at once for `neo4j_breaker_reset_s`, until a probe call finds the server answering.
    # Catalog-wide reads (warm-up) and training jobs get `neo4j_long_timeout_s`. The CLI and benchmarks wait as
    # long as the work takes (Ctrl-C stops them).
    neo4j_timeout_s: float = Field(1.5, gt=0, le=600)
    # The driver retries a failed transaction once about a second later (jittered) and again while under this budget.
    neo4j_retry_s: float = Field(0.5, ge=0, le=600)
    neo4j_connect_timeout_s: float = Field(1.0, gt=0, le=600)
    neo4j_long_timeout_s: float = Field(600.0, gt=0)
    neo4j_probe_timeout_s: float = Field(1.0, gt=0, le=60)  # /health/ready's own check
    # Warm-up reads the whole graph into Neo4j's page cache up to this many relationships (0: never).
    neo4j_warm_max_relationships: int = Field(5_000_000, ge=0)
    neo4j_breaker_failures: int = Field(3, ge=1, le=1000)
    neo4j_breaker_reset_s: float = Field(2.0, gt=0, le=600)

    # Local Neo4j launcher (no Docker): Maven-resolved jars run under OpenJDK 17.
    neo4j_home: Path = PROJECT_ROOT / ".neo4j" / "server"
    neo4j_version: str = "5.26.30"
    neo4j_browser_version: str = "5.24.0"
    neo4j_bolt_port: int = 7687
    neo4j_http_port: int = 7474
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "512m"
    java_home: Path = Path("/usr/lib/jvm/java-17-openjdk-amd64")
    neo4j_start_timeout_s: float = 120.0

    # Serving top-k: a known user's candidates come from the Neo4j vector index `item_top_k` (approximate, HNSW)
    # from this many catalog items on, instead of a score for every item held in memory (exact; ~1 ms per 65 k
    # items). Lists that the filters leave short fall back to the exact scores.
    index_top_k_min_items: int = Field(1_000_000, ge=0)

    # Training samples neighbours (gnn/sampling.py) when full-graph training would take more memory than this.
    train_memory_budget_mb: float = Field(6_000.0, gt=0)

    # Data and models.
    data_dir: Path = PROJECT_ROOT / "data"
    model_dir: Path = PROJECT_ROOT / "models"
    import_batch_size: int = Field(10_000, ge=1, le=1_000_000)

    # NLU backend: the embedded parser (default, no server needed) or an OpenAI-compatible chat-completions server
    # (OpenAI, Ollama, vLLM, llama.cpp server); on any LLM failure the embedded parser answers.
    llm_backend: str = Field("embedded", pattern="^(embedded|openai)$")
    llm_base_url: str | None = Field(None, validation_alias=AliasChoices("CHATREC_LLM_BASE_URL", "OPENAI_BASE_URL"))
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("CHATREC_LLM_API_KEY", "OPENAI_API_KEY"))
    llm_timeout_s: float = Field(10.0, gt=0)
    llm_max_retries: int = Field(2, ge=0, le=10)
    # How the server is asked for JSON that follows a schema: OpenAI's `json_schema`, llama.cpp's `json_object` with a
    # `schema`, Ollama's `format`, or `auto` (json_schema, and json_object once the server refuses it).
    llm_structured_output: str = Field("auto", pattern="^(auto|json_schema|json_object|ollama)$")
    llm_max_tokens: int = Field(512, ge=16, le=8192)  # an answer's length cap (small models never stop otherwise)
    # Send the instructions as a system message; false puts them at the top of the user message, for chat templates
    # that drop system messages (Gemma's, as llama.cpp applies it: the model would never see them).
    llm_system_role: bool = True
    llm_rerank: bool = False  # reorder the top 20 candidates with the LLM (needs llm_backend=openai)

    # HTTP API.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Processes of `chatrec serve`: two per core (≤ 8), as a request spends much of its time waiting on Neo4j while
    # its Python holds the process's interpreter lock (4 beat 2 and 1 on the 2-core load benchmark; ~1 GB each).
    api_workers: int = Field(default_factory=lambda: min(2 * (os.cpu_count() or 1), 8), ge=1, le=64)
    api_access_log: bool = True  # uvicorn's per-request log line
    api_key: SecretStr | None = None  # when set, writes and admin calls need it in the X-API-Key header
    # Reads of personal or operational data (transcripts, preferences, stats, metrics) need `api_key` or this
    # separate read-only key (e.g. for a Prometheus scrape) as soon as either is set; `protect_reads=false` opens them.
    api_read_key: SecretStr | None = None
    protect_reads: bool = True
    cors_origins: list[str] = []  # e.g. '["http://localhost:3000"]'; empty = no CORS headers
    max_request_bytes: int = Field(64 * 1024, ge=1024)

    @model_validator(mode="after")
    def _no_read_key_without_a_write_key(self) -> Settings:
        """A read key alone would protect reads and leave writes open: refuse it."""
        if self.api_read_key is not None and self.api_key is None:
            raise ValueError("CHATREC_API_READ_KEY is set without CHATREC_API_KEY: writes would be open; set both.")
        return self

    @model_validator(mode="after")
    def _uri_follows_local_port(self) -> Settings:
        """Without an explicit URI, connect to the local server on its configured Bolt port."""
        if "neo4j_uri" not in self.model_fields_set:
            self.neo4j_uri = f"bolt://127.0.0.1:{self.neo4j_bolt_port}"
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
