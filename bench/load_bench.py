"""Load benchmark of the HTTP API: recommendations and dialogue turns at N concurrent Locust users.

Locust used as a library (headless, one process, each phase stopped by a timer) against a running API on this machine
(`--url`), or one this script starts (`chatrec serve` with the current CHATREC_* settings, i.e. your Neo4j, model and
workers). Each user is a `FastHttpUser` with its own keep-alive connection and loops: request, wait a think time drawn
uniformly from [0.5, 1.5] x `--think-s` (Locust's `between`), repeat. `--think-s 0` gives a closed loop (every user
fires again at once: a saturation test).

Phase 1: `GET /v1/users/{random MovieLens user}/recommendations?k=10&explain=true` (with `--unexplained`, the
same with `explain=false` too).
Phase 2: every user opens a session (`POST /v1/sessions`) and sends utterances in turn
(`POST /v1/sessions/{id}/messages`).
`--users FILE` and `--utterances FILE` (one a line) replace the MovieLens users and the utterances about the demo
catalog, e.g. for another catalog (bench/scale_bench.py passes those of its synthetic ones).

Percentiles come from the exact response time of every request (Locust's `request` event), not from Locust's rounded
histogram; a request that fails (HTTP >= 400 or a connection error) counts as an error and is not timed.
Before any phase, right after the API reports ready: the first requests one client sends (`first_request_ms`: the
first list; `first_turn_ms`: the first dialogue turn of a new session; `first_20_lists_p99_ms`: the p99 of the first
20 lists, one at a time, each for another user). After the 50-client phases, the list phase again at 100 clients
(`clients_100`).
The sessions the benchmark opened are deleted at the end, with their turns and anonymous users
(`--keep-sessions` keeps them).
Writes bench/results/load.json (`recommendations_p50_ms`, `recommendations_p99_ms`, `rps`, `turn_p50_ms`,
`turn_p99_ms`, `first_request_ms`, `clients_100`: {p50_ms, p99_ms, rps}, plus the settings and the closed-loop figures
when `--saturation` is given) and load.png.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

import gevent
import numpy as np
import typer
from locust import FastHttpUser, between, task
from locust.env import Environment
from locust.exception import StopUser
from rich.progress import Progress

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
USERS = [f"ml:{n}" for n in range(1, 944)]
UTTERANCES = [
    "I loved Fargo and The Big Lebowski",
    "something with Tom Hanks please",
    "I like science fiction but I hate horror",
    "recommend me a comedy from the 90s",
    "why did you recommend that?",
    "no, not that one",
    "I really enjoyed The Matrix and Alien",
    "any good thrillers?",
]
TIMEOUT_S = 30.0  # per request; a phase ends at most this long after its timer
CREATED_SESSIONS: list[str] = []  # every session the benchmark opened, deleted at the end (first requests included)


@dataclass
class Phase:
    """Exact latencies (ms) and errors of the requests named `name` in one phase."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def record(self, name: str, response_time: float, response: Any, exception: BaseException | None, **_: Any) -> None:
        """Listener of Locust's `request` event."""
        if name != self.name:
            return
        if exception is None:
            self.latencies.append(response_time)
            return
        status = getattr(response, "status_code", 0)
        key = f"HTTP {status}" if status else type(exception).__name__
        self.errors[key] = self.errors.get(key, 0) + 1

    def summary(self) -> dict[str, Any]:
        values = np.array(self.latencies)
        pct = (lambda q: round(float(np.percentile(values, q)), 2)) if len(values) else (lambda q: None)
        return {
            "requests": len(values),
            "errors": self.errors,
            "p50_ms": pct(50),
            "p90_ms": pct(90),
            "p99_ms": pct(99),
            "max_ms": round(float(values.max()), 2) if len(values) else None,
            "rps": round(len(values) / self.seconds, 2) if self.seconds else 0.0,
        }


class Client(FastHttpUser):
    """A simulated user with one keep-alive connection; a phase sets the class attributes on a subclass."""

    abstract = True
    concurrency = 1
    network_timeout = connection_timeout = TIMEOUT_S
    seed = 0
    think_s = 0.0
    deadline = 0.0
    headers: ClassVar[dict[str, str]] = {}
    users: ClassVar[list[str]] = USERS
    utterances: ClassVar[list[str]] = UTTERANCES
    numbers: Iterator[int] = itertools.count()

    def on_start(self) -> None:
        """Start after a random delay: Locust spawns a whole batch of users at once, and 50 first requests together
        measured 400-500 ms at p99 on the API (20-40 ms on a stub server)."""
        self.rng = random.Random(self.seed * 1000 + next(self.numbers))
        gevent.sleep(self.rng.uniform(0, max(self.think_s, 0.05)))


class Recommendations(Client):
    abstract = True
    explain = "true"

    @task
    def recommend(self) -> None:
        user = self.rng.choice(self.users)
        self.client.get(f"/v1/users/{user}/recommendations?k=10&explain={self.explain}", name="recommendations")


class Turns(Client):
    abstract = True

    def on_start(self) -> None:
        """Open a session (not timed), retrying until the phase is over."""
        super().on_start()
        self.session_id = None
        while self.session_id is None and time.perf_counter() < self.deadline:
            created = self.client.post("/v1/sessions", json={}, headers=self.headers, name="session")
            if created.status_code == 201:
                self.session_id = created.json()["session_id"]
                CREATED_SESSIONS.append(self.session_id)
        self.turn = self.rng.randrange(len(self.utterances))

    @task
    def message(self) -> None:
        if self.session_id is None:
            raise StopUser
        body = {"text": self.utterances[self.turn % len(self.utterances)], "k": 10}
        self.client.post(f"/v1/sessions/{self.session_id}/messages", json=body, headers=self.headers, name="turn")
        self.turn += 1


@contextmanager
def _no_collector_pauses() -> Iterator[None]:
    """No garbage collection in the load generator during a phase (one collection before it): its own pauses (gen-2
    up to 25 ms measured) stalled every request in flight and were counted as server latency."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_phase(url: str, kind: type[Client], clients: int, seconds: float, think_s: float, **attrs: Any) -> Phase:
    """`clients` users of `kind`, each starting within max(think, 0.05) s, stopped `seconds` after the start; requests
    in flight then finish (at most TIMEOUT_S)."""
    phase = Phase("recommendations" if kind is Recommendations else "turn")
    attrs |= {"wait_time": between(0.5 * think_s, 1.5 * think_s), "think_s": think_s, "numbers": itertools.count()}
    user = type(kind.__name__, (kind,), {"abstract": False, "deadline": time.perf_counter() + seconds, **attrs})
    environment = Environment(user_classes=[user], host=url, stop_timeout=TIMEOUT_S + 1)
    environment.events.request.add_listener(phase.record)
    runner = environment.create_local_runner()
    with _no_collector_pauses():
        started = time.perf_counter()
        runner.start(clients, spawn_rate=min(clients, 100))
        gevent.spawn_later(seconds, runner.quit)
        runner.greenlet.join()
        phase.seconds = time.perf_counter() - started
    return phase


def first_requests(url: str, headers: dict[str, str], users: list[str], utterances: list[str]) -> dict[str, Any]:
    """The first requests after ready, one at a time on fresh connections, as a newcomer's first clicks: a list, a
    session's first turn, then 19 more lists for other users (ms)."""
    import urllib.request  # after Locust's gevent monkey-patching (it imports ssl)

    def timed(path: str, body: dict[str, Any] | None = None) -> tuple[float, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json", **headers})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer = json.loads(response.read())
        return (time.perf_counter() - started) * 1000, answer

    lists = [timed(f"/v1/users/{user}/recommendations?k=10&explain=true")[0] for user in users[:1]]
    _, session = timed("/v1/sessions", {})
    CREATED_SESSIONS.append(session["session_id"])
    turn_ms, _ = timed(f"/v1/sessions/{session['session_id']}/messages", {"text": utterances[0], "k": 10})
    lists += [timed(f"/v1/users/{user}/recommendations?k=10&explain=true")[0] for user in users[1:20]]
    return {
        "first_request_ms": round(lists[0], 2),
        "first_turn_ms": round(turn_ms, 2),
        "first_20_lists_p99_ms": round(float(np.percentile(lists, 99)), 2),
        "first_20_lists_ms": [round(x, 2) for x in lists],
    }


def measure(url: str, options: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """The first requests, a warm-up (none with `--warmup-s 0`: the first run after ready), both phases at the
    configured think time, the list phase at 100 clients (and closed-loop phases when asked)."""
    clients, seed = options["clients"], options["seed"]
    inputs = {"users": options["users"], "utterances": options["utterances"]}
    result: dict[str, Any] = first_requests(url, headers, **inputs)
    runs = [("", options["think_s"])] + ([("saturation_", 0.0)] if options["saturation"] else [])
    with Progress() as progress:
        step = progress.add_task("warm-up", total=None)
        if options["warmup_s"] > 0:
            run_phase(url, Recommendations, 4, options["warmup_s"], 0.0, seed=99, **inputs)
            run_phase(url, Turns, 4, options["warmup_s"], 0.0, seed=99, headers=headers, **inputs)
        for prefix, think in runs:
            seconds = options["seconds"] if think > 0 else options["saturation_seconds"]
            progress.update(step, description=f"{prefix or 'main '}recommendations ({seconds:.0f} s)")
            recs = run_phase(url, Recommendations, clients, seconds, think, seed=seed, **inputs)
            progress.update(step, description=f"{prefix or 'main '}turns ({seconds:.0f} s)")
            turns = run_phase(url, Turns, clients, seconds, think, seed=seed, headers=headers, **inputs)
            result[f"{prefix}recommendations"] = recs.summary()
            result[f"{prefix}turns"] = turns.summary()
            if options["unexplained"] and not prefix:
                progress.update(step, description=f"recommendations without explanations ({seconds:.0f} s)")
                plain = run_phase(url, Recommendations, clients, seconds, think, seed=seed, explain="false", **inputs)
                result["unexplained_recommendations"] = plain.summary()
            result[f"{prefix}latencies_ms"] = {
                "recommendations": [round(x, 2) for x in recs.latencies],
                "turns": [round(x, 2) for x in turns.latencies],
            }
            if not prefix and options["clients_100"]:
                progress.update(step, description=f"recommendations at 100 clients ({seconds:.0f} s)")
                busy = run_phase(url, Recommendations, 100, seconds, think, seed=seed, **inputs).summary()
                result["clients_100"] = {key: busy[key] for key in ("p50_ms", "p99_ms", "rps")} | {
                    "errors": busy["errors"]
                }
    return result


def plot(result: dict[str, Any], target: Path) -> None:
    """Latency CDFs of both phases."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for prefix, style in (("", "-"), ("saturation_", ":")):
        for name, values in (result.get(f"{prefix}latencies_ms") or {}).items():
            if values:
                xs = np.sort(values)
                label = f"{name} ({'closed loop' if prefix else 'with think time'})"
                ax.plot(xs, np.arange(1, len(xs) + 1) / len(xs), style, label=label)
    ax.axvline(50, color="grey", lw=0.8, ls="--")
    ax.axvline(150, color="grey", lw=0.8, ls="-.")
    ax.set_xscale("log")
    ax.set_xlabel("latency (ms, log scale); lines at 50 and 150 ms")
    ax.set_ylabel("fraction of requests")
    ax.set_title(f"Chat-Rec API, {result['clients']} concurrent clients")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(target, dpi=120)


def not_ready(url: str) -> str | None:
    """Why `url`/health/ready does not answer 200, or None when it does."""
    import urllib.request  # after Locust's gevent monkey-patching (it imports ssl)

    try:
        with urllib.request.urlopen(f"{url}/health/ready", timeout=2) as response:
            return None if response.status == 200 else f"HTTP {response.status}"
    except OSError as exc:
        return str(exc)


def serve(port: int, workers: int | None) -> subprocess.Popen:
    """Start `chatrec serve` on `port` with the current environment (access log off); wait until /health/ready
    answers 200."""
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)] if workers else []
    env = {**os.environ, "CHATREC_API_ACCESS_LOG": "false"}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if not_ready(f"http://127.0.0.1:{port}") is None:
            return process
        if process.poll() is not None:
            sys.exit(f"uvicorn exited with code {process.returncode}")
        time.sleep(1)
    process.terminate()
    sys.exit("uvicorn did not become ready within 180 s")


def forget_sessions(session_ids: list[str]) -> None:
    """Delete the benchmark's sessions, their turns and their anonymous users: synthetic conversations would
    otherwise stay in the graph as what users like (a dialogue like weighs ten ratings in the NLU's popularity)."""
    settings = _settings()
    if settings is None or not session_ids:
        return
    from graph.db import GraphStore
    from graph.dialogue import delete_sessions

    password = settings.neo4j_password.get_secret_value()
    with GraphStore(settings.neo4j_uri, settings.neo4j_user, password) as store:
        deleted = delete_sessions(store, session_ids)
    print(f"Deleted the benchmark's {deleted} sessions (--keep-sessions keeps them).", file=sys.stderr)


def _lines(path: Path) -> list[str]:
    """The non-empty lines of a text file; exits with a sentence when there are none."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        sys.exit(f"{path} has no lines")
    return lines


def _settings() -> Any | None:
    """The product's settings, or None where `core.config` is not importable (e.g. a bare checkout of bench/)."""
    try:
        from core.config import get_settings
    except ImportError:
        return None
    return get_settings()


app = typer.Typer(add_completion=False, rich_markup_mode=None)


@app.command(help=__doc__)
def main(
    url: Annotated[str | None, typer.Option(help="Base URL of a running API on 127.0.0.1 (default: start one)")] = None,
    port: Annotated[int, typer.Option(help="Port of the API this script starts.")] = 8765,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes of the API this script starts (default: settings).")
    ] = None,
    clients: Annotated[int, typer.Option(help="Concurrent simulated users.")] = 50,
    seconds: Annotated[float, typer.Option(help="Duration of each phase.")] = 60.0,
    warmup_s: Annotated[
        float, typer.Option(help="Warm-up before the phases (4 users, closed loop); 0: the first run after ready.")
    ] = 0.0,
    think_s: Annotated[float, typer.Option(help="Mean think time between a user's requests.")] = 1.0,
    saturation: Annotated[bool, typer.Option("--saturation", help="Also run both phases closed-loop.")] = False,
    saturation_seconds: Annotated[float, typer.Option(help="Duration of each closed-loop phase.")] = 30.0,
    unexplained: Annotated[bool, typer.Option("--unexplained", help="Also time lists without explanations.")] = False,
    clients_100: Annotated[bool, typer.Option(help="Also run the list phase at 100 clients.")] = True,
    keep_sessions: Annotated[
        bool, typer.Option(help="Keep the benchmark's sessions in the graph (default: delete them at the end).")
    ] = False,
    users: Annotated[
        Path | None,
        typer.Option(help="Text file of user ids to ask lists for, one a line (default: MovieLens-100K's)."),
    ] = None,
    utterances: Annotated[
        Path | None, typer.Option(help="Text file of utterances the dialogue clients send in turn, one a line.")
    ] = None,
    seed: int = 7,
    out: Annotated[Path, typer.Option(help="Folder for load.json and load.png.")] = RESULTS,
) -> None:
    settings = _settings()
    workers = workers or (settings.api_workers if settings else None)
    key = settings.api_key.get_secret_value() if settings and settings.api_key else os.environ.get("CHATREC_API_KEY")
    headers = {"X-API-Key": key} if key else {}
    if url is not None and urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
        sys.exit(f"{url}: this benchmark only targets an API on 127.0.0.1")
    options = {"clients": clients, "seconds": seconds, "warmup_s": warmup_s, "think_s": think_s, "seed": seed}
    options |= {"saturation": saturation, "saturation_seconds": saturation_seconds, "unexplained": unexplained}
    options["clients_100"] = clients_100
    options["users"] = _lines(users) if users else USERS
    options["utterances"] = _lines(utterances) if utterances else UTTERANCES
    process = serve(port, workers) if url is None else None
    url = (url or f"http://127.0.0.1:{port}").rstrip("/")
    try:
        if reason := not_ready(url):
            sys.exit(f"The API at {url} is not ready: {reason}")
        measured = measure(url, options, headers)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:  # requests still queued after a closed-loop phase
                process.kill()
                process.wait()
    if not keep_sessions:
        forget_sessions(CREATED_SESSIONS)
    recs, turns = measured["recommendations"], measured["turns"]
    result = {
        "recommendations_p50_ms": recs["p50_ms"],
        "recommendations_p99_ms": recs["p99_ms"],
        "rps": recs["rps"],
        "turn_p50_ms": turns["p50_ms"],
        "turn_p99_ms": turns["p99_ms"],
        "clients": clients,
        "seconds_per_phase": seconds,
        "think_s": think_s,
        "uvicorn_workers": workers if process is not None else None,
        "machine": f"{os.cpu_count()} CPU cores shared by the API, Neo4j and the load generator",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **measured,
    }
    out.mkdir(parents=True, exist_ok=True)
    plot(result, out / "load.png")
    (out / "load.json").write_text(json.dumps(result, indent=2))
    summary = {k: v for k, v in result.items() if not k.endswith("latencies_ms")}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    app()
