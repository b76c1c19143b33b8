"""Benchmark of the MSPDI import (clientpm.scheduling.mspdi) — not part of `make test`.

Measured:

- the import of the largest shared MSPDI file (``<data>/msproject/mspdi``): median wall time
  over ``--repeat`` runs after a warm-up, and peak Python memory of one run (``tracemalloc``);
- every shared MSPDI file: one line with what was imported (tasks, links, resources,
  assignments, calendars, report items/warnings) and whether the counts agree with
  ``manifest.csv`` (MPXJ's counts, which include the project summary row, blank rows, the blank
  resource 0 and MS Project's placeholder assignments — clientpm reports those as skipped, so
  they are added back before comparing);
- a synthetic plan of ``--synthetic`` tasks (written by the MSPDI writer, links every task to
  the one before): export and import time and peak memory, to show how the import scales.

The shared data folder comes from ``--data``, else ``CLIENTPM_SHARED_DATA``, else
``../shared/data`` next to the repository; the benchmark says so and stops if it is absent.

Usage::

    .venv/bin/python bench/mspdi_bench.py                  # writes bench/results/mspdi-<date>.json
    .venv/bin/python bench/mspdi_bench.py --repeat 10 --synthetic 20000
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
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from clientpm.scheduling.cpm import DependencyType
from clientpm.scheduling.mspdi import MspdiLink, MspdiProject, MspdiTask, ProjectInfo, ReportCode, read_mspdi
from clientpm.scheduling.mspdi.writer import mspdi_bytes

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def data_folder(option: str | None) -> Path:
    return Path(option or os.environ.get("CLIENTPM_SHARED_DATA") or REPO.parent / "shared" / "data")


def timed(function: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    """Median and samples in milliseconds, after one warm-up run."""
    function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), samples


def peak_mib(function: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def skipped(report, code: ReportCode) -> int:
    return sum(item.count for item in report.find(code))


def summarise(path: Path, manifest: dict[str, dict[str, str]]) -> dict[str, object]:
    project, report = read_mspdi(path)
    counts = {
        "tasks": len(project.tasks),
        "links": len(project.links),
        "resources": len(project.resources),
        "assignments": len(project.assignments),
        "calendars": len(project.calendars),
    }
    # MPXJ's counting, from ours plus the rows clientpm skips (all reported)
    as_mpxj = {
        "tasks": counts["tasks"]
        + skipped(report, ReportCode.PROJECT_SUMMARY_SKIPPED)
        + skipped(report, ReportCode.BLANK_TASK_SKIPPED),
        "links": counts["links"],
        "resources": counts["resources"] + skipped(report, ReportCode.BLANK_RESOURCE_SKIPPED),
        # placeholders without a resource, and assignments to rows not imported (the summary row)
        "assignments": counts["assignments"]
        + skipped(report, ReportCode.ASSIGNMENT_WITHOUT_RESOURCE)
        + skipped(report, ReportCode.ASSIGNMENT_UNKNOWN_TASK),
        "calendars": counts["calendars"],
    }
    row = manifest.get(f"mspdi/{path.name}")
    expected = {key: int(row[key]) for key in as_mpxj} if row else None
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        **counts,
        "report_items": len(report),
        "report_warnings": len(report.warnings),
        "manifest": expected,
        "matches_manifest": expected == as_mpxj if expected else None,
        "differences": {
            k: (as_mpxj[k], expected[k]) for k in as_mpxj if expected and as_mpxj[k] != expected[k]
        },
    }


def synthetic(size: int) -> MspdiProject:
    tasks = tuple(
        MspdiTask(uid, f"Task {uid}", outline_number=str(uid), working_days=1 + uid % 10)
        for uid in range(1, size + 1)
    )
    links = tuple(
        MspdiLink(uid - 1, uid, DependencyType.FS, lag_days=uid % 3 - 1) for uid in range(2, size + 1)
    )
    return MspdiProject(ProjectInfo(name="Synthetic", start=datetime(2026, 3, 2, 8)), (), tasks, links)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", help="the shared data folder (default: CLIENTPM_SHARED_DATA or ../shared/data)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=5000, help="tasks in the synthetic plan (0: skip)")
    args = parser.parse_args()

    folder = data_folder(args.data) / "msproject"
    files = sorted((folder / "mspdi").glob("*.xml"))
    if not files:
        print(
            f"Shared MSPDI files not found in {folder / 'mspdi'} — set CLIENTPM_SHARED_DATA or --data "
            "to the shared data folder (it is not on CI); nothing was measured.",
            file=sys.stderr,
        )
        return 2
    with open(folder / "manifest.csv", newline="", encoding="utf-8") as stream:
        manifest = {row["file"]: row for row in csv.DictReader(stream)}

    largest = max(files, key=lambda path: path.stat().st_size)
    median_ms, samples = timed(lambda: read_mspdi(largest), args.repeat)
    peak = peak_mib(lambda: read_mspdi(largest))
    print(f"largest file: {largest.name} ({largest.stat().st_size / 1024:.0f} KiB)")
    print(f"  import: {median_ms:.1f} ms median of {args.repeat}; peak Python memory {peak:.2f} MiB")

    print(
        f"\n{'file':<52} {'tasks':>5} {'links':>5} {'res':>4} {'asg':>4} {'cal':>4} {'rep':>4} {'warn':>4}  manifest"
    )
    rows = []
    for path in files:
        row = summarise(path, manifest)
        rows.append(row)
        verdict = {True: "ok", False: f"differs {row['differences']}", None: "not listed"}[
            row["matches_manifest"]
        ]
        print(
            f"{row['file']:<52} {row['tasks']:>5} {row['links']:>5} {row['resources']:>4} {row['assignments']:>4} "
            f"{row['calendars']:>4} {row['report_items']:>4} {row['report_warnings']:>4}  {verdict}"
        )
    matching = sum(1 for row in rows if row["matches_manifest"])
    print(f"{matching}/{len(rows)} files agree with manifest.csv")

    result: dict[str, object] = {
        "benchmark": "mspdi",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "data": os.path.relpath(folder, REPO),  # relative: results carry no machine paths
        "largest": {
            "file": largest.name,
            "bytes": largest.stat().st_size,
            "import_ms": round(median_ms, 2),
            "import_samples_ms": [round(sample, 2) for sample in samples],
            "peak_mib": round(peak, 3),
        },
        "files": rows,
        "files_matching_manifest": matching,
    }
    if args.synthetic:
        plan = synthetic(args.synthetic)
        data = mspdi_bytes(plan)
        write_ms, _ = timed(lambda: mspdi_bytes(plan), max(1, args.repeat // 2))
        read_ms, _ = timed(lambda: read_mspdi(data), max(1, args.repeat // 2))
        read_peak = peak_mib(lambda: read_mspdi(data))
        imported = read_mspdi(data).project
        assert len(imported.tasks) == args.synthetic
        assert len(imported.links) == args.synthetic - 1
        print(
            f"\nsynthetic plan: {args.synthetic} tasks, {args.synthetic - 1} links, {len(data) / 2**20:.1f} MiB: "
            f"export {write_ms:.0f} ms, import {read_ms:.0f} ms, import peak {read_peak:.1f} MiB"
        )
        result["synthetic"] = {
            "tasks": args.synthetic,
            "links": args.synthetic - 1,
            "bytes": len(data),
            "export_ms": round(write_ms, 1),
            "import_ms": round(read_ms, 1),
            "import_peak_mib": round(read_peak, 2),
        }
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"mspdi-{datetime.now(UTC).date().isoformat()}.json"
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults: {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
