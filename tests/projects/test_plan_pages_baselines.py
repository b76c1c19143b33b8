"""Baselines saved and deleted from the Plan tab (at most ten: the eleventh is refused with the reason
on the page) and the plan settings page (working calendar and status date, both rescheduling)."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.projects.models import MAX_BASELINES, Baseline, Task, WorkCalendar
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_update

D = dt.date
HTMX = {"HX-Request": "true"}


@pytest.fixture
def planned(project, pm):
    """The project starting Monday 2 March 2026 (no holiday nearby on the China calendar)."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )


@pytest.fixture
def survey(planned, pm):
    """调研, 3 working days: Mon 2 – Wed 4 March."""
    return services.task_create(actor=pm, project=planned, name="调研", duration_days=3)


def fresh(task):
    return Task.objects.get(pk=task.pk)


def save(client, project, name, htmx=False):
    return client.post(
        f"/projects/{project.pk}/plan/baselines/save/", {"name": name}, headers=HTMX if htmx else {}
    )


# --- baselines ---------------------------------------------------------------------------------------------


def test_save_a_baseline_and_come_back_to_the_baselines_view(web, pm, planned, survey):
    client = web(pm)
    response = save(client, planned, "批准计划")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{planned.pk}/#tab-plan"
    baseline = Baseline.objects.get()
    assert (baseline.name, baseline.saved_by, baseline.tasks.count()) == ("批准计划", pm, 1)
    assert "Baseline 批准计划 was saved." in client.get(response["Location"]).content.decode()
    html = client.get(f"/projects/{planned.pk}/plan/", headers=HTMX).content.decode()  # the view it left on
    assert 'data-testid="variance-table"' in html
    assert "Variance against “批准计划”" in html


def test_save_a_baseline_with_htmx_redraws_the_tab_on_it(web, pm, planned, survey):
    html = save(web(pm), planned, "批准计划", htmx=True).content.decode()
    assert html.startswith('<div id="plan-tab"')
    assert 'data-testid="baseline-saved"' in html
    assert "Baseline 批准计划 was saved." in html
    assert 'data-testid="variance-row"' in html
    assert "No task finishes later than in this baseline." in html


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required."), ("批准计划", "A baseline called “批准计划” exists already.")],
)
def test_a_bad_baseline_name_is_shown_next_to_the_field(web, pm, planned, survey, name, message):
    services.baseline_save(actor=pm, project=planned, name="批准计划")
    html = save(web(pm), planned, name, htmx=True).content.decode()
    form = html.split('data-testid="baseline-form"')[1].split("</form>")[0]
    assert message in form
    assert "is-invalid" in form
    assert Baseline.objects.count() == 1


def test_a_plan_without_tasks_has_nothing_to_baseline(web, pm, planned):
    html = save(web(pm), planned, "空计划", htmx=True).content.decode()
    assert "The plan has no tasks to save in a baseline." in html
    assert not Baseline.objects.exists()


def test_the_eleventh_baseline_is_refused_with_the_reason(web, pm, planned, survey):
    for i in range(MAX_BASELINES):
        services.baseline_save(actor=pm, project=planned, name=f"基线{i + 1}")
    client = web(pm)
    html = save(client, planned, "第十一个", htmx=True).content.decode()
    message = "A project keeps at most 10 baselines; delete one before saving another."
    assert message in html.split('data-testid="baseline-error"')[1]
    assert 'value="第十一个"' in html  # what was typed is kept
    response = save(client, planned, "第十一个")  # without HTMX the reason is a message on the page
    assert message in client.get(response["Location"]).content.decode()
    assert Baseline.objects.count() == MAX_BASELINES
    assert not Baseline.objects.filter(name="第十一个").exists()


def test_delete_a_baseline_after_confirming(web, pm, planned, survey):
    baseline = services.baseline_save(actor=pm, project=planned, name="批准计划")
    client = web(pm)
    url = f"/projects/{planned.pk}/plan/baselines/{baseline.pk}/delete/"
    html = client.get(url).content.decode()
    assert "Delete the baseline “批准计划”?" in html
    assert "The plan itself does not change" in html
    response = client.post(url)
    assert response["Location"] == f"/projects/{planned.pk}/#tab-plan"
    assert not Baseline.objects.exists()
    assert fresh(survey).finish_date == D(2026, 3, 4)
    assert "Baseline 批准计划 was deleted." in client.get(response["Location"]).content.decode()


def test_the_baselines_view_offers_delete_links_only_to_who_may_delete(web, pm, executive, planned, survey):
    baseline = services.baseline_save(actor=pm, project=planned, name="批准计划")
    link = f"/projects/{planned.pk}/plan/baselines/{baseline.pk}/delete/"
    view = f"/projects/{planned.pk}/plan/?view=baselines"
    assert link in web(pm).get(view).content.decode()
    assert link not in web(executive).get(view).content.decode()


# --- plan settings ------------------------------------------------------------------------------------------


def test_settings_page_shows_the_calendars_and_the_current_values(web, pm, planned):
    company = services.calendar_create(actor=None, name="华东分公司", base="mon_fri")
    html = web(pm).get(f"/projects/{planned.pk}/plan/settings/").content.decode()
    assert 'data-testid="plan-settings-form"' in html
    assert f'<option value="{company.pk}">华东分公司</option>' in html
    assert f'name="version" value="{planned.version}"' in html


def test_a_company_calendar_with_a_holiday_reschedules_the_plan(web, pm, planned, survey):
    company = services.calendar_create(actor=None, name="华东分公司", base="mon_fri", holidays=["2026-03-03"])
    client = web(pm)
    response = client.post(
        f"/projects/{planned.pk}/plan/settings/",
        {"calendar": company.pk, "status_date": "", "version": str(planned.version)},
    )
    assert response["Location"] == f"/projects/{planned.pk}/#tab-plan"
    planned.refresh_from_db()
    assert planned.calendar == company
    # 3 working days from Mon 2 March skipping the company holiday Tue 3: Mon 2, Wed 4, Thu 5
    assert fresh(survey).finish_date == D(2026, 3, 5)
    page = client.get(response["Location"]).content.decode()
    assert "The plan settings were saved and the plan rescheduled." in page
    tab = client.get(f"/projects/{planned.pk}/plan/?view=table", headers=HTMX).content.decode()
    assert "华东分公司" in tab.split('data-testid="plan-summary"')[1]


def test_a_status_date_schedules_remaining_work_after_it(web, pm, planned, survey):
    client = web(pm)
    form = client.get(f"/projects/{planned.pk}/plan/settings/").content.decode()
    assert "remaining work is scheduled from this day on" in form  # the data date, as the engine reads it
    client.post(
        f"/projects/{planned.pk}/plan/settings/",
        {"calendar": "", "status_date": "2026-03-04", "version": str(planned.version)},
    )
    planned.refresh_from_db()
    assert planned.status_date == D(2026, 3, 4)
    # not started: it cannot start before the status date Wed 4 March, and takes Wed 4 – Fri 6
    assert (fresh(survey).start_date, fresh(survey).finish_date) == (D(2026, 3, 4), D(2026, 3, 6))
    tab = client.get(f"/projects/{planned.pk}/plan/?view=table", headers=HTMX).content.decode()
    assert "Status date: 2026-03-04" in tab


def test_settings_with_a_stale_version_are_refused(web, pm, planned, survey):
    stale = planned.version
    project_update(actor=pm, project=planned, version=planned.version, name="改名")
    response = web(pm).post(
        f"/projects/{planned.pk}/plan/settings/",
        {"calendar": "", "status_date": "2026-03-04", "version": stale},
    )
    assert "This record was changed by someone else." in response.content.decode()
    planned.refresh_from_db()
    assert planned.status_date is None


def test_settings_refuse_an_unknown_calendar_next_to_the_field(web, pm, planned):
    response = web(pm).post(
        f"/projects/{planned.pk}/plan/settings/",
        {"calendar": "999999", "status_date": "", "version": planned.version},
    )
    html = response.content.decode()
    assert "Select a valid choice." in html.split('name="calendar"')[1].split('name="status_date"')[0]
    assert not WorkCalendar.objects.filter(projects=planned).exists()
