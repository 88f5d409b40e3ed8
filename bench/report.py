"""The results tables of docs/benchmarks.md, generated from bench/results/*.json.

Usage:
    python bench/report.py [--check]
Rewrites what lies between `<!-- results:start -->` and `<!-- results:end -->` in docs/benchmarks.md (a second run
changes nothing); a missing file or key shows as a dash. `--check` writes nothing and exits 1 when the page is stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- results:start -->", "<!-- results:end -->"
DASH = "\N{EN DASH}"
RENDERINGS = {
    "canonical": 'canonical "Title (Year)"',
    "no_year": "no year",
    "lower": "lower case",
    "lower_message": "whole message in lower case",
    "no_article": 'no leading article ("matrix")',
    "short": 'short title ("harry potter")',
    "typo": "one typo",
    "keyword": 'a distinctive word ("shawshank")',
    "surname": "surname",
    "surname_lower": "lower-case surname",
    "surname_typo": "surname with a typo",
}


class Results:
    """The JSON files of one results folder, each read once; a missing or unreadable file reads as empty."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, dict[str, Any]] = {}

    def file(self, name: str) -> dict[str, Any]:
        """The object in `<name>.json`, or `{}`."""
        if name not in self._files:
            try:
                data = json.loads((self.folder / f"{name}.json").read_text())
            except (OSError, ValueError):
                data = {}
            self._files[name] = data if isinstance(data, dict) else {}
        return self._files[name]

    def get(self, name: str, *keys: str) -> Any:
        """The value at `keys` inside `<name>.json`, or None when any step is missing."""
        value: Any = self.file(name)
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value


def num(value: Any, digits: int = 3) -> str:
    """A number with `digits` decimals, halves rounded up as written in the JSON (0.0365 → 0.037) and thousands
    separated; a dash for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return DASH
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{digits}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])


def source(results: Results, *names: str) -> str:
    """Where a table's figures come from, with each file's `finished` time when it records one."""
    parts = []
    for name in names:
        finished = results.get(name, "finished")
        parts.append(f"`bench/results/{name}.json`" + (f", {finished}" if isinstance(finished, str) else ""))
    return "; ".join(parts)


def section(title: str, body: str, results: Results, *names: str) -> str:
    """A titled table with its sources."""
    return f"**{title}** ({source(results, *names)})\n\n{body}"


def conversation(results: Results) -> str:
    """Recall@k of the top 50 on the held-out fold, ReDial and OpenDialKG, standard and dedup."""
    rows = []
    for name, label in (("redial", "ReDial"), ("opendialkg", "OpenDialKG")):
        for variant in ("standard", "dedup"):
            recall = [num(results.get(name, variant, f"recall@{k}")) for k in (1, 10, 50)]
            rows.append([f"{label}, {variant}", *recall, num(results.get(name, variant, "samples"), 0)])
    body = table(["held-out fold", "R@1", "R@10", "R@50", "gold items"], rows)
    return section("Conversational recommendation", body, results, "redial", "opendialkg")


def followups(results: Results) -> str:
    """How often the second list follows a person or genre asked for after a liked film, per `request` weight."""
    served = results.get("followups", "served_request_weight")
    by_weight = results.get("followups", "by_request_weight") or {}
    rows = []
    for weight, kinds in sorted(by_weight.items(), key=lambda wk: float(wk[0])):
        label = f"{float(weight):g}" + (" (served)" if served is not None and float(weight) == served else "")
        person, genre = kinds.get("person", {}), kinds.get("genre", {})
        figures = [num(k.get(f)) for k in (person, genre) for f in ("understood", "followed@5")]
        rows.append([label, *figures, f"{num(person.get('cases'), 0)} / {num(genre.get('cases'), 0)}"])
    header = ["request weight", "person understood", "person followed@5", "genre understood", "genre followed@5"]
    body = table([*header, "cases (person / genre)"], rows)
    return section("Follow-up requests, demo graph", body, results, "followups")


def movielens(results: Results) -> str:
    """NDCG@5 (P@5 / R@5) of every model of the MovieLens-100K benchmark, all ratings and ratings ≥ 4."""
    models = results.get("movielens", "variants", "all", "models") or {}
    rows = []
    for model in models or [DASH]:
        cells = [model]
        for keys in ((model, "ndcg@5"), (model, "precision@5"), (model, "recall@5")):
            cells.append(num(results.get("movielens", "variants", "all", "models", *keys)))
        cells.append(num(results.get("movielens", "variants", "rating>=4", "models", model, "ndcg@5")))
        rows.append(cells)
    body = table(["model", "NDCG@5, all ratings", "P@5", "R@5", "NDCG@5, rating ≥ 4"], rows)
    ratios = (
        f"Ours as served / LightGCN: {num(results.get('movielens', 'ratio_ndcg@5_vs_lightgcn'))}; "
        f"/ the best baseline, {results.get('movielens', 'best_baseline') or DASH}: "
        f"{num(results.get('movielens', 'ratio_ndcg@5_vs_best_baseline'))}."
    )
    return section("Top-K on MovieLens-100K", f"{body}\n\n{ratios}", results, "movielens")


def nlu(results: Results) -> str:
    """Linking, polarity, seen-status and parse time on raw ReDial; OpenDialKG linking; the local LLM's run."""

    def get(*keys: str) -> Any:
        return results.get("nlu", *keys)

    def scores(name: str, *keys: str) -> str:
        f1, p, r = (num(results.get(name, *keys, m)) for m in ("f1", "precision", "recall"))
        return f"{f1} ({p} / {r})"

    by_type = ", ".join(f"{kind} {num(get('linking_by_type', kind, 'f1'))}" for kind in ("movie", "person", "genre"))
    llm = results.get("nlu_typed_llm", "dialogues")
    rows = [
        ["linking F1 (P / R), ReDial", f"{num(get('linking_f1'))} ({num(get('linking_precision'))} / "
         f"{num(get('linking_recall'))}); {by_type}"],
        ["linking F1, held-out half", num(get("folds", "heldout_fold1", "linking_f1"))],
        ["polarity accuracy (on decided mentions)",
         f"{num(get('polarity_accuracy'))} ({num(get('polarity_accuracy_decided'))})"],
        ["seen-status accuracy (on decided mentions)",
         f"{num(get('seen_accuracy'))} ({num(get('seen_accuracy_decided'))})"],
        ["parse p50 / p99", f"{num(get('parse_p50_ms'), 2)} / {num(get('parse_p99_ms'), 1)} ms"],
        ["linking F1 (P / R), OpenDialKG", scores("nlu_typed", "opendialkg")],
        [f"local LLM (Gemma 3 270M), whole message in lower case, {num(llm, 0)} dialogues: F1 (P / R)",
         scores("nlu_typed_llm", "by_rendering", "lower_message")],
    ]  # fmt: skip
    return section("NLU", table(["figure", "value"], rows), results, "nlu", "nlu_typed", "nlu_typed_llm")


def typed(results: Results) -> str:
    """F1 of the embedded parser by how the mention was typed, all dialogues and the held-out fold."""
    renderings = results.get("nlu_typed", "by_rendering") or RENDERINGS
    rows = []
    for key in renderings:
        scores = [num(results.get("nlu_typed", "by_rendering", key, m)) for m in ("precision", "recall", "f1")]
        rows.append([RENDERINGS.get(key, key), *scores, num(results.get("nlu_typed", "by_fold_f1", key, "fold1"))])
    body = table(["rendering", "P", "R", "F1", "F1, held-out fold"], rows)
    return section("NLU by how people type (learned linker)", body, results, "nlu_typed")


def freetext(results: Results) -> str:
    """Linking on the hand-written free-text messages, per file (set a was read while writing the rules; when each
    other set was first scored: docs/benchmarks.md)."""
    sets = sorted({name.split("_")[0] for name in results.get("nlu_freetext", "by_file") or {}})
    names = {f"{s}_{case}": f"{s}, {case} case" for s in sets for case in ("mixed", "lower")}
    rows = []
    for name, label in names.items():
        scores = [num(results.get("nlu_freetext", "by_file", name, m)) for m in ("precision", "recall", "f1")]
        polarity = num(results.get("nlu_freetext", "by_file", name, "polarity_accuracy"))
        rows.append([label, *scores, polarity, num(results.get("nlu_freetext", "by_file", name, "messages"), 0)])
    body = table(["set, writing", "P", "R", "F1", "polarity", "messages"], rows)
    return section("NLU on free text (messages as people type them)", body, results, "nlu_freetext")


def load(results: Results) -> str:
    """Latency and throughput of the HTTP API under load, and the first request after ready."""

    def get(*keys: str) -> Any:
        return results.get("load", *keys)

    rows = [
        [label, num(get(key, "p50_ms"), 1), num(get(key, "p99_ms"), 1), num(get(key, "rps"), 1)]
        for key, label in (
            ("recommendations", "explained list (`explain=true`)"),
            ("unexplained_recommendations", "list (`explain=false`)"),
            ("turns", "dialogue turn"),
        )
    ]
    rows.append(["explained list, 100 clients", *(num(get("clients_100", k), 1) for k in ("p50_ms", "p99_ms", "rps"))])
    rows.append(["first request after ready (one request)", num(get("first_request_ms"), 1), DASH, DASH])
    setup = (
        f"{num(get('clients'), 0)} clients, {num(get('seconds_per_phase'), 0)} s per phase, "
        f"{num(get('uvicorn_workers'), 0)} workers"
    )
    body = table(["request", "p50 ms", "p99 ms", "req/s"], rows)
    return section(f"HTTP API under load ({setup})", body, results, "load")


def faults(results: Results) -> str:
    """The fault benchmark's waits, recovery times and the turn audit."""

    def get(*keys: str) -> Any:
        return results.get("faults", *keys)

    audit = ("acknowledged_turns", "lost_turns", "half_done_turns", "duplicate_turns_on_retry")
    rows = [
        ["frozen Neo4j: wait of the lists in flight, p99 / max", f"{num(get('frozen_neo4j_p99_ms'), 0)} / "
         f"{num(get('frozen_neo4j_max_wait_ms'), 0)} ms"],
        ["dead Neo4j: 503, p99", f"{num(get('dead_neo4j_503_ms'), 0)} ms"],
        ["`/health/live` while Neo4j is frozen or dead, max", f"{num(get('live_max_ms'), 1)} ms"],
        ["recovery after the freeze / after the restart", f"{num(get('recovery_after_freeze_s'), 1)} / "
         f"{num(get('recovery_after_restart_s'), 1)} s"],
        ["turns acknowledged / lost / half-done / duplicated", " / ".join(num(get(k), 0) for k in audit)],
    ]  # fmt: skip
    return section("Faults", table(["figure", "value"], rows), results, "faults")


def imports(results: Results) -> str:
    """The demo catalog import: seconds, nodes, relationships."""

    def get(key: str) -> Any:
        return results.get("import", key)

    rows = [
        ["seconds (median of runs)", num(get("seconds"), 1)],
        ["nodes (per s)", f"{num(get('nodes'), 0)} ({num(get('nodes_per_s'), 0)})"],
        ["relationships (per s)", f"{num(get('relationships'), 0)} ({num(get('relationships_per_s'), 0)})"],
    ]
    return section("Import", table(["figure", "value"], rows), results, "import")


def scale(results: Results) -> str:
    """Per scale factor of the synthetic catalogs: import, training, top-k and serving."""
    rows = []
    for entry in results.get("scale", "results") or []:

        def get(*keys: str, entry: dict[str, Any] = entry) -> Any:
            value: Any = entry
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            return value

        rss = [get("training", "peak_rss_mb"), get("serving", "worker_peak_rss_mb")]
        rows.append(
            [
                num(get("scale"), 0),
                f"{num(get('import', 'relationships'), 0)}: {num(get('import', 'seconds'), 0)} s "
                f"({num(get('import', 'relationships_per_s'), 0)}/s)",
                f"{num(get('training', 'epoch_seconds'), 1)} s x {num(get('training', 'epochs'), 0)} = "
                f"{num(get('training', 'train_seconds'), 0)} s",
                num(get("training", "val_ndcg@10")),
                " / ".join(num(x / 1024 if isinstance(x, int | float) else None, 1) for x in rss),
                f"{num(get('top_k', 'exact_p50_ms'), 1)} / {num(get('top_k', 'index_p50_ms'), 1)} "
                f"({num(get('top_k', 'index_overlap_at_10'), 2)})",
                " / ".join(num(get("serving", kind, "p99_ms"), 0) for kind in ("explained", "unexplained", "turn")),
                num(get("store_mb"), 0),
            ]
        )
    header = [
        "S",
        "relationships: import s (per s)",
        "epoch s x epochs = training s",
        "val NDCG@10",
        "RSS GB: training / API worker",
        "list ms in process: exact / index (overlap@10)",
        "50 clients p99 ms: explained / unexplained / turn",
        "store MB",
    ]
    return section("Scale (synthetic catalogs)", table(header, rows), results, "scale")


SECTIONS: tuple[Callable[[Results], str], ...] = (
    conversation,
    followups,
    movielens,
    nlu,
    typed,
    freetext,
    load,
    faults,
    imports,
    scale,
)


def render(results: Results) -> str:
    """Every table, in the page's order."""
    note = "Generated by `python bench/report.py` from `bench/results/*.json`; edit those, not this block."
    return "\n\n".join([note, *(make(results) for make in SECTIONS)])


def splice(page: str, block: str) -> str:
    """`page` with the text between the markers replaced by `block`."""
    head, start, rest = page.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the page needs the markers {START} and {END}")
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(
    results: Annotated[Path, typer.Option(help="Folder of the JSON results.")] = ROOT / "bench" / "results",
    doc: Annotated[Path, typer.Option(help="Page to rewrite.")] = ROOT / "docs" / "benchmarks.md",
    check: Annotated[bool, typer.Option(help="Write nothing; exit 1 when the page is stale.")] = False,
) -> None:
    """Rewrite the results block of `doc` from the files in `results`."""
    page = doc.read_text()
    try:
        updated = splice(page, render(Results(results)))
    except ValueError as exc:
        typer.echo(f"{doc}: {exc}", err=True)
        raise typer.Exit(2) from None
    if updated == page:
        typer.echo(f"{doc}: up to date")
    elif check:
        typer.echo(f"{doc}: stale; run python bench/report.py", err=True)
        raise typer.Exit(1)
    else:
        doc.write_text(updated)
        typer.echo(f"{doc}: results rewritten")


if __name__ == "__main__":
    typer.run(main)
