"""The working calendars pages (administrators add, edit and delete company calendars; the built-in
ones are read-only; everyone else only reads the list) and "My tasks" across projects."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.core.models import ChangeRecord
from clientpm.projects.models import Task, WorkCalendar
from clientpm.projects.services import plan as services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_create, project_update

D = dt.date


def calendar_data(**fields):
    data = {
        "name": "华东分公司",
        "base": "mon_fri",
        "working_weekdays": ["0", "1", "2", "3", "4"],
        "holidays": "2026-10-09 公司日\n2026-12-31",
        "extra_working_days": "2026-10-10",
    }
    data.update(fields)
    return data


def field_html(html: str, name: str) -> str:
    for block in html.split('<div class="mb-3">')[1:]:
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field {name}")


@pytest.fixture
def company(db):
    return services.calendar_create(actor=None, name="华东分公司", base="mon_fri", holidays=["2026-03-03"])


# --- the list ------------------------------------------------------------------------------------------


def test_the_list_shows_built_in_and_company_calendars(
    web, admin_user, company, django_assert_max_num_queries
):
    client = web(admin_user)
    client.get("/projects/calendars/")
    with django_assert_max_num_queries(8):
        html = client.get("/projects/calendars/").content.decode()
    assert html.count('data-testid="calendar-row"') == 3  # China, Monday–Friday, 华东分公司
    assert html.count("Built-in") == 2
    assert 'data-testid="add-calendar"' in html
    assert f"/projects/calendars/{company.pk}/edit/" in html
    builtin = WorkCalendar.objects.get(name="China")
    assert f"/projects/calendars/{builtin.pk}/edit/" not in html
    assert f"/projects/calendars/{builtin.pk}/delete/" not in html


def test_a_project_manager_reads_the_list_but_may_not_change_a_calendar(web, pm, company):
    client = web(pm)
    html = client.get("/projects/calendars/").content.decode()
    assert "华东分公司" in html
    assert 'data-testid="add-calendar"' not in html
    assert "/edit/" not in html
    for url in (
        "/projects/calendars/add/",
        f"/projects/calendars/{company.pk}/edit/",
        f"/projects/calendars/{company.pk}/delete/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, calendar_data(name="改")).status_code == 403, url
    company.refresh_from_db()
    assert company.name == "华东分公司"
    assert WorkCalendar.objects.count() == 3


# --- create, edit, delete --------------------------------------------------------------------------------------


def test_create_a_calendar_with_holidays_and_extra_working_days(web, admin_user):
    client = web(admin_user)
    assert 'data-testid="calendar-form"' in client.get("/projects/calendars/add/").content.decode()
    response = client.post(
        "/projects/calendars/add/", calendar_data(working_weekdays=["0", "1", "2", "3", "4", "5"])
    )
    assert response["Location"] == "/projects/calendars/"
    calendar = WorkCalendar.objects.get(name="华东分公司")
    assert (calendar.base, calendar.working_weekdays) == ("mon_fri", "1111110")
    assert calendar.holidays == ["2026-10-09", "2026-12-31"]  # the comment after the date is dropped
    assert calendar.extra_working_days == ["2026-10-10"]
    assert not calendar.is_builtin
    assert "Calendar 华东分公司 was created." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"holidays": "2026-10-09\n2026-13-01\n明天"},
            "holidays",
            "Not a date (use YYYY-MM-DD): 2026-13-01, 明天",
        ),
        (
            {"extra_working_days": "2026-12-31"},
            "extra_working_days",
            "A day cannot be both a holiday and a working day: 2026-12-31",
        ),
        ({"working_weekdays": []}, "working_weekdays", "This field is required."),
        ({"name": "China"}, "name", "Working calendar with this Name already exists."),
    ],
)
def test_calendar_errors_show_next_to_the_field_and_nothing_is_saved(web, admin_user, fields, field, message):
    response = web(admin_user).post("/projects/calendars/add/", calendar_data(**fields))
    html = response.content.decode()
    assert response.status_code == 200
    if field == "working_weekdays":
        assert message in html.split("<fieldset")[1].split("</fieldset>")[0]
    else:
        assert message in field_html(html, field)
    assert WorkCalendar.objects.count() == 2  # the two built-in ones


def test_edit_a_calendar_shows_its_dates_and_reschedules_its_projects(web, admin_user, pm, project, company):
    planned = project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )
    services.project_plan_update(
        actor=pm, project=planned, version=planned.version, calendar=company, status_date=None
    )
    task = services.task_create(actor=pm, project=planned, name="调研", duration_days=3)
    # Mon 2, (holiday Tue 3), Wed 4, Thu 5
    assert Task.objects.get(pk=task.pk).finish_date == D(2026, 3, 5)
    client = web(admin_user)
    url = f"/projects/calendars/{company.pk}/edit/"
    form = client.get(url).content.decode()
    assert ">\n2026-03-03</textarea>" in form
    assert 'name="version" value="1"' in form
    response = client.post(url, calendar_data(holidays="", extra_working_days="", version="1"))
    assert response["Location"] == "/projects/calendars/"
    company.refresh_from_db()
    assert (company.holidays, company.version) == ([], 2)
    assert Task.objects.get(pk=task.pk).finish_date == D(2026, 3, 4)  # Mon 2 – Wed 4 without the holiday


def test_edit_with_a_stale_version_is_refused(web, admin_user, company):
    services.calendar_update(actor=None, calendar=company, version=1, name="华东")
    response = web(admin_user).post(
        f"/projects/calendars/{company.pk}/edit/", calendar_data(name="我的", version="1")
    )
    assert "This record was changed by someone else." in response.content.decode()
    company.refresh_from_db()
    assert company.name == "华东"


def test_built_in_calendars_cannot_be_edited_or_deleted(web, admin_user):
    builtin = WorkCalendar.objects.get(name="China")
    client = web(admin_user)
    for url in (f"/projects/calendars/{builtin.pk}/edit/", f"/projects/calendars/{builtin.pk}/delete/"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, calendar_data(name="中国", version="1")).status_code == 403, url
    builtin.refresh_from_db()
    assert builtin.name == "China"


def test_delete_a_calendar_after_confirming(web, admin_user, company):
    client = web(admin_user)
    url = f"/projects/calendars/{company.pk}/delete/"
    assert "Delete the calendar “华东分公司”?" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == "/projects/calendars/"
    assert not WorkCalendar.objects.filter(pk=company.pk).exists()
    assert "Calendar 华东分公司 was deleted." in client.get(response["Location"]).content.decode()
    assert ChangeRecord.objects.filter(action="delete", object_repr="华东分公司").exists()


def test_a_calendar_in_use_is_not_deleted_and_the_projects_are_named(web, admin_user, pm, project, company):
    services.project_plan_update(actor=pm, project=project, version=project.version, calendar=company)
    client = web(admin_user)
    url = f"/projects/calendars/{company.pk}/delete/"
    confirm = client.get(url).content.decode()
    assert "1 project is scheduled on this calendar" in confirm  # said before the button is pressed
    assert 'type="submit">Delete<' not in confirm
    response = client.post(url, follow=True)
    assert (
        f"Projects use this calendar: {project.code}. Give them another calendar first."
        in response.content.decode()
    )
    assert WorkCalendar.objects.filter(pk=company.pk).exists()
    listing = client.get("/projects/calendars/").content.decode()
    assert '<td class="text-end" data-testid="calendar-projects">1</td>' in listing


def test_an_unknown_calendar_is_404(web, admin_user):
    assert web(admin_user).get("/projects/calendars/999999/edit/").status_code == 404


# --- my tasks --------------------------------------------------------------------------------------------------


def test_my_tasks_lists_only_the_users_open_tasks(
    web, pm, team_member, customer, project, django_assert_max_num_queries
):
    from clientpm.projects.models import ProjectMember

    planned = project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )
    ProjectMember.objects.create(project=planned, user=team_member, project_role="Developer")
    phase = services.task_create(actor=pm, project=planned, name="实施", owner=team_member)
    services.task_create(
        actor=pm, project=planned, name="部署", parent=phase, owner=team_member, duration_days=2
    )
    services.task_create(actor=pm, project=planned, name="培训", assignees=[team_member], duration_days=1)
    services.task_create(actor=pm, project=planned, name="验收", owner=pm)
    done = services.task_create(actor=pm, project=planned, name="调研", owner=team_member)
    services.task_update(actor=pm, task=done, version=None, status="done")
    closed = project_create(actor=pm, customer=customer, name="旧项目", manager=pm)
    ProjectMember.objects.create(project=closed, user=team_member, project_role="Developer")
    services.task_create(actor=pm, project=closed, name="旧任务", owner=team_member)
    project_transition(actor=pm, project=closed, to_phase="cancelled", version=closed.version, reason="x")
    client = web(team_member)
    client.get("/projects/my-tasks/")
    with django_assert_max_num_queries(8):
        html = client.get("/projects/my-tasks/").content.decode()
    assert html.count('data-testid="my-task-row"') == 2
    assert "部署" in html
    assert "培训" in html
    for other in ("验收", "调研", "旧任务", ">实施<"):
        assert other not in html, other
    # soonest finish first: 培训 (1 day, Mon 2 March) before 部署 (2 days, Mon 2 – Tue 3)
    assert html.index("培训") < html.index("部署")
    assert f'href="/projects/{planned.pk}/#tab-plan"' in html


def test_my_tasks_is_empty_for_someone_without_tasks(web, executive):
    html = web(executive).get("/projects/my-tasks/").content.decode()
    assert 'data-testid="no-my-tasks"' in html


def test_my_tasks_costs_the_same_queries_for_20_tasks_in_two_projects_as_for_1(
    web, pm, team_member, customer, project, django_assert_max_num_queries
):
    from clientpm.projects.models import ProjectMember

    second = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    for each in (project, second):
        ProjectMember.objects.create(project=each, user=team_member, project_role="Developer")
    services.task_create(actor=pm, project=project, name="任务0", owner=team_member)
    client = web(team_member)
    client.get("/projects/my-tasks/")
    with django_assert_max_num_queries(8) as small:
        assert client.get("/projects/my-tasks/").content.decode().count('data-testid="my-task-row"') == 1
    for i in range(19):
        owner = {"owner": team_member} if i % 2 else {"owner": pm, "assignees": [team_member]}
        services.task_create(actor=pm, project=(project, second)[i % 2], name=f"任务{i + 1}", **owner)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get("/projects/my-tasks/").content.decode()
    assert html.count('data-testid="my-task-row"') == 20


def test_a_task_given_to_someone_off_the_team_is_refused_or_reaches_their_tasks(
    web, pm, team_member, project
):
    response = web(pm).post(
        f"/projects/{project.pk}/plan/tasks/add/",
        {
            "name": "接口联调",
            "owner": team_member.pk,
            "status": "not_started",
            "duration_days": "1",
            "percent_complete": "0",
            "constraint_type": "asap",
        },
    )
    refused = response.status_code == 200 and "invalid-feedback" in response.content.decode()
    listed = "接口联调" in web(team_member).get("/projects/my-tasks/").content.decode()
    assert refused or listed
