"""Background jobs of the projects app (Huey, ``huey.contrib.djhuey``).

``project_reschedule_job`` re-schedules a project too big to re-schedule inside the request
(more tasks than ``CLIENTPM_SCHEDULE_INLINE_MAX_TASKS``, default 2000): the plan services enqueue
it when their transaction commits. It recomputes everything from the stored rows, so running it
twice, late or after several edits is harmless (idempotent). Projects whose tasks depend on tasks
that moved are queued next.

``simulation_run_job`` runs a schedule-risk simulation too big to run inside the request (tasks ×
iterations above ``CLIENTPM_SIMULATION_INLINE_MAX``) and stores its result; a simulation no longer
running is left alone, so it is idempotent too.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from huey.contrib.djhuey import db_task

from clientpm.core.audit import audit_source
from clientpm.core.models import AuditSource
from clientpm.projects import planning
from clientpm.projects.models import Project

logger = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=10)
def project_reschedule_job(project_id: int) -> int:
    """Re-schedule project ``project_id`` and store the dates; returns how many task rows changed.

    A deleted project is skipped; a plan that cannot be scheduled (a cycle slipped in) keeps its
    last dates and is logged. Changes are recorded with the audit source "job"."""
    with audit_source(AuditSource.JOB), transaction.atomic():
        project = (
            Project.objects.select_for_update(of=("self",))
            .select_related("calendar")
            .filter(pk=project_id)
            .first()
        )
        if project is None:
            return 0
        try:
            result = planning.project_reschedule(project)
        except ValidationError as error:
            logger.warning("Project %s cannot be scheduled: %s", project.code, "; ".join(error.messages))
            return 0
    for dependent in sorted(result.dependents):
        project_reschedule_job(dependent)
    return result.changed


@db_task()
def simulation_run_job(simulation_id: int) -> str | None:
    """Run queued simulation ``simulation_id`` (``services.schedule_risk.simulation_complete``);
    returns its status, or None when it is gone or was done already. Not retried: a failure marks
    the simulation failed with the reason, and the user runs it again."""
    # The service enqueues this job, so it is imported here rather than at the top (a cycle).
    from clientpm.projects.services.schedule_risk import simulation_complete

    with audit_source(AuditSource.JOB):
        simulation = simulation_complete(simulation_id)
    return simulation.status if simulation is not None else None
