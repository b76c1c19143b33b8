"""Feasibility assessments, SMART goals and KPI measurements: the services, the SMART check, the
initiation-gate conditions they feed, and the project page's Goals tab with its forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientpm.accounts.services import user_create
from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.projects.gates import gate_evaluate
from clientpm.projects.models import (
    FeasibilityAssessment,
    Goal,
    GoalEvaluation,
    KpiMeasurement,
    Phase,
    ProjectMember,
)
from clientpm.projects.services.goals import (
    feasibility_create,
    feasibility_update,
    goal_create,
    goal_delete,
    goal_update,
    measurement_create,
    measurement_delete,
)
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.smart import smart_gaps

TODAY = timezone.localdate()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def records(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(ChangeRecord.objects.filter(content_type=ct, object_id=obj.pk).order_by("id"))


def reasons(project, key):
    return next(r for r in gate_evaluate(project, Phase.INITIATION) if r.key == key).reasons


@pytest.fixture
def member(project, team_member):
    """The team member on the project's team: sees the project, may record measurements only."""
    ProjectMember.objects.create(project=project, user=team_member, project_role="Consultant")
    return team_member


@pytest.fixture
def satisfaction(project, pm):
    """A fully SMART goal: raise the satisfaction score by 20% (80 → 96) within 12 months."""
    return goal_create(
        actor=pm,
        project=project,
        statement="Raise the satisfaction score by 20% within 12 months",
        metric="Customer satisfaction score",
        unit="points",
        baseline_value=Decimal("80"),
        target_value=Decimal("96"),
        direction="increase",
        deadline_date=ago(180) + dt.timedelta(days=360),
        owner=pm,
        rationale="Renewal depends on satisfaction.",
    )


def measure(goal, actor, *pairs):
    for days_ago, value in pairs:
        measurement_create(actor=actor, goal=goal, measured_on=ago(days_ago), value=Decimal(value))


# --- feasibility ------------------------------------------------------------------------------------


def test_deciding_records_who_and_when_and_pending_clears_it(project, pm, executive):
    assessment = feasibility_create(
        actor=pm,
        project=project,
        market_score=4,
        technical_score=3,
        cost_estimate_amount=Decimal("1000000"),
        expected_benefit_amount=Decimal("1500000"),
        currency="cny",
    )
    assert (assessment.decision, assessment.decided_by, assessment.decided_at) == ("pending", None, None)
    assert assessment.currency == "CNY"

    before = timezone.now()
    decided = feasibility_update(actor=pm, assessment=assessment, version=1, decision="go")
    assert (decided.decision, decided.decided_by, decided.version) == ("go", pm, 2)
    assert decided.decided_at >= before

    stamped_at = decided.decided_at
    edited = feasibility_update(actor=executive, assessment=decided, version=2, recommendation="推进")
    assert (edited.decided_by, edited.decided_at) == (pm, stamped_at)  # not a new decision

    revised = feasibility_update(actor=executive, assessment=edited, version=3, decision="revise")
    assert (revised.decided_by, revised.decided_at > stamped_at) == (executive, True)

    reopened = feasibility_update(actor=pm, assessment=revised, version=4, decision="pending")
    assert (reopened.decided_by, reopened.decided_at) == (None, None)
    assert [r.changes.get("decision") for r in records(assessment)] == [
        [None, "pending"],
        ["pending", "go"],
        None,
        ["go", "revise"],
        ["revise", "pending"],
    ]


def test_assessment_created_with_a_decision_is_stamped(project, pm):
    assessment = feasibility_create(actor=pm, project=project, decision="no_go", recommendation="市场不成熟")
    assert (assessment.decided_by, assessment.decided_at is not None) == (pm, True)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"market_score": 6}, "market_score"),
        ({"resource_score": 0}, "resource_score"),
        ({"currency": "RMB1"}, "currency"),
        ({"currency": "人民币"}, "currency"),
        ({"cost_estimate_amount": Decimal("-1")}, "cost_estimate_amount"),
        ({"benefit_period_months": 0}, "benefit_period_months"),
        ({"decision": "maybe"}, "decision"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_assessment_input_names_the_field(project, pm, fields, field):
    with pytest.raises(ValidationError) as exc:
        feasibility_create(actor=pm, project=project, **fields)
    assert list(exc.value.message_dict) == [field]
    assert FeasibilityAssessment.objects.count() == 0


def test_reassessment_becomes_the_latest_and_the_earlier_one_is_kept_as_decided(project, pm):
    first = feasibility_create(actor=pm, project=project, market_score=4, decision="go")
    assert reasons(project, "feasibility_go") == []
    second = feasibility_create(actor=pm, project=project, market_score=2, decision="revise")
    assert reasons(project, "feasibility_go") == ["The latest feasibility decision is “Revise”, not “go”."]
    with pytest.raises(ConflictError) as exc:
        feasibility_update(actor=pm, assessment=first, version=1, decision="no_go")
    assert exc.value.detail == "A newer feasibility assessment exists; this one is kept as it was decided."
    first.refresh_from_db()
    assert first.decision == "go"
    feasibility_update(actor=pm, assessment=second, version=1, decision="go")
    assert reasons(project, "feasibility_go") == []


def test_feasibility_gate_reasons(project, pm):
    assert reasons(project, "feasibility_go") == ["No feasibility assessment."]
    assessment = feasibility_create(actor=pm, project=project)
    assert reasons(project, "feasibility_go") == ["The latest feasibility decision is “Pending”, not “go”."]
    feasibility_update(actor=pm, assessment=assessment, version=1, decision="no_go")
    assert reasons(project, "feasibility_go") == ["The latest feasibility decision is “No-go”, not “go”."]


def test_stale_assessment_version_is_refused(project, pm):
    assessment = feasibility_create(actor=pm, project=project)
    feasibility_update(actor=pm, assessment=assessment, version=1, market_score=3)
    with pytest.raises(StaleVersionError):
        feasibility_update(actor=pm, assessment=assessment, version=1, market_score=5)
    assessment.refresh_from_db()
    assert (assessment.market_score, assessment.version) == (3, 2)


# --- the SMART check --------------------------------------------------------------------------------


def test_a_fully_smart_goal_has_no_gap(satisfaction):
    assert smart_gaps(satisfaction) == []


def test_an_empty_goal_lists_every_gap(project, pm):
    goal = goal_create(actor=pm, project=project, statement="做好")
    assert smart_gaps(goal) == [
        "Not specific: the statement is too short to say what will change.",
        "Not measurable: no metric.",
        "Not measurable: no baseline value.",
        "Not measurable: no target value.",
        "Not achievable: nobody owns it.",
        "Not relevant: it does not say why it matters.",
        "Not time-bound: no deadline.",
    ]


def test_target_equal_to_baseline_is_a_gap(satisfaction, pm):
    goal = goal_update(actor=pm, goal=satisfaction, version=1, target_value=Decimal("80"))
    assert smart_gaps(goal) == ["Not achievable as stated: the target equals the baseline."]


def test_direction_inconsistent_with_the_target_is_a_gap(project, pm):
    retention = goal_create(
        actor=pm,
        project=project,
        statement="Raise retention by 15% within 6 months",
        metric="12-month customer retention",
        unit="%",
        baseline_value=Decimal("60"),
        target_value=Decimal("51"),  # typed the wrong way round
        direction="increase",
        deadline_date=TODAY + dt.timedelta(days=183),
        owner=pm,
        rationale="Churn costs more than acquisition.",
    )
    assert smart_gaps(retention) == [
        "Not consistent: the goal is to increase but the target is below the baseline."
    ]
    retention = goal_update(actor=pm, goal=retention, version=1, direction="decrease")
    assert smart_gaps(retention) == []  # now it says "cut retention to 51" — consistent, if odd
    retention = goal_update(actor=pm, goal=retention, version=2, target_value=Decimal("69"))
    assert smart_gaps(retention) == [
        "Not consistent: the goal is to decrease but the target is above the baseline."
    ]


def test_a_deploy_and_train_goal_needs_a_metric_to_be_measurable(project, pm):
    goal = goal_create(
        actor=pm,
        project=project,
        statement="Deploy the new system and train staff within 3 months",
        deadline_date=TODAY + dt.timedelta(days=90),
        owner=pm,
        rationale="The regional offices cannot start without it.",
    )
    assert smart_gaps(goal) == [
        "Not measurable: no metric.",
        "Not measurable: no baseline value.",
        "Not measurable: no target value.",
    ]
    goal = goal_update(
        actor=pm,
        goal=goal,
        version=1,
        metric="Staff trained",
        unit="%",
        baseline_value=Decimal("0"),
        target_value=Decimal("100"),
    )
    assert smart_gaps(goal) == []


def test_smart_goal_gate_names_the_goals_that_are_not_smart(project, pm):
    assert reasons(project, "smart_goal") == ["No goal has been set."]
    goal = goal_create(
        actor=pm,
        project=project,
        statement="Raise retention by 15% within 6 months",
        metric="Retention",
        baseline_value=Decimal("60"),
        target_value=Decimal("69"),
        owner=pm,
        rationale="Churn is expensive.",
    )
    assert reasons(project, "smart_goal") == [
        "Goal “Raise retention by 15% within 6 months” is not SMART: Not time-bound: no deadline."
    ]
    goal_update(actor=pm, goal=goal, version=1, deadline_date=TODAY + dt.timedelta(days=183))
    assert reasons(project, "smart_goal") == []


# --- goals ------------------------------------------------------------------------------------------


def test_goal_owner_must_be_active(project, pm):
    gone = user_create(actor=None, username="gone", password="pw-Secret-123", roles=[], display_name="Gone")
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationError) as exc:
        goal_create(actor=pm, project=project, statement="Raise the NPS within a year", owner=gone)
    assert exc.value.message_dict == {"owner": ["Gone is deactivated."]}
    assert Goal.objects.count() == 0


def test_goal_changes_are_versioned_and_audited(satisfaction, pm):
    changed = goal_update(actor=pm, goal=satisfaction, version=1, target_value=Decimal("95"))
    assert changed.version == 2
    assert records(satisfaction)[-1].changes == {"target_value": ["96.0000", "95"]}
    with pytest.raises(StaleVersionError):
        goal_update(actor=pm, goal=satisfaction, version=1, target_value=Decimal("90"))


def test_deleting_a_goal_deletes_its_measurements_unless_it_was_evaluated(satisfaction, pm, project):
    measure(satisfaction, pm, (30, "82"))
    evaluation = GoalEvaluation.objects.create(goal=satisfaction, outcome="partly")
    with pytest.raises(ConflictError):
        goal_delete(actor=pm, goal=satisfaction)
    evaluation.delete()
    goal_delete(actor=pm, goal=satisfaction, version=1)
    assert (Goal.objects.count(), KpiMeasurement.objects.count()) == (0, 0)


def test_a_cancelled_project_is_read_only(satisfaction, pm, project):
    assessment = feasibility_create(actor=pm, project=project)
    project_transition(
        actor=pm, project=project, to_phase=Phase.CANCELLED, version=project.version, reason="客户取消"
    )
    attempts = [
        lambda: feasibility_create(actor=pm, project=project),
        lambda: feasibility_update(actor=pm, assessment=assessment, version=1, decision="go"),
        lambda: goal_create(actor=pm, project=project, statement="Another goal here"),
        lambda: goal_update(actor=pm, goal=satisfaction, version=1, unit="pts"),
        lambda: goal_delete(actor=pm, goal=satisfaction),
        lambda: measurement_create(actor=pm, goal=satisfaction, measured_on=TODAY, value=Decimal("1")),
    ]
    for attempt in attempts:
        with pytest.raises(ConflictError):
            attempt()
    assert (FeasibilityAssessment.objects.count(), Goal.objects.count(), KpiMeasurement.objects.count()) == (
        1,
        1,
        0,
    )


# --- measurements -----------------------------------------------------------------------------------


def test_one_measurement_per_goal_per_day(satisfaction, member):
    first = measurement_create(
        actor=member, goal=satisfaction, measured_on=ago(1), value=Decimal("81.5"), source="问卷"
    )
    assert (first.recorded_by, first.source) == (member, "问卷")
    with pytest.raises(ValidationError) as exc:
        measurement_create(actor=member, goal=satisfaction, measured_on=ago(1), value=Decimal("82"))
    assert exc.value.message_dict == {
        "measured_on": [
            f"This goal already has a measurement on {ago(1).isoformat()}; delete it first to replace it."
        ]
    }
    assert KpiMeasurement.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "measured_on", "field"),
    [
        (Decimal("1"), TODAY + dt.timedelta(days=1), "measured_on"),
        (Decimal("1.23456"), TODAY, "value"),
        (None, TODAY, "value"),
        (Decimal("1"), None, "measured_on"),
    ],
)
def test_bad_measurement_names_the_field(satisfaction, pm, value, measured_on, field):
    with pytest.raises(ValidationError) as exc:
        measurement_create(actor=pm, goal=satisfaction, measured_on=measured_on, value=value)
    assert list(exc.value.message_dict) == [field]


def test_deleting_a_measurement_is_recorded(satisfaction, pm):
    m = measurement_create(actor=pm, goal=satisfaction, measured_on=ago(3), value=Decimal("81"))
    measurement_delete(actor=pm, measurement=m)
    assert KpiMeasurement.objects.count() == 0
    assert [r.action for r in records(m)] == ["create", "delete"]


# --- the Goals tab ----------------------------------------------------------------------------------


@pytest.fixture
def filled(project, pm, satisfaction):
    """A decided assessment, an earlier one, a measured SMART goal and a vague goal."""
    feasibility_create(actor=pm, project=project, market_score=3, decision="revise")
    feasibility_create(
        actor=pm,
        project=project,
        market_score=4,
        technical_score=3,
        financial_score=5,
        resource_score=2,
        cost_estimate_amount=Decimal("1000000"),
        expected_benefit_amount=Decimal("1500000"),
        benefit_period_months=12,
        recommendation="建议立项",
        decision="go",
    )
    # 80, 84, 88 on days 0, 90, 180 of the goal's year: 4/90 a day reaches 96 at day 360
    measure(satisfaction, pm, (180, "80"), (90, "84"), (0, "88"))
    goal_create(actor=pm, project=project, statement="做好服务")
    return project


def test_goals_tab_shows_feasibility_goals_progress_forecast_and_gaps(web, pm, filled):
    response = web(pm).get(f"/projects/{filled.pk}/goals/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment for the tab pane
    assert 'data-testid="feasibility-card"' in html
    # overall score (4 + 3 + 5 + 2) / 4 = 3.5; ROI 50 %; payback 1,000,000 / 125,000 = 8 months
    assert '<strong class="fs-5" data-testid="overall-score">3.5</strong>' in html
    assert 'data-testid="roi"><span>50.0%</span>' in html
    assert "8.0 months" in html
    assert "CNY 1,000,000.00" in html
    assert "decided by Pm on" in html
    assert "1 earlier assessment" in html
    assert html.count('data-testid="goal-card"') == 2
    assert 'data-testid="goal-progress">50.0%</strong>' in html  # (88 − 80) / (96 − 80)
    assert "96 points" in html  # the forecast at the deadline
    assert 'data-testid="on-track"' in html
    assert "Not specific: the statement is too short to say what will change." in html
    assert "1 of 2 SMART" in html
    assert "vendor/echarts/echarts.min.js" in html
    assert f'id="goal-chart-{Goal.objects.get(metric="Customer satisfaction score").pk}"' in html
    assert '"target": 96.0' in html
    for testid in ("assess-feasibility", "edit-feasibility", "add-goal", "edit-goal", "measurement-form"):
        assert f'data-testid="{testid}"' in html, testid


def test_goals_tab_without_data_invites_to_start(web, pm, project):
    html = web(pm).get(f"/projects/{project.pk}/goals/").content.decode()
    assert 'data-testid="no-feasibility"' in html
    assert 'data-testid="no-goals"' in html
    assert "Assess feasibility" in html
    assert "echarts" not in html


def test_goals_tab_query_count_does_not_grow_with_rows(web, pm, filled, django_assert_max_num_queries):
    for i in range(8):
        goal = goal_create(
            actor=pm, project=filled, statement=f"Goal number {i} for the region", owner=pm, metric="x"
        )
        measure(goal, pm, (10, "1"), (5, "2"))
        feasibility_create(actor=pm, project=filled, decision="go")
    client = web(pm)
    client.get(f"/projects/{filled.pk}/goals/")  # warm the session and permission caches
    # session, user, permissions (2), project, assessments, goals (+ owners), measurements
    with django_assert_max_num_queries(9):
        html = client.get(f"/projects/{filled.pk}/goals/").content.decode()
    assert html.count('data-testid="goal-card"') == 10


def test_team_member_may_only_record_measurements(web, member, filled):
    html = web(member).get(f"/projects/{filled.pk}/goals/").content.decode()
    assert 'data-testid="measurement-form"' in html
    for testid in ("assess-feasibility", "edit-feasibility", "add-goal", "edit-goal", "delete-goal"):
        assert f'data-testid="{testid}"' not in html, testid
    assert web(member).get(f"/projects/{filled.pk}/goals/new/").status_code == 403
    assert web(member).get(f"/projects/{filled.pk}/feasibility/new/").status_code == 403


def test_goals_pages_outside_scope_are_404(web, other_manager, filled):
    client = web(other_manager)
    goal = Goal.objects.first()
    for url in (
        f"/projects/{filled.pk}/goals/",
        f"/projects/{filled.pk}/goals/new/",
        f"/projects/{filled.pk}/goals/{goal.pk}/edit/",
        f"/projects/{filled.pk}/feasibility/new/",
    ):
        assert client.get(url).status_code == 404, url


def test_cancelled_project_tab_has_no_write_buttons(web, pm, filled):
    project_transition(actor=pm, project=filled, to_phase=Phase.CANCELLED, version=filled.version, reason="x")
    html = web(pm).get(f"/projects/{filled.pk}/goals/").content.decode()
    for testid in ("assess-feasibility", "add-goal", "edit-goal", "measurement-form"):
        assert f'data-testid="{testid}"' not in html, testid


def test_adding_a_measurement_inline_refreshes_the_tab(web, member, filled):
    goal = Goal.objects.get(metric="Customer satisfaction score")
    url = f"/projects/{filled.pk}/goals/{goal.pk}/measurements/new/"
    client = web(member)
    response = client.post(
        url,
        {"measured_on": ago(1).isoformat(), "value": "90", "source": "问卷"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="goals-tab"' in html
    assert "4 measurements" in html
    assert goal.measurements.get(measured_on=ago(1)).recorded_by == member

    again = client.post(
        url, {"measured_on": ago(1).isoformat(), "value": "91.25"}, headers={"HX-Request": "true"}
    )
    html = again.content.decode()
    assert "This goal already has a measurement on" in html
    assert 'value="91.25"' in html  # what the user typed is kept
    assert goal.measurements.count() == 4


def test_adding_a_measurement_without_htmx_redirects_or_shows_the_form(web, pm, filled):
    goal = Goal.objects.get(metric="Customer satisfaction score")
    url = f"/projects/{filled.pk}/goals/{goal.pk}/measurements/new/"
    client = web(pm)
    ok = client.post(url, {"measured_on": ago(2).isoformat(), "value": "89"})
    assert ok.status_code == 302
    assert ok["Location"] == f"/projects/{filled.pk}/#tab-goals"
    bad = client.post(url, {"measured_on": (TODAY + dt.timedelta(days=3)).isoformat(), "value": "89"})
    assert bad.status_code == 200
    assert "A measurement cannot be dated in the future." in bad.content.decode()


def test_deleting_a_measurement_from_the_tab(web, pm, filled):
    m = KpiMeasurement.objects.order_by("measured_on").first()
    response = web(pm).post(
        f"/projects/{filled.pk}/measurements/{m.pk}/delete/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "2 measurements" in response.content.decode()
    assert not KpiMeasurement.objects.filter(pk=m.pk).exists()


def test_goal_form_creates_and_edits_a_goal(web, pm, project):
    client = web(pm)
    page = client.get(f"/projects/{project.pk}/goals/new/")
    assert page.status_code == 200
    assert "Raise the satisfaction score by 20% within 12 months" in page.content.decode()  # the hint
    response = client.post(
        f"/projects/{project.pk}/goals/new/",
        {
            "statement": "Raise retention by 15% within 6 months",
            "metric": "Retention",
            "unit": "%",
            "direction": "increase",
            "baseline_value": "60",
            "target_value": "69",
            "deadline_date": (TODAY + dt.timedelta(days=183)).isoformat(),
            "owner": pm.pk,
            "rationale": "Churn is expensive.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#tab-goals"
    goal = Goal.objects.get()
    assert (goal.target_value, goal.owner, smart_gaps(goal)) == (Decimal("69"), pm, [])

    edit_url = f"/projects/{project.pk}/goals/{goal.pk}/edit/"
    data = {
        "statement": goal.statement,
        "metric": "",
        "direction": "increase",
        "baseline_value": "60",
        "target_value": "69",
        "owner": pm.pk,
        "version": 1,
    }
    assert client.post(edit_url, data).status_code == 302
    goal.refresh_from_db()
    assert (goal.metric, goal.deadline_date, goal.version) == ("", None, 2)
    page = client.get(edit_url).content.decode()
    assert "Not measurable: no metric." in page  # the SMART check on the edit page

    stale = client.post(edit_url, {**data, "statement": "Raise retention by 20% within 6 months"})
    html = stale.content.decode()
    assert stale.status_code == 200
    assert "This record was changed by someone else." in html
    assert 'value="Raise retention by 20% within 6 months"' in html


def test_goal_delete_asks_first(web, pm, filled):
    goal = Goal.objects.get(metric="Customer satisfaction score")
    url = f"/projects/{filled.pk}/goals/{goal.pk}/delete/"
    client = web(pm)
    assert "Its 3 KPI measurements are deleted with it." in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_reassessment_form_starts_from_the_latest_assessment(web, pm, filled):
    client = web(pm)
    page = client.get(f"/projects/{filled.pk}/feasibility/new/").content.decode()
    assert "Reassess feasibility" in page
    assert 'data-testid="reassess-note"' in page
    assert "建议立项" in page  # the latest recommendation is the starting point
    assert '<option value="pending" selected>' in page  # the decision starts over
    response = client.post(
        f"/projects/{filled.pk}/feasibility/new/",
        {
            "market_score": "5",
            "technical_score": "",
            "currency": "CNY",
            "cost_estimate_amount": "200000",
            "expected_benefit_amount": "0",
            "benefit_period_months": "12",
            "decision": "no_go",
        },
    )
    assert response.status_code == 302
    latest = FeasibilityAssessment.objects.order_by("-created_at", "-id").first()
    assert (latest.market_score, latest.technical_score, latest.decision, latest.decided_by) == (
        5,
        None,
        "no_go",
        pm,
    )
    html = client.get(f"/projects/{filled.pk}/goals/").content.decode()
    assert 'data-testid="payback">—' in html  # benefit 0: no payback
    assert "2 earlier assessments" in html


def test_feasibility_form_shows_errors_next_to_fields(web, pm, project):
    response = web(pm).post(
        f"/projects/{project.pk}/feasibility/new/",
        {"market_score": "6", "currency": "CN", "benefit_period_months": "12", "decision": "go"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice. 6 is not one of the available choices." in html
    assert FeasibilityAssessment.objects.count() == 0
    response = web(pm).post(
        f"/projects/{project.pk}/feasibility/new/",
        {"currency": "C1N", "benefit_period_months": "12", "decision": "go"},
    )
    assert "Use a three-letter currency code such as CNY." in response.content.decode()
    assert 'value="C1N"' in response.content.decode()


def test_editing_the_feasibility_assessment(web, pm, filled):
    latest = FeasibilityAssessment.objects.order_by("-created_at", "-id").first()
    url = f"/projects/{filled.pk}/feasibility/{latest.pk}/edit/"
    client = web(pm)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "market_score": "4",
            "currency": "CNY",
            "cost_estimate_amount": "0",
            "expected_benefit_amount": "500000",
            "benefit_period_months": "12",
            "decision": "go",
            "version": latest.version,
        },
    )
    assert response.status_code == 302
    html = client.get(f"/projects/{filled.pk}/goals/").content.decode()
    assert 'data-testid="roi">—' in html  # cost 0: no ROI
    assert "0.0 months" in html
