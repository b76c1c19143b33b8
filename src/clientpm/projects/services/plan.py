"""Writes of a project's plan: WBS tasks (任务), dependencies (依赖关系), working calendars (工作日历),
the project's plan settings and baselines (基线).

Rules:

- every write to a project's plan refuses a closed or cancelled project (``project_ensure_editable``,
  409) and runs in one transaction: a refusal leaves nothing behind;
- **re-scheduling** — every write re-schedules the project (``planning.project_reschedule``) in
  the same transaction when it has at most ``CLIENTPM_SCHEDULE_INLINE_MAX_TASKS`` tasks (default
  2000); bigger projects are checked for cycles in the request and re-scheduled by the Huey job
  ``project_reschedule_job`` once the transaction commits. Projects holding successors of moved
  tasks (cross-project dependencies) are re-scheduled after it;
- **WBS** — tasks form a tree; ``position`` orders siblings and ``wbs_code`` (1, 1.2, 1.2.3) is
  renumbered after every insert, move, indent, outdent and delete (derived data: other tasks'
  renumbering is not recorded in the change log, the moved task's new parent/position is). Indent
  puts a task under the task above it at its level (as its last child); outdent puts it right
  after its parent (the tasks below it stay where they are);
- **summary tasks** (tasks with children) take their dates, duration, effort and progress from
  their subtasks: setting those on a summary is refused. A summary may carry a constraint and a
  deadline (see ``planning``);
- **moving a task** (``start_date`` in ``task_update``, e.g. a dragged Gantt bar) sets a "start no
  earlier than" constraint on that date (a "must start on" constraint keeps its type and takes the
  date), as Microsoft Project does; a move the dependencies or the status date do not allow is
  refused naming the earliest possible start; a started task is moved by its actual start instead;
- **progress** — status, percent complete and actual dates are kept consistent: 100 % or an actual
  finish means done, progress or an actual start means in progress (unless blocked), done fills in
  missing actual dates (the scheduled ones, never after today); actual dates cannot be in the
  future;
- **three-point estimate** — optimistic ≤ most likely ≤ pessimistic; a task created with the three
  and no duration gets the PERT duration (o + 4m + p) / 6, rounded up;
- **recurring tasks** — creating a task with ``recurrence`` (weekly, monthly, quarterly) and
  ``recurrence_count`` (2–60) creates a summary task carrying the recurrence and one subtask per
  occurrence ("Monthly customer review 1", "… 2", …) with the task's duration, owner and
  assignees, each starting no earlier than its date: the given ``start_date`` (default: the
  project start) plus one week/month/quarter per occurrence (month ends are clamped: 31 January →
  28 February). The recurrence cannot be changed afterwards: delete the series and create it again;
- **dependencies** link tasks of the same project or of projects of the same customer (another
  customer's project is refused); a cycle is refused naming its tasks in order; a link between a
  task and its own summary task, a link to itself, a second link between the same two tasks and a
  finish-to-finish or start-to-finish link into a summary task are refused; so is a change that
  makes a hard constraint (must start/finish on, start/finish no later than) impossible, naming
  the tasks;
- **calendars** — built-in calendars cannot be changed or deleted; a calendar in use cannot be
  deleted; changing one re-schedules the open projects that use it;
- **baselines** — at most ``MAX_BASELINES`` (10) per project (409 beyond), with unique names; a
  baseline copies every task's current start, finish and duration.

Errors: ``ValidationError`` (422 / field errors), ``ConflictError`` (409), ``StaleVersionError`` (409).
"""

from __future__ import annotations

import calendar as _calendar
import functools
import math
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpm.accounts.models import User
from clientpm.core.audit import record_bulk_create, record_create, record_delete, record_update, snapshot
from clientpm.core.concurrency import bump_version, lock_for_update
from clientpm.core.errors import ConflictError
from clientpm.projects import planning
from clientpm.projects.models import (
    ACTIVE_PHASES,
    MAX_BASELINES,
    Baseline,
    BaselineTask,
    CalendarBase,
    ConstraintType,
    DependencyType,
    Phase,
    Project,
    ProjectMember,
    Recurrence,
    Task,
    TaskDependency,
    TaskStatus,
    WorkCalendar,
)
from clientpm.projects.services.projects import project_ensure_editable
from clientpm.projects.tasks import project_reschedule_job
from clientpm.scheduling import SchedulingError

TASK_FIELDS = frozenset(
    {
        "name",
        "owner",
        "assignees",
        "duration_days",
        "effort_hours",
        "optimistic_days",
        "most_likely_days",
        "pessimistic_days",
        "constraint_type",
        "constraint_date",
        "deadline_date",
        "percent_complete",
        "actual_start_date",
        "actual_finish_date",
        "status",
        "deliverable",
        "milestone",
        "recurrence",
        "recurrence_count",
        "start_date",
    }
)
SUMMARY_ROLLED_UP = (
    "duration_days",
    "effort_hours",
    "percent_complete",
    "actual_start_date",
    "actual_finish_date",
)
"""Fields a summary task takes from its subtasks: setting them on a summary is refused."""
DEPENDENCY_FIELDS = frozenset({"dependency_type", "lag_days"})
CALENDAR_FIELDS = frozenset({"name", "base", "working_weekdays", "holidays", "extra_working_days"})
PLAN_FIELDS = frozenset({"calendar", "status_date"})

_DATED = frozenset(ConstraintType.values) - {ConstraintType.ASAP, ConstraintType.ALAP}
_FROM_START = (DependencyType.SS, DependencyType.SF)
"""Dependency types read from the predecessor's start (the others from its finish)."""
_TO_START = (DependencyType.FS, DependencyType.SS)
"""Dependency types that drive the successor's start (the others its finish)."""
_CASCADE_LIMIT = 50
_OPEN_PHASES = [*ACTIVE_PHASES, Phase.ON_HOLD]
_UNSET: Any = object()


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})


def _locked_project(project_id: int) -> Project:
    """The project row, locked so concurrent plan writes are serialised; 409 when closed."""
    project = Project.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=project_id)
    project_ensure_editable(project)
    return project


def _name(task: Task) -> str:
    return f"{task.wbs_code} {task.name}".strip()


# Re-scheduling ---------------------------------------------------------------------------------------


def _enqueue(project_id: int) -> None:
    transaction.on_commit(functools.partial(project_reschedule_job, project_id))


def _replan(project: Project, *, strict: bool = True) -> planning.ProjectPlan | None:
    """Re-schedule ``project`` now (small) or after commit (big), then the projects depending on it.
    Returns the computed plan when it ran in the request."""
    plan = None
    if Task.objects.filter(project_id=project.pk).count() <= planning.inline_max_tasks():
        result = planning.project_reschedule(project, strict=strict)
        plan, pending = result.plan, deque(sorted(result.dependents))
    else:
        planning.project_check(project)
        _enqueue(project.pk)
        return None
    runs = 0
    while pending and runs < _CASCADE_LIMIT:
        runs += 1
        other = Project.objects.select_related("calendar").get(pk=pending.popleft())
        if not other.is_open:
            continue
        if Task.objects.filter(project_id=other.pk).count() > planning.inline_max_tasks():
            _enqueue(other.pk)
            continue
        try:
            following = planning.project_reschedule(other)
        except ValidationError:
            _enqueue(other.pk)  # its own problem: the job logs it and the project keeps its dates
            continue
        pending.extend(sorted(following.dependents))
    return plan


def _replan_many(projects: Iterable[Project]) -> None:
    for project in projects:
        try:
            _replan(project, strict=False)
        except ValidationError:
            _enqueue(project.pk)


# Validation of a task ---------------------------------------------------------------------------------


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _validate_estimates(task: Task, errors: dict[str, list[str]]) -> None:
    o, m, p = task.optimistic_days, task.most_likely_days, task.pessimistic_days
    if o is not None and p is not None and Decimal(o) > Decimal(p):
        _add(errors, "optimistic_days", _("The optimistic estimate must not exceed the pessimistic one."))
    if m is not None:
        if o is not None and Decimal(m) < Decimal(o):
            _add(
                errors,
                "most_likely_days",
                _("The most likely estimate must not be below the optimistic one."),
            )
        if p is not None and Decimal(m) > Decimal(p):
            _add(
                errors, "most_likely_days", _("The most likely estimate must not exceed the pessimistic one.")
            )


def pert_days(optimistic: Any, most_likely: Any, pessimistic: Any) -> int | None:
    """The PERT duration (o + 4m + p) / 6 in whole working days (rounded up), or None without all three."""
    if optimistic is None or most_likely is None or pessimistic is None:
        return None
    expected = (Decimal(optimistic) + 4 * Decimal(most_likely) + Decimal(pessimistic)) / 6
    return math.ceil(expected)


def _sync_progress(task: Task, provided: set[str], errors: dict[str, list[str]]) -> None:
    """Keep status, percent complete and actual dates consistent (see the module docstring)."""
    S = TaskStatus
    today = timezone.localdate()
    progress = {"percent_complete", "actual_start_date", "actual_finish_date"}
    if "status" in provided:
        if task.status == S.NOT_STARTED:
            if "percent_complete" in provided and task.percent_complete:
                _add(errors, "percent_complete", _("A task not started has no progress."))
            if provided & {"actual_start_date", "actual_finish_date"} and (
                task.actual_start_date or task.actual_finish_date
            ):
                _add(errors, "status", _("A task with actual dates has started."))
            task.percent_complete = 0
            task.actual_start_date = task.actual_finish_date = None
        elif task.status != S.DONE:
            if "actual_finish_date" not in provided:
                task.actual_finish_date = None
            if "percent_complete" not in provided and task.percent_complete == 100:
                task.percent_complete = 0
    elif provided & progress:
        if (
            "percent_complete" in provided
            and task.percent_complete < 100
            and "actual_finish_date" not in provided
        ):
            task.actual_finish_date = None  # less than 100 % reopens a finished task
        if task.percent_complete == 100 or task.actual_finish_date:
            task.status = S.DONE
        elif task.percent_complete or task.actual_start_date:
            if task.status != S.BLOCKED:
                task.status = S.IN_PROGRESS
        elif task.status in (S.IN_PROGRESS, S.DONE):
            task.status = S.NOT_STARTED
    default_start = min(task.start_date or today, today)
    if task.status == S.DONE:
        if "percent_complete" in provided and task.percent_complete != 100 and "status" in provided:
            _add(errors, "percent_complete", _("A task that is done is 100 percent complete."))
        task.percent_complete = 100
        if task.actual_finish_date is None:
            task.actual_finish_date = min(task.finish_date or today, today)
            if task.actual_start_date and task.actual_finish_date < task.actual_start_date:
                task.actual_finish_date = min(max(task.actual_start_date, task.actual_finish_date), today)
        if task.actual_start_date is None:
            task.actual_start_date = (
                task.actual_finish_date
                if task.duration_days == 0
                else min(default_start, task.actual_finish_date)
            )
    elif task.status != S.NOT_STARTED:
        if task.actual_finish_date is not None:
            _add(
                errors,
                "actual_finish_date",
                _("A task with an actual finish is done; set its status to done."),
            )
        if task.percent_complete == 100:
            _add(
                errors, "percent_complete", _("A task 100 percent complete is done; set its status to done.")
            )
        if task.actual_start_date is None and (task.status == S.IN_PROGRESS or task.percent_complete):
            task.actual_start_date = default_start
    for field in ("actual_start_date", "actual_finish_date"):
        value = getattr(task, field)
        if value is not None and value > today:
            _add(errors, field, _("An actual date cannot be in the future."))
    if (
        task.actual_start_date
        and task.actual_finish_date
        and task.actual_finish_date < task.actual_start_date
    ):
        _add(errors, "actual_finish_date", _("The actual finish cannot be before the actual start."))


def _prepare(task: Task, provided: set[str], *, is_summary: bool, creating: bool) -> None:
    """Normalise and validate ``task`` before saving; raises ``ValidationError`` with every problem."""
    errors: dict[str, list[str]] = {}
    task.name = (task.name or "").strip()
    if not task.name:
        _add(errors, "name", _("Give the task a name."))
    if is_summary:
        for field in SUMMARY_ROLLED_UP:
            if field in provided:
                _add(errors, field, _("A summary task takes this from its subtasks."))
    if task.duration_days is not None and task.duration_days < 0:
        _add(errors, "duration_days", _("The duration cannot be negative."))
    _validate_estimates(task, errors)
    if creating and "duration_days" not in provided:
        pert = pert_days(task.optimistic_days, task.most_likely_days, task.pessimistic_days)
        if pert is not None:
            task.duration_days = pert
    if task.constraint_type in _DATED:
        if task.constraint_date is None:
            _add(
                errors,
                "constraint_date",
                _("The constraint “%(constraint)s” needs a date.")
                % {"constraint": ConstraintType(task.constraint_type).label},
            )
    else:
        task.constraint_date = None
    if task.owner_id and not task.owner.is_active:
        _add(errors, "owner", _("%(user)s is deactivated.") % {"user": task.owner})
    for field in ("deliverable", "milestone"):
        linked = getattr(task, field)
        if linked is not None and linked.project_id != task.project_id:
            _add(errors, field, _("Choose one of this project's own."))
    if task.percent_complete is not None and not 0 <= task.percent_complete <= 100:
        _add(errors, "percent_complete", _("The percent complete must be between 0 and 100."))
    elif not is_summary:
        _sync_progress(task, provided, errors)
    if creating:
        if task.recurrence and not task.recurrence_count:
            _add(errors, "recurrence_count", _("Say how many times the task repeats."))
        if task.recurrence_count and not task.recurrence:
            _add(errors, "recurrence", _("Say how often the task repeats."))
    if errors:
        raise ValidationError(errors)
    task.full_clean(exclude=["project", "parent", "position", "wbs_code"])


def _check_users(users: Iterable[User]) -> list[User]:
    users = list(dict.fromkeys(users))
    inactive = [user for user in users if not user.is_active]
    if inactive:
        raise ValidationError(
            {"assignees": [_("%(user)s is deactivated.") % {"user": user} for user in inactive]}
        )
    return users


def _check_team(project: Project, owner: User | None, assignees: Iterable[User]) -> None:
    """Refuse an owner or assignee who could not see the task: only the project's manager, sponsor,
    team members and those who see every project may carry its tasks."""
    team = {project.manager_id, project.sponsor_id}
    team |= set(ProjectMember.objects.filter(project=project).values_list("user_id", flat=True))
    errors: dict[str, list[str]] = {}
    for field, users in (("owner", [owner] if owner else []), ("assignees", list(assignees))):
        for user in users:
            if user.pk not in team and not user.has_perm("projects.view_all_projects"):
                _add(
                    errors,
                    field,
                    _("%(user)s is not on the project team; add them to the team first.") % {"user": user},
                )
    if errors:
        raise ValidationError(errors)


# The WBS tree ------------------------------------------------------------------------------------------


def _siblings(project_id: int, parent_id: int | None, exclude: int | None = None) -> list[Task]:
    qs = Task.objects.filter(project_id=project_id, parent_id=parent_id).only("id", "position", "parent_id")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("position", "id"))


def _place(task: Task, parent_id: int | None, index: int | None) -> None:
    """Put ``task`` (already saved) at ``index`` among the children of ``parent_id`` (None = last),
    giving the siblings consecutive positions. Codes are renumbered afterwards by the caller."""
    siblings = _siblings(task.project_id, parent_id, exclude=task.pk)
    index = len(siblings) if index is None else max(0, min(index, len(siblings)))
    siblings.insert(index, task)
    task.parent_id = parent_id
    for position, sibling in enumerate(siblings):
        if sibling.pk == task.pk:
            task.position = position
            Task.objects.filter(pk=task.pk).update(parent_id=parent_id, position=position)
        elif sibling.position != position:
            Task.objects.filter(pk=sibling.pk).update(position=position)


def _descendants(project_id: int, task_id: int) -> list[int]:
    """Ids of the tasks below ``task_id`` (children, their children…)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Task.objects.filter(project_id=project_id).values_list("id", "parent_id"):
        children[parent_id].append(pk)
    found, stack = [], list(children.get(task_id, []))
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def _project_task(project: Project, task: Task | None, field: str) -> Task | None:
    if task is None:
        return None
    found = Task.objects.filter(pk=task.pk, project_id=project.pk).first()
    if found is None:
        raise ValidationError({field: [_("Choose a task of this project.")]})
    return found


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def occurrence_dates(first: date, recurrence: str, count: int) -> list[date]:
    """The dates of a recurring task's occurrences: ``first`` then one week/month/quarter apart."""
    if recurrence == Recurrence.WEEKLY:
        return [first + timedelta(weeks=i) for i in range(count)]
    months = 3 if recurrence == Recurrence.QUARTERLY else 1
    return [_add_months(first, months * i) for i in range(count)]


# Tasks -------------------------------------------------------------------------------------------------


def _move_to(task: Task, day: date | None, errors: dict[str, list[str]]) -> None:
    """A dragged bar: the task should start on ``day`` (see the module docstring)."""
    if day is None:
        _add(errors, "start_date", _("Give the date the task should start on."))
    elif task.actual_start_date or task.actual_finish_date:
        _add(
            errors,
            "start_date",
            _("“%(task)s” has started; change its actual start instead.") % {"task": _name(task)},
        )
    elif task.constraint_type == ConstraintType.MSO:
        task.constraint_date = day
    else:
        task.constraint_type, task.constraint_date = ConstraintType.SNET, day


def _refuse_early_start(plan: planning.ProjectPlan | None, task: Task, day: date) -> None:
    """Refuse a move to ``day`` when the schedule could not start the task that early."""
    if plan is None or task.pk not in plan.tasks:
        return
    scheduled = plan.tasks[task.pk].start_date
    if scheduled > planning.next_working_day(plan.calendar, day):
        raise ValidationError(
            {
                "start_date": [
                    _(
                        "“%(task)s” cannot start on %(date)s: its predecessors, summary task or the status "
                        "date allow %(earliest)s at the earliest."
                    )
                    % {"task": _name(task), "date": day.isoformat(), "earliest": scheduled.isoformat()}
                ]
            }
        )


def _refreshed(task: Task) -> Task:
    return Task.objects.select_related("owner", "project").get(pk=task.pk)


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    project: Project,
    parent: Task | None = None,
    after: Task | None = None,
    **fields: Any,
) -> Task:
    """Add a task to ``project``: under ``parent`` (default top level), right after its sibling
    ``after`` (default last). ``start_date`` sets a start-no-earlier-than constraint; with
    ``recurrence`` + ``recurrence_count`` it creates the series (see the module docstring).
    Re-schedules the project; returns the task with its computed dates."""
    _check_fields(fields, TASK_FIELDS)
    project = _locked_project(project.pk)
    parent = _project_task(project, parent, "parent")
    after = _project_task(project, after, "after")
    if after is not None:
        if parent is not None and after.parent_id != parent.pk:
            raise ValidationError({"after": [_("Choose a task at the same level as the new one.")]})
        parent_id: int | None = after.parent_id
    else:
        parent_id = parent.pk if parent is not None else None
    assignees = _check_users(fields.pop("assignees", None) or [])
    _check_team(project, fields.get("owner"), assignees)
    start = fields.pop("start_date", None)
    task = Task(project=project, parent_id=parent_id, **fields)
    errors: dict[str, list[str]] = {}
    constrained = task.constraint_type != ConstraintType.ASAP or task.constraint_date is not None
    if start is not None and not task.recurrence:
        if constrained:  # the start would silently replace the constraint (a move refuses this too)
            _add(errors, "start_date", _("Move the task or change its constraint, not both at once."))
        _move_to(task, start, errors)
    if errors:
        raise ValidationError(errors)
    _prepare(task, set(fields), is_summary=False, creating=True)
    task.position = 10**6
    task.save()
    if assignees:
        task.assignees.set(assignees)
    if after is not None:
        _place(task, parent_id, after.position + 1)
    planning.project_renumber(project.pk)
    task = _refreshed(task)
    record_create(actor, task, snapshot(task, m2m={"assignees": [user.pk for user in assignees]}))
    if task.recurrence:
        _create_occurrences(actor, project, task, assignees, start or planning.project_start(project))
    plan = _replan(project)
    if start is not None and not task.recurrence:
        _refuse_early_start(plan, task, start)
    return _refreshed(task)


def _create_occurrences(
    actor: User | None, project: Project, series: Task, assignees: list[User], first: date
) -> None:
    """The occurrences of a recurring task, as subtasks of ``series`` (which becomes their summary)."""
    dates = occurrence_dates(first, series.recurrence, series.recurrence_count or 0)
    occurrences = [
        Task(
            project=project,
            parent=series,
            position=i,
            name=f"{series.name} {i + 1}",
            owner_id=series.owner_id,
            duration_days=series.duration_days,
            effort_hours=series.effort_hours,
            deliverable_id=series.deliverable_id,
            milestone_id=series.milestone_id,
            constraint_type=ConstraintType.SNET,
            constraint_date=day,
        )
        for i, day in enumerate(dates)
    ]
    Task.objects.bulk_create(occurrences)
    if assignees:
        through = Task.assignees.through
        through.objects.bulk_create(
            [through(task_id=item.pk, user_id=user.pk) for item in occurrences for user in assignees]
        )
    Task.objects.filter(pk=series.pk).update(
        constraint_type=ConstraintType.ASAP, constraint_date=None, effort_hours=None
    )
    nodes = {node.id: node for node in planning.project_renumber(project.pk)}
    for item in occurrences:
        item.wbs_code, item.is_summary = nodes[item.pk].wbs_code, False
    record_bulk_create(actor, occurrences)


@transaction.atomic
def task_update(*, actor: User | None, task: Task, version: int | None, **fields: Any) -> Task:
    """Change a task's fields (see ``TASK_FIELDS``); ``start_date`` moves the task (a dragged bar).
    Refuses a stale ``version``. Re-schedules the project; returns the task with its new dates."""
    _check_fields(fields, TASK_FIELDS)
    project = _locked_project(task.project_id)
    task = lock_for_update(Task.objects.select_related("owner"), task.pk, version)
    assignees = fields.pop("assignees", None)
    start = fields.pop("start_date", _UNSET)
    m2m = {"assignees": list(task.assignees.values_list("pk", flat=True))} if assignees is not None else None
    before = snapshot(task, m2m=m2m)
    new_owner = fields.get("owner") if fields.get("owner") and fields["owner"].pk != task.owner_id else None
    added = [user for user in assignees or [] if user.pk not in (m2m or {}).get("assignees", [])]
    _check_team(project, new_owner, added)
    errors: dict[str, list[str]] = {}
    for field in ("recurrence", "recurrence_count"):
        if field in fields and fields[field] != getattr(task, field):
            _add(
                errors,
                field,
                _("The repetition is set when the task is created; delete the series to change it."),
            )
    if start is not _UNSET and fields.keys() & {"constraint_type", "constraint_date"}:
        _add(errors, "start_date", _("Move the task or change its constraint, not both at once."))
    for name, value in fields.items():
        setattr(task, name, value)
    if start is not _UNSET:
        _move_to(task, start, errors)
    if errors:
        raise ValidationError(errors)
    _prepare(task, set(fields), is_summary=task.is_summary, creating=False)
    bump_version(task)
    task.save()
    after_m2m = None
    if assignees is not None:
        users = _check_users(assignees)
        task.assignees.set(users)
        after_m2m = {"assignees": [user.pk for user in users]}
    record_update(actor, task, before, snapshot(task, m2m=after_m2m))
    plan = _replan(project)
    if start is not _UNSET and start is not None:
        _refuse_early_start(plan, task, start)
    return _refreshed(task)


@transaction.atomic
def task_delete(*, actor: User | None, task: Task, version: int | None = None) -> int:
    """Delete a task with its subtasks and their dependencies (baselines keep their copies);
    returns how many tasks were deleted. Re-schedules the project and the projects that followed."""
    project = _locked_project(task.project_id)
    task = lock_for_update(Task.objects.all(), task.pk, version)
    ids = [task.pk, *_descendants(project.pk, task.pk)]
    followers = set(
        TaskDependency.objects.filter(predecessor_id__in=ids)
        .exclude(successor__project_id=project.pk)
        .values_list("successor__project_id", flat=True)
    )
    doomed = list(Task.objects.filter(pk__in=ids))
    for item in doomed:
        record_delete(actor, item, snapshot(item))
    task.delete()
    planning.project_renumber(project.pk)
    _replan(project)
    _replan_many(Project.objects.select_related("calendar").filter(pk__in=followers, phase__in=_OPEN_PHASES))
    return len(ids)


def _restructure(
    actor: User | None, project: Project, task: Task, parent_id: int | None, index: int | None
) -> Task:
    before = snapshot(task)
    _place(task, parent_id, index)
    planning.project_renumber(project.pk)
    moved = Task.objects.get(pk=task.pk)
    record_update(actor, moved, before)
    _replan(project)
    return _refreshed(task)


@transaction.atomic
def task_indent(*, actor: User | None, task: Task) -> Task:
    """Make the task (with its subtasks) the last subtask of the task above it at its level."""
    project = _locked_project(task.project_id)
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    siblings = _siblings(project.pk, task.parent_id)
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == task.pk)
    if index == 0:
        raise ValidationError(
            {
                "parent": [
                    _("“%(task)s” has no task above it at its level to go under.") % {"task": _name(task)}
                ]
            }
        )
    return _restructure(actor, project, task, siblings[index - 1].pk, None)


@transaction.atomic
def task_outdent(*, actor: User | None, task: Task) -> Task:
    """Move the task (with its subtasks) up one level, right after its current summary task."""
    project = _locked_project(task.project_id)
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.parent_id is None:
        raise ValidationError(
            {"parent": [_("“%(task)s” is already at the top level.") % {"task": _name(task)}]}
        )
    parent = Task.objects.get(pk=task.parent_id)
    return _restructure(actor, project, task, parent.parent_id, parent.position + 1)


@transaction.atomic
def task_move(*, actor: User | None, task: Task, parent: Task | None, position: int) -> Task:
    """Move the task (with its subtasks) under ``parent`` (None: top level) at ``position`` among
    its new siblings (0 = first; past the end = last). Moving up or down = same parent, ±1."""
    project = _locked_project(task.project_id)
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    parent = _project_task(project, parent, "parent")
    if position < 0:
        raise ValidationError({"position": [_("The position cannot be negative.")]})
    if parent is not None and (parent.pk == task.pk or parent.pk in _descendants(project.pk, task.pk)):
        raise ValidationError(
            {
                "parent": [
                    _("“%(task)s” cannot move under itself or one of its subtasks.") % {"task": _name(task)}
                ]
            }
        )
    return _restructure(actor, project, task, parent.pk if parent else None, position)


# Dependencies ------------------------------------------------------------------------------------------


def _ancestors(task: Task) -> set[int]:
    found: set[int] = set()
    parent_id = task.parent_id
    parents = dict(Task.objects.filter(project_id=task.project_id).values_list("id", "parent_id"))
    while parent_id is not None and parent_id not in found:
        found.add(parent_id)
        parent_id = parents.get(parent_id)
    return found


def _search(edges: dict[Hashable, list[Hashable]], start: Hashable, goal: Hashable) -> list[Hashable] | None:
    """The shortest chain of ``edges`` from ``start`` to ``goal`` (both included), or None."""
    came_from: dict[Hashable, Hashable | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while came_from[path[-1]] is not None:
                path.append(came_from[path[-1]])
            return list(reversed(path))
        for nxt in edges.get(node, []):
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return None


def _cycle_path(customer_id: int, dependency: TaskDependency) -> list[int] | None:
    """The chain successor → … → predecessor through the other dependencies (any project of the
    customer), or None: ``dependency`` would then close a cycle.

    A chain through summary tasks (a summary's start comes before its subtasks, its finish after
    them, as in the engine's network) is looked for only when it leaves the successor's project:
    the engine sees another project's task as fixed dates, so it could not find that cycle, and the
    projects would re-schedule each other without end. One inside the project is named by the
    engine when the project is re-scheduled."""
    predecessor, successor = dependency.predecessor, dependency.successor
    links = list(
        TaskDependency.objects.filter(successor__project__customer_id=customer_id)
        .exclude(pk=dependency.pk)
        .order_by("pk")
        .values_list(
            "predecessor_id",
            "successor_id",
            "dependency_type",
            "predecessor__project_id",
            "successor__project_id",
        )
    )
    edges: dict[Hashable, list[Hashable]] = defaultdict(list)
    for pred, succ, *_rest in links:
        edges[pred].append(succ)
    path = _search(edges, successor.pk, predecessor.pk)
    project_id = successor.project_id
    if path is not None or (
        predecessor.project_id == project_id and all(link[3] == link[4] for link in links)
    ):
        return path  # type: ignore[return-value]
    parents = dict(
        Task.objects.filter(project__customer_id=customer_id, parent__isnull=False)
        .order_by("pk")
        .values_list("id", "parent_id")
    )
    summaries = set(parents.values())

    def node(task_id: int, at_start: bool) -> Hashable:
        return ("s" if at_start else "f", task_id) if task_id in summaries else task_id

    graph: dict[Hashable, list[Hashable]] = defaultdict(list)
    for child, parent in parents.items():
        graph[("s", parent)].append(node(child, True))
        graph[node(child, False)].append(("f", parent))
    for pred, succ, kind, *_projects in links:
        graph[node(pred, kind in _FROM_START)].append(node(succ, kind in _TO_START))
    kind = dependency.dependency_type
    found = _search(graph, node(successor.pk, kind in _TO_START), node(predecessor.pk, kind in _FROM_START))
    if found is None:
        return None
    tasks: list[int] = []
    for item in found:
        task_id = item[1] if isinstance(item, tuple) else item
        if not tasks or tasks[-1] != task_id:
            tasks.append(task_id)  # type: ignore[arg-type]
    projects = set(Task.objects.filter(pk__in=tasks).values_list("project_id", flat=True))
    return tasks if projects - {project_id} else None


def _validate_dependency(dependency: TaskDependency, *, creating: bool) -> None:
    predecessor, successor = dependency.predecessor, dependency.successor
    errors: dict[str, list[str]] = {}
    if predecessor.pk == successor.pk:
        _add(errors, "predecessor", _("A task cannot depend on itself."))
        raise ValidationError(errors)
    if predecessor.project_id != successor.project_id and (
        predecessor.project.customer_id != successor.project.customer_id
    ):
        _add(
            errors,
            "predecessor",
            _(
                "“%(task)s” belongs to project %(project)s of another customer; dependencies link only "
                "projects of the same customer."
            )
            % {"task": _name(predecessor), "project": predecessor.project.code},
        )
    if dependency.dependency_type in (DependencyType.FF, DependencyType.SF) and successor.is_summary:
        _add(
            errors,
            "dependency_type",
            _("A summary task (“%(task)s”) can follow only by its start (finish-to-start or start-to-start).")
            % {"task": _name(successor)},
        )
    if predecessor.project_id == successor.project_id and (
        predecessor.pk in _ancestors(successor) or successor.pk in _ancestors(predecessor)
    ):
        _add(errors, "predecessor", _("A task cannot be linked with its own summary task."))
    if creating and TaskDependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        _add(
            errors,
            "predecessor",
            _("“%(successor)s” already depends on “%(predecessor)s”.")
            % {"successor": _name(successor), "predecessor": _name(predecessor)},
        )
    if errors:
        raise ValidationError(errors)
    path = _cycle_path(successor.project.customer_id, dependency)
    if path is not None:
        names = {
            pk: f"{wbs} {name}".strip() if project_id == successor.project_id else f"{code} {wbs} {name}"
            for pk, wbs, name, project_id, code in Task.objects.filter(pk__in=path).values_list(
                "id", "wbs_code", "name", "project_id", "project__code"
            )
        }
        chain = [names[pk] for pk in [predecessor.pk, *path]]
        raise ValidationError(
            {
                "predecessor": [
                    _("These tasks would depend on each other in a circle: %(tasks)s.")
                    % {"tasks": " → ".join(chain)}
                ]
            }
        )
    dependency.full_clean(exclude=["predecessor", "successor"], validate_constraints=False)


@transaction.atomic
def dependency_create(
    *,
    actor: User | None,
    predecessor: Task,
    successor: Task,
    dependency_type: str = DependencyType.FS,
    lag_days: int = 0,
) -> TaskDependency:
    """Make ``successor`` follow ``predecessor`` (FS, SS, FF or SF, with ``lag_days`` working days,
    negative for a lead). Both tasks belong to one project or to projects of the same customer.
    Re-schedules the successor's project; refusals name the tasks (see the module docstring)."""
    project = _locked_project(successor.project_id)
    predecessor = Task.objects.select_related("project").get(pk=predecessor.pk)
    successor = Task.objects.select_related("project").get(pk=successor.pk)
    dependency = TaskDependency(
        predecessor=predecessor, successor=successor, dependency_type=dependency_type, lag_days=lag_days
    )
    _validate_dependency(dependency, creating=True)
    try:
        with transaction.atomic():
            dependency.save()
    except IntegrityError as exc:  # a concurrent writer added the same link
        raise ValidationError({"predecessor": [_("This dependency exists already.")]}) from exc
    record_create(actor, dependency)
    _replan(project)
    return dependency


@transaction.atomic
def dependency_update(*, actor: User | None, dependency: TaskDependency, **fields: Any) -> TaskDependency:
    """Change a dependency's ``dependency_type`` or ``lag_days``; re-schedules the successor's project."""
    _check_fields(fields, DEPENDENCY_FIELDS)
    project = _locked_project(dependency.successor.project_id)
    dependency = TaskDependency.objects.select_related("predecessor__project", "successor__project").get(
        pk=dependency.pk
    )
    before = snapshot(dependency)
    for name, value in fields.items():
        setattr(dependency, name, value)
    _validate_dependency(dependency, creating=False)
    dependency.save()
    record_update(actor, dependency, before)
    _replan(project)
    return dependency


@transaction.atomic
def dependency_delete(*, actor: User | None, dependency: TaskDependency) -> None:
    """Remove a dependency; re-schedules the successor's project."""
    project = _locked_project(dependency.successor.project_id)
    dependency = TaskDependency.objects.get(pk=dependency.pk)
    record_delete(actor, dependency, snapshot(dependency))
    dependency.delete()
    _replan(project, strict=False)


# Calendars ---------------------------------------------------------------------------------------------


def _dates(values: Any, field: str, errors: dict[str, list[str]]) -> list[str]:
    result = set()
    for value in values or []:
        try:
            result.add(
                (value if isinstance(value, date) else date.fromisoformat(str(value).strip())).isoformat()
            )
        except ValueError:
            _add(errors, field, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
    return sorted(result)


def _prepare_calendar(calendar: WorkCalendar) -> None:
    errors: dict[str, list[str]] = {}
    calendar.name = (calendar.name or "").strip()
    weekdays = calendar.working_weekdays or ""
    if len(weekdays) != 7 or set(weekdays) - {"0", "1"} or "1" not in weekdays:
        _add(
            errors,
            "working_weekdays",
            _("Seven flags from Monday to Sunday, 1 for working, with at least one 1."),
        )
    calendar.holidays = _dates(calendar.holidays, "holidays", errors)
    calendar.extra_working_days = _dates(calendar.extra_working_days, "extra_working_days", errors)
    both = sorted(set(calendar.holidays) & set(calendar.extra_working_days))
    if both:
        _add(
            errors,
            "extra_working_days",
            _("A day cannot be both a holiday and a working day: %(days)s") % {"days": ", ".join(both)},
        )
    if errors:
        raise ValidationError(errors)
    calendar.full_clean()
    try:
        planning.engine_calendar(calendar, first_year=2000, last_year=2001)
    except SchedulingError as error:
        raise ValidationError({"__all__": [str(error)]}) from error


def _ensure_custom(calendar: WorkCalendar) -> None:
    if calendar.is_builtin:
        raise ConflictError(
            _("The built-in calendar “%(name)s” cannot be changed.") % {"name": calendar.name}
        )


@transaction.atomic
def calendar_create(
    *,
    actor: User | None,
    name: str,
    base: str = CalendarBase.CHINA,
    working_weekdays: str = "1111100",
    holidays: Iterable[date | str] = (),
    extra_working_days: Iterable[date | str] = (),
) -> WorkCalendar:
    """Add a company calendar: a base (China or Monday–Friday), working weekdays (seven 0/1 flags
    from Monday), extra holidays and extra working days (dates or ISO strings)."""
    calendar = WorkCalendar(
        name=name,
        base=base,
        working_weekdays=working_weekdays,
        holidays=list(holidays),
        extra_working_days=list(extra_working_days),
    )
    _prepare_calendar(calendar)
    calendar.save()
    record_create(actor, calendar)
    return calendar


@transaction.atomic
def calendar_update(
    *, actor: User | None, calendar: WorkCalendar, version: int | None, **fields: Any
) -> WorkCalendar:
    """Change a company calendar (refuses a built-in one, 409); re-schedules the open projects on it."""
    _check_fields(fields, CALENDAR_FIELDS)
    calendar = lock_for_update(WorkCalendar.objects.all(), calendar.pk, version)
    _ensure_custom(calendar)
    before = snapshot(calendar)
    for name, value in fields.items():
        setattr(calendar, name, list(value) if name in ("holidays", "extra_working_days") else value)
    _prepare_calendar(calendar)
    bump_version(calendar)
    calendar.save()
    record_update(actor, calendar, before)
    _replan_many(
        Project.objects.select_for_update(of=("self",))
        .select_related("calendar")
        .filter(calendar=calendar, phase__in=_OPEN_PHASES)
    )
    return calendar


@transaction.atomic
def calendar_delete(*, actor: User | None, calendar: WorkCalendar, version: int | None = None) -> None:
    """Delete a company calendar no project uses (409 naming the projects otherwise)."""
    calendar = lock_for_update(WorkCalendar.objects.all(), calendar.pk, version)
    _ensure_custom(calendar)
    users = list(calendar.projects.values_list("code", flat=True)[:20])
    if users:
        raise ConflictError(
            _("Projects use this calendar: %(projects)s. Give them another calendar first.")
            % {"projects": ", ".join(users)}
        )
    record_delete(actor, calendar, snapshot(calendar))
    try:
        with transaction.atomic():
            calendar.delete()
    except ProtectedError as exc:  # a project took it meanwhile
        raise ConflictError(_("A project uses this calendar.")) from exc


# The project's plan settings ---------------------------------------------------------------------------


@transaction.atomic
def project_plan_update(
    *, actor: User | None, project: Project, version: int | None, **fields: Any
) -> Project:
    """Set the project's ``calendar`` (None: the built-in China calendar) and ``status_date`` (the
    day progress is reported up to; None: none). Refuses a stale ``version``; re-schedules."""
    _check_fields(fields, PLAN_FIELDS)
    project = lock_for_update(Project.objects.select_related("calendar"), project.pk, version)
    project_ensure_editable(project)
    before = snapshot(project)
    for name, value in fields.items():
        setattr(project, name, value)
    bump_version(project)
    project.save(update_fields=["calendar", "status_date", "version", "updated_at"])
    record_update(actor, project, before)
    _replan(project, strict=False)
    project.refresh_from_db()
    return project


# Baselines ---------------------------------------------------------------------------------------------


@transaction.atomic
def baseline_save(*, actor: User | None, project: Project, name: str) -> Baseline:
    """Save the plan's current dates as a named baseline (at most ``MAX_BASELINES``: 409 beyond)."""
    project = _locked_project(project.pk)
    if Baseline.objects.filter(project=project).count() >= MAX_BASELINES:
        raise ConflictError(
            _("A project keeps at most %(count)d baselines; delete one before saving another.")
            % {"count": MAX_BASELINES}
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the baseline a name.")]})
    if Baseline.objects.filter(project=project, name=name).exists():
        raise ValidationError({"name": [_("A baseline called “%(name)s” exists already.") % {"name": name}]})
    rows = list(
        Task.objects.filter(project=project).values_list(
            "id", "wbs_code", "name", "start_date", "finish_date", "duration_days"
        )
    )
    if not rows:
        raise ValidationError({"__all__": [_("The plan has no tasks to save in a baseline.")]})
    baseline = Baseline(project=project, name=name, saved_by=actor if getattr(actor, "pk", None) else None)
    baseline.full_clean(exclude=["project", "saved_by"])
    baseline.save()
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                baseline=baseline,
                task_id=pk,
                wbs_code=wbs,
                name=task_name,
                start_date=start,
                finish_date=finish,
                duration_days=duration,
            )
            for pk, wbs, task_name, start, finish, duration in rows
        ],
        batch_size=1000,
    )
    record_create(actor, baseline)
    return baseline


@transaction.atomic
def baseline_delete(*, actor: User | None, baseline: Baseline) -> None:
    """Delete a baseline and its copied dates."""
    _locked_project(baseline.project_id)
    baseline = Baseline.objects.get(pk=baseline.pk)
    record_delete(actor, baseline, snapshot(baseline))
    baseline.delete()
