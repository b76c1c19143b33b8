"""The interchange pages: the import form (errors next to their field), the summary page, the project
page's "Import / export" tab, the download, the button on the projects list, and access."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clientpm.accounts.services import user_create
from clientpm.customers.services import customer_create
from clientpm.interchange.models import PlanImport
from clientpm.interchange.services import plan_import
from clientpm.projects.models import Project, Task

IMPORT_URL = "/interchange/import/"


@pytest.fixture
def own_customer(pm, account_manager):
    """A customer the project manager owns (so the import page offers it)."""
    return customer_create(actor=account_manager, name="苏州精工", owner=pm)


def field_block(html: str, name: str) -> str:
    """The markup of one form field's block (label, input, help, errors), to prove an error sits next to it."""
    match = re.search(
        rf'<div class="mb-3">\s*<label class="form-label" for="id_{name}">.*?</div>\s*</div>', html, re.S
    )
    assert match, f"no block for {name}"
    return match.group(0)


def test_the_page_offers_both_targets_to_a_project_manager(web, pm, own_customer, project):
    response = web(pm).get(IMPORT_URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert [value for value, _label in form.fields["target"].choices] == ["new", "existing"]
    assert list(form.fields["customer"].queryset) == [own_customer]
    assert list(form.fields["project"].queryset) == [project]


def test_the_tab_link_preselects_the_project(web, pm, project):
    response = web(pm).get(f"{IMPORT_URL}?project={project.pk}")
    assert response.context["form"].initial["target"] == "existing"
    assert f'<option value="{project.pk}" selected>' in response.content.decode()


def test_a_refused_file_is_shown_next_to_the_file_field(web, pm, project, upload):
    bad = upload("broken.xml", b"<Project><Tasks>")
    response = web(pm).post(IMPORT_URL, {"file": bad, "target": "existing", "project": project.pk})
    assert response.status_code == 200
    block = field_block(response.content.decode(), "file")
    assert "The file is not well-formed XML" in block
    assert 'class="invalid-feedback d-block"' in block
    assert Task.objects.count() == 0


def test_missing_choices_are_shown_next_to_their_fields(web, pm, own_customer, upload):
    response = web(pm).post(IMPORT_URL, {"target": "new"})
    html = response.content.decode()
    assert "This field is required." in field_block(html, "file")
    assert "Choose the customer of the new project." in field_block(html, "customer")
    response = web(pm).post(IMPORT_URL, {"file": upload("sample.xml"), "target": "existing"})
    assert "Choose the project to import into." in field_block(response.content.decode(), "project")
    assert PlanImport.objects.count() == 0


def test_importing_a_new_project_leads_to_its_summary(web, pm, own_customer, upload):
    client = web(pm)
    response = client.post(
        IMPORT_URL,
        {"file": upload("sample.xml"), "target": "new", "customer": own_customer.pk, "name": "样例计划"},
    )
    row = PlanImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("interchange:summary", args=[row.pk])
    assert (row.project.name, row.project.customer) == ("样例计划", own_customer)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'data-testid="count-tasks">19<', html)
    assert re.search(r'data-testid="count-dependencies">6<', html)
    # every stored item is on the page, warnings and infos
    assert len(page.context["warnings"]) + len(page.context["infos"]) == len(row.report)
    assert html.count('data-testid="report-item"') == len(row.report)
    assert "Task notes were not imported: clientpm tasks have no notes" in html


def test_importing_into_an_existing_project(web, pm, project, upload):
    response = web(pm).post(
        IMPORT_URL, {"file": upload("mspdinulltasks.xml"), "target": "existing", "project": project.pk}
    )
    assert response.status_code == 302
    assert Task.objects.filter(project=project).count() == 5


def test_a_closed_project_is_refused_on_the_page(web, pm, project, upload):
    response = web(pm).post(
        IMPORT_URL, {"file": upload("sample.xml"), "target": "existing", "project": project.pk}
    )
    assert response.status_code == 302
    Project.objects.filter(pk=project.pk).update(phase="cancelled")
    response = web(pm).post(
        IMPORT_URL, {"file": upload("sample.xml"), "target": "existing", "project": project.pk}
    )
    # a cancelled project is no longer offered: the choice is refused next to the field
    assert "Select a valid choice" in field_block(response.content.decode(), "project")


def test_who_may_open_the_page(client, web, team_member, account_manager):
    assert client.get(IMPORT_URL).status_code == 302  # to the login page
    assert web(team_member).get(IMPORT_URL).status_code == 403  # no projects.add_task
    assert web(account_manager).get(IMPORT_URL).status_code == 403


def test_the_tab_offers_export_import_and_past_imports(
    web, pm, project, upload, django_assert_max_num_queries
):
    for name in ("mspdinulltasks.xml", "caltest.xml"):
        plan_import(actor=pm, source=upload(name), project=project)
    client = web(pm)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("interchange:project-tab", args=[project.pk]))
    html = response.content.decode()
    assert reverse("interchange:export", args=[project.pk]) in html
    assert f"{reverse('interchange:import')}?project={project.pk}" in html
    rows = PlanImport.objects.filter(project=project).order_by("-created_at", "-id")
    assert [reverse("interchange:summary", args=[row.pk]) for row in rows] == re.findall(
        r'href="(/interchange/imports/\d+/)"', html
    )


def test_the_tab_is_on_the_project_page(web, pm, project):
    html = web(pm).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-testid="tab-interchange"' in html
    assert reverse("interchange:project-tab", args=[project.pk]) in html


def test_the_download_is_named_after_the_project_code(web, pm, built):
    response = web(pm).get(reverse("interchange:export", args=[built.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{built.code}.xml"'
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_out_of_scope_is_404_and_without_permission_403(web, other_manager, pm, project, upload):
    row = plan_import(actor=pm, source=upload("caltest.xml"), project=project)
    for url in (
        reverse("interchange:project-tab", args=[project.pk]),
        reverse("interchange:export", args=[project.pk]),
        reverse("interchange:summary", args=[row.pk]),
    ):
        assert web(other_manager).get(url).status_code == 404
    # someone who sees every project but not their tasks
    viewer = user_create(
        actor=None, username="viewer", password="pw-Secret-123", roles=[], display_name="Viewer"
    )
    viewer.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_project", "view_all_projects"], content_type__app_label="projects"
        )
    )
    for url in (
        reverse("interchange:project-tab", args=[project.pk]),
        reverse("interchange:export", args=[project.pk]),
        reverse("interchange:summary", args=[row.pk]),
    ):
        assert web(viewer).get(url).status_code == 403


def test_the_projects_list_has_the_import_button(web, pm, team_member):
    assert 'data-testid="import-mspdi"' in web(pm).get(reverse("projects:list")).content.decode()
    assert 'data-testid="import-mspdi"' not in web(team_member).get(reverse("projects:list")).content.decode()
