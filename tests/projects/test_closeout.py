"""The closeout: goal evaluations, the final evaluation (rating and summary), "no lessons learned",
the customer sign-off, the phases that allow them, the closing gate conditions they feed, and the
closeout tab with its forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.gates import gate_evaluate
from clientpm.projects.models import Closeout, Goal, GoalEvaluation, Project
from clientpm.projects.services.closeout import closeout_update, goal_evaluation_set, lesson_create
from clientpm.projects.services.lifecycle import project_transition


def move_to(project: Project, phase: str, admin) -> Project:
    """Walk the project forward to ``phase`` with an administrator's override (test setup only)."""
    order = ["initiation", "planning", "execution", "closing", "closed"]
    project.refresh_from_db()
    for step in order[order.index(project.phase) + 1 : order.index(phase) + 1]:
        project = project_transition(
            actor=admin, project=project, to_phase=step, version=project.version, override_reason="test setup"
        )
    return project


def add_goal(project: Project, statement: str, **fields) -> Goal:
    # Goals are written by the goals module (built in parallel); a plain row is all the closeout reads.
    return Goal.objects.create(project=project, statement=statement, **fields)


def condition(project: Project, key: str) -> list[str]:
    return next(c for c in gate_evaluate(project, "closing") if c.key == key).reasons


@pytest.fixture
def executing(project, admin_user):
    return move_to(project, "execution", admin_user)


# Phases ---------------------------------------------------------------------------------------------


def test_the_closeout_starts_in_the_execution_phase(pm, admin_user, project):
    goal = add_goal(project, "系统可用率达到 99.5%")
    project = move_to(project, "planning", admin_user)
    message = f"The closeout is recorded from the execution phase on; project {project.code} is in planning."
    with pytest.raises(ConflictError) as exc:
        closeout_update(actor=pm, project=project, version=1, overall_rating=4, summary="好")
    assert exc.value.detail == message
    with pytest.raises(ConflictError):
        goal_evaluation_set(actor=pm, goal=goal, outcome="achieved")
    assert not Closeout.objects.exists()
    assert not GoalEvaluation.objects.exists()
    project = move_to(project, "execution", admin_user)
    closeout_update(actor=pm, project=project, version=1, overall_rating=4)
    assert Closeout.objects.get().overall_rating == 4


def test_a_closed_project_is_read_only(pm, admin_user, project):
    project = move_to(project, "closed", admin_user)
    with pytest.raises(ConflictError) as exc:
        closeout_update(actor=pm, project=project, version=1, summary="x")
    assert "reopen it before changing it" in exc.value.detail
    with pytest.raises(ConflictError):
        lesson_create(actor=pm, project=project, category="scope", what_happened="a", recommendation="b")


def test_a_project_on_hold_keeps_the_phase_it_left(pm, admin_user, executing):
    project = project_transition(
        actor=pm, project=executing, to_phase="on_hold", version=executing.version, reason="客户暂停"
    )
    closeout_update(actor=pm, project=project, version=1, summary="暂停前的评估")
    assert Closeout.objects.get().summary == "暂停前的评估"


# The final evaluation -------------------------------------------------------------------------------


def test_the_final_evaluation_gate_names_each_goal_without_an_evaluation(pm, executing):
    uptime = add_goal(executing, "系统可用率达到 99.5%", target_value=Decimal("99.5"), unit="%")
    training = add_goal(executing, "培训 200 名华东区用户")
    assert condition(executing, "final_evaluation") == [
        "The final evaluation has not been done.",
        "Goal “系统可用率达到 99.5%” has no final evaluation.",
        "Goal “培训 200 名华东区用户” has no final evaluation.",
    ]
    evaluation = goal_evaluation_set(
        actor=pm, goal=uptime, outcome="partly", actual_value=Decimal("99.2"), note="两次计划外停机"
    )
    assert (evaluation.outcome, evaluation.actual_value, evaluation.evaluated_by) == (
        "partly",
        Decimal("99.2"),
        pm,
    )
    closeout = closeout_update(actor=pm, project=executing, version=1, overall_rating=4, summary="按期上线")
    assert closeout.evaluated_by == pm
    assert closeout.evaluated_at is not None
    assert condition(executing, "final_evaluation") == [
        "Goal “培训 200 名华东区用户” has no final evaluation."
    ]
    goal_evaluation_set(actor=pm, goal=training, outcome="achieved", actual_value=Decimal("214"))
    assert condition(executing, "final_evaluation") == []


def test_evaluating_a_goal_again_replaces_its_evaluation(pm, executing):
    goal = add_goal(executing, "上线 3 个分仓")
    goal_evaluation_set(actor=pm, goal=goal, outcome="not_achieved", actual_value=Decimal("1"))
    goal_evaluation_set(actor=pm, goal=goal, outcome="achieved", actual_value=Decimal("3"), note="补齐")
    evaluation = GoalEvaluation.objects.get()
    assert (evaluation.outcome, evaluation.actual_value, evaluation.note) == (
        "achieved",
        Decimal("3"),
        "补齐",
    )
    with pytest.raises(ValidationError) as exc:
        goal_evaluation_set(actor=pm, goal=goal, outcome="brilliant")
    assert list(exc.value.message_dict) == ["outcome"]


def test_the_evaluation_needs_both_rating_and_summary_and_is_undone_when_either_is_cleared(pm, executing):
    closeout = closeout_update(actor=pm, project=executing, version=1, overall_rating=5)
    assert closeout.evaluated_at is None
    closeout = closeout_update(actor=pm, project=executing, version=1, summary="  客户满意，按预算完成  ")
    assert closeout.summary == "客户满意，按预算完成"
    assert (closeout.evaluated_by, closeout.version) == (pm, 2)
    assert condition(executing, "final_evaluation") == []
    closeout = closeout_update(actor=pm, project=executing, version=2, summary="")
    assert (closeout.evaluated_at, closeout.evaluated_by) == (None, None)
    assert condition(executing, "final_evaluation") == ["The final evaluation has not been done."]


def test_a_rating_outside_one_to_five_is_refused(pm, executing):
    with pytest.raises(ValidationError) as exc:
        closeout_update(actor=pm, project=executing, version=1, overall_rating=6)
    assert list(exc.value.message_dict) == ["overall_rating"]


def test_a_stale_closeout_version_is_refused(pm, executing):
    closeout_update(actor=pm, project=executing, version=1, overall_rating=3)
    closeout_update(actor=pm, project=executing, version=1, overall_rating=4)
    with pytest.raises(StaleVersionError):
        closeout_update(actor=pm, project=executing, version=1, overall_rating=5)
    assert Closeout.objects.get().overall_rating == 4


# Lessons learned or explicitly none -----------------------------------------------------------------


def test_the_lessons_gate_is_met_by_a_lesson_or_by_stating_there_are_none(pm, executing):
    assert condition(executing, "lessons") == [
        "No lessons learned recorded, and “no lessons” was not stated."
    ]
    closeout_update(actor=pm, project=executing, version=1, no_lessons=True)
    assert condition(executing, "lessons") == []
    lesson_create(
        actor=pm, project=executing, category="customer", what_happened="需求反复", recommendation="早签需求"
    )
    closeout = Closeout.objects.get()
    assert (closeout.no_lessons, closeout.version) == (False, 2)  # the statement is withdrawn
    assert condition(executing, "lessons") == []


def test_no_lessons_cannot_be_stated_while_lessons_exist(pm, executing):
    lesson_create(
        actor=pm, project=executing, category="risk", what_happened="供应商延期", recommendation="备选"
    )
    with pytest.raises(ValidationError) as exc:
        closeout_update(actor=pm, project=executing, version=1, no_lessons=True)
    assert exc.value.message_dict == {
        "no_lessons": ["This project has lessons learned; delete them before stating there are none."]
    }


# Customer sign-off ----------------------------------------------------------------------------------


def test_the_signoff_gate_needs_a_contact_of_the_customer_and_a_past_date(
    pm, account_manager, contact, executing
):
    assert condition(executing, "customer_signoff") == ["The customer's sign-off has not been recorded."]
    stranger_co = customer_create(actor=account_manager, name="西南物流", owner=account_manager)
    stranger = contact_create(actor=account_manager, customer=stranger_co, name="李雷")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        closeout_update(
            actor=pm,
            project=executing,
            version=1,
            signoff_contact=stranger,
            signoff_date=today + dt.timedelta(days=1),
        )
    assert exc.value.message_dict == {
        "signoff_contact": ["Choose a contact of the project's customer."],
        "signoff_date": ["The sign-off date cannot be in the future."],
    }
    with pytest.raises(ValidationError) as exc:
        closeout_update(actor=pm, project=executing, version=1, signoff_date=today)
    assert exc.value.message_dict == {"signoff_contact": ["Say which customer contact signed off."]}
    assert condition(executing, "customer_signoff") == ["The customer's sign-off has not been recorded."]
    closeout = closeout_update(
        actor=pm,
        project=executing,
        version=1,
        signoff_contact=contact,
        signoff_date=today,
        signoff_note="验收会签字",
    )
    assert (closeout.signoff_contact, closeout.signoff_date) == (contact, today)
    assert condition(executing, "customer_signoff") == []


# The tab and its forms ------------------------------------------------------------------------------


def test_the_tab_shows_evaluations_rating_lessons_and_signoff(
    web, pm, contact, executing, django_assert_max_num_queries
):
    goals = [add_goal(executing, f"目标 {n}") for n in range(4)]
    goal_evaluation_set(actor=pm, goal=goals[0], outcome="achieved", actual_value=Decimal("10"))
    for n in range(3):
        lesson_create(
            actor=pm, project=executing, category="team", what_happened=f"情况 {n}", recommendation="建议"
        )
    closeout_update(
        actor=pm,
        project=executing,
        version=1,
        overall_rating=4,
        summary="总体顺利",
        signoff_contact=contact,
        signoff_date=timezone.localdate(),
    )
    client = web(pm)
    with django_assert_max_num_queries(8):  # whatever the number of goals and lessons
        response = client.get(f"/projects/{executing.pk}/closeout/")
    html = response.content.decode()
    assert "1 of 4 evaluated" in html
    assert html.count('data-testid="not-evaluated"') == 3
    assert html.count('data-testid="lesson"') == 3
    assert "Rated 4 of 5" in html
    assert f"Signed off by {contact.name} on" in html
    assert 'data-testid="no-lessons-form"' not in html  # lessons exist, nothing to state


def test_before_execution_the_tab_explains_and_offers_only_lessons(web, pm, project):
    html = web(pm).get(f"/projects/{project.pk}/closeout/").content.decode()
    assert 'data-testid="closeout-not-yet"' in html
    assert 'data-testid="edit-evaluation"' not in html
    assert 'data-testid="edit-signoff"' not in html
    assert 'data-testid="add-lesson"' in html


def test_the_no_lessons_switch_swaps_the_tab_in_place(web, pm, executing):
    client = web(pm)
    url = f"/projects/{executing.pk}/closeout/no-lessons/"
    response = client.post(url, {"no_lessons": "on", "version": 1}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="closeout-tab"' in response.content.decode()
    assert Closeout.objects.get().no_lessons is True
    client.post(url, {"version": 1}, headers={"HX-Request": "true"})  # unticked: withdrawn
    assert Closeout.objects.get().no_lessons is False
    stale = client.post(url, {"no_lessons": "on", "version": 1}, headers={"HX-Request": "true"})
    assert 'data-testid="no-lessons-error"' in stale.content.decode()
    assert "changed by someone else" in stale.content.decode()
    assert Closeout.objects.get().no_lessons is False


def test_the_signoff_form_shows_errors_next_to_the_fields_and_keeps_the_input(web, pm, contact, executing):
    future = timezone.localdate() + dt.timedelta(days=3)
    response = web(pm).post(
        f"/projects/{executing.pk}/closeout/signoff/",
        {
            "signoff_contact": contact.pk,
            "signoff_date": future.isoformat(),
            "signoff_note": "会签",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"signoff_date": ["The sign-off date cannot be in the future."]}
    html = response.content.decode()
    assert f'value="{future.isoformat()}"' in html
    assert "会签" in html
    assert not Closeout.objects.exists()


def test_the_evaluation_pages_save_and_return_to_the_tab(web, pm, executing):
    goal = add_goal(executing, "客户满意度 ≥ 90")
    client = web(pm)
    response = client.post(
        f"/projects/{executing.pk}/closeout/evaluation/",
        {"overall_rating": "5", "summary": "超预期", "version": 1},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{executing.pk}/#tab-closeout"
    response = client.post(
        f"/projects/{executing.pk}/closeout/goals/{goal.pk}/", {"outcome": "achieved", "actual_value": "93.5"}
    )
    assert response.status_code == 302
    assert GoalEvaluation.objects.get(goal=goal).actual_value == Decimal("93.5")
    closeout = Closeout.objects.get()
    assert (closeout.overall_rating, closeout.summary, closeout.evaluated_by) == (5, "超预期", pm)


def test_the_closeout_pages_show_what_is_saved(web, pm, contact, executing):
    goal = add_goal(executing, "响应时间 < 2 秒", metric="P95 响应时间", target_value=Decimal("2"), unit="s")
    goal_evaluation_set(actor=pm, goal=goal, outcome="partly", actual_value=Decimal("2.4"))
    closeout_update(
        actor=pm,
        project=executing,
        version=1,
        overall_rating=3,
        summary="性能未达标",
        signoff_contact=contact,
        signoff_date=timezone.localdate(),
    )
    item = lesson_create(
        actor=pm, project=executing, category="technical", what_happened="压测太晚", recommendation="早压测"
    )
    client = web(pm)
    base = f"/projects/{executing.pk}"
    tab = client.get(f"{base}/closeout/").content.decode()
    assert "2.4 s" in tab  # stored as 2.4000, shown without trailing zeros
    assert "2 s" in tab
    assert client.get(f"{base}/closeout/evaluation/").context["form"].initial["overall_rating"] == 3
    assert client.get(f"{base}/closeout/signoff/").context["form"].initial["signoff_contact"] == contact.pk
    goal_page = client.get(f"{base}/closeout/goals/{goal.pk}/")
    assert goal_page.context["form"].initial["outcome"] == "partly"
    assert "P95 响应时间" in goal_page.content.decode()
    assert (
        client.get(f"{base}/lessons/{item.pk}/edit/").context["form"].initial["what_happened"] == "压测太晚"
    )
    assert "压测太晚" in client.get(f"{base}/lessons/{item.pk}/delete/").content.decode()
    assert client.post(f"{base}/lessons/{item.pk}/delete/").status_code == 302
    assert not executing.lessons.exists()


def test_a_team_member_cannot_change_the_closeout(web, pm, team_member, executing):
    from clientpm.projects.services.team import member_add

    member_add(actor=pm, project=executing, user=team_member, project_role="Developer")
    client = web(team_member)
    assert client.get(f"/projects/{executing.pk}/closeout/").status_code == 200
    assert client.get(f"/projects/{executing.pk}/closeout/evaluation/").status_code == 403
    assert client.post(f"/projects/{executing.pk}/closeout/no-lessons/", {"version": 1}).status_code == 403
