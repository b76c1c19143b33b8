"""The interchange REST endpoints: multipart import into a project or a new project of a customer
(201 with the summary), 422 with the reason on ``file``, 404 out of scope before 403 without the
permission, 409 on a closed project, the MSPDI export and an import's summary."""

from __future__ import annotations

from clientpm.core.models import AuditSource, ChangeRecord
from clientpm.interchange.models import PlanImport
from clientpm.projects.models import Phase, Project, Task
from clientpm.projects.services.team import member_add
from clientpm.scheduling.mspdi import read_mspdi


def post_file(client, url: str, upload, file_name: str = "sample.xml", **data):
    return client.post(url, {"file": upload(file_name), **data})


def test_import_into_a_project_answers_201_with_the_summary(api, pm, project, upload):
    response = post_file(api(pm), f"/api/v1/projects/{project.pk}/mspdi", upload)
    assert response.status_code == 201
    body = response.json()
    assert (body["project_id"], body["file_name"], body["created_project"]) == (
        project.pk,
        "sample.xml",
        False,
    )
    assert {key: body["counts"][key] for key in ("tasks", "dependencies", "resources", "assignments")} == {
        "tasks": 19,
        "dependencies": 6,
        "resources": 2,
        "assignments": 2,
    }
    notes = next(item for item in body["items"] if item["code"] == "task_notes_not_imported")
    assert notes["message"].startswith("Task notes were not imported")
    assert (notes["severity"], notes["element"], notes["uids"], notes["detail"]) == (
        "warning",
        "Task/Notes",
        [1],
        "Test Task Notes",
    )
    assert body["warning_count"] == sum(1 for item in body["items"] if item["severity"] == "warning")
    assert Task.objects.filter(project=project).count() == 19
    # the writes are in the change log, labelled as an import
    assert ChangeRecord.objects.filter(source=AuditSource.IMPORT, content_type__model="task").count() == 19


def test_import_opens_a_new_project_for_the_customer(api, admin_user, customer, upload):
    response = post_file(
        api(admin_user),
        f"/api/v1/customers/{customer.pk}/mspdi-import",
        upload,
        "caltest.xml",
        name="迁移计划",
    )
    assert response.status_code == 201
    project = Project.objects.get(pk=response.json()["project_id"])
    assert (project.name, project.customer, project.manager) == ("迁移计划", customer, admin_user)
    assert response.json()["created_project"] is True


def test_the_new_projects_name_defaults_to_the_files_title(api, admin_user, customer, upload):
    response = post_file(api(admin_user), f"/api/v1/customers/{customer.pk}/mspdi-import", upload)
    assert Project.objects.get(pk=response.json()["project_id"]).name == "sample"


def test_a_bad_file_is_422_on_the_file_field_and_nothing_is_written(api, pm, project, upload):
    data = b'<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task>'
    response = post_file(api(pm), f"/api/v1/projects/{project.pk}/mspdi", lambda n: upload("x.xml", data))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request has invalid fields."
    assert body["errors"]["file"][0].startswith("The file is not well-formed XML (line 1, column ")
    assert Task.objects.count() == 0
    assert PlanImport.objects.count() == 0


def test_a_missing_file_is_422(api, pm, project):
    response = api(pm).post(f"/api/v1/projects/{project.pk}/mspdi", {})
    assert response.status_code == 422
    assert response.json()["errors"] == {"file": ["Choose a Microsoft Project XML file."]}


def test_a_hostile_file_is_422(api, pm, project, upload):
    data = b'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x "y">]><Project>&x;</Project>'
    response = post_file(api(pm), f"/api/v1/projects/{project.pk}/mspdi", lambda n: upload("x.xml", data))
    assert response.status_code == 422
    assert "document type declaration" in response.json()["errors"]["file"][0]


def test_out_of_scope_is_404_before_403(api, other_manager, team_member, pm, project, customer, upload):
    # another account manager cannot see this customer's project or the customer
    assert post_file(api(other_manager), f"/api/v1/projects/{project.pk}/mspdi", upload).status_code == 404
    assert (
        post_file(api(other_manager), f"/api/v1/customers/{customer.pk}/mspdi-import", upload).status_code
        == 404
    )
    assert api(other_manager).get(f"/api/v1/projects/{project.pk}/mspdi").status_code == 404
    # a team member on the project sees it but may not add tasks
    member_add(actor=pm, project=project, user=team_member, project_role="QA")
    assert post_file(api(team_member), f"/api/v1/projects/{project.pk}/mspdi", upload).status_code == 403
    assert Task.objects.count() == 0


def test_an_account_manager_may_open_projects_but_not_plan_them(api, account_manager, customer, upload):
    response = post_file(api(account_manager), f"/api/v1/customers/{customer.pk}/mspdi-import", upload)
    assert response.status_code == 403  # projects.add_project yes, projects.add_task no
    assert Project.objects.count() == 0


def test_a_closed_project_is_409(api, pm, project, upload):
    Project.objects.filter(pk=project.pk).update(phase=Phase.CLOSED)
    response = post_file(api(pm), f"/api/v1/projects/{project.pk}/mspdi", upload)
    assert response.status_code == 409
    assert "reopen it" in response.json()["detail"]


def test_export_is_an_mspdi_attachment(api, pm, built):
    response = api(pm).get(f"/api/v1/projects/{built.pk}/mspdi")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{built.code}.xml"'
    plan, _report = read_mspdi(response.content)
    assert [task.name for task in plan.tasks] == [
        "Design",
        "Spec",
        "Review",
        "Build",
        "Test",
        "Docs",
        "Handover",
    ]


def test_an_imports_summary_can_be_read_again(
    api, pm, other_manager, project, upload, django_assert_max_num_queries
):
    created = post_file(api(pm), f"/api/v1/projects/{project.pk}/mspdi", upload).json()
    client = api(pm)
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/plan-imports/{created['id']}")
    assert response.status_code == 200
    assert response.json()["items"] == created["items"]
    assert api(other_manager).get(f"/api/v1/plan-imports/{created['id']}").status_code == 404
