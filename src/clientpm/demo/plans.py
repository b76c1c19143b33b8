"""Demo plans: a work breakdown of an implementation project for every demo project past
initiation, with dependencies, a baseline and progress up to the demo's "today".

The tasks are bulk-inserted, then each project is scheduled by the same code the services use
(``planning.project_reschedule``), so the demo's dates, floats and critical paths are real.
Progress is set from the scheduled dates against ``anchor`` (done before it, in progress across
it), then the project is rescheduled from that status date, so late work shows as slipped
against the baseline that was saved before the progress.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise

from clientpm.core.audit import record_bulk_create
from clientpm.projects import planning
from clientpm.projects.models import (
    Baseline,
    BaselineTask,
    DependencyType,
    Milestone,
    Phase,
    Project,
    Task,
    TaskDependency,
    TaskStatus,
)

# (summary name, [(leaf name, duration in working days), ...]); 0 days is a milestone.
WBS: Sequence[tuple[str, Sequence[tuple[str, int]]]] = (
    ("需求调研", (("现状访谈", 3), ("需求分析", 5), ("需求确认", 0))),
    ("方案设计", (("蓝图设计", 8), ("方案评审", 2))),
    ("系统配置与开发", (("基础配置", 10), ("接口开发", 15), ("报表开发", 8))),
    ("数据迁移", (("数据清洗", 6), ("试迁移", 4))),
    ("测试与培训", (("集成测试", 8), ("用户培训", 5), ("用户验收测试", 7))),
    ("上线", (("上线切换", 2), ("系统上线", 0), ("上线支持", 10))),
)
# Links beyond the finish-to-start chain: (predecessor, successor, type, lag).
EXTRA_LINKS = (
    ("基础配置", "接口开发", DependencyType.SS, 3),
    ("基础配置", "报表开发", DependencyType.FS, -2),
    ("接口开发", "集成测试", DependencyType.FS, 0),
    ("试迁移", "用户验收测试", DependencyType.FS, 0),
    ("集成测试", "用户培训", DependencyType.SS, 2),
)
CHAIN_BREAKS = {"接口开发", "报表开发", "用户培训"}  # leaves that do not simply follow the leaf before
MILESTONE_TASKS = {"需求确认": 0, "系统上线": 2}  # task → index of the demo milestone it achieves


def generate_plans(*, rng: random.Random, projects: Sequence[Project], anchor: dt.date) -> dict[str, int]:
    """Create and schedule the demo plans of ``projects``; return row counts."""
    planned = [p for p in projects if p.phase != Phase.INITIATION]
    milestones: dict[int, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(project__in=planned).order_by("due_date", "id"):
        milestones.setdefault(milestone.project_id, []).append(milestone)
    summaries = [
        Task(
            project=project,
            position=k,
            wbs_code=str(k + 1),
            name=name,
            is_summary=True,
            duration_days=0,
            owner=project.manager,
        )
        for project in planned
        for k, (name, _leaves) in enumerate(WBS)
    ]
    Task.objects.bulk_create(summaries, batch_size=2000)
    leaves: list[Task] = []
    by_project: dict[int, dict[str, Task]] = {}
    for summary in summaries:
        _name, spec = WBS[summary.position]
        for k, (name, days) in enumerate(spec):
            task = Task(
                project_id=summary.project_id,
                parent=summary,
                position=k,
                wbs_code=f"{summary.wbs_code}.{k + 1}",
                name=name,
                duration_days=max(1, days + rng.randint(-1, 3)) if days else 0,
                owner=summary.owner,
            )
            if task.duration_days:  # a three-point estimate around it, skewed late as real ones are
                task.optimistic_days = Decimal(max(1, round(task.duration_days * 0.8)))
                task.most_likely_days = Decimal(task.duration_days)
                task.pessimistic_days = Decimal(math.ceil(task.duration_days * 1.6))
            index = MILESTONE_TASKS.get(name)
            project_milestones = milestones.get(summary.project_id, [])
            if index is not None and index < len(project_milestones):
                task.milestone = project_milestones[index]
            leaves.append(task)
            by_project.setdefault(summary.project_id, {})[name] = task
    Task.objects.bulk_create(leaves, batch_size=2000)
    links: list[TaskDependency] = []
    for named in by_project.values():
        ordered = list(named.values())
        for before, after in pairwise(ordered):
            if after.name not in CHAIN_BREAKS:
                links.append(TaskDependency(predecessor=before, successor=after))
        links += [
            TaskDependency(predecessor=named[a], successor=named[b], dependency_type=kind, lag_days=lag)
            for a, b, kind, lag in EXTRA_LINKS
        ]
    TaskDependency.objects.bulk_create(links, batch_size=2000)
    record_bulk_create(None, [*summaries, *leaves])

    baselines = 0
    for project in planned:
        planning.project_reschedule(project)
        if project.phase in (Phase.INITIATION, Phase.PLANNING):
            continue
        _baseline(project)
        baselines += 1
        _progress(rng, project, anchor)
        Project.objects.filter(pk=project.pk).update(status_date=anchor)
        project.status_date = anchor
        planning.project_reschedule(project)
    return {"tasks": len(summaries) + len(leaves), "dependencies": len(links), "baselines": baselines}


def _baseline(project: Project) -> None:
    baseline = Baseline.objects.create(project=project, name="计划基线", saved_by=project.manager)
    BaselineTask.objects.bulk_create(
        BaselineTask(
            baseline=baseline,
            task_id=pk,
            wbs_code=wbs,
            name=name,
            start_date=start,
            finish_date=finish,
            duration_days=days,
        )
        for pk, wbs, name, start, finish, days in Task.objects.filter(project=project).values_list(
            "id", "wbs_code", "name", "start_date", "finish_date", "duration_days"
        )
    )


def _progress(rng: random.Random, project: Project, anchor: dt.date) -> None:
    """Mark leaves finished before ``anchor`` done (a few a little late) and those across it in
    progress, as a team reporting progress would."""
    done: list[Task] = []
    for task in Task.objects.filter(project=project, is_summary=False):
        if task.start_date is None or task.finish_date is None or task.start_date > anchor:
            continue
        task.actual_start_date = task.start_date
        if task.finish_date < anchor:
            slip = rng.choice([0, 0, 0, 1, 2])
            task.actual_finish_date = min(task.finish_date + dt.timedelta(days=slip), anchor)
            task.percent_complete, task.status = 100, TaskStatus.DONE
        else:
            task.percent_complete, task.status = rng.choice([20, 40, 50, 60, 80]), TaskStatus.IN_PROGRESS
            if rng.random() < 0.1:
                task.status = TaskStatus.BLOCKED
        done.append(task)
    Task.objects.bulk_update(
        done, ["actual_start_date", "actual_finish_date", "percent_complete", "status"], batch_size=2000
    )
