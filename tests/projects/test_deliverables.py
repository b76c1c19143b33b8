"""Deliverables and the customer acceptance flow: the status flow with its history and timestamps,
the refusals (illegal steps, missing reviewer, comment or waiver reason, foreign contacts, stale
versions, closed projects), the gate conditions that read deliverables, and the late flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from clientpm.core.errors import ConflictError, StaleVersionError
from clientpm.core.models import ChangeRecord
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.gates import gate_evaluate
from clientpm.projects.models import Deliverable, DeliverableReview, Phase
from clientpm.projects.queries.scope import deliverable_list, milestone_list
from clientpm.projects.services.lifecycle import project_transition
from clientpm.projects.services.projects import project_create
from clientpm.projects.services.scope import (
    deliverable_create,
    deliverable_delete,
    deliverable_transition,
    deliverable_update,
    milestone_create,
    milestone_update,
)


def records(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return list(ChangeRecord.objects.filter(content_type=ct, object_id=obj.pk).order_by("id"))


def step(actor, deliverable, to_status, **kwargs):
    """One step of the flow with the version the user has just read."""
    deliverable.refresh_from_db()
    return deliverable_transition(
        actor=actor, deliverable=deliverable, to_status=to_status, version=deliverable.version, **kwargs
    )


def history(deliverable):
    """The acceptance history, oldest first, as (outcome, reviewer, comment) tuples."""
    rows = DeliverableReview.objects.filter(deliverable=deliverable).order_by("reviewed_at", "id")
    return [(r.outcome, r.reviewer_name, r.comment) for r in rows]


def gate_reasons(project, phase, key):
    return next(r for r in gate_evaluate(project, phase) if r.key == key).reasons


@pytest.fixture
def spec(project, pm):
    return deliverable_create(
        actor=pm,
        project=project,
        name="需求规格说明书",
        owner=pm,
        due_date=dt.date(2026, 6, 30),
        acceptance_criteria="Signed off by the customer's IT lead",
    )


# --- the acceptance flow ---------------------------------------------------------------------------


def test_submit_reject_rework_submit_accept_keeps_history_and_timestamps(spec, pm, contact):
    now = timezone.now()
    first_submission = now - dt.timedelta(days=5)
    rejection = now - dt.timedelta(days=4)
    second_submission = now - dt.timedelta(days=2)
    acceptance = now - dt.timedelta(days=1)

    step(pm, spec, "in_progress")
    submitted = step(pm, spec, "submitted", reviewer_contact=contact, reviewed_at=first_submission)
    assert (submitted.status, submitted.submitted_at, submitted.accepted_at) == (
        "submitted",
        first_submission,
        None,
    )

    rejected = step(
        pm, spec, "rejected", reviewer_contact=contact, comment="缺少接口清单", reviewed_at=rejection
    )
    assert (rejected.status, rejected.submitted_at, rejected.accepted_at) == (
        "rejected",
        first_submission,
        None,
    )

    reworked = step(pm, spec, "in_progress")
    assert (reworked.status, reworked.submitted_at) == ("in_progress", None)

    step(pm, spec, "submitted", comment="补充了接口清单", reviewed_at=second_submission)
    accepted = step(pm, spec, "accepted", reviewer_name="李总", comment="同意", reviewed_at=acceptance)

    accepted.refresh_from_db()
    assert (accepted.status, accepted.submitted_at, accepted.accepted_at) == (
        "accepted",
        second_submission,
        acceptance,
    )
    assert accepted.version == 7  # created at 1, six steps
    assert history(spec) == [
        ("submitted", "王芳", ""),
        ("rejected", "王芳", "缺少接口清单"),
        ("submitted", "", "补充了接口清单"),
        ("accepted", "李总", "同意"),
    ]
    reviews = list(DeliverableReview.objects.filter(deliverable=spec).order_by("reviewed_at"))
    assert [r.reviewed_at for r in reviews] == [first_submission, rejection, second_submission, acceptance]
    assert reviews[1].reviewer_contact == contact
    assert {r.recorded_by for r in reviews} == {pm}

    trail = records(spec)
    assert [r.action for r in trail] == ["create"] + ["update"] * 6
    assert trail[-1].changes == {
        "status": ["submitted", "accepted"],
        "accepted_at": [None, acceptance.isoformat()],
    }
    assert trail[-1].actor == pm
    assert len(records(reviews[0])) == 1  # each history row is a recorded creation


def test_resubmitting_straight_after_a_rejection_is_allowed(spec, pm):
    step(pm, spec, "in_progress")
    step(pm, spec, "submitted")
    step(pm, spec, "rejected", reviewer_name="李总", comment="格式不对")
    resubmitted = step(pm, spec, "submitted")
    assert resubmitted.status == "submitted"
    assert [h[0] for h in history(spec)] == ["submitted", "rejected", "submitted"]


def test_waiving_needs_a_reason(spec, pm):
    with pytest.raises(ValidationError) as refused:
        step(pm, spec, "waived", waiver_reason="  ")
    assert refused.value.message_dict == {"waiver_reason": ["Give the reason the deliverable is waived."]}
    spec.refresh_from_db()
    assert (spec.status, spec.version) == ("planned", 1)
    assert history(spec) == []

    waived = step(pm, spec, "waived", waiver_reason="客户取消了该模块", reviewer_name="李总")
    assert (waived.status, waived.waiver_reason, waived.accepted_at) == ("waived", "客户取消了该模块", None)
    assert history(spec) == [("waived", "李总", "客户取消了该模块")]


def test_starting_work_is_recorded_in_the_change_log_not_the_acceptance_history(spec, pm):
    started = step(pm, spec, "in_progress")
    assert started.status == "in_progress"
    assert history(spec) == []
    assert records(spec)[-1].changes == {"status": ["planned", "in_progress"]}


@pytest.mark.parametrize(
    ("path", "to_status", "message", "reason"),
    [
        (
            [],
            "accepted",
            "Deliverable “需求规格说明书” cannot go from planned to accepted.",
            "From planned it can go to: in progress, waived.",
        ),
        (
            [],
            "submitted",
            "Deliverable “需求规格说明书” cannot go from planned to submitted.",
            "From planned it can go to: in progress, waived.",
        ),
        (
            ["in_progress"],
            "rejected",
            "Deliverable “需求规格说明书” cannot go from in progress to rejected.",
            "From in progress it can go to: submitted, waived.",
        ),
        (
            ["in_progress", "submitted"],
            "in_progress",
            "Deliverable “需求规格说明书” cannot go from submitted to in progress.",
            "From submitted it can go to: accepted, rejected, waived.",
        ),
        (
            ["waived"],
            "in_progress",
            "Deliverable “需求规格说明书” cannot go from waived to in progress.",
            "Waived is final.",
        ),
    ],
)
def test_illegal_steps_are_refused_naming_both_statuses(spec, pm, path, to_status, message, reason):
    for status in path:
        step(pm, spec, status, waiver_reason="x", reviewer_name="李总")
    spec.refresh_from_db()
    before = (spec.status, spec.version)
    with pytest.raises(ConflictError) as refused:
        step(pm, spec, to_status, reviewer_name="李总", comment="x")
    assert refused.value.detail == message
    assert refused.value.reasons == [reason]
    spec.refresh_from_db()
    assert (spec.status, spec.version) == before


def test_an_accepted_deliverable_is_final(spec, pm):
    for status in ("in_progress", "submitted"):
        step(pm, spec, status)
    step(pm, spec, "accepted", reviewer_name="李总")
    with pytest.raises(ConflictError) as refused:
        step(pm, spec, "waived", waiver_reason="changed our minds")
    assert refused.value.reasons == ["Accepted is final."]


def test_unknown_status_is_a_field_error(spec, pm):
    with pytest.raises(ValidationError) as refused:
        step(pm, spec, "done")
    assert refused.value.message_dict == {"to_status": ["Unknown status “done”."]}


def test_accepting_or_rejecting_needs_the_reviewer_and_a_rejection_its_reason(spec, pm):
    step(pm, spec, "in_progress")
    step(pm, spec, "submitted")
    who = "Say who on the customer's side reviewed it: choose a contact or type a name."
    with pytest.raises(ValidationError) as refused:
        step(pm, spec, "accepted", reviewer_name="   ")
    assert refused.value.message_dict == {"reviewer_name": [who]}
    with pytest.raises(ValidationError) as refused:
        step(pm, spec, "rejected")
    assert refused.value.message_dict == {
        "reviewer_name": [who],
        "comment": ["Say why the customer rejected it, so the team knows what to rework."],
    }
    spec.refresh_from_db()
    assert spec.status == "submitted"
    assert len(history(spec)) == 1


def test_reviewer_contact_must_belong_to_the_projects_customer(spec, pm, account_manager):
    other = customer_create(actor=account_manager, name="另一家公司", owner=account_manager)
    stranger = contact_create(actor=account_manager, customer=other, name="赵六")
    step(pm, spec, "in_progress")
    step(pm, spec, "submitted")
    with pytest.raises(ValidationError) as refused:
        step(pm, spec, "accepted", reviewer_contact=stranger)
    assert refused.value.message_dict == {"reviewer_contact": ["Choose a contact of the project's customer."]}
    spec.refresh_from_db()
    assert spec.status == "submitted"


def test_review_time_may_be_neither_in_the_future_nor_before_the_submission(spec, pm):
    submitted_at = timezone.now() - dt.timedelta(days=2)
    step(pm, spec, "in_progress")
    step(pm, spec, "submitted", reviewed_at=submitted_at)
    with pytest.raises(ValidationError) as refused:
        step(pm, spec, "accepted", reviewer_name="李总", reviewed_at=timezone.now() + dt.timedelta(hours=1))
    assert refused.value.message_dict == {"reviewed_at": ["The time cannot be in the future."]}
    with pytest.raises(ValidationError) as refused:
        step(pm, spec, "accepted", reviewer_name="李总", reviewed_at=submitted_at - dt.timedelta(minutes=1))
    assert refused.value.message_dict == {
        "reviewed_at": ["The review cannot be earlier than the submission."]
    }


def test_a_stale_version_is_refused(spec, pm):
    step(pm, spec, "in_progress")
    with pytest.raises(StaleVersionError) as refused:
        deliverable_transition(actor=pm, deliverable=spec, to_status="submitted", version=1)
    assert refused.value.current_version == 2
    with pytest.raises(StaleVersionError):
        deliverable_update(actor=pm, deliverable=spec, version=1, name="改名")


# --- create, update, delete ------------------------------------------------------------------------


def test_create_records_every_field(spec, pm):
    spec.refresh_from_db()
    assert (spec.status, spec.version, spec.owner, spec.submitted_at) == ("planned", 1, pm, None)
    [created] = records(spec)
    assert created.action == "create"
    assert created.changes["name"] == [None, "需求规格说明书"]
    assert created.changes["due_date"] == [None, "2026-06-30"]
    assert created.changes["status"] == [None, "planned"]


def test_milestone_must_be_one_of_the_same_project(spec, pm, customer):
    elsewhere = project_create(actor=pm, customer=customer, name="二期项目", manager=pm)
    foreign = milestone_create(actor=pm, project=elsewhere, name="上线", due_date=dt.date(2026, 9, 1))
    with pytest.raises(ValidationError) as refused:
        deliverable_create(actor=pm, project=spec.project, name="培训材料", milestone=foreign)
    assert refused.value.message_dict == {"milestone": ["Choose a milestone of this project."]}
    with pytest.raises(ValidationError):
        deliverable_update(actor=pm, deliverable=spec, version=1, milestone=foreign)
    own = milestone_create(actor=pm, project=spec.project, name="蓝图确认", due_date=dt.date(2026, 7, 1))
    linked = deliverable_update(actor=pm, deliverable=spec, version=1, milestone=own, name=" 需求规格 ")
    assert (linked.milestone, linked.name, linked.version) == (own, "需求规格", 2)
    assert records(spec)[-1].changes == {"milestone": [None, own.pk], "name": ["需求规格说明书", "需求规格"]}


def test_status_cannot_be_set_by_an_update(spec, pm):
    with pytest.raises(ValidationError) as refused:
        deliverable_update(actor=pm, deliverable=spec, version=1, status="accepted")
    assert refused.value.message_dict == {"status": ["Unknown field."]}


def test_delete_removes_the_history_but_an_accepted_deliverable_stays(spec, pm, project):
    draft = deliverable_create(actor=pm, project=project, name="草稿")
    step(pm, draft, "in_progress")
    step(pm, draft, "submitted")
    deliverable_delete(actor=pm, deliverable=draft)
    assert not Deliverable.objects.filter(pk=draft.pk).exists()
    assert DeliverableReview.objects.filter(deliverable_id=draft.pk).count() == 0
    assert records(draft)[-1].action == "delete"

    for status in ("in_progress", "submitted"):
        step(pm, spec, status)
    step(pm, spec, "accepted", reviewer_name="李总")
    with pytest.raises(ConflictError) as refused:
        deliverable_delete(actor=pm, deliverable=spec)
    assert (
        refused.value.detail
        == "Deliverable “需求规格说明书” was accepted by the customer and stays on record."
    )
    assert Deliverable.objects.filter(pk=spec.pk).exists()


def test_a_cancelled_project_is_read_only(spec, pm, project):
    project_transition(
        actor=pm, project=project, to_phase=Phase.CANCELLED, version=project.version, reason="客户撤回"
    )
    with pytest.raises(ConflictError) as refused:
        step(pm, spec, "in_progress")
    assert "reopen it" in refused.value.detail
    with pytest.raises(ConflictError):
        deliverable_create(actor=pm, project=project, name="新交付物")
    spec.refresh_from_db()
    assert spec.status == "planned"


# --- gate conditions ---------------------------------------------------------------------------------


def test_planning_gate_needs_a_milestone_and_a_deliverable(project, pm):
    assert gate_reasons(project, "planning", "milestone") == ["No milestone."]
    assert gate_reasons(project, "planning", "deliverable") == ["No deliverable."]
    milestone_create(actor=pm, project=project, name="蓝图确认", due_date=dt.date(2026, 7, 1))
    assert gate_reasons(project, "planning", "milestone") == []
    assert gate_reasons(project, "planning", "deliverable") == ["No deliverable."]
    deliverable_create(actor=pm, project=project, name="需求规格说明书")
    assert gate_reasons(project, "planning", "deliverable") == []


def test_closing_gate_names_each_open_deliverable_until_accepted_or_waived(spec, pm, project):
    manual = deliverable_create(actor=pm, project=project, name="用户手册")
    step(pm, spec, "in_progress")
    step(pm, spec, "submitted")
    assert sorted(gate_reasons(project, "closing", "deliverables_done")) == [
        "Deliverable “用户手册” is planned, not accepted or waived.",
        "Deliverable “需求规格说明书” is submitted, not accepted or waived.",
    ]
    step(pm, spec, "accepted", reviewer_name="李总")
    assert gate_reasons(project, "closing", "deliverables_done") == [
        "Deliverable “用户手册” is planned, not accepted or waived."
    ]
    step(pm, manual, "waived", waiver_reason="客户自行编写")
    assert gate_reasons(project, "closing", "deliverables_done") == []


# --- late flags --------------------------------------------------------------------------------------


def test_deliverable_late_flag_against_a_fixed_day(project, pm):
    day = dt.date(2026, 3, 10)

    def make(name, due, *steps):
        d = deliverable_create(actor=pm, project=project, name=name, due_date=due)
        for status in steps:
            step(pm, d, status, reviewer_name="李总", waiver_reason="不需要")
        return d

    make("overdue", dt.date(2026, 3, 9))
    make("due today", day)
    make("overdue but submitted", dt.date(2026, 3, 1), "in_progress", "submitted")
    make("overdue but accepted", dt.date(2026, 3, 1), "in_progress", "submitted", "accepted")
    make("overdue but waived", dt.date(2026, 3, 1), "waived")
    make("undated", None)
    flags = {d.name: d.is_late for d in deliverable_list(project=project, today=day)}
    assert flags == {
        "overdue": True,
        "due today": False,
        "overdue but submitted": True,
        "overdue but accepted": False,
        "overdue but waived": False,
        "undated": False,
    }


def test_milestone_late_flag_against_a_fixed_day(project, pm):
    day = dt.date(2025, 3, 10)
    due = dt.date(2025, 3, 5)
    milestone_create(actor=pm, project=project, name="passed, planned", due_date=due)
    milestone_create(actor=pm, project=project, name="ahead, planned", due_date=dt.date(2025, 3, 20))
    milestone_create(actor=pm, project=project, name="passed, missed", due_date=due, status="missed")
    milestone_create(
        actor=pm, project=project, name="achieved late", due_date=due, status="achieved", achieved_date=day
    )
    milestone_create(
        actor=pm,
        project=project,
        name="achieved on time",
        due_date=due,
        status="achieved",
        achieved_date=dt.date(2025, 3, 5),
    )
    flags = {m.name: m.is_late for m in milestone_list(project=project, today=day)}
    assert flags == {
        "passed, planned": True,
        "ahead, planned": False,
        "passed, missed": True,
        "achieved late": True,
        "achieved on time": False,
    }


def test_milestone_lists_its_deliverables(project, pm):
    gate = milestone_create(actor=pm, project=project, name="蓝图确认", due_date=dt.date(2026, 7, 1))
    deliverable_create(actor=pm, project=project, name="B 方案", milestone=gate, due_date=dt.date(2026, 6, 2))
    deliverable_create(actor=pm, project=project, name="A 需求", milestone=gate, due_date=dt.date(2026, 6, 1))
    deliverable_create(actor=pm, project=project, name="不相关")
    [row] = milestone_list(project=project)
    assert [d.name for d in row.deliverables.all()] == ["A 需求", "B 方案"]
    milestone_update(actor=pm, milestone=gate, version=1, name="蓝图签字")
    assert [m.name for m in milestone_list(project=project)] == ["蓝图签字"]
