"""Helpers shared by the plan API tests (tests/projects/test_plan_api_*.py): the API call, building
tasks and links through the services, and reading back what a refused write must leave alone."""

from __future__ import annotations

import datetime as dt

from clientpm.core.models import ChangeRecord
from clientpm.projects.models import Task, TaskDependency
from clientpm.projects.services import plan as services

D = dt.date
JSON = "application/json"
FORBIDDEN = {"detail": "You do not have permission to do this.", "errors": {}}
NOT_FOUND = {"detail": "Not found.", "errors": {}}
INVALID = "The request has invalid fields."


def call(client, method, url, data=None):
    kwargs = {"data": data, "content_type": JSON} if data is not None else {}
    return getattr(client, method)(f"/api/v1{url}", **kwargs)


def add(pm, project, name, duration=1, **fields):
    return services.task_create(actor=pm, project=project, name=name, duration_days=duration, **fields)


def link(pm, predecessor, successor, kind="FS", lag=0):
    return services.dependency_create(
        actor=pm, predecessor=predecessor, successor=successor, dependency_type=kind, lag_days=lag
    )


def dates(task):
    task = Task.objects.get(pk=task.pk)
    return task.start_date, task.finish_date


def state(project):
    """Everything a failed write must leave as it was: tasks' versions and dates, links, records."""
    tasks = sorted(
        Task.objects.filter(project=project).values_list("id", "version", "start_date", "finish_date")
    )
    links = sorted(
        TaskDependency.objects.values_list("predecessor_id", "successor_id", "dependency_type", "lag_days")
    )
    return tasks, links, ChangeRecord.objects.count()
