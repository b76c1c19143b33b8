"""Benchmark: re-scheduling a 2,000-task project through the API after one duration change — not
part of `make test`.

A throw-away database (SQLite file in a temporary directory, or PostgreSQL with ``DATABASE_URL``;
the benchmark creates and drops its own test database, ``<name>_planbench`` unless
``CLIENTPM_TEST_DB_NAME`` says otherwise) gets one project of 2,000 tasks: 40 summary tasks of 49
leaves each (1–15 working days, about 5 % milestones), each leaf depending on one to three leaves
before it (about 2.9 dependencies per leaf; 70 % FS, 10 % each SS/FF/SF, lags −2…+5), on the
China calendar. The rows are bulk-inserted, then scheduled once.

Measured, after a warm-up, as the median of ``--repeat`` runs:

- ``api``: ``PATCH /api/v1/tasks/{id}`` changing the duration of the first leaf (whose successors
  are most of the plan), alternating between two values so the dates really move each time — the
  whole request in-process (token auth, scoped load, lock, validation, audit, re-scheduling and
  storing every moved task, the response); the server time without the network;
- ``reschedule``: ``planning.project_reschedule`` alone on an unchanged plan (load, engine, compare);
- ``moved``: how many task rows the change rewrote.

Usage::

    .venv/bin/python bench/plan_bench.py                                   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientpm .venv/bin/python bench/plan_bench.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _configure() -> str:
    """Point Django at a throw-away database before it starts; returns the backend's name."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["CLIENTPM_VAR_DIR"] = tempfile.mkdtemp(prefix="clientpm-planbench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientpm.settings")
    import django

    django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(Path(os.environ["CLIENTPM_VAR_DIR"]) / "bench.sqlite3")
        return "sqlite"
    test = database.setdefault("TEST", {})
    if not test.get("NAME"):
        test["NAME"] = f"{database['NAME']}_planbench"
    return "postgresql"


def build(tasks: int, seed: int):
    """One project of ``tasks`` tasks (40 summaries) with random dependencies; returns (user, project,
    first leaf id, dependency count)."""
    import numpy as np

    from clientpm.accounts import roles
    from clientpm.accounts.services import user_create
    from clientpm.customers.services import customer_create
    from clientpm.projects import planning
    from clientpm.projects.models import Task, TaskDependency
    from clientpm.projects.services.projects import project_create

    rng = np.random.default_rng(seed)
    user = user_create(
        actor=None, username="bench-pm", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER]
    )
    customer = customer_create(actor=user, name="基准客户", owner=user)
    project = project_create(
        actor=user, customer=customer, name="基准项目", manager=user, planned_start_date=date(2026, 1, 5)
    )
    groups = 40
    per_group = tasks // groups - 1
    summaries = Task.objects.bulk_create(
        [Task(project=project, name=f"阶段 {g + 1}", position=g, duration_days=0) for g in range(groups)]
    )
    leaves = Task.objects.bulk_create(
        [
            Task(
                project=project,
                parent=summaries[g],
                position=i,
                name=f"任务 {g + 1}.{i + 1}",
                duration_days=0 if rng.random() < 0.05 else int(rng.integers(1, 16)),
            )
            for g in range(groups)
            for i in range(per_group)
        ],
        batch_size=1000,
    )
    kinds = ["FS"] * 7 + ["SS", "FF", "SF"]
    links = set()
    for index in range(1, len(leaves)):
        for _ in range(int(rng.integers(1, 4))):
            back = int(rng.integers(1, min(index, 120) + 1))
            links.add((index - back, index))
    TaskDependency.objects.bulk_create(
        [
            TaskDependency(
                predecessor=leaves[p],
                successor=leaves[s],
                dependency_type=kinds[int(rng.integers(0, 10))],
                lag_days=int(rng.integers(-2, 6)),
            )
            for p, s in sorted(links)
        ],
        batch_size=1000,
    )
    planning.project_renumber(project.pk)
    planning.project_reschedule(project)
    return user, project, leaves[0].pk, len(links)


def run(tasks: int, repeat: int, seed: int) -> dict[str, object]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from clientpm.accounts.services import api_token_create
    from clientpm.projects import planning
    from clientpm.projects.models import Project, Task

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        user, project, first, links = build(tasks, seed)
        _token, raw = api_token_create(actor=user, user=user, name="bench")
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        version = Task.objects.get(pk=first).version
        durations = (20, 5)
        samples, moved = [], []
        for i in range(repeat + 2):
            duration = durations[i % 2]
            before = dict(Task.objects.filter(project=project).values_list("id", "finish_date"))
            started = time.perf_counter()
            response = client.patch(
                f"/api/v1/tasks/{first}",
                {"version": version, "duration_days": duration},
                content_type="application/json",
            )
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"PATCH failed: {response.status_code} {response.content[:500]!r}")
            version = response.json()["version"]
            after = dict(Task.objects.filter(project=project).values_list("id", "finish_date"))
            if i >= 2:
                samples.append(elapsed)
                moved.append(sum(1 for pk, finish in after.items() if before[pk] != finish))
        fresh = Project.objects.select_related("calendar").get(pk=project.pk)
        reschedule = []
        for _ in range(repeat):
            started = time.perf_counter()
            planning.project_reschedule(fresh)
            reschedule.append((time.perf_counter() - started) * 1000)
        return {
            "tasks": Task.objects.filter(project=project).count(),
            "dependencies": links,
            "api_ms_median": round(statistics.median(samples), 1),
            "api_ms_samples": [round(s, 1) for s in samples],
            "reschedule_ms_median": round(statistics.median(reschedule), 1),
            "tasks_moved_median": statistics.median(moved),
        }
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/plan-<db>-<date>.json)")
    args = parser.parse_args()
    backend = _configure()
    result = run(args.tasks, args.repeat, args.seed)
    report = {
        "benchmark": "plan re-scheduling through the API",
        "database": backend,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "target_ms": 300,
        **result,
    }
    RESULTS.mkdir(exist_ok=True)
    output = args.output or RESULTS / f"plan-{backend}-{datetime.now().date().isoformat()}.json"
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"{backend}: {result['tasks']} tasks, {result['dependencies']} dependencies — PATCH duration "
        f"{result['api_ms_median']} ms median ({result['tasks_moved_median']} tasks moved), "
        f"reschedule alone {result['reschedule_ms_median']} ms  → {output}"
    )


if __name__ == "__main__":
    main()
