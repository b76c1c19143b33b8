"""A real browser walks a project from initiation to closed, satisfying each gate through the UI,
and sees the gate refuse with its reasons first."""

from __future__ import annotations

import datetime as dt

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.services import contact_create, customer_create
from clientpm.projects.models import GateDecision, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_tab(page, name: str) -> None:
    page.click(f"[data-bs-target='#tab-{name}']")
    page.wait_for_selector(f"[data-testid={name}-tab]")


def advance(page) -> None:
    page.click("[data-testid=advance]")
    page.wait_for_load_state()


def submit(page) -> None:
    page.click("main form button[type=submit].btn-primary")
    page.wait_for_load_state()


def test_walk_a_project_through_every_gate(live_server, page):
    pm = user_create(
        actor=None,
        username="zhao",
        password="pw-Secret-123",
        roles=[roles.PROJECT_MANAGER],
        display_name="赵敏",
    )
    member = user_create(actor=None, username="qian", roles=[roles.TEAM_MEMBER], display_name="钱进")
    customer = customer_create(actor=None, name="华东医药集团", owner=pm)
    contact = contact_create(actor=None, customer=customer, name="王芳", email="wang@example.com")
    today = dt.date.today()

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "zhao")
    page.fill("#id_password", "pw-Secret-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/customers/")

    # Open the project from the customer's projects tab.
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.click("[data-bs-target='#tab-projects']")
    page.click("#tab-projects >> text=New project")
    page.fill("#id_name", "华东区域实施项目")
    page.select_option("#id_customer_sponsor", str(contact.pk))
    submit(page)
    page.wait_for_selector("[data-testid=project-name]")
    project = Project.objects.get()
    assert page.text_content("[data-testid=project-phase]").strip() == "Initiation"

    # The initiation gate refuses, listing every unmet condition.
    advance(page)
    alert = page.locator(".alert-danger").first.text_content()
    for reason in (
        "No goal has been set.",
        "No feasibility assessment.",
        "No scope statement.",
        "No team member.",
    ):
        assert reason in alert

    # Feasibility "go", a SMART goal, a scope statement and a team member.
    open_tab(page, "goals")
    page.click("[data-testid=assess-feasibility]")
    for field in ("market", "technical", "financial", "resource"):
        page.select_option(f"#id_{field}_score", "4")
    page.fill("#id_cost_estimate_amount", "800000")
    page.fill("#id_expected_benefit_amount", "1200000")
    page.select_option("#id_decision", "go")
    submit(page)
    open_tab(page, "goals")
    page.click("[data-testid=add-goal]")
    page.fill("#id_statement", "Raise the satisfaction score by 20% within 12 months")
    page.fill("#id_metric", "CSAT")
    page.fill("#id_baseline_value", "70")
    page.fill("#id_target_value", "84")
    page.fill("#id_deadline_date", (today + dt.timedelta(days=365)).isoformat())
    page.fill("#id_rationale", "Renewal depends on it")
    submit(page)
    open_tab(page, "goals")
    assert page.locator("[data-testid=smart-ok]").count() == 1

    open_tab(page, "scope")
    page.click("[data-testid=edit-scope-statement]")
    page.fill("#id_scope_statement", "Roll out the CRM in five regional offices.")
    submit(page)

    open_tab(page, "team")
    page.click("text=Add member")
    page.select_option("#id_user", str(member.pk))
    page.fill("#id_project_role", "Consultant")
    submit(page)

    page.click("[data-bs-target='#tab-overview']")
    advance(page)
    assert page.text_content("[data-testid=project-phase]").strip() == "Planning"

    # Planning needs a milestone, a deliverable ...
    open_tab(page, "scope")
    page.click("[data-testid=add-milestone]")
    page.fill("#id_name", "Go-live")
    page.fill("#id_due_date", (today + dt.timedelta(days=90)).isoformat())
    submit(page)
    open_tab(page, "scope")
    page.click("[data-testid=add-deliverable]")
    page.fill("#id_name", "Configured CRM")
    page.fill("#id_due_date", (today + dt.timedelta(days=80)).isoformat())
    submit(page)
    # ... and a saved baseline of the plan.
    open_tab(page, "plan")
    page.click("[data-testid=add-task]")
    page.fill("#id_name", "Configure the CRM")
    page.fill("#id_duration_days", "10")
    submit(page)
    open_tab(page, "plan")
    page.click("[data-testid=plan-view-baselines]")
    page.fill("[data-testid=baseline-form] input[name=name]", "Agreed plan")
    page.click("[data-testid=baseline-form] button[type=submit]")
    page.wait_for_selector("[data-testid=plan-baselines] >> text=Agreed plan")
    page.click("[data-bs-target='#tab-overview']")
    advance(page)
    assert page.text_content("[data-testid=project-phase]").strip() == "Execution"
    advance(page)
    assert page.text_content("[data-testid=project-phase]").strip() == "Closing"

    # Closing: the customer accepts the deliverable.
    open_tab(page, "scope")
    page.click("[data-testid=step-in_progress]")
    submit(page)
    open_tab(page, "scope")
    page.click("[data-testid=step-submitted]")
    submit(page)
    open_tab(page, "scope")
    page.click("[data-testid=step-accepted]")
    page.select_option("#id_reviewer_contact", str(contact.pk))
    submit(page)

    # The closeout: goal evaluation, final evaluation, no lessons, sign-off.
    open_tab(page, "closeout")
    page.click("[data-testid=evaluate-goal]")
    page.select_option("#id_outcome", "achieved")
    page.fill("#id_actual_value", "85")
    submit(page)
    open_tab(page, "closeout")
    page.click("[data-testid=edit-evaluation]")
    page.select_option("#id_overall_rating", "5")
    page.fill("#id_summary", "Delivered on time; the customer renewed.")
    submit(page)
    open_tab(page, "closeout")
    with page.expect_response("**/closeout/no-lessons/"):
        page.check("[data-testid=no-lessons-form] input[type=checkbox]")
    page.wait_for_selector("[data-testid=no-lessons-form] input:checked")
    page.click("[data-testid=edit-signoff]")
    page.select_option("#id_signoff_contact", str(contact.pk))
    page.fill("#id_signoff_date", today.isoformat())
    submit(page)

    # Documents are archived last, then the project closes.
    open_tab(page, "documents")
    page.click("[data-testid=archive-documents]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.click("[data-bs-target='#tab-overview']")
    advance(page)
    assert page.text_content("[data-testid=project-phase]").strip() == "Closed"

    project.refresh_from_db()
    assert project.actual_finish_date == today
    outcomes = list(
        GateDecision.objects.filter(project=project).order_by("id").values_list("to_phase", "outcome")
    )
    assert outcomes == [
        ("planning", "passed"),
        ("execution", "passed"),
        ("closing", "passed"),
        ("closed", "passed"),
    ]


def test_board_refuses_a_drag_through_an_unmet_gate(live_server, page):
    pm = user_create(
        actor=None, username="sun", password="pw-Secret-123", roles=[roles.PROJECT_MANAGER], display_name="孙"
    )
    customer = customer_create(actor=None, name="西南物流", owner=pm)
    from clientpm.projects.services.projects import project_create

    project = project_create(actor=pm, customer=customer, name="西南 CRM", manager=pm)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sun")
    page.fill("#id_password", "pw-Secret-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/customers/")
    page.goto(f"{live_server.url}/projects/board/")
    page.drag_and_drop(f"[data-testid=card-{project.code}]", "[data-testid=column-planning]")
    page.wait_for_selector("[data-testid=board-alert]:not(.d-none)")
    assert "No goal has been set." in page.text_content("[data-testid=board-alert]")
    # The card is back in its column and the project did not move.
    assert page.locator(f"[data-testid=column-initiation] [data-testid=card-{project.code}]").count() == 1
    project.refresh_from_db()
    assert project.phase == "initiation"
