"""Lessons learned: recorded, edited and deleted on the project; the knowledge base lists the
lessons of every project the reader may see, searchable (in Chinese too) and by category, paginated,
linking back to each project."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.core.errors import StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.customers.services import customer_create
from clientpm.projects.models import LessonLearned
from clientpm.projects.services.closeout import lesson_create, lesson_delete, lesson_update
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.team import member_add

KB = "/projects/lessons/"


@pytest.fixture
def other_pm(db):
    return user_create(actor=None, username="pm2", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER])


@pytest.fixture
def other_project(account_manager, other_pm):
    """A project ``pm`` cannot see: another customer, managed by another project manager."""
    customer = customer_create(actor=account_manager, name="西南物流", owner=account_manager)
    return project_create(actor=other_pm, customer=customer, name="西南仓储系统", manager=other_pm)


def lesson(actor, project, what, recommendation="下次提前确认", category="customer", impact=""):
    return lesson_create(
        actor=actor,
        project=project,
        category=category,
        what_happened=what,
        impact=impact,
        recommendation=recommendation,
    )


def listed(response) -> list[str]:
    return [row.what_happened for row in response.context["lessons"]]


# Services -------------------------------------------------------------------------------------------


def test_a_lesson_needs_what_happened_and_a_recommendation(pm, project):
    with pytest.raises(ValidationError) as exc:
        lesson_create(actor=pm, project=project, category="quality", what_happened="  ", recommendation="")
    assert sorted(exc.value.message_dict) == ["recommendation", "what_happened"]
    with pytest.raises(ValidationError) as exc:
        lesson(pm, project, "测试环境不足", category="mood")
    assert list(exc.value.message_dict) == ["category"]


def test_editing_and_deleting_a_lesson_are_versioned_and_recorded(pm, project):
    item = lesson(pm, project, "联调延期两周", impact="上线推迟")
    item = lesson_update(actor=pm, lesson=item, version=1, recommendation="联调计划写进合同")
    assert (item.version, item.recommendation, item.recorded_by) == (2, "联调计划写进合同", pm)
    with pytest.raises(StaleVersionError):
        lesson_update(actor=pm, lesson=item, version=1, impact="x")
    with pytest.raises(StaleVersionError):
        lesson_delete(actor=pm, lesson=item, version=1)
    lesson_delete(actor=pm, lesson=item, version=2)
    assert not LessonLearned.objects.exists()
    actions = ChangeRecord.objects.filter(content_type__model="lessonlearned").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["create", "delete", "update"]


# The knowledge base ---------------------------------------------------------------------------------


def test_the_knowledge_base_lists_only_lessons_of_visible_projects(web, pm, other_pm, project, other_project):
    lesson(pm, project, "华东项目：需求冻结太晚")
    lesson(other_pm, other_project, "西南项目：仓库网络不稳定")
    assert listed(web(pm).get(KB)) == ["华东项目：需求冻结太晚"]
    assert listed(web(other_pm).get(KB)) == ["西南项目：仓库网络不稳定"]


def test_an_executive_sees_every_projects_lessons_newest_first(
    web, executive, pm, other_pm, project, other_project
):
    lesson(pm, project, "第一条")
    lesson(other_pm, other_project, "第二条")
    response = web(executive).get(KB)
    assert listed(response) == ["第二条", "第一条"]
    html = response.content.decode()
    assert f'href="/projects/{project.pk}/#tab-closeout"' in html
    assert f'href="/projects/{other_project.pk}/#tab-closeout"' in html


def test_search_finds_chinese_text_in_every_field_and_the_project_name(
    web, executive, pm, other_pm, project, other_project
):
    lesson(pm, project, "上线前培训不足", recommendation="培训排进计划")  # project name has 华东
    lesson(other_pm, other_project, "华东仓库的接口文档过时")  # what happened
    lesson(other_pm, other_project, "供应商延期", impact="华东客户投诉")  # impact
    lesson(other_pm, other_project, "接口变更", recommendation="参考华东经验")  # recommendation
    lesson(other_pm, other_project, "预算超支 10%")  # no match
    client = web(executive)
    assert sorted(listed(client.get(KB, {"q": "华东"}))) == sorted(
        ["上线前培训不足", "华东仓库的接口文档过时", "供应商延期", "接口变更"]
    )
    assert listed(client.get(KB, {"q": "预算"})) == ["预算超支 10%"]
    assert listed(client.get(KB, {"q": "不存在的词"})) == []


def test_the_category_filter_combines_with_the_search(web, pm, project):
    lesson(pm, project, "华东：需求变更频繁", category="scope")
    lesson(pm, project, "华东：沟通渠道混乱", category="communication")
    lesson(pm, project, "进度：节假日未计入", category="schedule")
    client = web(pm)
    assert listed(client.get(KB, {"category": "scope"})) == ["华东：需求变更频繁"]
    assert listed(client.get(KB, {"q": "华东", "category": "communication"})) == ["华东：沟通渠道混乱"]
    # An unknown category is ignored (and flagged), not an error page.
    response = client.get(KB, {"category": "weather"})
    assert response.status_code == 200
    assert len(listed(response)) == 3
    assert response.context["search"].errors["category"]


def test_the_knowledge_base_is_paginated_with_a_fixed_number_of_queries(
    web, pm, project, django_assert_max_num_queries
):
    for n in range(30):
        lesson(pm, project, f"经验 {n:02d}")
    client = web(pm)
    with django_assert_max_num_queries(6):  # session, user, permissions, count, page
        first = client.get(KB)
    assert len(listed(first)) == 25
    assert first.context["page"].paginator.count == 30
    second = client.get(KB, {"page": 2})
    assert listed(second) == [f"经验 {n:02d}" for n in range(4, -1, -1)]


def test_the_knowledge_base_answers_htmx_with_the_table_only(web, pm, project):
    lesson(pm, project, "华东：上线窗口太短")
    response = web(pm).get(KB, {"q": "华东"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'data-testid="lesson-table"' in html
    assert "<html" not in html


def test_an_empty_knowledge_base_says_what_it_is_for(web, pm):
    html = web(pm).get(KB).content.decode()
    assert "No lessons learned yet." in html


# The project pages ----------------------------------------------------------------------------------


def test_a_team_member_may_record_a_lesson_but_not_delete_one(web, pm, team_member, project):
    member_add(actor=pm, project=project, user=team_member, project_role="Developer")
    client = web(team_member)
    response = client.post(
        f"/projects/{project.pk}/lessons/new/",
        {
            "category": "technical",
            "what_happened": "缓存雪崩",
            "impact": "宕机 1 小时",
            "recommendation": "加限流",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#tab-closeout"
    item = LessonLearned.objects.get()
    assert (item.recorded_by, item.impact) == (team_member, "宕机 1 小时")
    assert client.post(f"/projects/{project.pk}/lessons/{item.pk}/delete/").status_code == 403
    assert client.get(f"/projects/{project.pk}/lessons/{item.pk}/edit/").status_code == 403
    assert LessonLearned.objects.exists()


def test_the_lesson_form_keeps_the_input_when_refused(web, pm, project):
    response = web(pm).post(
        f"/projects/{project.pk}/lessons/new/",
        {"category": "quality", "what_happened": "评审走过场", "recommendation": ""},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["recommendation"]
    assert "评审走过场" in response.content.decode()
    assert not LessonLearned.objects.exists()


def test_editing_a_lesson_with_a_stale_version_shows_the_conflict(web, pm, project):
    item = lesson(pm, project, "原始描述")
    lesson_update(actor=pm, lesson=item, version=1, impact="后来补充")
    response = web(pm).post(
        f"/projects/{project.pk}/lessons/{item.pk}/edit/",
        {
            "category": "customer",
            "what_happened": "我的修改",
            "impact": "",
            "recommendation": "x",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    item.refresh_from_db()
    assert (item.what_happened, item.impact) == ("原始描述", "后来补充")


def test_a_lesson_of_another_project_is_not_found_through_this_one(web, pm, other_pm, project, other_project):
    foreign = lesson(other_pm, other_project, "别人的经验")
    assert web(pm).get(f"/projects/{project.pk}/lessons/{foreign.pk}/edit/").status_code == 404
    assert web(other_pm).get(f"/projects/{project.pk}/lessons/{foreign.pk}/edit/").status_code == 404
