"""The records endpoints: documents (multipart uploads, versions, downloads, archiving), the
closeout and goal evaluations, lessons learned and the knowledge base — with bad input (422 naming
the field), 403 for a team member writing, 404 outside the caller's scope, 409 for a stale version
or a phase that forbids the write, and bounded query counts on the lists."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.models import Document, Goal, LessonLearned, Project
from clientpm.projects.services.closeout import lesson_create
from clientpm.projects.services.documents import document_create
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.team import member_add


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def outsider(db):
    return user_create(actor=None, username="pm2", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER])


@pytest.fixture
def member(pm, team_member, project):
    member_add(actor=pm, project=project, user=team_member, project_role="Developer")
    return team_member


def move_to(project: Project, phase: str, admin) -> Project:
    order = ["initiation", "planning", "execution", "closing"]
    project.refresh_from_db()
    for step in order[order.index(project.phase) + 1 : order.index(phase) + 1]:
        project = project_transition(
            actor=admin, project=project, to_phase=step, version=project.version, override_reason="test setup"
        )
    return project


def send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def upload(client, project, name="方案.pdf", content=b"%PDF-1.7 plan", **fields):
    data = {"title": "实施方案", "category": "design", **fields, "file": SimpleUploadedFile(name, content)}
    return client.post(f"/api/v1/projects/{project.pk}/documents", data)


# Documents ------------------------------------------------------------------------------------------


def test_upload_a_document_and_a_second_version_then_download_both(api, pm, project):
    client = api(pm)
    created = upload(client, project, note="初稿")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["title"], body["category"], body["latest_number"]) == ("实施方案", "design", 1)
    assert body["versions"][0]["note"] == "初稿"
    doc_id = body["id"]
    second = client.post(
        f"/api/v1/documents/{doc_id}/versions",
        {"note": "评审后", "version": "1", "file": SimpleUploadedFile("方案-v2.pdf", b"%PDF-1.7 plan v2")},
    )
    assert second.status_code == 201, second.content
    assert (second.json()["number"], second.json()["size_bytes"]) == (2, 16)
    detail = client.get(f"/api/v1/documents/{doc_id}").json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert (detail["version"], detail["latest_number"]) == (2, 2)
    for version, name, content in (
        (1, "方案.pdf", b"%PDF-1.7 plan"),
        (2, "方案-v2.pdf", b"%PDF-1.7 plan v2"),
    ):
        url = detail["versions"][2 - version]["download_url"]
        assert url == f"/api/v1/documents/{doc_id}/versions/{version}/download"
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"


def test_upload_bad_input_names_the_field(api, pm, project, settings):
    client = api(pm)
    response = upload(client, project, title="", category="poster")
    assert response.status_code == 422
    assert sorted(response.json()["errors"]) == ["category", "title"]
    response = client.post(f"/api/v1/projects/{project.pk}/documents", {"title": "无文件"})
    assert response.json()["errors"] == {"file": ["Choose a file to upload."]}
    response = upload(client, project, note="长" * 301)
    assert list(response.json()["errors"]) == ["note"]
    settings.CLIENTPM_MAX_DOCUMENT_BYTES = 4
    response = upload(client, project, "big.pdf", b"12345")
    assert response.status_code == 422
    assert response.json()["errors"] == {"file": ["The file is 5\xa0bytes; files may be at most 4\xa0bytes."]}
    response = upload(client, project, "virus.exe", b"MZ")
    assert list(response.json()["errors"]) == ["file"]
    assert Document.objects.count() == 0


def test_a_stale_version_upload_is_409(api, pm, project):
    client = api(pm)
    doc_id = upload(client, project).json()["id"]
    file = SimpleUploadedFile("v2.pdf", b"two")
    assert (
        client.post(f"/api/v1/documents/{doc_id}/versions", {"version": "1", "file": file}).status_code == 201
    )
    stale = client.post(
        f"/api/v1/documents/{doc_id}/versions", {"version": "1", "file": SimpleUploadedFile("v3.pdf", b"3")}
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    bad = client.post(
        f"/api/v1/documents/{doc_id}/versions", {"version": "x", "file": SimpleUploadedFile("a.pdf", b"a")}
    )
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["version"])


def test_documents_are_not_found_outside_the_callers_scope(api, pm, outsider, project):
    doc_id = upload(api(pm), project).json()["id"]
    client = api(outsider)
    assert client.get(f"/api/v1/projects/{project.pk}/documents").status_code == 404
    assert client.get(f"/api/v1/documents/{doc_id}").status_code == 404
    assert client.get(f"/api/v1/documents/{doc_id}/versions/1/download").status_code == 404
    assert client.delete(f"/api/v1/documents/{doc_id}").status_code == 404
    assert upload(client, project).status_code == 404


def test_a_team_member_uploads_but_may_not_delete_or_archive(api, pm, member, admin_user, project):
    client = api(member)
    doc_id = upload(client, project).json()["id"]
    assert client.delete(f"/api/v1/documents/{doc_id}").status_code == 403
    project = move_to(project, "closing", admin_user)
    response = send(
        client, "post", f"/api/v1/projects/{project.pk}/documents/archive", {"version": project.version}
    )
    assert response.status_code == 403
    assert api(pm).delete(f"/api/v1/documents/{doc_id}?version=1").status_code == 204
    assert not Document.objects.exists()


def test_archiving_only_in_closing_then_uploads_are_409(api, pm, admin_user, project):
    client = api(pm)
    doc_id = upload(client, project).json()["id"]
    project = move_to(project, "execution", admin_user)
    url = f"/api/v1/projects/{project.pk}/documents/archive"
    early = send(client, "post", url, {"version": project.version})
    assert early.status_code == 409
    assert "closing phase" in early.json()["detail"]
    project = move_to(project, "closing", admin_user)
    assert send(client, "post", url, {"version": project.version - 1}).status_code == 409
    assert send(client, "post", url, {}).json()["errors"] == {"version": ["Field required"]}
    archived = send(client, "post", url, {"version": project.version})
    assert archived.status_code == 200
    assert archived.json()["documents_archived_at"] is not None
    late = upload(client, project, "late.pdf", b"late")
    assert late.status_code == 409
    assert late.json()["detail"] == f"The documents of project {project.code} are archived, read-only."
    assert (
        client.post(
            f"/api/v1/documents/{doc_id}/versions", {"file": SimpleUploadedFile("v2.pdf", b"2")}
        ).status_code
        == 409
    )
    assert client.delete(f"/api/v1/documents/{doc_id}").status_code == 409
    assert Document.objects.count() == 1


def test_the_document_list_has_a_fixed_number_of_queries(api, pm, project, django_assert_max_num_queries):
    for n in range(6):
        document_create(
            actor=pm,
            project=project,
            title=f"周报 {n}",
            category="report",
            file=SimpleUploadedFile(f"w{n}.md", b"report"),
        )
    client = api(pm)
    with django_assert_max_num_queries(
        8
    ):  # token, its last use, permissions ×2, project, page, versions, count
        response = client.get(f"/api/v1/projects/{project.pk}/documents?category=report")
    assert response.json()["count"] == 6
    assert client.get(f"/api/v1/projects/{project.pk}/documents?category=memo").status_code == 422


# The closeout ---------------------------------------------------------------------------------------


def test_closeout_get_put_with_goals_and_signoff(api, pm, contact, admin_user, project):
    goal = Goal.objects.create(project=project, statement="订单处理时长缩短 30%")  # goals module builds these
    client = api(pm)
    url = f"/api/v1/projects/{project.pk}/closeout"
    blank = client.get(url).json()
    assert (blank["version"], blank["allowed"], blank["overall_rating"]) == (1, False, None)
    assert blank["goals"] == [
        {
            "goal_id": goal.pk,
            "statement": goal.statement,
            "metric": "",
            "unit": "",
            "target_value": None,
            "evaluation": None,
        }
    ]
    early = send(client, "put", url, {"version": 1, "overall_rating": 4})
    assert early.status_code == 409
    project = move_to(project, "execution", admin_user)
    today = timezone.localdate().isoformat()
    saved = send(
        client,
        "put",
        url,
        {
            "version": 1,
            "overall_rating": 4,
            "summary": "按期交付",
            "signoff_contact_id": contact.pk,
            "signoff_date": today,
        },
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert (body["version"], body["allowed"], body["evaluated_by"]["id"]) == (1, True, pm.pk)
    assert (body["signoff_contact"], body["signoff_date"]) == ({"id": contact.pk, "name": "王芳"}, today)
    partial = send(client, "put", url, {"version": 1, "signoff_note": "验收会签字"}).json()
    assert (partial["version"], partial["overall_rating"], partial["signoff_note"]) == (2, 4, "验收会签字")
    stale = send(client, "put", url, {"version": 1, "summary": "覆盖"})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    evaluation = send(
        client, "put", f"/api/v1/goals/{goal.pk}/evaluation", {"outcome": "achieved", "actual_value": "31.5"}
    )
    assert evaluation.status_code == 200, evaluation.content
    assert client.get(url).json()["goals"][0]["evaluation"]["outcome"] == "achieved"


def test_closeout_bad_input_names_the_field(api, pm, account_manager, admin_user, project):
    project = move_to(project, "execution", admin_user)
    stranger_co = customer_create(actor=account_manager, name="西南物流", owner=account_manager)
    stranger = contact_create(actor=account_manager, customer=stranger_co, name="李雷")
    client = api(pm)
    url = f"/api/v1/projects/{project.pk}/closeout"
    assert list(send(client, "put", url, {"version": 1, "overall_rating": 6}).json()["errors"]) == [
        "overall_rating"
    ]
    response = send(
        client, "put", url, {"version": 1, "signoff_contact_id": stranger.pk, "signoff_date": "2020-01-01"}
    )
    assert response.json()["errors"] == {
        "signoff_contact_id": ["Choose a contact of the project's customer."]
    }
    response = send(client, "put", url, {"version": 1, "signoff_date": "2020-01-01"})
    assert response.json()["errors"] == {"signoff_contact_id": ["Say which customer contact signed off."]}
    assert list(send(client, "put", url, {"version": 1, "summary": None}).json()["errors"]) == ["summary"]
    lesson_create(actor=pm, project=project, category="scope", what_happened="a", recommendation="b")
    response = send(client, "put", url, {"version": 1, "no_lessons": True})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["no_lessons"])


def test_goal_evaluation_permissions_scope_and_input(api, pm, member, outsider, admin_user, project):
    project = move_to(project, "execution", admin_user)
    goal = Goal.objects.create(project=project, statement="培训覆盖率 100%")
    url = f"/api/v1/goals/{goal.pk}/evaluation"
    assert send(api(member), "put", url, {"outcome": "achieved"}).status_code == 403
    assert send(api(outsider), "put", url, {"outcome": "achieved"}).status_code == 404
    assert (
        send(api(member), "put", f"/api/v1/projects/{project.pk}/closeout", {"version": 1}).status_code == 403
    )
    bad = send(api(pm), "put", url, {"outcome": "great", "actual_value": "abc"})
    assert (bad.status_code, sorted(bad.json()["errors"])) == (422, ["actual_value", "outcome"])


# Lessons learned ------------------------------------------------------------------------------------


def test_lessons_create_patch_delete_with_stale_409(api, pm, project):
    client = api(pm)
    created = send(
        client,
        "post",
        f"/api/v1/projects/{project.pk}/lessons",
        {"category": "communication", "what_happened": "周报没人看", "recommendation": "改成站会"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["project"]["code"], body["recorded_by"]["id"], body["version"]) == (project.code, pm.pk, 1)
    url = f"/api/v1/lessons/{body['id']}"
    patched = send(client, "patch", url, {"version": 1, "impact": "问题发现晚"})
    assert (patched.status_code, patched.json()["version"], patched.json()["impact"]) == (
        200,
        2,
        "问题发现晚",
    )
    stale = send(client, "patch", url, {"version": 1, "impact": "覆盖"})
    assert stale.status_code == 409
    assert send(client, "patch", url, {"version": 2, "what_happened": None}).status_code == 422
    assert client.delete(f"{url}?version=1").status_code == 409
    assert client.delete(f"{url}?version=2").status_code == 204
    assert not LessonLearned.objects.exists()


def test_lesson_bad_input_403_and_404(api, pm, member, outsider, project):
    response = send(
        api(pm), "post", f"/api/v1/projects/{project.pk}/lessons", {"category": "luck", "what_happened": ""}
    )
    assert response.status_code == 422
    assert sorted(response.json()["errors"]) == ["category", "recommendation", "what_happened"]
    lesson = lesson_create(
        actor=pm, project=project, category="risk", what_happened="断网", recommendation="双线"
    )
    assert (
        send(api(member), "patch", f"/api/v1/lessons/{lesson.pk}", {"version": 1, "impact": "x"}).status_code
        == 403
    )
    assert api(member).delete(f"/api/v1/lessons/{lesson.pk}").status_code == 403
    assert api(outsider).get(f"/api/v1/lessons/{lesson.pk}").status_code == 404
    assert send(api(outsider), "patch", f"/api/v1/lessons/{lesson.pk}", {"version": 1}).status_code == 404
    assert api(outsider).get("/api/v1/lessons").json()["count"] == 0


def test_the_lessons_list_searches_in_chinese_filters_and_counts_queries(
    api, pm, project, django_assert_max_num_queries
):
    for n in range(8):
        lesson_create(
            actor=pm,
            project=project,
            category="schedule" if n % 2 else "cost",
            what_happened=f"第 {n} 次延期",
            recommendation="留缓冲",
        )
    client = api(pm)
    with django_assert_max_num_queries(6):
        everything = client.get("/api/v1/lessons?page_size=5").json()
    assert (everything["count"], len(everything["items"])) == (8, 5)
    assert client.get("/api/v1/lessons", {"q": "华东"}).json()["count"] == 8  # the project's name
    assert client.get("/api/v1/lessons", {"q": "第 3 次"}).json()["count"] == 1
    assert client.get("/api/v1/lessons", {"category": "cost"}).json()["count"] == 4
    assert client.get("/api/v1/lessons", {"q": "延期", "category": "schedule"}).json()["count"] == 4
    bad = client.get("/api/v1/lessons", {"category": "luck"})
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["category"])
