"""Demo resources: every demo user as a person with a capacity of 1, a few teams and a test
environment, and assignments of them to the demo plans' leaf tasks — a person on each task, and the
team the work calls for on the configuration, development, migration, testing and cut-over tasks.

Deterministic for a seed (the same draws in the same order of tasks) and bulk: rows go in with
``bulk_create`` and are recorded with ``record_bulk_create``. With ``--append`` the shared resources
are reused rather than duplicated, and a person whose name is taken is told apart by username. Projects overlap in time and share the people and
teams, so the demo shows over-allocations to level.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from clientpm.accounts.models import User
from clientpm.core.audit import record_bulk_create
from clientpm.projects.models import Project, Task
from clientpm.resources.models import Assignment, Resource, ResourceKind

# (name, kind, capacity in units per working day)
SHARED: Sequence[tuple[str, str, Decimal]] = (
    ("实施顾问团队", ResourceKind.TEAM, Decimal("3")),
    ("开发团队", ResourceKind.TEAM, Decimal("4")),
    ("测试团队", ResourceKind.TEAM, Decimal("2")),
    ("UAT 测试环境", ResourceKind.EQUIPMENT, Decimal("1")),
)
# Leaf task name (see demo/plans.py) → (shared resource, units per working day).
TEAM_WORK = {
    "基础配置": ("实施顾问团队", Decimal("2")),
    "接口开发": ("开发团队", Decimal("3")),
    "报表开发": ("开发团队", Decimal("2")),
    "数据清洗": ("实施顾问团队", Decimal("1")),
    "试迁移": ("实施顾问团队", Decimal("1")),
    "集成测试": ("测试团队", Decimal("2")),
    "用户验收测试": ("UAT 测试环境", Decimal("1")),
    "上线切换": ("测试团队", Decimal("1")),
}
PERSON_UNITS = (Decimal("1"), Decimal("1"), Decimal("0.5"))


def _resources(users: Sequence[User]) -> tuple[dict[str, Resource], list[Resource], int]:
    """The shared resources by name (existing ones reused) and one person per user who has none
    (named after the user; ``name（username）`` when the name is taken), new rows inserted in bulk."""
    people = [u for u in users if u.is_active]
    linked = set(Resource.objects.filter(user__in=people).values_list("user_id", flat=True))
    unlinked = [u for u in people if u.pk not in linked]

    def candidates(user: User) -> list[str]:
        name = user.display_name or user.username
        return [name, f"{name}（{user.username}）"]

    wanted = [name for name, *_rest in SHARED] + [n for u in unlinked for n in candidates(u)]
    existing = {r.name: r for r in Resource.objects.filter(name__in=wanted)}
    taken = set(existing)
    new = [
        Resource(name=name, kind=kind, capacity_units=capacity)
        for name, kind, capacity in SHARED
        if name not in existing
    ]
    taken |= {r.name for r in new}
    for user in unlinked:
        name = next((n for n in candidates(user) if n not in taken), None)
        if name is not None:
            taken.add(name)
            new.append(Resource(name=name, kind=ResourceKind.PERSON, capacity_units=Decimal("1"), user=user))
    Resource.objects.bulk_create(new, batch_size=1000)
    record_bulk_create(None, new)
    by_name = {**existing, **{r.name: r for r in new}}
    persons = list(Resource.objects.filter(user__in=people, is_active=True).order_by("user__username", "id"))
    return by_name, persons, len(new)


def generate_resources(
    *, rng: random.Random, projects: Sequence[Project], users: Sequence[User]
) -> dict[str, int]:
    """Create the demo resources and assign them to the leaf tasks of ``projects``; row counts."""
    by_name, persons, created = _resources(users)
    tasks = (
        Task.objects.filter(project__in=projects, is_summary=False, duration_days__gt=0)
        .order_by("project_id", "id")
        .only("id", "project_id", "wbs_code", "name")
    )
    assignments: list[Assignment] = []
    for task in tasks:
        chosen: set[int] = set()
        if persons:
            person = rng.choice(persons)
            units = min(rng.choice(PERSON_UNITS), person.capacity_units)
            assignments.append(Assignment(task=task, resource=person, units=units))
            chosen.add(person.pk)
        team_work = TEAM_WORK.get(task.name)
        if team_work is not None:
            team = by_name[team_work[0]]
            if team.is_active and team.pk not in chosen:
                units = min(team_work[1], team.capacity_units)
                assignments.append(Assignment(task=task, resource=team, units=units))
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    record_bulk_create(None, assignments)
    return {"resources": created, "assignments": len(assignments)}
