"""Fault benchmark of the HTTP API: worker kills, a frozen Neo4j and a dead one, under load.

Against the local Neo4j of the current settings (`chatrec neo4j start`, demo data imported, model trained: what
`./scripts/up.sh` leaves) and a `chatrec serve --workers N` this script starts. Turn clients (threads, one session
each) send messages with a client turn id all along and retry each turn with the same id until it is answered; list
clients request explained recommendations (a short think time apart); a prober calls `/health/live` every 50 ms. Phases:

1. worker kills: SIGKILL a random API worker every `--kill-every-s` (uvicorn starts a new one);
2. frozen Neo4j: SIGSTOP on the Neo4j process for `--freeze-s`, then SIGCONT;
3. dead Neo4j: SIGKILL on it, `--dead-s` later a restart (until Bolt accepts a login).

Then every session's transcript is read back (paginated) and audited. Writes bench/results/faults.json
(`frozen_neo4j_max_wait_ms`, `dead_neo4j_503_ms`, `recovery_s`, `acknowledged_turns`, `lost_turns`,
`half_done_turns`, `duplicate_turns_on_retry`, `live_max_ms` (while Neo4j is frozen or dead), and the detail of
each phase) and faults.png (each
list request's latency over time, by status, with the fault windows shaded).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import httpx
import numpy as np
import psutil
import typer
from rich.progress import Progress

from api.deps import local_neo4j
from core.config import get_settings

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
UTTERANCES = [
    "I loved Fargo and The Big Lebowski",
    "something with Tom Hanks please",
    "i like science fiction but i hate horror",
    "any 90s comedies with jim carey?",
    "why did you recommend that?",
    "no, not that one",
    "the matrix",
    "something newer than pulp fiction",
]
TIMEOUT_S = 30.0  # per request on the client side: anything longer is a hang
_KEY = get_settings().api_key
HEADERS = {"X-API-Key": _KEY.get_secret_value()} if _KEY else {}


@dataclass
class Timeline:
    """Every list request: when it started and ended (monotonic seconds) and its status (0: no answer)."""

    requests: list[tuple[float, float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, started: float, ended: float, status: int) -> None:
        with self.lock:
            self.requests.append((started, ended, status))

    def window(self, start: float, end: float) -> list[tuple[float, float, int]]:
        """The requests that were in flight at some point in [start, end]."""
        with self.lock:
            return [r for r in self.requests if r[0] <= end and r[1] >= start]


@dataclass
class TurnLog:
    """What the turn clients sent and what they were told."""

    sessions: list[str] = field(default_factory=list)
    sent: dict[str, str] = field(default_factory=dict)  # turn id → session id
    acknowledged: dict[str, int] = field(default_factory=dict)  # turn id → seq the API answered with
    retries: int = 0
    abandoned: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # of every attempt (0: no answer)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post(client: httpx.Client, url: str, body: dict[str, Any]) -> httpx.Response | None:
    try:
        return client.post(url, json=body, timeout=TIMEOUT_S)
    except httpx.HTTPError:
        return None


def turn_client(base: str, log: TurnLog, stop: threading.Event, seed: int, give_up_s: float) -> None:
    """One user: a session, then turns, each retried with its turn id until answered (or `give_up_s` passed)."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers=HEADERS) as client:
        session_id = None
        while session_id is None and not stop.is_set():
            response = _post(client, "/v1/sessions", {})
            if response is not None and response.status_code == 201:
                session_id = response.json()["session_id"]
            else:
                time.sleep(0.2)
        if session_id is None:
            return
        with log.lock:
            log.sessions.append(session_id)
        while not stop.is_set():
            turn_id = uuid.uuid4().hex
            body = {"text": rng.choice(UTTERANCES), "k": 5, "turn_id": turn_id}
            with log.lock:
                log.sent[turn_id] = session_id
            started = time.monotonic()
            while True:
                response = _post(client, f"/v1/sessions/{session_id}/messages", body)
                code = str(response.status_code if response is not None else 0)
                with log.lock:
                    log.statuses[code] = log.statuses.get(code, 0) + 1
                if response is not None and response.status_code == 200:
                    with log.lock:
                        log.acknowledged[turn_id] = response.json()["turn"]
                    break
                if time.monotonic() - started > give_up_s:
                    with log.lock:
                        log.abandoned += 1
                    break
                with log.lock:
                    log.retries += 1
                time.sleep(0.2)
            time.sleep(rng.uniform(0.1, 0.4))


def list_client(base: str, timeline: Timeline, stop: threading.Event, seed: int, think_s: float) -> None:
    """Explained lists for random MovieLens users, `think_s` apart (uniform 0.5-1.5x), each request timed."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = client.get(f"/v1/users/ml:{rng.randint(1, 943)}/recommendations?k=10", timeout=TIMEOUT_S)
                code = status.status_code
            except httpx.HTTPError:
                code = 0
            timeline.add(started, time.monotonic(), code)
            time.sleep(rng.uniform(0.5, 1.5) * think_s)


def prober(base: str, latencies: list[tuple[float, float, int]], stop: threading.Event) -> None:
    """`/health/live` every 50 ms: (started, milliseconds, status)."""
    with httpx.Client(base_url=base) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                code = client.get("/health/live", timeout=TIMEOUT_S).status_code
            except httpx.HTTPError:
                code = 0
            latencies.append((started, (time.monotonic() - started) * 1000, code))
            time.sleep(0.05)


def serve(port: int, workers: int) -> subprocess.Popen:
    """`chatrec serve` on `port` (access log off), once /health/ready answers 200."""
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)]
    log = (RESULTS / "faults-serve.log").open("w")  # the driver logs every failed connection: kept out of sight
    env = {**os.environ, "CHATREC_API_ACCESS_LOG": "false"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_ready(f"http://127.0.0.1:{port}", 240, process)
    return process


def wait_ready(base: str, within_s: float, process: subprocess.Popen | None = None) -> float:
    """Seconds until /health/ready answers 200; exits after `within_s`."""
    started = time.monotonic()
    while time.monotonic() - started < within_s:
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        if process is not None and process.poll() is not None:
            sys.exit(f"chatrec serve exited with code {process.returncode}")
        time.sleep(0.2)
    sys.exit(f"{base} was not ready within {within_s:.0f} s")


def first_success_after(timeline: Timeline, moment: float) -> float | None:
    """Seconds from `moment` until a list request started after it came back 200."""
    ends = [end for start, end, code in timeline.requests if start >= moment and code == 200]
    return round(min(ends) - moment, 3) if ends else None


def per_second(timeline: Timeline, origin: float) -> list[dict[str, int]]:
    """Status counts of the list requests by the second they ended in."""
    seconds: list[dict[str, int]] = []
    for _, end, code in sorted(timeline.requests, key=lambda r: r[1]):
        slot = int(end - origin)
        while len(seconds) <= slot:
            seconds.append({})
        seconds[slot][str(code)] = seconds[slot].get(str(code), 0) + 1
    return seconds


def summary(requests: list[tuple[float, float, int]]) -> dict[str, Any]:
    """Counts by status and the wait of the requests (ms)."""
    waits = np.array([(end - start) * 1000 for start, end, _ in requests]) if requests else np.zeros(1)
    statuses: dict[str, int] = {}
    for _, _, code in requests:
        statuses[str(code)] = statuses.get(str(code), 0) + 1
    return {
        "requests": len(requests),
        "statuses": statuses,
        "p50_ms": round(float(np.percentile(waits, 50)), 1),
        "p99_ms": round(float(np.percentile(waits, 99)), 1),
        "max_ms": round(float(waits.max()), 1),
    }


def audit(base: str, log: TurnLog) -> dict[str, int]:
    """Read every transcript back and count lost, half-done and duplicated turns."""
    user_turns: dict[str, list[dict[str, Any]]] = {}
    replies: dict[str, int] = {}
    other_user_turns = 0
    with httpx.Client(base_url=base, headers=HEADERS) as client:
        for session_id in log.sessions:
            after: int | None = 0
            while after is not None:
                page = client.get(f"/v1/sessions/{session_id}", params={"after_seq": after, "limit": 500}).json()
                for turn in page["turns"]:
                    if turn["role"] == "user":
                        if turn["turn_id"] in log.sent:
                            user_turns.setdefault(turn["turn_id"], []).append(turn)
                        else:
                            other_user_turns += 1
                    elif turn["reply_to"]:
                        replies[turn["reply_to"]] = replies.get(turn["reply_to"], 0) + 1
                after = page["next_after_seq"]
    lost = sum(1 for turn_id in log.acknowledged if turn_id not in user_turns)
    half_done = sum(
        1 for turn_id, turns in user_turns.items() if turns[0]["status"] != "answered" or replies.get(turn_id, 0) == 0
    )
    duplicates = other_user_turns + sum(len(t) - 1 for t in user_turns.values())
    duplicates += sum(n - 1 for n in replies.values() if n > 1)
    mismatched = sum(
        1 for turn_id, seq in log.acknowledged.items() if user_turns.get(turn_id, [{}])[0].get("seq") != seq
    )
    return {
        "acknowledged_turns": len(log.acknowledged),
        "lost_turns": lost,
        "half_done_turns": half_done,
        "duplicate_turns_on_retry": duplicates,
        "acknowledged_with_another_seq": mismatched,
        "turns_sent": len(log.sent),
        "turns_abandoned_by_clients": log.abandoned,
        "client_retries": log.retries,
        "attempt_statuses": log.statuses,
    }


def plot(timeline: Timeline, windows: dict[str, tuple[float, float]], origin: float, target: Path) -> None:
    """Each list request's latency against the time it started, by status, fault windows shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    colours = {"0": "black", "200": "tab:green", "503": "tab:orange"}
    by_status: dict[str, list[tuple[float, float]]] = {}
    for start, end, code in timeline.requests:
        by_status.setdefault(str(code), []).append((start - origin, (end - start) * 1000))
    for code, points in sorted(by_status.items()):
        xs, ys = zip(*points, strict=True)
        ax.scatter(
            xs, ys, s=4, color=colours.get(code, "tab:red"), label=f"HTTP {code}" if code != "0" else "no answer"
        )
    for (name, (start, end)), shade in zip(windows.items(), ("tab:blue", "tab:cyan", "tab:red"), strict=False):
        ax.axvspan(start - origin, end - origin, color=shade, alpha=0.12, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("seconds since the first fault phase")
    ax.set_ylabel("list latency (ms, log)")
    ax.set_title("Explained lists through worker kills, a frozen and a dead Neo4j")
    ax.legend(fontsize=8, markerscale=3)
    fig.tight_layout()
    fig.savefig(target, dpi=120)


app = typer.Typer(add_completion=False, rich_markup_mode=None)


@app.command(help=__doc__)
def main(
    port: Annotated[int, typer.Option(help="Port of the API this script starts.")] = 8766,
    workers: Annotated[int, typer.Option(min=2, help="API worker processes (one is killed at a time).")] = 2,
    turn_clients: Annotated[int, typer.Option(help="Concurrent sessions sending turns.")] = 8,
    list_clients: Annotated[int, typer.Option(help="Concurrent list clients.")] = 8,
    list_think_s: Annotated[float, typer.Option(help="Mean pause between a list client's requests.")] = 0.25,
    kills: Annotated[int, typer.Option(help="API workers killed in phase 1.")] = 4,
    kill_every_s: Annotated[float, typer.Option(help="Seconds between worker kills.")] = 10.0,
    freeze_s: Annotated[float, typer.Option(help="How long Neo4j is frozen.")] = 10.0,
    dead_s: Annotated[float, typer.Option(help="How long Neo4j stays dead before its restart.")] = 5.0,
    seed: int = 7,
    out: Annotated[Path, typer.Option(help="Folder for faults.json and faults.png.")] = RESULTS,
) -> None:
    settings = get_settings()
    neo4j = local_neo4j(settings)
    if neo4j.pid() is None:
        sys.exit(f"No local Neo4j runs from {neo4j.home}: start it (chatrec neo4j start) with data and a model.")
    base = f"http://127.0.0.1:{port}"
    process = serve(port, workers)
    stop_turns, stop_lists = threading.Event(), threading.Event()
    log, timeline, live = TurnLog(), Timeline(), []
    threads = [
        threading.Thread(target=turn_client, args=(base, log, stop_turns, seed + n, 120.0), daemon=True)
        for n in range(turn_clients)
    ]
    threads += [
        threading.Thread(
            target=list_client, args=(base, timeline, stop_lists, seed + 100 + n, list_think_s), daemon=True
        )
        for n in range(list_clients)
    ]
    threads.append(threading.Thread(target=prober, args=(base, live, stop_lists), daemon=True))
    rng = random.Random(seed)
    windows: dict[str, tuple[float, float]] = {}
    try:
        for thread in threads:
            thread.start()
        origin = time.monotonic()
        with Progress() as progress:
            task = progress.add_task("worker kills", total=kills)
            started = time.monotonic()
            for _ in range(kills):
                time.sleep(kill_every_s)
                workers_now = psutil.Process(process.pid).children()
                if workers_now:
                    os.kill(rng.choice(workers_now).pid, signal.SIGKILL)
                progress.advance(task)
            windows["worker kills"] = (started, time.monotonic())
            wait_ready(base, 120)
            progress.update(task, description=f"frozen Neo4j ({freeze_s:.0f} s)")
            time.sleep(3)
            pid = neo4j.pid()
            assert pid is not None
            frozen_at = time.monotonic()
            os.kill(pid, signal.SIGSTOP)
            time.sleep(freeze_s)
            os.kill(pid, signal.SIGCONT)
            thawed_at = time.monotonic()
            windows["frozen Neo4j"] = (frozen_at, thawed_at)
            time.sleep(8)
            progress.update(task, description=f"dead Neo4j ({dead_s:.0f} s), then its restart")
            killed_at = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            neo4j.stop()  # reaps it, clears its pid file
            time.sleep(dead_s)
            neo4j.start()
            answers_at = time.monotonic()
            windows["dead Neo4j"] = (killed_at, answers_at)
            ready_after_restart_s = wait_ready(base, 120)
            time.sleep(5)
            stop_lists.set()
            progress.update(task, description="turn clients finish their retries")
            stop_turns.set()
            for thread in threads:
                thread.join(timeout=150)
        frozen = summary(timeline.window(frozen_at, thawed_at))
        dead = summary([r for r in timeline.window(killed_at + 0.1, answers_at) if r[1] <= answers_at])
        turns = audit(base, log)
    finally:
        stop_lists.set()
        stop_turns.set()
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
    during_neo4j_faults = [
        (ms, code)
        for started, ms, code in live
        if frozen_at <= started <= thawed_at or killed_at <= started <= answers_at
    ]
    during_kills = [(ms, code) for started, ms, code in live if started <= windows["worker kills"][1]]
    recovery_frozen = first_success_after(timeline, thawed_at)
    recovery_dead = first_success_after(timeline, answers_at)
    result = {
        "frozen_neo4j_max_wait_ms": frozen["max_ms"],
        "frozen_neo4j_p99_ms": frozen["p99_ms"],
        "dead_neo4j_503_ms": dead["p99_ms"],
        "recovery_s": max(r for r in (recovery_frozen, recovery_dead) if r is not None),  # the worse of the two
        "recovery_after_freeze_s": recovery_frozen,
        "recovery_after_restart_s": recovery_dead,
        **{k: turns[k] for k in ("acknowledged_turns", "lost_turns", "half_done_turns", "duplicate_turns_on_retry")},
        "live_max_ms": round(max(ms for ms, _ in during_neo4j_faults), 1),
        "live_failures": sum(1 for _, code in during_neo4j_faults if code != 200),
        "live_during_worker_kills": {  # a probe on the killed worker's connection fails, then reconnects
            "max_ms": round(max(ms for ms, _ in during_kills), 1),
            "failures": sum(1 for _, code in during_kills if code != 200),
        },
        "frozen": frozen | {"seconds": freeze_s, "recovery_s": recovery_frozen},
        "dead": dead | {"seconds_until_restarted": round(answers_at - killed_at, 1), "recovery_s": recovery_dead},
        "ready_after_restart_s": round(ready_after_restart_s, 2),
        "worker_kills": kills,
        "turns": turns,
        "phases_s": {name: [round(a - origin, 1), round(b - origin, 1)] for name, (a, b) in windows.items()},
        "list_statuses_per_second": per_second(timeline, origin),
        "settings": {
            "workers": workers,
            "turn_clients": turn_clients,
            "list_clients": list_clients,
            "list_think_s": list_think_s,
            "neo4j_timeout_s": settings.neo4j_timeout_s,
            "neo4j_breaker_failures": settings.neo4j_breaker_failures,
            "neo4j_breaker_reset_s": settings.neo4j_breaker_reset_s,
        },
        "machine": f"{os.cpu_count()} CPU cores shared by the API, Neo4j and the clients",
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out.mkdir(parents=True, exist_ok=True)
    plot(timeline, windows, origin, out / "faults.png")
    (out / "faults.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    app()
