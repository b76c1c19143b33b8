"""The feasibility, goal and KPI measurement endpoints under /api/v1: every endpoint, the computed
figures, bad input (422 naming the field), 403 for writes without the permission, 404 outside the
caller's scope, 409 for stale versions, and query counts of the lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clientpm.projects.models import FeasibilityAssessment, Goal, KpiMeasurement, ProjectMember
from clientpm.projects.services.goals import feasibility_create, goal_create, measurement_create

JSON = "application/json"
FORBIDDEN = {"detail": "You do not have permission to do this.", "errors": {}}
NOT_FOUND = {"detail": "Not found.", "errors": {}}
TODAY = timezone.localdate()


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def post(client, url, data):
    return client.post(f"/api/v1{url}", data, content_type=JSON)


def patch(client, url, data):
    return client.patch(f"/api/v1{url}", data, content_type=JSON)


def get(client, url):
    return client.get(f"/api/v1{url}")


@pytest.fixture
def member(project, team_member):
    ProjectMember.objects.create(project=project, user=team_member, project_role="Consultant")
    return team_member


@pytest.fixture
def goal(project, pm):
    """Raise retention by 15% within 6 months: 60 → 69, the deadline 180 days after the first measurement."""
    return goal_create(
        actor=pm,
        project=project,
        statement="Raise retention by 15% within 6 months",
        metric="Retention",
        unit="%",
        baseline_value=Decimal("60"),
        target_value=Decimal("69"),
        deadline_date=ago(60) + dt.timedelta(days=180),
        owner=pm,
        rationale="Churn is expensive.",
    )


# --- feasibility ------------------------------------------------------------------------------------


def test_feasibility_create_read_decide_and_reassess(api, pm, project):
    client = api(pm)
    url = f"/projects/{project.pk}/feasibility"
    created = post(
        client,
        url,
        {
            "market_score": 4,
            "technical_score": 3,
            "financial_score": 5,
            "resource_score": 2,
            "cost_estimate_amount": "1000000",
            "expected_benefit_amount": "1500000",
            "benefit_period_months": 12,
            "recommendation": "建议立项",
        },
    )
    assert created.status_code == 201
    body = created.json()
    # (4 + 3 + 5 + 2) / 4 = 3.5; ROI 0.5; payback 1,000,000 / 125,000 = 8 months
    assert (body["overall_score"], body["roi"], body["payback_months"], body["pays_back_in_period"]) == (
        3.5,
        0.5,
        8.0,
        True,
    )
    assert (
        body["decision"],
        body["decided_by"],
        body["decided_at"],
        body["is_latest"],
        body["currency"],
    ) == (
        "pending",
        None,
        None,
        True,
        "CNY",
    )

    decided = patch(client, f"/feasibility/{body['id']}", {"version": 1, "decision": "go"})
    assert decided.status_code == 200
    assert decided.json()["decided_by"] == {"id": pm.pk, "username": "pm", "display_name": "Pm"}
    assert decided.json()["decided_at"] is not None
    assert decided.json()["version"] == 2

    cleared = patch(client, f"/feasibility/{body['id']}", {"version": 2, "cost_estimate_amount": None})
    assert (
        cleared.json()["cost_estimate_amount"],
        cleared.json()["roi"],
        cleared.json()["payback_months"],
    ) == (
        None,
        None,
        None,
    )

    again = post(client, url, {"market_score": 2, "decision": "revise"}).json()
    listing = get(client, url).json()
    assert listing["count"] == 2
    assert [(a["id"], a["decision"], a["is_latest"]) for a in listing["items"]] == [
        (again["id"], "revise", True),
        (body["id"], "go", False),
    ]
    assert get(client, f"/feasibility/{body['id']}").json()["is_latest"] is False
    refused = patch(client, f"/feasibility/{body['id']}", {"version": 3, "decision": "no_go"})
    assert refused.status_code == 409
    assert refused.json()["reasons"] == ["Change the latest assessment, or reassess."]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"market_score": 6}, "market_score"),
        ({"technical_score": 0}, "technical_score"),
        ({"decision": "maybe"}, "decision"),
        ({"cost_estimate_amount": "-5"}, "cost_estimate_amount"),
        ({"expected_benefit_amount": "1.001"}, "expected_benefit_amount"),
        ({"benefit_period_months": 0}, "benefit_period_months"),
        ({"currency": "CN"}, "currency"),
        ({"currency": "C1Y"}, "currency"),
    ],
)
def test_feasibility_bad_input_is_422_naming_the_field(api, pm, project, data, field):
    response = post(api(pm), f"/projects/{project.pk}/feasibility", data)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert FeasibilityAssessment.objects.count() == 0


def test_feasibility_patch_refuses_nulls_and_stale_versions(api, pm, project):
    assessment = feasibility_create(actor=pm, project=project)
    client = api(pm)
    response = patch(client, f"/feasibility/{assessment.pk}", {"version": 1, "decision": None})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["decision"])
    patch(client, f"/feasibility/{assessment.pk}", {"version": 1, "market_score": 3})
    stale = patch(client, f"/feasibility/{assessment.pk}", {"version": 1, "market_score": 5})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    assessment.refresh_from_db()
    assert assessment.market_score == 3


# --- goals ------------------------------------------------------------------------------------------


def test_goal_create_read_update_delete(api, pm, project):
    client = api(pm)
    created = post(
        client,
        f"/projects/{project.pk}/goals",
        {"statement": "Deploy the new system and train staff within 3 months", "owner_id": pm.pk},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["direction"], body["owner"]["id"], body["is_smart"], body["measurements_count"]) == (
        "increase",
        pm.pk,
        False,
        0,
    )
    assert body["smart_gaps"] == [
        "Not measurable: no metric.",
        "Not measurable: no baseline value.",
        "Not measurable: no target value.",
        "Not relevant: it does not say why it matters.",
        "Not time-bound: no deadline.",
    ]
    assert (body["progress"], body["forecast_value"], body["forecast_status"], body["on_track"]) == (
        None,
        None,
        "no_data",
        None,
    )

    changed = patch(
        client,
        f"/goals/{body['id']}",
        {
            "version": 1,
            "metric": "Staff trained",
            "unit": "%",
            "baseline_value": "0",
            "target_value": "100",
            "deadline_date": (TODAY + dt.timedelta(days=90)).isoformat(),
            "rationale": "The offices cannot start without it.",
        },
    )
    assert changed.status_code == 200
    assert (changed.json()["smart_gaps"], changed.json()["is_smart"], changed.json()["version"]) == (
        [],
        True,
        2,
    )
    assert get(client, f"/goals/{body['id']}").json()["target_value"] == "100.0000"

    cleared = patch(client, f"/goals/{body['id']}", {"version": 2, "owner_id": None, "deadline_date": None})
    assert (cleared.json()["owner"], cleared.json()["deadline_date"]) == (None, None)

    assert client.delete(f"/api/v1/goals/{body['id']}?version=2").status_code == 409  # stale
    assert client.delete(f"/api/v1/goals/{body['id']}?version=3").status_code == 204
    assert Goal.objects.count() == 0


def test_goal_progress_and_forecast_over_the_api(api, pm, goal):
    # 60, 61, 62 on days 0, 30, 60 → 1/30 a day; deadline at day 180 → 66, short of 69
    for days_ago, value in ((60, "60"), (30, "61"), (0, "62")):
        measurement_create(actor=pm, goal=goal, measured_on=ago(days_ago), value=Decimal(value))
    body = get(api(pm), f"/goals/{goal.pk}").json()
    assert (body["measurements_count"], body["latest_value"], body["latest_date"]) == (
        3,
        "62.0000",
        TODAY.isoformat(),
    )
    assert (body["forecast_value"], body["on_track"], body["forecast_status"]) == ("66.0000", False, "")
    # (62 − 60) / (69 − 60) = 2/9
    assert body["progress"] == pytest.approx(2 / 9)
    assert body["progress_percent"] == 22.2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"statement": "x", "direction": "sideways"}, "direction"),
        ({}, "statement"),
        ({"statement": ""}, "statement"),
        ({"statement": "x" * 301}, "statement"),
        ({"statement": "x", "target_value": "abc"}, "target_value"),
        ({"statement": "x", "baseline_value": "1.00001"}, "baseline_value"),
        ({"statement": "x", "deadline_date": "2026-02-30"}, "deadline_date"),
        ({"statement": "x", "owner_id": 999999}, "owner_id"),
    ],
)
def test_goal_bad_input_is_422_naming_the_field(api, pm, project, data, field):
    response = post(api(pm), f"/projects/{project.pk}/goals", data)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Goal.objects.count() == 0


def test_goal_patch_refuses_nulls_and_stale_versions(api, pm, goal):
    client = api(pm)
    response = patch(client, f"/goals/{goal.pk}", {"version": 1, "statement": None})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["statement"])
    response = patch(client, f"/goals/{goal.pk}", {"version": 1, "direction": "up"})
    assert (response.status_code, list(response.json()["errors"])) == (422, ["direction"])
    patch(client, f"/goals/{goal.pk}", {"version": 1, "unit": "pct"})
    stale = patch(client, f"/goals/{goal.pk}", {"version": 1, "unit": "%"})
    assert (stale.status_code, stale.json()["current_version"], list(stale.json()["errors"])) == (
        409,
        2,
        ["version"],
    )
    goal.refresh_from_db()
    assert goal.unit == "pct"


# --- measurements -----------------------------------------------------------------------------------


def test_measurements_record_list_and_delete(api, pm, member, goal):
    client = api(member)  # team members record measurements
    url = f"/goals/{goal.pk}/measurements"
    created = post(client, url, {"measured_on": ago(10).isoformat(), "value": "61.5", "source": "CRM 报表"})
    assert created.status_code == 201
    body = created.json()
    assert (body["value"], body["source"], body["recorded_by"]["id"]) == ("61.5", "CRM 报表", member.pk)
    post(client, url, {"measured_on": ago(40).isoformat(), "value": "60.5"})
    twice = post(client, url, {"measured_on": ago(10).isoformat(), "value": "62"})
    assert twice.status_code == 422
    assert twice.json()["errors"] == {
        "measured_on": [
            f"This goal already has a measurement on {ago(10).isoformat()}; delete it first to replace it."
        ]
    }
    listing = get(client, url).json()
    assert [(m["measured_on"], m["value"]) for m in listing["items"]] == [
        (ago(40).isoformat(), "60.5000"),
        (ago(10).isoformat(), "61.5000"),
    ]
    assert client.delete(f"/api/v1/measurements/{body['id']}").status_code == 403  # members cannot delete
    assert api(pm).delete(f"/api/v1/measurements/{body['id']}").status_code == 204
    assert KpiMeasurement.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": "1"}, "measured_on"),
        ({"measured_on": "yesterday", "value": "1"}, "measured_on"),
        ({"measured_on": "2026-01-01"}, "value"),
        ({"measured_on": "2026-01-01", "value": "x"}, "value"),
        ({"measured_on": "2026-01-01", "value": "1", "note": "x" * 301}, "note"),
        ({"measured_on": "2999-01-01", "value": "1"}, "measured_on"),
    ],
)
def test_measurement_bad_input_is_422_naming_the_field(api, pm, goal, data, field):
    response = post(api(pm), f"/goals/{goal.pk}/measurements", data)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert KpiMeasurement.objects.count() == 0


# --- permissions and scope --------------------------------------------------------------------------


def test_team_member_cannot_set_goals_or_assess_feasibility(api, member, project, goal):
    client = api(member)
    assert get(client, f"/projects/{project.pk}/goals").status_code == 200
    response = post(client, f"/projects/{project.pk}/goals", {"statement": "Raise NPS by 10 points"})
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert patch(client, f"/goals/{goal.pk}", {"version": 1, "unit": "pct"}).status_code == 403
    assert client.delete(f"/api/v1/goals/{goal.pk}").status_code == 403
    assert post(client, f"/projects/{project.pk}/feasibility", {"market_score": 3}).status_code == 403
    assert (Goal.objects.count(), FeasibilityAssessment.objects.count()) == (1, 0)


def test_executive_reads_but_cannot_write(api, executive, project, goal):
    client = api(executive)
    assert get(client, f"/goals/{goal.pk}").status_code == 200
    response = post(
        client, f"/goals/{goal.pk}/measurements", {"measured_on": TODAY.isoformat(), "value": "1"}
    )
    assert response.status_code == 403


def test_everything_outside_the_callers_scope_is_404(api, pm, other_manager, project, goal):
    assessment = feasibility_create(actor=pm, project=project)
    m = measurement_create(actor=pm, goal=goal, measured_on=TODAY, value=Decimal("61"))
    client = api(other_manager)
    requests = [
        ("get", f"/projects/{project.pk}/feasibility", None),
        ("post", f"/projects/{project.pk}/feasibility", {"market_score": 3}),
        ("get", f"/feasibility/{assessment.pk}", None),
        ("patch", f"/feasibility/{assessment.pk}", {"version": 1, "decision": "go"}),
        ("get", f"/projects/{project.pk}/goals", None),
        ("post", f"/projects/{project.pk}/goals", {"statement": "x"}),
        ("get", f"/goals/{goal.pk}", None),
        ("patch", f"/goals/{goal.pk}", {"version": 1, "unit": "x"}),
        ("delete", f"/goals/{goal.pk}", None),
        ("get", f"/goals/{goal.pk}/measurements", None),
        ("post", f"/goals/{goal.pk}/measurements", {"measured_on": TODAY.isoformat(), "value": "1"}),
        ("delete", f"/measurements/{m.pk}", None),
    ]
    for method, url, data in requests:
        kwargs = {"data": data, "content_type": JSON} if data else {}
        response = getattr(client, method)(f"/api/v1{url}", **kwargs)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, url)
    assessment.refresh_from_db()
    assert (assessment.decision, Goal.objects.count(), KpiMeasurement.objects.count()) == ("pending", 1, 1)


# --- query counts -----------------------------------------------------------------------------------


def test_list_endpoints_query_counts_do_not_grow_with_rows(
    api, pm, project, goal, django_assert_max_num_queries
):
    for i in range(12):
        other = goal_create(
            actor=pm, project=project, statement=f"Goal {i} for the regional offices", owner=pm
        )
        for days_ago in (3, 2, 1):
            measurement_create(actor=pm, goal=other, measured_on=ago(days_ago), value=Decimal(i + days_ago))
        feasibility_create(actor=pm, project=project, market_score=(i % 5) + 1, decision="go")
    for days_ago in range(20):
        measurement_create(actor=pm, goal=goal, measured_on=ago(days_ago), value=Decimal(60 + days_ago))
    client = api(pm)
    get(client, f"/projects/{project.pk}/goals")  # the token's last use is stamped once
    # token, 2 x permissions, project (or goal), rows (+ owners), prefetched measurements, count
    expected = {
        f"/projects/{project.pk}/goals": (13, 7),
        f"/projects/{project.pk}/feasibility": (12, 6),
        f"/goals/{goal.pk}/measurements": (20, 7),
    }
    for url, (count, queries) in expected.items():
        with django_assert_max_num_queries(queries):
            body = get(client, url + "?page_size=50").json()
        assert body["count"] == count, url
    goals = get(client, f"/projects/{project.pk}/goals").json()["items"]
    assert sorted(g["measurements_count"] for g in goals) == [3] * 12 + [20]
