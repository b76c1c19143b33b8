"""The resources pages (list, create, edit, delete) and the project page's Resources tab with its
HTMX assignment forms: what they show, errors next to the fields with what was typed kept, 404 for a
project outside the reader's scope, 403 for writes without the permission, fixed query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientpm.projects.models import ProjectMember
from clientpm.projects.services.lifecycle import project_transition
from clientpm.resources import services
from clientpm.resources.models import Assignment, Resource

D = dt.date
HX = {"HX-Request": "true"}


@pytest.fixture
def member(project, team_member):
    ProjectMember.objects.create(project=project, user=team_member, project_role="Consultant")
    return team_member


@pytest.fixture
def tasks(project, new_task):
    """1 调研 (3 days, Mon 2–Wed 4 March) and 2 设计 (2 days, Mon 2–Tue 3)."""
    return {"a": new_task(project, "调研", 3), "b": new_task(project, "设计", 2)}


def count(html: str, testid: str) -> int:
    return html.count(f'data-testid="{testid}"')


def tab(client, project):
    return client.get(f"/resources/projects/{project.pk}/", headers=HX)


# --- resource pages ------------------------------------------------------------------------------------


def test_list_shows_resources_with_counts_in_fixed_queries(
    web, pm, alice, team, project, tasks, django_assert_max_num_queries
):
    for task in tasks.values():
        services.assignment_create(actor=pm, task=task, resource=alice)
    for i in range(20):
        services.resource_create(actor=pm, name=f"Extra {i:02d}")
    client = web(pm)
    client.get("/resources/")  # warm the session and permission caches
    with django_assert_max_num_queries(10):
        html = client.get("/resources/").content.decode()
    assert count(html, "resource-row") == 22
    assert 'data-testid="add-resource"' in html
    first = html.split('data-testid="resource-row"')[1]
    assert ">Alice<" in first
    assert 'data-testid="assignment-count">2<' in first
    assert 'href="/resources/"' in html  # the sidebar link
    fragment = client.get("/resources/?q=开发", headers=HX).content.decode()
    assert count(fragment, "resource-row") == 1
    assert "<html" not in fragment


def test_team_members_read_the_list_but_may_not_write(web, member, alice):
    client = web(member)
    html = client.get("/resources/").content.decode()
    assert count(html, "resource-row") == 1
    assert 'data-testid="add-resource"' not in html
    assert client.get("/resources/new/").status_code == 403
    assert client.post(f"/resources/{alice.pk}/edit/", {"name": "X"}).status_code == 403
    assert client.post(f"/resources/{alice.pk}/delete/").status_code == 403
    assert Resource.objects.get().name == "Alice"


def test_create_form_shows_errors_next_to_the_fields_and_keeps_the_input(web, pm, alice):
    client = web(pm)
    response = client.post(
        "/resources/new/", {"name": "Bob", "kind": "person", "capacity_units": "0", "is_active": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The capacity must be more than 0 units per working day." in html
    assert 'value="Bob"' in html
    assert "is-invalid" in html
    duplicate = client.post("/resources/new/", {"name": "ALICE", "kind": "person", "capacity_units": "1"})
    assert "A resource called “ALICE” exists already." in duplicate.content.decode()
    created = client.post(
        "/resources/new/", {"name": "Bob", "kind": "team", "capacity_units": "3", "is_active": "on"}
    )
    assert created.status_code == 302
    assert Resource.objects.filter(name="Bob", kind="team", capacity_units=Decimal("3")).exists()


def test_edit_refuses_a_stale_version_and_saves_a_current_one(web, pm, alice):
    client = web(pm)
    data = {"name": "Alicia", "kind": "person", "capacity_units": "1", "is_active": "on", "version": "1"}
    services.resource_update(actor=pm, resource=alice, version=1, notes="changed meanwhile")
    stale = client.post(f"/resources/{alice.pk}/edit/", data)
    assert "This record was changed by someone else." in stale.content.decode()
    assert client.post(f"/resources/{alice.pk}/edit/", {**data, "version": "2"}).status_code == 302
    assert Resource.objects.get().name == "Alicia"


def test_delete_page_lists_the_tasks_in_the_way_and_deletes_an_unused_resource(
    web, pm, alice, team, project, tasks
):
    services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    client = web(pm)
    blocked = client.get(f"/resources/{alice.pk}/delete/").content.decode()
    assert 'data-testid="resource-in-use"' in blocked
    assert f"{project.code} 1 调研" in blocked
    refused = client.post(f"/resources/{alice.pk}/delete/", follow=True).content.decode()
    assert "“Alice” is assigned to 1 task" in refused
    assert client.post(f"/resources/{team.pk}/delete/").status_code == 302
    assert list(Resource.objects.values_list("name", flat=True)) == ["Alice"]


# --- the project's Resources tab ------------------------------------------------------------------------


def test_the_project_page_has_the_resources_tab(web, pm, project):
    html = web(pm).get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="tab-resources"' in html
    assert f'hx-get="/resources/projects/{project.pk}/"' in html


def test_tab_shows_assignments_load_charts_and_over_allocations(
    web, pm, alice, team, project, tasks, django_assert_max_num_queries
):
    """Alice × 1 on 调研 (Mon 2–Wed 4) and × 0.5 on 设计 (Mon 2–Tue 3): 1.5 on Mon 2 and Tue 3 is
    over her capacity of 1 — one over-allocation of 2 working days, peak 1.5."""
    services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    services.assignment_create(actor=pm, task=tasks["b"], resource=alice, units="0.5")
    services.assignment_create(actor=pm, task=tasks["a"], resource=team, units="2")
    client = web(pm)
    tab(client, project)
    with django_assert_max_num_queries(14):
        response = tab(client, project)
    html = response.content.decode()
    assert response.status_code == 200
    assert count(html, "resource-task-row") == 2
    assert count(html, "assignment") == 3
    assert 'data-testid="assignment-total">3 assignments<' in html
    assert count(html, "resource-load-chart") == 2
    assert count(html, "load-bar") == 6  # 2 resources × 3 working days
    assert html.count('data-over="true"') == 2
    assert count(html, "capacity-line") == 2
    assert count(html, "over-allocation") == 1
    assert "2026-03-02 – 2026-03-03" in html
    assert 'data-testid="over-peak">1.5<' in html
    assert 'data-testid="leveling-slot"' in html
    assert count(html, "assign") == 2
    assert count(html, "remove-assignment") == 3


def test_tab_queries_do_not_grow_with_tasks(web, pm, alice, team, project, new_task):
    client = web(pm)
    for i in range(3):
        services.assignment_create(actor=pm, task=new_task(project, f"T{i}", 2), resource=alice)
    tab(client, project)
    with CaptureQueriesContext(connection) as few:
        tab(client, project)
    for i in range(3, 15):
        task = new_task(project, f"T{i}", 2)
        services.assignment_create(actor=pm, task=task, resource=alice)
        services.assignment_create(actor=pm, task=task, resource=team)
    with CaptureQueriesContext(connection) as many:
        html = tab(client, project).content.decode()
    assert len(many) == len(few)
    assert count(html, "resource-task-row") == 15


def test_empty_tab_says_what_it_is_for(web, pm, project):
    html = tab(web(pm), project).content.decode()
    assert 'data-testid="no-tasks"' in html
    assert 'data-testid="no-load"' in html


def test_tab_and_forms_are_404_outside_the_readers_scope(web, pm, alice, project, tasks, other_manager):
    assignment = services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    outsider = web(other_manager)
    base = f"/resources/projects/{project.pk}"
    for url in (f"{base}/", f"{base}/tasks/{tasks['a'].pk}/row/"):
        assert outsider.get(url).status_code == 404, url
    for url in (
        f"{base}/tasks/{tasks['b'].pk}/assign/",
        f"{base}/assignments/{assignment.pk}/edit/",
        f"{base}/assignments/{assignment.pk}/delete/",
    ):
        assert outsider.post(url, {"resource": alice.pk, "units": "0.5"}).status_code == 404, url
    # a task or an assignment of another project under this project's URL is a 404 too
    assert web(pm).get(f"{base}/tasks/999999/assign/").status_code == 404
    assert list(Assignment.objects.values_list("units", flat=True)) == [Decimal("1.00")]


def test_team_member_sees_the_tab_without_buttons_and_writes_are_403(web, pm, alice, project, tasks, member):
    assignment = services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    client = web(member)
    html = tab(client, project).content.decode()
    assert count(html, "assignment") == 1
    assert count(html, "assign") == 0
    assert count(html, "edit-assignment") == 0
    base = f"/resources/projects/{project.pk}"
    assert (
        client.post(f"{base}/tasks/{tasks['b'].pk}/assign/", {"resource": alice.pk, "units": "1"}).status_code
        == 403
    )
    assert (
        client.post(
            f"{base}/assignments/{assignment.pk}/edit/", {"resource": alice.pk, "units": "0.5"}
        ).status_code
        == 403
    )
    assert client.post(f"{base}/assignments/{assignment.pk}/delete/").status_code == 403
    assert list(Assignment.objects.values_list("units", flat=True)) == [Decimal("1.00")]


def test_assign_inline_with_htmx_swaps_the_whole_tab(web, pm, alice, project, tasks):
    client = web(pm)
    url = f"/resources/projects/{project.pk}/tasks/{tasks['a'].pk}/assign/"
    form = client.get(url, headers=HX).content.decode()
    assert 'data-testid="assignment-row-form"' in form
    assert "<html" not in form
    assert f'<option value="{alice.pk}">Alice (Person, 1)</option>' in form
    saved = client.post(url, {"resource": alice.pk, "units": "0.5"}, headers=HX)
    html = saved.content.decode()
    assert 'id="resources-tab"' in html
    assert "Alice was assigned to 1 调研." in html
    assert 'data-testid="assignment-units">0.5<' in html
    assert Assignment.objects.get().units == Decimal("0.50")


def test_a_refused_assignment_comes_back_in_the_row_with_the_error_next_to_the_field(
    web, pm, alice, project, tasks
):
    client = web(pm)
    url = f"/resources/projects/{project.pk}/tasks/{tasks['a'].pk}/assign/"
    response = client.post(url, {"resource": alice.pk, "units": "3"}, headers=HX)
    html = response.content.decode()
    assert response.headers["HX-Retarget"] == f"#resource-task-{tasks['a'].pk}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert (
        'data-testid="units-error">“Alice” has a capacity of 1 per working day; a task cannot need more (3).<'
        in html
    )
    assert 'value="3"' in html
    missing = client.post(url, {"units": "1"}, headers=HX).content.decode()
    assert 'data-testid="resource-error"' in missing
    assert not Assignment.objects.exists()


def test_a_summary_tasks_assignment_is_flagged_and_it_offers_no_assign_button(
    web, pm, alice, project, tasks, new_task
):
    services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    new_task(project, "细节", 1, parent=tasks["a"])  # 1 调研 becomes a summary task
    html = tab(web(pm), project).content.decode()
    assert count(html, "summary-assignment") == 1
    assert count(html, "assign") == 2  # 1.1 细节 and 2 设计, not the summary
    response = web(pm).post(
        f"/resources/projects/{project.pk}/tasks/{tasks['a'].pk}/assign/",
        {"resource": alice.pk, "units": "1"},
    )
    assert "is a summary task: assign resources to its subtasks." in response.content.decode()


def test_edit_and_remove_inline(web, pm, alice, team, project, tasks):
    assignment = services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    client = web(pm)
    base = f"/resources/projects/{project.pk}/assignments/{assignment.pk}"
    form = client.get(f"{base}/edit/", headers=HX).content.decode()
    assert "editing Alice" in form
    assert 'value="1.00"' in form
    html = client.post(f"{base}/edit/", {"resource": team.pk, "units": "2"}, headers=HX).content.decode()
    assert "The assignment of 开发团队 to 1 调研 was saved." in html
    assignment.refresh_from_db()
    assert (assignment.resource, assignment.units) == (team, Decimal("2.00"))
    row = client.get(
        f"/resources/projects/{project.pk}/tasks/{tasks['a'].pk}/row/", headers=HX
    ).content.decode()
    assert 'data-testid="assignment-resource">开发团队<' in row
    removed = client.post(f"{base}/delete/", headers=HX).content.decode()
    assert "开发团队 was removed from 1 调研." in removed
    assert not Assignment.objects.exists()


def test_without_htmx_the_forms_are_pages_and_redirect_to_the_tab(web, pm, alice, project, tasks):
    client = web(pm)
    url = f"/resources/projects/{project.pk}/tasks/{tasks['b'].pk}/assign/"
    page = client.get(url).content.decode()
    assert 'data-testid="assignment-page-form"' in page
    assert "<html" in page
    refused = client.post(url, {"resource": alice.pk, "units": "0"}).content.decode()
    assert "The units must be more than 0" in refused
    assert 'data-testid="assignment-page-form"' in refused
    response = client.post(url, {"resource": alice.pk, "units": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#tab-resources"
    assignment = Assignment.objects.get()
    confirm = client.get(
        f"/resources/projects/{project.pk}/assignments/{assignment.pk}/delete/"
    ).content.decode()
    assert 'data-testid="confirm-delete"' in confirm
    assert (
        client.post(f"/resources/projects/{project.pk}/assignments/{assignment.pk}/delete/").status_code
        == 302
    )
    assert not Assignment.objects.exists()


def test_a_cancelled_project_shows_the_tab_read_only_and_refuses_writes(web, pm, alice, project, tasks):
    assignment = services.assignment_create(actor=pm, task=tasks["a"], resource=alice)
    project_transition(
        actor=pm, project=project, to_phase="cancelled", version=project.version, reason="取消"
    )
    client = web(pm)
    html = tab(client, project).content.decode()
    assert count(html, "assign") == 0
    assert count(html, "remove-assignment") == 0
    response = client.post(
        f"/resources/projects/{project.pk}/assignments/{assignment.pk}/delete/", headers=HX
    ).content.decode()
    assert f"Project {project.code} is cancelled; reopen it before changing it." in response
    assert Assignment.objects.exists()
