"""Project pages: list with filters, board moves through the gates, create/edit, the overview's gate
checklist, phase checklists and the customer 360's projects tab."""

from __future__ import annotations

import pytest

from clientpm.projects.models import GateDecision, Phase, Project, ProjectTemplate
from clientpm.projects.services.projects import project_create


def test_list_filters_by_phase_and_text(
    web, executive, customer, pm, admin_user, django_assert_max_num_queries
):
    from clientpm.projects.services.lifecycle import project_transition

    a = project_create(actor=pm, customer=customer, name="华东区域实施项目", manager=pm)
    project_create(actor=pm, customer=customer, name="西北咨询", manager=pm)
    project_transition(
        actor=admin_user, project=a, to_phase="planning", version=a.version, override_reason="x"
    )
    client = web(executive)
    with django_assert_max_num_queries(12):
        page = client.get("/projects/?phase=planning").content.decode()
    assert "华东区域实施项目" in page
    assert "西北咨询" not in page
    page = client.get("/projects/?q=实施").content.decode()
    assert "华东区域实施项目" in page
    assert "西北咨询" not in page
    page = client.get("/projects/?phase=bogus").content.decode()
    assert "Some filters were invalid" in page


def test_create_shows_field_errors_then_saves(web, account_manager, customer):
    client = web(account_manager)
    response = client.post(
        "/projects/new/",
        {
            "customer": customer.pk,
            "name": "CRM",
            "project_type": "implementation",
            "methodology": "waterfall",
            "priority": "medium",
            "planned_start_date": "2026-05-01",
            "planned_finish_date": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert "The planned finish must not be before the planned start." in response.content.decode()
    assert not Project.objects.exists()
    response = client.post(
        "/projects/new/",
        {
            "customer": customer.pk,
            "name": "CRM",
            "project_type": "implementation",
            "methodology": "waterfall",
            "priority": "medium",
            "manager": account_manager.pk,
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"


def test_project_page_shows_the_gate_checklist(web, pm, project):
    page = web(pm).get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="gate-team" data-met="0"' in page
    assert "No team member." in page
    assert 'data-testid="gate-manager" data-met="1"' in page


def test_refused_move_lists_the_reasons_on_the_page(web, pm, project):
    client = web(pm)
    response = client.post(
        f"/projects/{project.pk}/transition/", {"to_phase": "planning", "version": 1}, follow=True
    )
    page = response.content.decode()
    assert "cannot leave initiation yet" in page
    assert "No scope statement." in page
    project.refresh_from_db()
    assert project.phase == Phase.INITIATION


def test_board_move_answers_json(web, pm, admin_user, project):
    refused = web(pm).post(f"/projects/{project.pk}/board-move/", {"to_phase": "planning", "version": 1})
    assert refused.status_code == 409
    assert "No goal has been set." in refused.json()["reasons"]
    moved = web(admin_user).post(
        f"/projects/{project.pk}/board-move/", {"to_phase": "on_hold", "version": 1, "reason": "freeze"}
    )
    assert moved.json() == {"ok": True, "version": 2, "phase": "on_hold"}
    board = web(admin_user).get("/projects/board/").content.decode()
    assert 'data-testid="column-on_hold"' in board
    assert f'data-testid="card-{project.code}"' in board


def test_board_move_without_permission_is_403(web, team_member, project):
    from clientpm.projects.models import ProjectMember

    ProjectMember.objects.create(project=project, user=team_member, project_role="Developer")
    response = web(team_member).post(
        f"/projects/{project.pk}/board-move/", {"to_phase": "planning", "version": 1}
    )
    assert response.status_code == 403
    assert not GateDecision.objects.exists()


def test_checklist_add_and_tick(web, pm, project):
    client = web(pm)
    client.post(f"/projects/{project.pk}/checklist/", {"phase": "initiation", "text": "Kick-off held"})
    item = project.checklist_items.get()
    client.post(f"/projects/{project.pk}/checklist/{item.pk}/toggle/", {"done": "1"})
    item.refresh_from_db()
    assert item.is_done
    assert item.done_by == pm


def test_customer_360_lists_the_customers_projects(web, account_manager, project, customer):
    page = web(account_manager).get(f"/projects/for-customer/{customer.pk}/").content.decode()
    assert project.code in page


@pytest.mark.parametrize(
    "url", ["/projects/{pk}/", "/projects/{pk}/edit/", "/projects/for-customer/{customer}/"]
)
def test_outsiders_get_404(client, db, project, customer, url):
    from clientpm.accounts import roles
    from clientpm.accounts.services import user_create

    outsider = user_create(
        actor=None, username="am9", roles=[roles.ACCOUNT_MANAGER], password="pw-Secret-123"
    )
    client.force_login(outsider)
    assert client.get(url.format(pk=project.pk, customer=customer.pk)).status_code == 404


def test_save_as_template_page(web, pm, project):
    response = web(pm).post(f"/projects/{project.pk}/save-as-template/", {"name": "Standard"})
    assert response.status_code == 302
    assert ProjectTemplate.objects.get().source_project == project
    assert "Standard" in web(pm).get("/projects/templates/").content.decode()


def test_a_customer_with_projects_cannot_be_deleted(web, api, admin_user, project, customer):
    from clientpm.customers.models import Customer

    response = web(admin_user).post(f"/customers/{customer.pk}/delete/", follow=True)
    assert "Other records refer to this customer (projects)" in response.content.decode()
    response = api(admin_user).delete(f"/api/v1/customers/{customer.pk}")
    assert response.status_code == 409
    assert Customer.objects.filter(pk=customer.pk).exists()
