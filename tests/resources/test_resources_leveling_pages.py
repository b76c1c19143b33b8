"""The Resources tab's "Level resources" slot: the form for those who may level, the HTMX preview
of what moves, accepting it (the tab re-renders without the over-allocation), discarding it,
refusals on the form or on top of the tab, 403/404, and the same steps without JavaScript.

The project (Monday–Friday calendar from Monday 2 March 2026) has 1 调研 and 2 设计, 3 days each
from Mon 2 (Mon 2 – Wed 4), both needing Alice × 1 (capacity 1)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from clientpm.projects.models import ProjectMember, Task
from clientpm.projects.services import plan as plan_services
from clientpm.projects.services.lifecycle import project_transition
from clientpm.resources import services
from clientpm.resources.models import Resource

D = dt.date
HX = {"HX-Request": "true"}


@pytest.fixture
def tasks(pm, project, alice, new_task):
    a, b = new_task(project, "调研", 3), new_task(project, "设计", 3)
    for task in (a, b):
        services.assignment_create(actor=pm, task=task, resource=alice, units=Decimal("1"))
    return a, b


@pytest.fixture
def member(project, team_member):
    ProjectMember.objects.create(project=project, user=team_member, project_role="Consultant")
    return team_member


def count(html: str, testid: str) -> int:
    return html.count(f'data-testid="{testid}"')


def url(project, action=""):
    return f"/resources/projects/{project.pk}/leveling/{action}"


def accepted(html: str) -> dict:
    """The accept form's fields, as the browser would post them."""
    return {
        "token": re.search(r'name="token" value="([^"]+)"', html).group(1),
        "starts": re.findall(r'name="starts" value="([^"]+)"', html),
    }


def test_the_tab_offers_leveling_to_who_may_level(web, pm, project, tasks, member):
    html = web(pm).get(f"/resources/projects/{project.pk}/", headers=HX).content.decode()
    assert count(html, "leveling-slot") == 1
    assert count(html, "leveling-form") == 1
    assert count(html, "over-allocation") == 1
    html = web(member).get(f"/resources/projects/{project.pk}/", headers=HX).content.decode()
    assert count(html, "leveling-slot") == 1  # the slot stays, empty
    assert count(html, "leveling-form") == 0


def test_preview_accept_and_the_over_allocation_is_gone(web, pm, project, tasks):
    _a, b = tasks
    client = web(pm)
    response = client.post(url(project, "preview/"), {"mode": "fast", "time_limit": "5"}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<section")
    assert count(html, "leveling-slot") == 1
    # 2 waits three working days for Alice: Thu 5 – Mon 9; the finish goes from Wed 4 to Mon 9
    assert count(html, "leveling-move") == 1
    assert re.search(r'data-testid="leveled-start">2026-03-05<', html)
    assert re.search(r'data-testid="leveled-finish">2026-03-09<', html)
    assert re.search(r'data-testid="delay">\+3<', html)
    assert re.search(r'data-testid="finish-before">2026-03-04<', html)
    assert re.search(r'data-testid="finish-after">2026-03-09<', html)
    assert Task.objects.get(pk=b.pk).start_date == D(2026, 3, 2)  # nothing saved yet
    fields = accepted(html)
    assert fields["starts"] == [f"{b.pk}:2026-03-05"]
    tab = client.post(url(project, "apply/"), fields, headers=HX).content.decode()
    assert tab.lstrip().startswith('<div id="resources-tab"')
    assert "The leveled plan was saved: 1 task starts later; the project finishes on 2026-03-09." in tab
    assert count(tab, "no-over-allocation") == 1
    assert count(tab, "over-allocation") == 0
    b.refresh_from_db()
    assert (b.start_date, b.finish_date, b.constraint_type, b.constraint_date) == (
        D(2026, 3, 5),
        D(2026, 3, 9),
        "snet",
        D(2026, 3, 5),
    )


def test_discard_brings_back_the_empty_form(web, pm, project, tasks):
    client = web(pm)
    html = client.get(url(project), headers=HX).content.decode()
    assert count(html, "leveling-form") == 1
    assert count(html, "leveling-preview") == 0
    assert client.get(url(project)).status_code == 302  # without HTMX: back to the tab


def test_optimal_mode_shows_the_proof(web, pm, project, tasks):
    html = web(pm).post(url(project, "preview/"), {"mode": "optimal", "time_limit": "3"}, headers=HX)
    assert "proven optimal (gap 0%)" in html.content.decode()


def test_refusals_come_back_where_the_user_acted(web, pm, project, tasks, team, new_task):
    client = web(pm)
    bad = client.post(
        url(project, "preview/"), {"mode": "optimal", "time_limit": "0"}, headers=HX
    ).content.decode()
    assert count(bad, "time-limit-error") == 1
    assert count(bad, "leveling-preview") == 0
    html = client.post(url(project, "preview/"), {"mode": "fast"}, headers=HX).content.decode()
    fields = accepted(html)
    plan_services.task_update(actor=pm, task=tasks[0], version=None, duration_days=2)  # the plan changes
    tab = client.post(url(project, "apply/"), fields, headers=HX).content.decode()
    assert count(tab, "resources-error") == 1
    assert "The plan changed since the preview; preview again." in tab
    assert Task.objects.filter(constraint_type="snet").count() == 0
    damaged = client.post(
        url(project, "apply/"), {"token": "x", "starts": ["oops"]}, headers=HX
    ).content.decode()
    assert "The leveled starts are damaged; preview again." in damaged
    # a demand above a capacity (lowered behind the services' back, which refuse it): on the form
    services.assignment_create(actor=pm, task=new_task(project, "迁移", 2), resource=team, units=Decimal("2"))
    Resource.objects.filter(pk=team.pk).update(capacity_units=Decimal("1"))
    html = client.post(url(project, "preview/"), {"mode": "fast"}, headers=HX).content.decode()
    assert count(html, "leveling-errors") == 1
    assert "Task 3 迁移 needs 2 units of 开发团队 per day, more than its capacity of 1." in html


def test_started_overload_is_explained(web, pm, project, alice, new_task):
    """Two started tasks ask Alice for 2 units on Tue 3 – Wed 4: the preview says it plans around them."""
    for name, start in (("调研", D(2026, 3, 2)), ("访谈", D(2026, 3, 3))):
        task = new_task(project, name, 2, actual_start_date=start)
        services.assignment_create(actor=pm, task=task, resource=alice, units=Decimal("1"))
    html = web(pm).post(url(project, "preview/"), {"mode": "fast"}, headers=HX).content.decode()
    assert count(html, "leveling-note") == 1
    assert "leveling plans the other tasks around them (1 调研; 2 访谈)" in html
    assert count(html, "leveling-nothing") == 1


def test_403_without_the_permissions_and_404_outside_the_scope(web, project, tasks, member, other_manager):
    for action in ("", "preview/", "apply/"):
        method = "get" if not action else "post"
        assert getattr(web(member), method)(url(project, action), {}, headers=HX).status_code == 403
        assert getattr(web(other_manager), method)(url(project, action), {}, headers=HX).status_code == 404


def test_a_closed_project_offers_no_leveling(web, pm, project, tasks):
    project_transition(
        actor=pm, project=project, to_phase="cancelled", version=project.version, reason="取消"
    )
    client = web(pm)
    html = client.get(f"/resources/projects/{project.pk}/", headers=HX).content.decode()
    assert count(html, "leveling-form") == 0
    refused = client.post(url(project, "preview/"), {"mode": "fast"}, headers=HX).content.decode()
    assert f"Project {project.code} is cancelled; reopen it before changing it." in refused


def test_without_javascript(web, pm, project, tasks):
    _a, b = tasks
    client = web(pm)
    page = client.post(url(project, "preview/"), {"mode": "fast", "time_limit": "5"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" in html
    assert count(html, "leveling-move") == 1
    response = client.post(url(project, "apply/"), accepted(html))
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#tab-resources"
    assert Task.objects.get(pk=b.pk).start_date == D(2026, 3, 5)
