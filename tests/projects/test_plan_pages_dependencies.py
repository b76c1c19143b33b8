"""Dependencies from the task page: add, change the type or lag, remove — each reschedules the plan —
and the refusals (a cycle naming its tasks, a duplicate, a link to the task's own summary) shown
next to the dependency form with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.projects.models import DependencyType, Task, TaskDependency
from clientpm.projects.services import plan as services
from clientpm.projects.services.projects import project_update

D = dt.date


@pytest.fixture
def planned(project, pm):
    """The project starting Monday 2 March 2026 (no holiday nearby on the China calendar)."""
    return project_update(
        actor=pm, project=project, version=project.version, planned_start_date=D(2026, 3, 2)
    )


@pytest.fixture
def chain(planned, pm):
    """1 调研 (3 d) → 2 方案 (2 d), and 3 评审 (1 d) on its own."""
    survey = services.task_create(actor=pm, project=planned, name="调研", duration_days=3)
    design = services.task_create(actor=pm, project=planned, name="方案", duration_days=2)
    review = services.task_create(actor=pm, project=planned, name="评审", duration_days=1)
    services.dependency_create(actor=pm, predecessor=survey, successor=design)
    return survey, design, review


def fresh(task):
    return Task.objects.get(pk=task.pk)


def page(client, task):
    return client.get(f"/projects/{task.project_id}/plan/tasks/{task.pk}/edit/").content.decode()


def link(client, successor, predecessor, dependency_type="FS", lag_days="0"):
    return client.post(
        f"/projects/{successor.project_id}/plan/tasks/{successor.pk}/dependencies/add/",
        {"predecessor": predecessor.pk, "dependency_type": dependency_type, "lag_days": lag_days},
    )


def dependency_form(html: str) -> str:
    return html.split('data-testid="dependency-form"')[1].split("</form>")[0]


def test_the_task_page_lists_predecessors_and_successors(web, pm, chain):
    survey, design, _review = chain
    client = web(pm)
    html = page(client, design)
    assert html.count('data-testid="predecessor-row"') == 1
    assert "1 调研" in html.split('data-testid="predecessor-row"')[1]
    html = page(client, survey)
    assert "No predecessors" in html
    assert "Successors" in html
    assert "2 方案 · Finish to start" in html


def test_the_predecessor_picker_offers_the_other_tasks_not_yet_linked(web, pm, chain):
    survey, design, review = chain
    picker = dependency_form(page(web(pm), design))
    assert f'value="{review.pk}"' in picker
    assert f'value="{survey.pk}"' not in picker  # already a predecessor
    assert f'value="{design.pk}"' not in picker  # the task itself


def test_add_a_dependency_reschedules_and_goes_back_to_the_task_page(web, pm, chain):
    _survey, design, review = chain
    client = web(pm)
    response = link(client, review, design, "FS", "1")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{design.project_id}/plan/tasks/{review.pk}/edit/#dependencies"
    assert (
        "The dependency was added and the plan rescheduled."
        in client.get(response["Location"]).content.decode()
    )
    dependency = TaskDependency.objects.get(successor=review)
    assert (dependency.predecessor, dependency.dependency_type, dependency.lag_days) == (design, "FS", 1)
    # 调研 Mon 2 – Wed 4, 方案 Thu 5 – Fri 6, one day's lag (Mon 9), 评审 Tue 10
    assert fresh(review).start_date == D(2026, 3, 10)


def test_a_cycle_is_refused_naming_the_tasks_and_nothing_is_saved(web, pm, chain):
    survey, design, _review = chain
    response = link(web(pm), survey, design)
    html = response.content.decode()
    assert response.status_code == 200
    # 调研 → 方案 exists; 方案 → 调研 would close the circle 2 方案 → 1 调研 → 2 方案
    message = "These tasks would depend on each other in a circle: 2 方案 → 1 调研 → 2 方案."
    assert message in dependency_form(html)
    assert f'<option value="{design.pk}" selected>' in dependency_form(html)  # what the user chose
    assert TaskDependency.objects.count() == 1
    assert fresh(survey).start_date == D(2026, 3, 2)


def test_a_link_to_the_tasks_own_summary_is_refused(web, pm, planned):
    phase = services.task_create(actor=pm, project=planned, name="设计")
    child = services.task_create(actor=pm, project=planned, name="概要设计", parent=phase)
    html = link(web(pm), child, phase).content.decode()
    assert "A task cannot be linked with its own summary task." in dependency_form(html)
    assert not TaskDependency.objects.exists()


def test_a_bad_lag_and_a_missing_predecessor_show_next_to_the_fields(web, pm, chain):
    _survey, design, review = chain
    html = link(web(pm), review, design, "FS", "1000").content.decode()
    assert "Ensure this value is less than or equal to 999." in dependency_form(html)
    response = web(pm).post(
        f"/projects/{review.project_id}/plan/tasks/{review.pk}/dependencies/add/",
        {"predecessor": "", "dependency_type": "FS", "lag_days": "0"},
    )
    assert "This field is required." in dependency_form(response.content.decode())
    assert TaskDependency.objects.count() == 1


def test_edit_a_dependencys_type_and_lag(web, pm, chain):
    _survey, design, _review = chain
    dependency = TaskDependency.objects.get()
    client = web(pm)
    response = client.post(
        f"/projects/{design.project_id}/plan/dependencies/{dependency.pk}/edit/",
        {"dependency_type": DependencyType.SS, "lag_days": "1"},
    )
    assert response["Location"] == f"/projects/{design.project_id}/plan/tasks/{design.pk}/edit/#dependencies"
    dependency.refresh_from_db()
    assert (dependency.dependency_type, dependency.lag_days) == ("SS", 1)
    # start-to-start +1: 方案 starts the day after 调研 starts, Tue 3 March
    assert fresh(design).start_date == D(2026, 3, 3)
    html = page(client, design)
    assert "The dependency was saved and the plan rescheduled." in html
    assert '<option value="SS" selected>' in html


def test_edit_refuses_a_finish_link_into_a_summary(web, pm, planned):
    first = services.task_create(actor=pm, project=planned, name="调研")
    phase = services.task_create(actor=pm, project=planned, name="实施")
    services.task_create(actor=pm, project=planned, name="部署", parent=phase)
    dependency = services.dependency_create(actor=pm, predecessor=first, successor=phase)
    client = web(pm)
    response = client.post(
        f"/projects/{planned.pk}/plan/dependencies/{dependency.pk}/edit/",
        {"dependency_type": DependencyType.FF, "lag_days": "0"},
        follow=True,
    )
    assert "can follow only by its start" in response.content.decode()
    dependency.refresh_from_db()
    assert dependency.dependency_type == "FS"


def test_remove_a_dependency(web, pm, chain):
    _survey, design, _review = chain
    dependency = TaskDependency.objects.get()
    client = web(pm)
    response = client.post(f"/projects/{design.project_id}/plan/dependencies/{dependency.pk}/delete/")
    assert response["Location"].endswith(f"/plan/tasks/{design.pk}/edit/#dependencies")
    assert not TaskDependency.objects.exists()
    assert fresh(design).start_date == D(2026, 3, 2)  # nothing holds it back any more
    assert "The dependency was removed and the plan rescheduled." in page(client, design)


def test_dependency_urls_need_a_post_and_the_right_project(web, pm, chain, customer):
    from clientpm.projects.services.projects import project_create

    _survey, design, _review = chain
    dependency = TaskDependency.objects.get()
    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    client = web(pm)
    assert (
        client.get(f"/projects/{design.project_id}/plan/dependencies/{dependency.pk}/delete/").status_code
        == 405
    )
    assert client.post(f"/projects/{other.pk}/plan/dependencies/{dependency.pk}/delete/").status_code == 404
    assert TaskDependency.objects.exists()


def test_a_predecessor_in_another_project_of_the_customer_is_named_with_its_project(web, pm, chain, customer):
    from clientpm.projects.services.projects import project_create

    _survey, _design, review = chain
    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    interface = services.task_create(actor=pm, project=other, name="接口", duration_days=1)
    services.dependency_create(actor=pm, predecessor=interface, successor=review)
    client = web(pm)
    table = client.get(f"/projects/{review.project_id}/plan/?view=table", headers={"HX-Request": "true"})
    assert f"{other.code}/1FS" in table.content.decode()  # not to be mistaken for this plan's task 1
    row = page(client, review).split('data-testid="predecessor-row"')[1]
    assert f'<span class="badge text-bg-info">{other.code}</span> 1 接口' in row


def test_the_task_page_costs_the_same_queries_for_30_linked_tasks_as_for_3(
    web, pm, planned, django_assert_max_num_queries
):
    first = services.task_create(actor=pm, project=planned, name="启动", owner=pm)
    previous = services.task_create(actor=pm, project=planned, name="任务1", owner=pm)
    client = web(pm)
    counts = []
    for size in (3, 30):
        while Task.objects.filter(project=planned).count() < size:
            task = services.task_create(actor=pm, project=planned, name="任务", owner=pm, assignees=[pm])
            services.dependency_create(actor=pm, predecessor=previous, successor=task)
            services.dependency_create(actor=pm, predecessor=first, successor=task, dependency_type="SS")
            previous = task
        page(client, previous)
        with django_assert_max_num_queries(15) as captured:
            html = page(client, previous)
        assert html.count('data-testid="predecessor-row"') == 2
        counts.append(len(captured.captured_queries))
    assert counts[1] <= counts[0]
