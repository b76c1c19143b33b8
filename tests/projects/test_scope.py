"""The scope statement, in-scope and out-of-scope items and milestones (services), and the project
page's scope tab with its forms and the acceptance-flow step pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientpm.core.errors import ConflictError
from clientpm.core.models import ChangeRecord
from clientpm.customers.services import customer_create
from clientpm.projects.models import (
    Deliverable,
    DeliverableReview,
    Milestone,
    Phase,
    ProjectMember,
    ScopeItem,
)
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_create, project_update
from clientpm.projects.services.scope import (
    deliverable_create,
    deliverable_transition,
    milestone_create,
    milestone_delete,
    milestone_update,
    scope_item_create,
    scope_item_delete,
    scope_item_move,
    scope_item_update,
)


def records(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(ChangeRecord.objects.filter(content_type=ct, object_id=obj.pk).order_by("id"))


def texts(project, kind):
    return list(ScopeItem.objects.filter(project=project, kind=kind).values_list("text", "position"))


@pytest.fixture
def items(project, pm):
    """Three in-scope lines and one out-of-scope line."""
    return [
        scope_item_create(actor=pm, project=project, kind="in", text="A 需求调研"),
        scope_item_create(actor=pm, project=project, kind="in", text="B 系统配置"),
        scope_item_create(actor=pm, project=project, kind="in", text="C 用户培训"),
        scope_item_create(actor=pm, project=project, kind="out", text="X 硬件采购"),
    ]


@pytest.fixture
def member(project, team_member):
    """The team member on the project's team, so the project is in their scope."""
    ProjectMember.objects.create(project=project, user=team_member, project_role="Consultant")
    return team_member


@pytest.fixture
def outsider(other_manager):
    """An account manager of other customers: the project is outside their scope."""
    return other_manager


# --- scope statement ---------------------------------------------------------------------------------


def test_scope_statement_is_changed_through_the_project_and_feeds_the_initiation_gate(project, pm):
    from clientpm.projects.gates import gate_evaluate

    def reasons():
        return next(r for r in gate_evaluate(project, "initiation") if r.key == "scope_statement").reasons

    assert reasons() == ["No scope statement."]
    project = project_update(
        actor=pm, project=project, version=project.version, scope_statement="五个区域上线 CRM"
    )
    assert reasons() == []
    assert records(project)[-1].changes == {"scope_statement": ["", "五个区域上线 CRM"]}


# --- scope items -------------------------------------------------------------------------------------


def test_items_are_numbered_per_list_and_recorded(items, project, pm):
    assert texts(project, "in") == [("A 需求调研", 0), ("B 系统配置", 1), ("C 用户培训", 2)]
    assert texts(project, "out") == [("X 硬件采购", 0)]
    [created] = records(items[0])
    assert created.changes["text"] == [None, "A 需求调研"]
    assert created.changes["kind"] == [None, "in"]


def test_item_text_is_required_and_kind_must_be_known(project, pm):
    with pytest.raises(ValidationError) as refused:
        scope_item_create(actor=pm, project=project, kind="in", text="   ")
    assert refused.value.message_dict == {"text": ["This field cannot be blank."]}
    with pytest.raises(ValidationError) as refused:
        scope_item_create(actor=pm, project=project, kind="maybe", text="x")
    assert list(refused.value.message_dict) == ["kind"]
    assert ScopeItem.objects.count() == 0


def test_moving_an_item_reorders_its_list(items, project, pm):
    scope_item_move(actor=pm, item=items[2], position=0)
    assert texts(project, "in") == [("C 用户培训", 0), ("A 需求调研", 1), ("B 系统配置", 2)]
    scope_item_move(actor=pm, item=items[2], position=99)  # past the end = last
    assert texts(project, "in") == [("A 需求调研", 0), ("B 系统配置", 1), ("C 用户培训", 2)]
    assert records(items[2])[-1].changes == {"position": [0, 2]}
    assert texts(project, "out") == [("X 硬件采购", 0)]
    with pytest.raises(ValidationError) as refused:
        scope_item_move(actor=pm, item=items[0], position=-1)
    assert refused.value.message_dict == {"position": ["The position cannot be negative."]}


def test_editing_an_item_into_the_other_list_appends_it_and_closes_the_gap(items, project, pm):
    scope_item_update(actor=pm, item=items[0], kind="out", text="A 需求调研（客户自行完成）")
    assert texts(project, "in") == [("B 系统配置", 0), ("C 用户培训", 1)]
    assert texts(project, "out") == [("X 硬件采购", 0), ("A 需求调研（客户自行完成）", 1)]
    assert records(items[0])[1].changes == {
        "kind": ["in", "out"],
        "position": [0, 1],
        "text": ["A 需求调研", "A 需求调研（客户自行完成）"],
    }
    with pytest.raises(ValidationError) as refused:
        scope_item_update(actor=pm, item=items[1], project=None)
    assert refused.value.message_dict == {"project": ["Unknown field."]}


def test_deleting_an_item_closes_up_its_list(items, project, pm):
    scope_item_delete(actor=pm, item=items[0])
    assert texts(project, "in") == [("B 系统配置", 0), ("C 用户培训", 1)]
    assert records(items[0])[-1].action == "delete"


def test_scope_items_of_a_cancelled_project_are_read_only(items, project, pm):
    project_transition(
        actor=pm, project=project, to_phase=Phase.CANCELLED, version=project.version, reason="x"
    )
    with pytest.raises(ConflictError):
        scope_item_create(actor=pm, project=project, kind="in", text="D")
    with pytest.raises(ConflictError):
        scope_item_move(actor=pm, item=items[0], position=2)
    assert texts(project, "in")[0] == ("A 需求调研", 0)


# --- milestones --------------------------------------------------------------------------------------


def test_marking_a_milestone_achieved_defaults_to_today_and_refuses_the_future(project, pm):
    today = timezone.localdate()
    m = milestone_create(actor=pm, project=project, name="系统上线", due_date=dt.date(2026, 5, 1))
    assert (m.status, m.achieved_date, m.version) == ("planned", None, 1)
    with pytest.raises(ValidationError) as refused:
        milestone_update(
            actor=pm, milestone=m, version=1, status="achieved", achieved_date=today + dt.timedelta(days=1)
        )
    assert refused.value.message_dict == {"achieved_date": ["The achieved date cannot be in the future."]}
    achieved = milestone_update(actor=pm, milestone=m, version=1, status="achieved")
    assert (achieved.status, achieved.achieved_date, achieved.version) == ("achieved", today, 2)
    assert records(m)[-1].changes == {
        "status": ["planned", "achieved"],
        "achieved_date": [None, today.isoformat()],
    }
    replanned = milestone_update(actor=pm, milestone=m, version=2, status="planned")
    assert (replanned.status, replanned.achieved_date) == ("planned", None)


def test_a_milestone_is_missed_only_once_its_date_has_passed(project, pm):
    today = timezone.localdate()
    ahead = milestone_create(actor=pm, project=project, name="验收", due_date=today + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        milestone_update(actor=pm, milestone=ahead, version=1, status="missed")
    assert refused.value.message_dict == {
        "status": ["A milestone can be marked missed only once its date has passed."]
    }
    passed = milestone_create(actor=pm, project=project, name="蓝图", due_date=today - dt.timedelta(days=1))
    assert milestone_update(actor=pm, milestone=passed, version=1, status="missed").status == "missed"


def test_milestone_needs_a_name_and_a_date(project, pm):
    with pytest.raises(ValidationError) as refused:
        milestone_create(actor=pm, project=project, name=" ", due_date=None)
    assert set(refused.value.message_dict) == {"name", "due_date"}


def test_deleting_a_milestone_unlinks_its_deliverables(project, pm):
    m = milestone_create(actor=pm, project=project, name="蓝图确认", due_date=dt.date(2026, 7, 1))
    d = deliverable_create(actor=pm, project=project, name="蓝图文档", milestone=m)
    milestone_delete(actor=pm, milestone=m, version=1)
    d.refresh_from_db()
    assert (d.milestone, d.version) == (None, 2)
    assert records(d)[-1].changes == {"milestone": [m.pk, None]}
    assert not Milestone.objects.filter(pk=m.pk).exists()


# --- the scope tab -----------------------------------------------------------------------------------


@pytest.fixture
def filled(project, pm, contact, items):
    """A project with a scope statement, items, two milestones and deliverables in several states."""
    project = project_update(
        actor=pm, project=project, version=project.version, scope_statement="在五个区域上线 CRM"
    )
    past = dt.date(2025, 1, 10)
    m1 = milestone_create(actor=pm, project=project, name="蓝图确认", due_date=past)
    milestone_create(actor=pm, project=project, name="系统上线", due_date=dt.date(2030, 1, 1))
    for i in range(4):
        d = deliverable_create(
            actor=pm, project=project, name=f"交付物{i}", owner=pm, due_date=past, milestone=m1
        )
    for status in ("in_progress", "submitted"):
        d.refresh_from_db()
        deliverable_transition(actor=pm, deliverable=d, to_status=status, version=d.version)
    d.refresh_from_db()
    deliverable_transition(
        actor=pm,
        deliverable=d,
        to_status="rejected",
        version=d.version,
        reviewer_contact=contact,
        comment="缺少附件",
    )
    return project


def test_scope_tab_shows_everything_in_a_fixed_number_of_queries(
    web, pm, filled, django_assert_max_num_queries
):
    client = web(pm)
    url = f"/projects/{filled.pk}/scope/"
    client.get(url)  # warm the session and permission caches like a real page load
    # session, user, permissions (2), project, items, milestones (+ their deliverables), deliverables
    # (+ their reviews)
    with django_assert_max_num_queries(10):
        response = client.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment for the tab pane
    assert "在五个区域上线 CRM" in html
    assert html.index("A 需求调研") < html.index("B 系统配置") < html.index("C 用户培训")
    assert "X 硬件采购" in html
    assert html.count('data-testid="milestone-row"') == 2
    assert html.count('data-testid="deliverable-row"') == 4
    assert html.count('data-testid="late"') == 5  # the passed milestone and the four overdue deliverables
    assert "缺少附件" in html
    assert "王芳" in html
    # the rejected deliverable offers rework, resubmit and waive; a planned one start and waive
    assert "?to=in_progress" in html
    assert "?to=submitted" in html
    assert "?to=waived" in html
    assert 'data-testid="add-deliverable"' in html
    assert 'data-testid="edit-scope-statement"' in html


def test_scope_tab_query_count_does_not_grow_with_rows(web, pm, filled, django_assert_max_num_queries):
    for i in range(10):
        deliverable_create(actor=pm, project=filled, name=f"更多{i}", owner=pm)
        milestone_create(actor=pm, project=filled, name=f"里程碑{i}", due_date=dt.date(2030, 2, 1))
    client = web(pm)
    client.get(f"/projects/{filled.pk}/scope/")
    with django_assert_max_num_queries(10):
        html = client.get(f"/projects/{filled.pk}/scope/").content.decode()
    assert html.count('data-testid="deliverable-row"') == 14


def test_team_member_sees_step_buttons_but_no_create_or_delete(web, member, filled):
    html = web(member).get(f"/projects/{filled.pk}/scope/").content.decode()
    assert 'data-testid="deliverable-steps"' in html
    assert 'data-testid="add-deliverable"' not in html
    assert 'data-testid="add-milestone"' not in html
    assert "deliverables/" in html
    assert "/delete/" not in html


def test_closed_project_tab_offers_no_actions(web, pm, filled):
    project_transition(actor=pm, project=filled, to_phase=Phase.CANCELLED, version=filled.version, reason="x")
    html = web(pm).get(f"/projects/{filled.pk}/scope/").content.decode()
    assert "交付物0" in html
    assert 'data-testid="deliverable-steps"' not in html
    assert 'data-testid="add-milestone"' not in html


def test_empty_tab_says_what_each_part_is_for(web, pm, project):
    html = web(pm).get(f"/projects/{project.pk}/scope/").content.decode()
    assert "No scope statement yet." in html
    assert "No milestones yet." in html
    assert "No deliverables yet." in html


def test_tab_and_forms_outside_scope_are_404(web, outsider, project, pm):
    m = milestone_create(actor=pm, project=project, name="蓝图确认", due_date=dt.date(2026, 7, 1))
    client = web(outsider)
    for url in (
        f"/projects/{project.pk}/scope/",
        f"/projects/{project.pk}/scope/statement/",
        f"/projects/{project.pk}/milestones/{m.pk}/edit/",
        f"/projects/{project.pk}/deliverables/new/",
    ):
        assert client.get(url).status_code == 404, url


def test_object_of_another_project_is_404_under_this_one(web, pm, project, customer):
    other = project_create(actor=pm, customer=customer, name="二期", manager=pm)
    m = milestone_create(actor=pm, project=other, name="上线", due_date=dt.date(2026, 7, 1))
    assert web(pm).get(f"/projects/{project.pk}/milestones/{m.pk}/edit/").status_code == 404


def test_team_member_cannot_open_create_forms(web, member, project):
    client = web(member)
    assert client.get(f"/projects/{project.pk}/deliverables/new/").status_code == 403
    assert client.post(f"/projects/{project.pk}/milestones/new/", {"name": "x"}).status_code == 403
    assert Milestone.objects.count() == 0


# --- forms -------------------------------------------------------------------------------------------


def redirects_to_tab(response, project):
    return response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/#tab-scope"


def test_edit_scope_statement_page(web, pm, project):
    client = web(pm)
    page = client.get(f"/projects/{project.pk}/scope/statement/")
    assert page.status_code == 200
    response = client.post(
        f"/projects/{project.pk}/scope/statement/",
        {"scope_statement": "范围说明", "version": project.version},
    )
    assert redirects_to_tab(response, project)
    project.refresh_from_db()
    assert project.scope_statement == "范围说明"
    stale = client.post(f"/projects/{project.pk}/scope/statement/", {"scope_statement": "覆盖", "version": 1})
    html = stale.content.decode()
    assert stale.status_code == 200
    assert "changed by someone else" in html
    assert "覆盖" in html  # what the user typed is kept


def test_add_edit_move_and_delete_items_from_the_tab(web, pm, project, items):
    client = web(pm)
    added = client.post(f"/projects/{project.pk}/scope/items/new/", {"kind": "out", "text": "Y 数据迁移"})
    assert redirects_to_tab(added, project)
    assert texts(project, "out") == [("X 硬件采购", 0), ("Y 数据迁移", 1)]
    blank = client.post(f"/projects/{project.pk}/scope/items/new/", {"kind": "in", "text": ""})
    assert blank.status_code == 200
    assert "This field is required." in blank.content.decode()

    edited = client.post(
        f"/projects/{project.pk}/scope/items/{items[1].pk}/edit/", {"kind": "in", "text": "B 系统配置与测试"}
    )
    assert redirects_to_tab(edited, project)

    moved = client.post(
        f"/projects/{project.pk}/scope/items/{items[2].pk}/move/",
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )
    assert moved.status_code == 200
    assert 'id="scope-tab"' in moved.content.decode()
    assert texts(project, "in") == [("A 需求调研", 0), ("C 用户培训", 1), ("B 系统配置与测试", 2)]

    confirm = client.get(f"/projects/{project.pk}/scope/items/{items[0].pk}/delete/")
    assert "A 需求调研" in confirm.content.decode()
    assert redirects_to_tab(client.post(f"/projects/{project.pk}/scope/items/{items[0].pk}/delete/"), project)
    assert texts(project, "in") == [("C 用户培训", 0), ("B 系统配置与测试", 1)]


def test_milestone_form_shows_service_errors_next_to_the_field(web, pm, project):
    client = web(pm)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        f"/projects/{project.pk}/milestones/new/",
        {
            "name": "上线",
            "due_date": "2026-01-01",
            "status": "achieved",
            "achieved_date": tomorrow.isoformat(),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The achieved date cannot be in the future." in html
    assert 'value="上线"' in html
    assert Milestone.objects.count() == 0
    response = client.post(
        f"/projects/{project.pk}/milestones/new/",
        {"name": "上线", "due_date": "2026-01-01", "status": "planned"},
    )
    assert redirects_to_tab(response, project)
    m = Milestone.objects.get()
    edit = client.post(
        f"/projects/{project.pk}/milestones/{m.pk}/edit/",
        {"name": "上线", "due_date": "2026-01-01", "status": "achieved", "achieved_date": "", "version": 1},
    )
    assert redirects_to_tab(edit, project)
    m.refresh_from_db()
    assert (m.status, m.achieved_date) == ("achieved", timezone.localdate())


def test_deliverable_form_and_delete(web, pm, project):
    client = web(pm)
    m = milestone_create(actor=pm, project=project, name="蓝图确认", due_date=dt.date(2026, 7, 1))
    response = client.post(
        f"/projects/{project.pk}/deliverables/new/",
        {
            "name": "蓝图文档",
            "owner": pm.pk,
            "due_date": "2026-06-30",
            "milestone": m.pk,
            "acceptance_criteria": "签字",
        },
    )
    assert redirects_to_tab(response, project)
    d = Deliverable.objects.get()
    assert (d.owner, d.milestone, d.acceptance_criteria, d.status) == (pm, m, "签字", "planned")
    edit = client.post(
        f"/projects/{project.pk}/deliverables/{d.pk}/edit/", {"name": "蓝图文档 v2", "version": 1}
    )
    assert redirects_to_tab(edit, project)
    d.refresh_from_db()
    assert (d.name, d.milestone, d.version) == ("蓝图文档 v2", None, 2)
    assert redirects_to_tab(client.post(f"/projects/{project.pk}/deliverables/{d.pk}/delete/"), project)
    assert Deliverable.objects.count() == 0


def test_acceptance_steps_through_the_pages(web, pm, member, project, contact):
    d = deliverable_create(actor=pm, project=project, name="蓝图文档", acceptance_criteria="签字确认")
    client = web(member)  # team members run the flow (they hold change_deliverable)
    url = f"/projects/{project.pk}/deliverables/{d.pk}/transition/"
    assert redirects_to_tab(client.post(url, {"to_status": "in_progress", "version": 1}), project)
    assert redirects_to_tab(client.post(url, {"to_status": "submitted", "version": 2}), project)

    page = client.get(url + "?to=rejected").content.decode()
    assert "签字确认" in page
    assert "王芳" in page

    refused = client.post(url, {"to_status": "rejected", "version": 3, "reviewer_contact": contact.pk})
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()  # the comment a rejection needs

    illegal = client.post(url, {"to_status": "in_progress", "version": 3, "comment": "x"})
    assert "cannot go from submitted to in progress" in illegal.content.decode()

    assert redirects_to_tab(
        client.post(
            url, {"to_status": "rejected", "version": 3, "reviewer_contact": contact.pk, "comment": "缺签字"}
        ),
        project,
    )
    d.refresh_from_db()
    assert d.status == "rejected"
    review = DeliverableReview.objects.get(outcome="rejected")
    assert (review.reviewer_contact, review.comment, review.recorded_by) == (contact, "缺签字", member)

    waive = client.post(url, {"to_status": "waived", "version": 4, "waiver_reason": ""})
    assert "This field is required." in waive.content.decode()
    assert client.get(url + "?to=finished").status_code == 404


def test_reviewer_contact_of_another_customer_is_not_offered(web, pm, project, account_manager):
    from clientpm.customers.services import contact_create

    other = customer_create(actor=account_manager, name="别家", owner=account_manager)
    stranger = contact_create(actor=account_manager, customer=other, name="赵六")
    d = deliverable_create(actor=pm, project=project, name="蓝图文档")
    for status in ("in_progress", "submitted"):
        d.refresh_from_db()
        deliverable_transition(actor=pm, deliverable=d, to_status=status, version=d.version)
    url = f"/projects/{project.pk}/deliverables/{d.pk}/transition/"
    client = web(pm)
    assert "赵六" not in client.get(url + "?to=accepted").content.decode()
    response = client.post(url, {"to_status": "accepted", "version": 3, "reviewer_contact": stranger.pk})
    assert "Select a valid choice." in response.content.decode()
    d.refresh_from_db()
    assert d.status == "submitted"
