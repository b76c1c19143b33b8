"""Interoperability of the whole path with MPXJ (the reference open-source MS Project library): MPXJ
reads a project exported from clientpm with the same tasks, outline, dates, durations and links, and
a file MPXJ writes imports into clientpm as the original does. One JVM per test process (JPype
cannot restart it)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jpype
import mpxj  # noqa: F401 - registers the bundled MPXJ jars on JPype's class path
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clientpm.interchange.queries import plan_export
from clientpm.interchange.services import plan_import
from clientpm.projects.models import Task, TaskDependency
from clientpm.resources.models import Assignment

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "msproject"


@pytest.fixture(scope="module")
def java() -> SimpleNamespace:
    if not jpype.isJVMStarted():
        jpype.startJVM()
    file_format = jpype.JClass("org.mpxj.writer.FileFormat")
    return SimpleNamespace(
        reader=jpype.JClass("org.mpxj.reader.UniversalProjectReader")(),
        writer=jpype.JClass("org.mpxj.writer.UniversalProjectWriter")(file_format.MSPDI),
        days=jpype.JClass("org.mpxj.TimeUnit").DAYS,
    )


def day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value)[:10])


def mpxj_plan(java: SimpleNamespace, theirs: Any) -> tuple[list[tuple], list[tuple]]:
    """(outline number, name, level, summary, start, finish, days) per task and (predecessor, successor,
    type, lag days) per link, by outline number."""
    properties = theirs.getProjectProperties()
    tasks = []
    links = []
    for task in theirs.getTasks():
        if int(task.getUniqueID()) == 0:
            continue
        tasks.append(
            (
                str(task.getOutlineNumber()),
                str(task.getName()),
                int(task.getOutlineLevel()),
                bool(task.getSummary()),
                day(task.getStart()),
                day(task.getFinish()),
                round(float(task.getDuration().convertUnits(java.days, properties).getDuration()), 6),
            )
        )
        for relation in task.getPredecessors():
            links.append(
                (
                    str(relation.getPredecessorTask().getOutlineNumber()),
                    str(task.getOutlineNumber()),
                    str(relation.getType()),  # FS, SS, FF or SF
                    round(float(relation.getLag().convertUnits(java.days, properties).getDuration()), 6),
                )
            )
    return sorted(tasks), sorted(links)


def test_mpxj_reads_a_clientpm_export_as_clientpm_planned_it(java, tmp_path, built):
    path = tmp_path / "export.xml"
    path.write_bytes(plan_export(built))
    theirs = java.reader.read(str(path))
    tasks, links = mpxj_plan(java, theirs)
    ours = sorted(
        (
            t.wbs_code,
            t.name,
            t.wbs_code.count(".") + 1,
            t.is_summary,
            t.start_date,
            t.finish_date,
            float(t.duration_days),
        )
        for t in Task.objects.filter(project=built)
    )
    assert tasks == ours
    assert links == sorted(
        TaskDependency.objects.filter(successor__project=built).values_list(
            "predecessor__wbs_code", "successor__wbs_code", "dependency_type", "lag_days"
        )
    )
    # e.g. Build: 5 working days 10–16 April 2025, following Design by FS with 1 day of lag
    assert ("2", "Build", 1, False, date(2025, 4, 10), date(2025, 4, 16), 5.0) in tasks
    assert ("1", "2", "FS", 1.0) in links
    assignments = [
        (str(a.getTask().getName()), str(a.getResource().getName()), float(a.getUnits()))
        for a in theirs.getResourceAssignments()
    ]
    assert assignments == [("Build", "Alice", 50.0)]  # MPXJ gives percent


@pytest.mark.parametrize("name", ["sample.xml", "task-links-project2019-mspdi.xml"])
def test_a_file_mpxj_writes_imports_like_the_original(java, tmp_path, pm, customer, upload, name):
    path = tmp_path / "mpxj.xml"
    java.writer.write(java.reader.read(str(FIXTURES / name)), str(path))
    direct = plan_import(actor=pm, source=upload(name), customer=customer).project
    via_mpxj = plan_import(
        actor=pm, source=SimpleUploadedFile("mpxj.xml", path.read_bytes()), customer=customer
    ).project

    def plan(project):
        tasks = sorted(
            Task.objects.filter(project=project).values_list(
                "wbs_code",
                "name",
                "duration_days",
                "start_date",
                "finish_date",
                "constraint_type",
                "constraint_date",
            )
        )
        links = sorted(
            TaskDependency.objects.filter(successor__project=project).values_list(
                "predecessor__wbs_code", "successor__wbs_code", "dependency_type", "lag_days"
            )
        )
        assignments = sorted(
            Assignment.objects.filter(task__project=project).values_list(
                "task__wbs_code", "resource__name", "units"
            )
        )
        return tasks, links, assignments

    assert plan(via_mpxj) == plan(direct)
    assert len(plan(direct)[0]) == {"sample.xml": 19, "task-links-project2019-mspdi.xml": 16}[name]
