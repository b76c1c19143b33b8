"""Benchmark of resource leveling (clientpm.scheduling.leveling) on PSPLIB j30/j60/j120 — not part of `make test`.

For every instance of the chosen sets (or an evenly spaced sample of ``--limit`` instances, which
covers every parameter group), each mode levels the project and the independent validator
(``clientpm.scheduling.validator``) checks the schedule against the file; an invalid schedule
stops the run. Deviations are ``(makespan − reference) / reference`` with, from the set's
``optimum.csv``:

- ``dev`` — the reference is ``upper_bound``: the optimum (all of j30) or the best known makespan;
- ``dev LB`` — the reference is ``lower_bound``, the best proven bound (equal to the optimum when
  it is known);
- ``gap`` — the reference is our own lower bound (CP-SAT's best bound in optimising mode).

Modes: ``heuristic`` — :func:`level_heuristic` with ``--schedules`` passes (deterministic for a
seed); ``optimal`` — :func:`level_optimal` with the set's time limit (2 s j30, 5 s j60, 10 s
j120 unless ``--time-limit``), ``--workers`` CP-SAT workers.

The data is read from ``$CLIENTPM_SHARED_DATA/psplib`` (default ``../shared/data`` next to the
repository); without it the script says so and exits 0.

Usage::

    .venv/bin/python bench/leveling_bench.py                                # j30, both modes
    .venv/bin/python bench/leveling_bench.py --sets j30 --modes heuristic   # all 480, fast
    .venv/bin/python bench/leveling_bench.py --sets j30 j60 j120 --limit j60=40,j120=40
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import ortools

from clientpm.scheduling.leveling import level_heuristic
from clientpm.scheduling.leveling.cpsat import level_optimal
from clientpm.scheduling.psplib import PsplibInstance, read_psplib
from clientpm.scheduling.validator import validate_schedule

REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TIME_LIMITS = {"j30": 2.0, "j60": 5.0, "j120": 10.0}


def data_root() -> Path:
    return Path(os.environ.get("CLIENTPM_SHARED_DATA", REPOSITORY.parent / "shared" / "data")) / "psplib"


def limits(text: str) -> dict[str, int]:
    """``40`` (every set) or ``j60=40,j120=40``."""
    if text.isdigit():
        return {name: int(text) for name in TIME_LIMITS}
    return {name: int(count) for name, count in (part.split("=") for part in text.split(","))}


def sample(rows: list[dict[str, str]], limit: int | None) -> list[dict[str, str]]:
    """All rows, or ``limit`` rows evenly spaced over the set (every parameter group is represented)."""
    if limit is None or limit >= len(rows):
        return rows
    picks = np.linspace(0, len(rows) - 1, limit).round().astype(int)
    return [rows[i] for i in picks]


def validate(instance: PsplibInstance, start: np.ndarray) -> int:
    """The makespan of a schedule the validator accepts; stops the benchmark otherwise."""
    pred = [job for job, following in enumerate(instance.successors) for _ in following]
    succ = [nxt for following in instance.successors for nxt in following]
    check = validate_schedule(
        start, instance.duration, pred=pred, succ=succ, demand=instance.demand, capacity=instance.capacity
    )
    if not check.valid:
        raise SystemExit(f"{instance.name}: invalid schedule: {'; '.join(map(str, check.problems[:5]))}")
    return check.project_finish


def run_one(
    instance: PsplibInstance, row: dict[str, str], mode: str, args: argparse.Namespace, limit: float
) -> dict[str, object]:
    problem = instance.problem()
    began = time.perf_counter()
    if mode == "heuristic":
        result = level_heuristic(
            problem, schedules=args.schedules, time_limit=args.heuristic_time, seed=args.seed
        )
    else:
        result = level_optimal(problem, time_limit=limit, num_workers=args.workers, seed=args.seed)
    seconds = time.perf_counter() - began
    makespan = validate(instance, result.start)
    upper, lower = int(row["upper_bound"]), int(row["lower_bound"])
    if result.lower_bound > lower and result.lower_bound > upper:
        raise SystemExit(f"{instance.name}: lower bound {result.lower_bound} above the best known {upper}")
    return {
        "instance": instance.name,
        "makespan": makespan,
        "upper_bound": upper,
        "lower_bound": lower,
        "kind": row["kind"],
        "own_lower_bound": result.lower_bound,
        "status": result.status,
        "detail": result.solver_status,
        "schedules": result.schedules,
        "seconds": round(seconds, 4),
        "dev": (makespan - upper) / upper,
        "dev_lb": (makespan - lower) / lower,
        "gap": (makespan - result.lower_bound) / result.lower_bound,
    }


def summarise(name: str, mode: str, rows: list[dict[str, object]], limit: float | None) -> dict[str, object]:
    def values(key: str) -> list[float]:
        return [float(row[key]) for row in rows]  # type: ignore[arg-type]

    return {
        "set": name,
        "mode": mode,
        "time_limit": limit,
        "instances": len(rows),
        "mean_dev_pct": round(100 * statistics.mean(values("dev")), 3),
        "max_dev_pct": round(100 * max(values("dev")), 2),
        "mean_dev_lb_pct": round(100 * statistics.mean(values("dev_lb")), 3),
        "mean_gap_pct": round(100 * statistics.mean(values("gap")), 3),
        "at_best_known": sum(row["makespan"] <= row["upper_bound"] for row in rows),  # type: ignore[operator]
        "proven_optimal": sum(row["status"] == "optimal" for row in rows),
        "mean_ms": round(1000 * statistics.mean(values("seconds")), 1),
        "max_ms": round(1000 * max(values("seconds")), 1),
    }


def markdown(summaries: list[dict[str, object]]) -> str:
    lines = [
        "| set | mode | limit | instances | mean dev | max dev | mean dev from LB | mean gap (own LB) "
        "| at best known | proven optimal | ms / instance (mean / max) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in summaries:
        limit = f"{s['time_limit']} s" if s["time_limit"] else "–"
        lines.append(
            f"| {s['set']} | {s['mode']} | {limit} | {s['instances']} | {s['mean_dev_pct']} % | "
            f"{s['max_dev_pct']} % | {s['mean_dev_lb_pct']} % | {s['mean_gap_pct']} % | {s['at_best_known']} | "
            f"{s['proven_optimal']} | {s['mean_ms']} / {s['max_ms']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["j30"], choices=sorted(TIME_LIMITS))
    parser.add_argument(
        "--modes", nargs="+", default=["heuristic", "optimal"], choices=["heuristic", "optimal"]
    )
    parser.add_argument(
        "--limit",
        type=limits,
        default={},
        help="instances per set, evenly spaced: N for every set, or j60=40,j120=40 (default all)",
    )
    parser.add_argument("--schedules", type=int, default=500, help="heuristic: schedule budget")
    parser.add_argument("--heuristic-time", type=float, help="heuristic: time cap in seconds (default none)")
    parser.add_argument(
        "--time-limit", type=float, help="optimal: seconds per instance (default 2/5/10 by set)"
    )
    parser.add_argument("--workers", type=int, default=2, help="optimal: CP-SAT workers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="one line per instance")
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/leveling-<date>.json)")
    args = parser.parse_args()

    root = data_root()
    if not root.is_dir():
        print(
            f"PSPLIB data not found at {root}: set CLIENTPM_SHARED_DATA to the shared data folder. Nothing to do."
        )
        return

    summaries: list[dict[str, object]] = []
    details: dict[str, list[dict[str, object]]] = {}
    for name in args.sets:
        with (root / name / "optimum.csv").open(newline="") as file:
            rows = sample(list(csv.DictReader(file)), args.limit.get(name))
        instances = [read_psplib(root / name / f"{row['instance']}.sm") for row in rows]
        for mode in args.modes:
            limit = (args.time_limit or TIME_LIMITS[name]) if mode == "optimal" else None
            results = []
            for instance, row in zip(instances, rows, strict=True):
                result = run_one(instance, row, mode, args, limit or 0.0)
                results.append(result)
                if args.verbose:
                    print(
                        f"{name} {mode} {instance.name}: {result['makespan']} (best known {result['upper_bound']}, "
                        f"bound {result['own_lower_bound']}) {result['detail']} {result['seconds']:.2f} s",
                        file=sys.stderr,
                        flush=True,
                    )
            summaries.append(summarise(name, mode, results, limit))
            details[f"{name}/{mode}"] = results
            print(markdown(summaries[-1:]).splitlines()[-1], file=sys.stderr, flush=True)

    print(markdown(summaries))
    report = {
        "benchmark": "leveling",
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "ortools": ortools.__version__,
        },
        "parameters": {
            "limit": args.limit,
            "schedules": args.schedules,
            "heuristic_time": args.heuristic_time,
            "time_limit": args.time_limit,
            "workers": args.workers,
            "seed": args.seed,
        },
        "summary": summaries,
        "instances": details,
    }
    output = args.output or RESULTS / f"leveling-{datetime.now().date().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    main()
