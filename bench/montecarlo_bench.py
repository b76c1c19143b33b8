"""Benchmark of Monte Carlo schedule risk (clientpm.scheduling.montecarlo) — not part of `make test`.

The network is the random layered DAG of ``bench/scheduling_bench.py`` (1,000 tasks, about 3
dependencies per task, 70 % FS and 10 % each SS/FF/SF, lags −2…+5 days, about 5 % milestones,
task numbers shuffled). Every task but the milestones gets a three-point estimate around its
duration (optimistic 60–100 %, pessimistic 100–200 % of it), and 100 risk events (probability
5–50 %, delay 1–10 days) sit on random tasks.

Measured, after a warm-up, as the median of several repetitions, for each distribution: the
whole :func:`~clientpm.scheduling.montecarlo.monte_carlo` call — drawing the (tasks × iterations)
durations and risk events, the forward pass and the per-iteration backward pass (criticality),
the finish distribution and Spearman's sensitivity of every task — in wall-clock and CPU time;
then, in a separate run, its peak memory (``tracemalloc``: NumPy's allocations) and the process's
maximum resident size. Before timing, the deterministic network (no estimates) is checked to
finish on the critical path method's date.

Usage::

    .venv/bin/python bench/montecarlo_bench.py            # 1,000 tasks × 10,000 iterations
    .venv/bin/python bench/montecarlo_bench.py --tasks 5000 --iterations 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scheduling_bench import layered_dag

from clientpm.scheduling.cpm import cpm
from clientpm.scheduling.montecarlo import Distribution, MonteCarloResult, monte_carlo

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_MS = 1000


def network(tasks: int, layers: int, risks: int, seed: int) -> dict[str, np.ndarray]:
    """The layered DAG with three-point estimates and risk events."""
    data = layered_dag(tasks, layers, 3.0, seed)
    rng = np.random.default_rng(seed + 1)
    likely = data["duration"].astype(np.float64)
    estimated = likely > 0
    data["optimistic"] = np.where(estimated, np.round(likely * rng.uniform(0.6, 1.0, tasks), 1), np.nan)
    data["most_likely"] = np.where(estimated, likely, np.nan)
    data["pessimistic"] = np.where(estimated, np.round(likely * rng.uniform(1.0, 2.0, tasks), 1), np.nan)
    data["risk_task"] = rng.integers(0, tasks, risks)
    data["risk_probability"] = rng.uniform(0.05, 0.5, risks)
    data["risk_delay"] = rng.integers(1, 11, risks).astype(np.float64)
    return data


def check_deterministic(data: dict[str, np.ndarray]) -> None:
    """Without estimates and risks every iteration must finish on the CPM's date."""
    network_args = (data["duration"], data["pred"], data["succ"], data["dep_type"], data["lag"])
    reference = cpm(*network_args)
    result = monte_carlo(*network_args, iterations=100, seed=1)
    if set(result.finish_day.tolist()) != {int(reference.finish_day.max())}:
        raise SystemExit("the deterministic simulation does not finish on the CPM date")


def simulate(
    data: dict[str, np.ndarray], iterations: int, distribution: Distribution, seed: int
) -> MonteCarloResult:
    return monte_carlo(
        data["duration"],
        data["pred"],
        data["succ"],
        data["dep_type"],
        data["lag"],
        optimistic=data["optimistic"],
        most_likely=data["most_likely"],
        pessimistic=data["pessimistic"],
        risk_task=data["risk_task"],
        risk_probability=data["risk_probability"],
        risk_delay=data["risk_delay"],
        distribution=distribution,
        iterations=iterations,
        seed=seed,
    )


def run(
    data: dict[str, np.ndarray], iterations: int, distribution: str, repeat: int, seed: int
) -> dict[str, object]:
    simulate(data, iterations, distribution, seed)  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = simulate(data, iterations, distribution, seed)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    tracemalloc.start()
    simulate(data, iterations, distribution, seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    order = np.argsort(-result.criticality)
    return {
        "distribution": distribution,
        "iterations": iterations,
        "wall_ms": round(statistics.median(wall), 1),
        "cpu_ms": round(statistics.median(cpu), 1),
        "peak_mb": round(peak / 2**20, 1),
        "under_target": statistics.median(wall) < TARGET_MS,
        "mean_finish_days": round(result.mean_finish, 2),
        "std_finish_days": round(result.std_finish, 2),
        "p50_day": result.percentile_day(0.5),
        "p80_day": result.percentile_day(0.8),
        "p95_day": result.percentile_day(0.95),
        "tasks_critical_in_half": int(np.count_nonzero(result.criticality >= 0.5)),
        "most_critical": [[int(task), round(float(result.criticality[task]), 3)] for task in order[:5]],
        "wall_samples_ms": [round(sample, 1) for sample in wall],
        "cpu_samples_ms": [round(sample, 1) for sample in cpu],
    }


def markdown(tasks: int, dependencies: int, depth: int, rows: list[dict[str, object]]) -> str:
    lines = [
        f"{tasks:,} tasks, {dependencies:,} dependencies, depth {depth}",
        "",
        "| distribution | iterations | wall ms (median) | CPU ms | peak MB (tracemalloc) | mean ± sd finish (days) | P50 / P80 / P95 (day) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['distribution']} | {row['iterations']:,} | {row['wall_ms']} | {row['cpu_ms']} | "
            f"{row['peak_mb']} | {row['mean_finish_days']} ± {row['std_finish_days']} | "
            f"{row['p50_day']} / {row['p80_day']} / {row['p95_day']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--layers", type=int, default=50, help="layers of the random DAG (its depth)")
    parser.add_argument("--risks", type=int, default=100, help="risk events on random tasks")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions per distribution")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--distributions", nargs="+", default=["triangular", "pert"], choices=["triangular", "pert"]
    )
    parser.add_argument(
        "--output", type=Path, help="JSON file (default bench/results/montecarlo-<date>.json)"
    )
    args = parser.parse_args()

    data = network(args.tasks, args.layers, args.risks, args.seed)
    check_deterministic(data)
    depth = cpm(data["duration"], data["pred"], data["succ"]).levels.depth
    rows = [run(data, args.iterations, kind, args.repeat, args.seed) for kind in args.distributions]
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(markdown(args.tasks, int(data["pred"].size), depth, rows))
    print(f"\nprocess max RSS {max_rss_mb:.0f} MB; target: under {TARGET_MS} ms wall-clock")
    report = {
        "benchmark": "montecarlo",
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "parameters": {
            "tasks": args.tasks,
            "dependencies": int(data["pred"].size),
            "layers": args.layers,
            "depth": depth,
            "deps_per_task": 3,
            "dependency_types": "70% FS, 10% SS, 10% FF, 10% SF",
            "lags": "-2..+5",
            "estimates": "optimistic 60-100%, pessimistic 100-200% of the duration; milestones fixed",
            "risk_events": args.risks,
            "repeat": args.repeat,
            "seed": args.seed,
        },
        "max_rss_mb": round(max_rss_mb, 1),
        "target_ms": TARGET_MS,
        "results": rows,
    }
    output = args.output or RESULTS / f"montecarlo-{datetime.now().date().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {output}")


if __name__ == "__main__":
    main()
