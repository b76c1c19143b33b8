"""Export → re-import: a plan built through the services, exported as MSPDI and imported into a new
project, comes back with the same tasks, outline, dates, constraints, progress, dependencies,
assignments and baseline — on China's calendar, whose holidays travel in the file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from clientpm.interchange.queries import export_file_name, plan_export
from clientpm.interchange.services import plan_import
from clientpm.projects.models import Baseline, BaselineTask, Project, Task, TaskDependency
from clientpm.resources.models import Assignment
from clientpm.scheduling.mspdi import ReportCode, read_mspdi


def plan_rows(project: Project) -> list[tuple]:
    return sorted(
        Task.objects.filter(project=project).values_list(
            "wbs_code",
            "name",
            "is_summary",
            "duration_days",
            "start_date",
            "finish_date",
            "constraint_type",
            "constraint_date",
            "deadline_date",
            "percent_complete",
            "status",
            "actual_start_date",
            "actual_finish_date",
            "effort_hours",
        )
    )


def link_rows(project: Project) -> list[tuple]:
    return sorted(
        TaskDependency.objects.filter(successor__project=project).values_list(
            "predecessor__wbs_code", "successor__wbs_code", "dependency_type", "lag_days"
        )
    )


def reimported(built: Project, pm) -> Project:
    data = plan_export(built)
    upload = SimpleUploadedFile(export_file_name(built), data, content_type="application/xml")
    return plan_import(actor=pm, source=upload, customer=built.customer).project


def test_the_built_plan_is_what_we_expect(built):
    rows = {row[1]: row for row in plan_rows(built)}
    # Spec 3 d from Tue 1 April: 1, 2, 3 April; Qingming Fri 4 April is off
    assert rows["Spec"][4:6] == (date(2025, 4, 1), date(2025, 4, 3))
    # Build: FS+1 after Design (finishes Thu 3 April; Mon 7 is the lag day) but SNET Thu 10 April → 10–16 April
    assert rows["Build"][4:6] == (date(2025, 4, 10), date(2025, 4, 16))


def test_export_then_import_gives_the_same_plan(built, pm):
    again = reimported(built, pm)
    assert again.pk != built.pk
    assert plan_rows(again) == plan_rows(built)
    assert link_rows(again) == link_rows(built)
    assert again.planned_start_date == date(2025, 4, 1)
    assert list(
        Assignment.objects.filter(task__project=again).values_list("task__name", "resource__name", "units")
    ) == [("Build", "Alice", Decimal("0.50"))]


def test_the_latest_baseline_comes_back_as_baseline(built, pm):
    again = reimported(built, pm)
    baseline = Baseline.objects.get(project=again)
    assert baseline.name == "Baseline"  # exported as number 0
    columns = ("wbs_code", "name", "start_date", "finish_date", "duration_days")
    ours = sorted(BaselineTask.objects.filter(baseline=baseline).values_list(*columns))
    theirs = sorted(BaselineTask.objects.filter(baseline__project=built).values_list(*columns))
    assert ours == theirs
    assert len(ours) == 7


def test_the_calendar_travels_with_its_holidays(built, pm):
    again = reimported(built, pm)
    calendar = again.calendar
    assert calendar.name == f"{built.code} · China"
    assert "2025-04-04" in calendar.holidays  # Qingming
    assert "2025-04-27" in calendar.extra_working_days  # the Sunday worked for the May Day holiday


def test_the_export_is_mspdi_with_outline_progress_and_links(built):
    project, report = read_mspdi(plan_export(built))
    assert [(t.outline_number, t.name, t.outline_level, t.summary) for t in project.tasks] == [
        ("1", "Design", 1, True),
        ("1.1", "Spec", 2, False),
        ("1.2", "Review", 2, False),
        ("2", "Build", 1, False),
        ("3", "Test", 1, False),
        ("4", "Docs", 1, False),
        ("5", "Handover", 1, False),
    ]
    spec, review, build = project.tasks[1], project.tasks[2], project.tasks[3]
    assert (spec.percent_complete, spec.actual_start.date(), spec.actual_finish.date()) == (
        100,
        date(2025, 4, 1),
        date(2025, 4, 3),
    )
    assert review.milestone
    assert review.working_days == 0
    assert (build.constraint.name, build.constraint_date.date(), build.deadline.date()) == (
        "SNET",
        date(2025, 4, 10),
        date(2025, 4, 30),
    )
    assert build.work_minutes == 40 * 60
    assert [
        (link.predecessor_uid, link.successor_uid, link.type.name, link.lag_days) for link in project.links
    ] == [
        (2, 3, "FS", 0),
        (1, 4, "FS", 1),
        (4, 5, "SS", 2),
        (4, 6, "FF", 0),
        (5, 7, "SF", -1),
    ]
    assert [(r.name, r.max_units) for r in project.resources] == [("Alice", 1.0)]
    # 0.5 units × 5 days × 480 minutes
    assert [(a.task_uid, a.units, a.work_minutes) for a in project.assignments] == [(4, 0.5, 1200.0)]
    assert [b.number for b in build.baselines] == [0]
    assert not report.find(ReportCode.INVALID_VALUE)
