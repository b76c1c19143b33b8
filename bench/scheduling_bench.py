"""Benchmark of the schedule engine (clientpm.scheduling.cpm) against networkx — not part of `make test`.

Random layered DAGs of 10k and 100k tasks with about 3 dependencies per task (each task depends
on random tasks of the 1–3 layers before its own), mixed dependency types (70 % FS, 10 % each
SS/FF/SF) and lags from −2 to +5 working days, durations 0–20 days (about 5 % milestones), task
numbers shuffled so that the input is not already in topological order.

Measured, after a warm-up, as the median of several repetitions:

- ``engine``: the full computation — topological order, forward and backward pass, total and free
  float, critical tasks and the critical path — on the mixed graph (``cpm()``);
- ``engine FS``: the same on the finish-to-start, zero-lag version of the graph;
- ``topo``: the topological levels alone;
- ``networkx``: ``nx.dag_longest_path`` on the FS/zero-lag graph (built beforehand, not timed),
  whose length is checked against the engine's project duration.

Usage::

    .venv/bin/python bench/scheduling_bench.py            # 10k and 100k tasks, writes bench/results/
    .venv/bin/python bench/scheduling_bench.py --sizes 100000 --layers 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import numpy as np

from clientpm.scheduling.cpm import cpm
from clientpm.scheduling.dag import topological_levels

RESULTS = Path(__file__).resolve().parent / "results"


def layered_dag(n: int, layers: int, deps_per_task: float, seed: int) -> dict[str, np.ndarray]:
    """A random layered DAG with mixed dependency types and lags, task numbers shuffled."""
    rng = np.random.default_rng(seed)
    layer = np.sort(rng.integers(0, layers, n))
    succ = rng.integers(0, n, int(n * deps_per_task))
    succ = succ[layer[succ] > 0]
    back = rng.integers(1, 4, succ.size)
    pred_layer = np.maximum(layer[succ] - back, 0)
    first = np.searchsorted(layer, pred_layer, "left")
    last = np.searchsorted(layer, pred_layer, "right")
    pred = first + (rng.random(succ.size) * (last - first)).astype(np.int64)
    pairs = np.unique(np.stack([pred, succ], axis=1), axis=0)  # one dependency per pair, as in MS Project
    shuffle = rng.permutation(n)
    pred, succ = shuffle[pairs[:, 0]], shuffle[pairs[:, 1]]
    mix = rng.random(pred.size)
    dep_type = np.select([mix < 0.7, mix < 0.8, mix < 0.9], [0, 1, 2], 3).astype(np.int64)
    lag = rng.integers(-2, 6, pred.size)
    duration = np.where(rng.random(n) < 0.05, 0, rng.integers(1, 21, n))
    return {"duration": duration, "pred": pred, "succ": succ, "dep_type": dep_type, "lag": lag}


def timed(function: Callable[[], object], repeat: int, warmup: int = 2) -> tuple[float, list[float]]:
    """Median and samples, in milliseconds."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), samples


def networkx_graph(duration: np.ndarray, pred: np.ndarray, succ: np.ndarray) -> nx.DiGraph:
    """The FS/zero-lag graph for networkx: edge weight = the predecessor's duration, plus a sink."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(duration.size))
    weights = duration[pred].tolist()
    graph.add_weighted_edges_from(zip(pred.tolist(), succ.tolist(), weights, strict=True))
    sinks = np.setdiff1d(np.arange(duration.size), pred)
    graph.add_weighted_edges_from((int(task), "end", int(duration[task])) for task in sinks)
    return graph


def run(
    n: int, layers: int, repeat: int, nx_repeat: int, seed: int, with_networkx: bool
) -> dict[str, object]:
    data = layered_dag(n, layers, 3.0, seed)
    duration, pred, succ = data["duration"], data["pred"], data["succ"]
    engine_ms, engine_samples = timed(
        lambda: cpm(duration, pred, succ, data["dep_type"], data["lag"]), repeat
    )
    fs_ms, fs_samples = timed(lambda: cpm(duration, pred, succ), repeat)
    topo_ms, _ = timed(lambda: topological_levels(n, pred, succ), repeat)
    mixed = cpm(duration, pred, succ, data["dep_type"], data["lag"])
    fs = cpm(duration, pred, succ)
    row: dict[str, object] = {
        "tasks": n,
        "dependencies": int(pred.size),
        "layers": layers,
        "depth": mixed.levels.depth,
        "engine_ms": round(engine_ms, 2),
        "engine_fs_ms": round(fs_ms, 2),
        "topo_ms": round(topo_ms, 2),
        "critical_tasks": int(mixed.critical.sum()),
        "critical_path_length": int(mixed.critical_path.size),
        "engine_samples_ms": [round(sample, 2) for sample in engine_samples],
        "engine_fs_samples_ms": [round(sample, 2) for sample in fs_samples],
    }
    if with_networkx:
        graph = networkx_graph(duration, pred, succ)
        path: list[object] = []

        def longest() -> None:
            path[:] = nx.dag_longest_path(graph, weight="weight")

        nx_ms, nx_samples = timed(longest, nx_repeat, warmup=1)
        length = sum(graph.edges[a, b]["weight"] for a, b in itertools.pairwise(path))
        if length != fs.project_finish:
            raise SystemExit(f"networkx finds {length} days, the engine {fs.project_finish}")
        row |= {
            "networkx_ms": round(nx_ms, 2),
            "networkx_samples_ms": [round(sample, 2) for sample in nx_samples],
            "speedup_engine": round(nx_ms / engine_ms, 1),
            "speedup_engine_fs": round(nx_ms / fs_ms, 1),
        }
    return row


def markdown(rows: list[dict[str, object]]) -> str:
    lines = [
        "| tasks | deps | depth | engine (mixed) ms | engine (FS) ms | topo ms | networkx ms | speed-up (mixed / FS) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        speedup = f"{row['speedup_engine']}× / {row['speedup_engine_fs']}×" if "networkx_ms" in row else "–"
        lines.append(
            f"| {row['tasks']:,} | {row['dependencies']:,} | {row['depth']} | {row['engine_ms']} | "
            f"{row['engine_fs_ms']} | {row['topo_ms']} | {row.get('networkx_ms', '–')} | {speedup} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--layers", type=int, default=100, help="layers of the random DAG (its depth)")
    parser.add_argument("--repeat", type=int, default=15, help="timed repetitions of the engine")
    parser.add_argument("--nx-repeat", type=int, default=3, help="timed repetitions of networkx")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-networkx", action="store_true")
    parser.add_argument(
        "--output", type=Path, help="JSON file (default bench/results/scheduling-<date>.json)"
    )
    args = parser.parse_args()

    rows = [
        run(n, args.layers, args.repeat, args.nx_repeat, args.seed, not args.no_networkx) for n in args.sizes
    ]
    print(markdown(rows))
    report = {
        "benchmark": "scheduling",
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "networkx": nx.__version__,
        },
        "parameters": {
            "layers": args.layers,
            "deps_per_task": 3,
            "dependency_types": "70% FS, 10% SS, 10% FF, 10% SF",
            "lags": "-2..+5",
            "repeat": args.repeat,
            "nx_repeat": args.nx_repeat,
            "seed": args.seed,
        },
        "results": rows,
    }
    output = args.output or RESULTS / f"scheduling-{datetime.now().date().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    main()
