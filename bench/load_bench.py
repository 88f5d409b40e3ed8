"""Load benchmark of the HTTP API: recommendations and dialogue turns at N concurrent clients.

An asyncio + httpx load generator (bounded in time) against a running API (`--url`), or one this script starts
(`chatrec serve` with the current CHATREC_* settings, i.e. your Neo4j, model and workers). Each client has its own
keep-alive connection (as each Locust user has its own session) and loops: request, wait a think time drawn
uniformly from [0.5, 1.5] x `--think-s` (like Locust's `between`), repeat.
`--think-s 0` gives a closed loop (every client fires again at once: a saturation test).

Phase 1: `GET /v1/users/{random MovieLens user}/recommendations?k=10&explain=true` (with `--unexplained`, the
same with `explain=false` too).
Phase 2: every client opens a session (`POST /v1/sessions`) and sends utterances in turn
(`POST /v1/sessions/{id}/messages`).

Writes bench/results/load.json (`recommendations_p50_ms`, `recommendations_p99_ms`, `rps`, `turn_p50_ms`,
`turn_p99_ms`, plus the settings and the closed-loop figures when `--saturation` is given) and load.png.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.progress import Progress

from core.config import get_settings

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
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


@dataclass
class Phase:
    """Latencies (seconds) and errors of one phase."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        values = np.array(self.latencies) * 1000
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


async def _think(rng: random.Random, think_s: float) -> None:
    if think_s > 0:
        await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)


async def _timed(phase: Phase, call: Any) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await call
    except httpx.HTTPError as exc:
        phase.errors[type(exc).__name__] = phase.errors.get(type(exc).__name__, 0) + 1
        return None
    elapsed = time.perf_counter() - started
    if response.status_code >= 400:
        key = f"HTTP {response.status_code}"
        phase.errors[key] = phase.errors.get(key, 0) + 1
        return response
    phase.latencies.append(elapsed)
    return response


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


async def recommendations_phase(
    clients: list[httpx.AsyncClient],
    seconds: float,
    think_s: float,
    users: list[str],
    seed: int,
    explain: bool = True,
) -> Phase:
    """Each client requests recommendations for random users until the time is up."""
    phase = Phase()
    stop = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        await asyncio.sleep(rng.uniform(0, max(think_s, 0.05)))  # spread the starts
        while time.perf_counter() < stop:
            user = rng.choice(users)
            params = {"k": 10, "explain": str(explain).lower()}
            await _timed(phase, clients[index].get(f"/v1/users/{user}/recommendations", params=params))
            await _think(rng, think_s)

    with _no_collector_pauses():
        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(len(clients))))
        phase.seconds = time.perf_counter() - started
    return phase


async def turns_phase(
    clients: list[httpx.AsyncClient], seconds: float, think_s: float, headers: dict[str, str], seed: int
) -> Phase:
    """Each client opens a session and sends utterances until the time is up."""
    phase = Phase()
    stop = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        await asyncio.sleep(rng.uniform(0, max(think_s, 0.05)))
        client = clients[index]
        created = None
        while created is None or created.status_code != 201:
            if time.perf_counter() > stop:
                return
            created = await _timed(Phase(), client.post("/v1/sessions", json={}, headers=headers))
        session_id = created.json()["session_id"]
        turn = rng.randrange(len(UTTERANCES))
        while time.perf_counter() < stop:
            body = {"text": UTTERANCES[turn % len(UTTERANCES)], "k": 10}
            await _timed(phase, client.post(f"/v1/sessions/{session_id}/messages", json=body, headers=headers))
            turn += 1
            await _think(rng, think_s)

    with _no_collector_pauses():
        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(len(clients))))
        phase.seconds = time.perf_counter() - started
    return phase


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Warm up, then both phases at the configured think time (and closed-loop when asked)."""
    headers = {"X-API-Key": os.environ["CHATREC_API_KEY"]} if os.environ.get("CHATREC_API_KEY") else {}
    users = [f"ml:{n}" for n in range(1, 944)]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)  # one connection per client
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=args.url, timeout=30.0, limits=limits))
            for _ in range(args.clients)
        ]
        ready = await clients[0].get("/health/ready")
        if ready.status_code != 200:
            sys.exit(f"The API at {args.url} is not ready: {ready.text}")
        result: dict[str, Any] = {}
        runs = [("", args.think_s)] + ([("saturation_", 0.0)] if args.saturation else [])
        with Progress() as progress:
            task = progress.add_task("warm-up", total=None)
            await recommendations_phase(clients[:4], args.warmup_s, 0.0, users, 99)
            await turns_phase(clients[:4], args.warmup_s, 0.0, headers, 99)
            for prefix, think in runs:
                seconds = args.seconds if think > 0 else args.saturation_seconds
                progress.update(task, description=f"{prefix or 'main '}recommendations ({seconds:.0f} s)")
                recs = await recommendations_phase(clients, seconds, think, users, args.seed)
                progress.update(task, description=f"{prefix or 'main '}turns ({seconds:.0f} s)")
                turns = await turns_phase(clients, seconds, think, headers, args.seed)
                result[f"{prefix}recommendations"] = recs.summary()
                result[f"{prefix}turns"] = turns.summary()
                if args.unexplained and not prefix:
                    progress.update(task, description=f"recommendations without explanations ({seconds:.0f} s)")
                    plain = await recommendations_phase(clients, seconds, think, users, args.seed, False)
                    result["unexplained_recommendations"] = plain.summary()
                result[f"{prefix}latencies_ms"] = {
                    "recommendations": [round(x * 1000, 2) for x in recs.latencies],
                    "turns": [round(x * 1000, 2) for x in turns.latencies],
                }
    return result


def plot(result: dict[str, Any], target: Path) -> None:
    """Latency CDFs of both phases."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for prefix, style in (("", "-"), ("saturation_", ":")):
        latencies = result.get(f"{prefix}latencies_ms")
        if not latencies:
            continue
        for name, values in latencies.items():
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


def serve(port: int, workers: int) -> subprocess.Popen:
    """Start `chatrec serve` on `port` with the current environment (access log off); wait until /health/ready
    answers 200."""
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "CHATREC_API_ACCESS_LOG": "false"}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            sys.exit(f"uvicorn exited with code {process.returncode}")
        time.sleep(1)
    process.terminate()
    sys.exit("uvicorn did not become ready within 180 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=None, help="Base URL of a running API (default: start one, see --serve).")
    parser.add_argument("--port", type=int, default=8765, help="Port of the API this script starts.")
    parser.add_argument(
        "--workers", type=int, default=None, help="Worker processes of the API this script starts (default: settings)."
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="Duration of each phase.")
    parser.add_argument("--warmup-s", type=float, default=10.0)
    parser.add_argument("--think-s", type=float, default=1.0, help="Mean think time between a client's requests.")
    parser.add_argument("--saturation", action="store_true", help="Also run both phases closed-loop (no think).")
    parser.add_argument("--saturation-seconds", type=float, default=30.0, help="Duration of each closed-loop phase.")
    parser.add_argument("--unexplained", action="store_true", help="Also time lists without explanations.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    process = None
    args.workers = args.workers or get_settings().api_workers
    if args.url is None:
        process = serve(args.port, args.workers)
        args.url = f"http://127.0.0.1:{args.port}"
    try:
        measured = asyncio.run(run(args))
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:  # requests still queued after a closed-loop phase
                process.kill()
                process.wait()
    recs, turns = measured["recommendations"], measured["turns"]
    result = {
        "recommendations_p50_ms": recs["p50_ms"],
        "recommendations_p99_ms": recs["p99_ms"],
        "rps": recs["rps"],
        "turn_p50_ms": turns["p50_ms"],
        "turn_p99_ms": turns["p99_ms"],
        "clients": args.clients,
        "seconds_per_phase": args.seconds,
        "think_s": args.think_s,
        "uvicorn_workers": args.workers if process is not None else None,
        "machine": f"{os.cpu_count()} CPU cores shared by the API, Neo4j and the load generator",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **measured,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    plot(result, args.out / "load.png")
    (args.out / "load.json").write_text(json.dumps(result, indent=2))
    summary = {k: v for k, v in result.items() if not k.endswith("latencies_ms")}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
